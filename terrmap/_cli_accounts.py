"""``terrmap export-accounts``: the account → owner list, in the layout CRMs import.

A thin shell over `terrmap.io.reports.write_accounts_csv`: one row per account with
``account_id,name,owner,territory_id,territory_name`` (the effective territory: a named
override, else the unit's), UTF-8 with a byte-order mark, text guarded against formula
injection.
"""

from __future__ import annotations

import argparse

from terrmap.cli import EXIT_OK, load, out


def register_export_accounts(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap export-accounts``."""
    p = sub.add_parser(
        "export-accounts",
        help="write account_id,name,owner,territory_id,territory_name as CSV",
        description="Write every account with its owner (the rep of its territory in the "
        "active plan) as CSV with columns account_id,name,owner,territory_id,"
        "territory_name, the layout CRMs import. Unassigned accounts have empty owner and "
        "territory cells; a vacant territory has an empty owner.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file (*.terrmap.gpkg)")
    p.add_argument("out", metavar="OUT.csv", help="CSV to write")
    p.set_defaults(run=run_export_accounts)


def run_export_accounts(args: argparse.Namespace) -> int:
    """Write the account → owner CSV."""
    from terrmap.core.plan import UNASSIGNED
    from terrmap.io.reports import write_accounts_csv

    project = load(args.project)
    written = write_accounts_csv(project, args.out)
    owned = int((project.account_codes() != UNASSIGNED).sum())
    out(f"Wrote {written} accounts ({owned} in a territory) to {args.out}")
    return EXIT_OK
