"""The sub-commands of ``terrmap``: each a ``register_*`` (arguments) and a ``run_*`` (job).

Imports of geopandas and friends stay inside the ``run_*`` functions so building the
parser (and ``--help``) stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from terrmap import _cli_report as report
from terrmap._cli_accounts import register_export_accounts
from terrmap._cli_optimize import register_optimize
from terrmap._cli_print import register_print
from terrmap._cli_route import register_route
from terrmap._cli_screenshot import register_screenshot
from terrmap._cli_web import register_web
from terrmap.cli import (
    EXIT_OK,
    EXIT_ROWS_REJECTED,
    error_line,
    load,
    out,
    out_json,
    progress_printer,
    save,
)
from terrmap.cli import warn as warn_line
from terrmap.errors import TerrmapError

if TYPE_CHECKING:
    from terrmap.core.project import Project

_MAX_PROBLEMS_SHOWN = 10


def _command(
    sub: argparse._SubParsersAction,
    run: object,
    name: str,
    *,
    creates: bool = False,
    **parser_options: object,
) -> argparse.ArgumentParser:
    """Add a sub-command that takes a PROJECT file and runs ``run``.

    ``parser_options`` (help, description, epilog...) go to ``add_parser``.
    """
    p = sub.add_parser(name, **parser_options)
    what = "project file to create" if creates else "project file"
    p.add_argument("project", metavar="PROJECT", help=f"{what} (*.terrmap.gpkg)")
    p.set_defaults(run=run)
    return p


# -- new -------------------------------------------------------------------
def register_new(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap new``."""
    p = _command(
        sub,
        run_new,
        "new",
        help="build a project from boundary, account and rep files",
        description="Build a project file from a boundary layer and, optionally, an account "
        "book, a reps CSV (id,name[,home_lat,home_lon,color,target,parent]) and an "
        "alignment CSV (unit_id,territory). Account rows that cannot be placed are "
        "counted and, with --import-report, listed.",
        creates=True,
    )
    p.add_argument("--boundaries", required=True, metavar="FILE", help="polygon layer of units")
    p.add_argument("--id-field", metavar="F", help="unit id field (if not a Census layer)")
    p.add_argument("--name-field", metavar="F", help="unit name field")
    p.add_argument("--accounts", metavar="FILE", help="account book, CSV or XLSX")
    p.add_argument("--reps", metavar="FILE", help="reps CSV: id,name and optional columns")
    p.add_argument("--alignment", metavar="CSV", help="alignment CSV: unit_id,territory")
    p.add_argument(
        "--import-report",
        metavar="OUT.csv",
        help="write account problems as CSV: file,line,account_id,severity,reason",
    )
    p.add_argument("--force", action="store_true", help="replace PROJECT if it exists")


def run_new(args: argparse.Namespace) -> int:
    """Build, save and summarise a new project."""
    from terrmap.io.accounts import problems_to_csv
    from terrmap.io.newproject import build_project
    from terrmap.io.projectfile import project_path

    target = _new_target(project_path(args.project), args.force)
    built = build_project(
        args.boundaries,
        id_field=args.id_field,
        name_field=args.name_field,
        accounts=args.accounts,
        reps=args.reps,
        alignment=args.alignment,
        progress=progress_printer(),
    )
    for warning in built.warnings:
        warn_line(warning)
    if args.import_report:
        problems_to_csv(built.problems, args.import_report)
    save(built.project, target)
    out(report.new_summary(target, built))
    if built.problems and not args.import_report:
        _show_some(
            [f"{p.file}, line {p.line}: {p.reason}" for p in built.problems],
            "list them all with --import-report OUT.csv",
            [error_line if p.severity == "error" else warn_line for p in built.problems],
        )
    return EXIT_OK


def _new_target(target: Path, force: bool) -> Path:
    if target.exists() and not force:
        raise TerrmapError(f"{target} already exists; use --force to replace it")
    return target


# -- sample ----------------------------------------------------------------
def register_sample(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap sample``."""
    p = _command(
        sub,
        run_sample,
        "sample",
        help="write the bundled sample as a project file",
        description="Write the bundled sample (real Northeast US counties, synthetic "
        "accounts and reps) as a project file to explore or to start from.",
        creates=True,
    )
    p.add_argument("--force", action="store_true", help="replace PROJECT if it exists")


def run_sample(args: argparse.Namespace) -> int:
    """Save the bundled sample project."""
    from terrmap.io.projectfile import project_path
    from terrmap.sample import load_sample_project

    target = _new_target(project_path(args.project), args.force)
    project = load_sample_project(progress_printer())
    save(project, target)
    out(f"Wrote the sample project to {target} (synthetic accounts and reps)")
    return EXIT_OK


# -- info ------------------------------------------------------------------
def register_info(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap info``."""
    p = _command(
        sub,
        run_info,
        "info",
        help="summarise a project",
        description="Summarise a project: units, accounts, territories, plans, metadata.",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def run_info(args: argparse.Namespace) -> int:
    """Print a project summary."""
    summary = report.project_summary(load(args.project), Path(args.project).name)
    if args.json:
        out_json(summary)
    else:
        out(report.summary_text(summary))
    return EXIT_OK


# -- report ----------------------------------------------------------------
def register_report(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap report``."""
    p = _command(
        sub,
        run_report,
        "report",
        help="print the per-territory balance table",
        description="Print per territory: units, accounts, the sum of each metric, and the "
        "deviation of the first metric from the territory's target with an in-band mark. "
        "Metrics default to every numeric account column. --csv writes the same table; "
        "--xlsx writes a workbook with it (plus a totals row), the account → owner list, "
        "the unit alignment and an About sheet.",
    )
    p.add_argument(
        "--metric", nargs="+", action="extend", metavar="COL", help="metric column(s) to sum"
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=5.0,
        metavar="PCT",
        help="half-width of the balance band in %% (default 5)",
    )
    p.add_argument("--csv", metavar="OUT", help="also write the table as CSV")
    p.add_argument(
        "--xlsx",
        metavar="OUT.xlsx",
        help="also write a workbook: Territories, Accounts, Alignment and About sheets",
    )
    p.add_argument("--json", action="store_true", help="print the totals as JSON")


def run_report(args: argparse.Namespace) -> int:
    """Print (and optionally write) the balance table."""
    if args.tolerance < 0:
        raise TerrmapError("--tolerance must be ≥ 0")
    table = report.balance_report(load(args.project), args.metric, args.tolerance)
    if args.csv:
        report.write_csv(table, args.csv)
    if args.xlsx:
        report.write_xlsx(table, args.xlsx, args.project)
    if args.json:
        out_json(report.report_json(table))
    else:
        out(report.report_text(table))
    return EXIT_OK


# -- alignment ---------------------------------------------------------------
def register_export_alignment(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap export-alignment``."""
    p = _command(
        sub,
        run_export_alignment,
        "export-alignment",
        help="write unit_id,territory,territory_name,owner as CSV",
        description="Write the active plan as CSV with columns unit_id,territory,"
        "territory_name,owner (one row per unit; unassigned units have an empty territory), "
        "the file CRMs import.",
    )
    p.add_argument("out", metavar="OUT.csv", help="CSV to write")


def run_export_alignment(args: argparse.Namespace) -> int:
    """Write the alignment CSV."""
    from terrmap.io.alignment import write_alignment

    project = load(args.project)
    write_alignment(project, args.out)
    assigned = int((project.plan.codes >= 0).sum())
    out(f"Wrote {len(project.units)} units ({assigned} assigned) to {args.out}")
    return EXIT_OK


def register_import_alignment(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap import-alignment``."""
    p = _command(
        sub,
        run_import_alignment,
        "import-alignment",
        help="assign units to territories from a CSV",
        description="Read unit_id,territory from a CSV (other columns are ignored; an empty "
        "territory unassigns the unit; units not listed keep their territory) and apply it "
        "to the active plan as one edit, then save the project. If any row names an "
        "unknown unit or territory, every such row is listed on stderr and the project is "
        "left unchanged (exit status 1) unless --skip-unknown is given.",
        epilog="Exit status: 0 applied, 1 rows rejected, 2 error.",
    )
    p.add_argument("alignment", metavar="IN.csv", help="CSV with unit_id,territory columns")
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="apply the usable rows and save even if some rows are rejected (exit 0)",
    )
    p.add_argument("--dry-run", action="store_true", help="check the file; change nothing")


def run_import_alignment(args: argparse.Namespace) -> int:
    """Apply an alignment CSV to a project and save it."""
    from terrmap.core.commands import assign_all_units
    from terrmap.io.alignment import read_alignment

    project = load(args.project)
    aligned = read_alignment(args.alignment, project)
    # Rejected rows block the import unless skipped, so they are errors then.
    say = warn_line if args.skip_unknown or args.dry_run else error_line
    for problem in aligned.problems:
        say(f"{Path(args.alignment).name}, {problem}")
    rejected, changed = len(aligned.problems), _changes(project, aligned.mapping)
    if args.dry_run:
        out(f"Dry run: {changed} units would change territory; {rejected} rows rejected")
        return EXIT_ROWS_REJECTED if rejected else EXIT_OK
    if rejected and not args.skip_unknown:
        error_line(
            f"{rejected} rows rejected; {args.project} left unchanged "
            f"(use --skip-unknown to apply the {len(aligned.mapping)} usable rows)"
        )
        return EXIT_ROWS_REJECTED
    name = Path(args.alignment).name
    skipped = f", {rejected} rows skipped" if rejected else ""
    if changed == 0:
        out(f"{name} matches the project: no unit changes territory{skipped}")
        return EXIT_OK
    assign_all_units(project, aligned.mapping, f"Import alignment {name}").apply(project)
    save(project, args.project)
    out(f"Applied {name}: {changed} units changed territory{skipped}; saved {args.project}")
    return EXIT_OK


def _changes(project: Project, mapping: dict[str, str | None]) -> int:
    units = list(mapping)
    if not units:
        return 0
    before = project.plan.codes[project.units.positions(units)]
    after = project.codes_for(mapping.values())
    return int((before != after).sum())


def _show_some(lines: list[str], hint: str, printers: list | None = None) -> None:
    """Print the first problems (each with its own printer, default a warning)."""
    printers = printers or [warn_line] * len(lines)
    for line, print_line in zip(lines[:_MAX_PROBLEMS_SHOWN], printers, strict=False):
        print_line(line)
    if len(lines) > _MAX_PROBLEMS_SHOWN:
        warn_line(f"… and {len(lines) - _MAX_PROBLEMS_SHOWN} more; {hint}")


REGISTRY = (
    register_new,
    register_info,
    register_report,
    register_export_alignment,
    register_export_accounts,
    register_import_alignment,
    register_optimize,
    register_print,
    register_route,
    register_sample,
    register_screenshot,
    register_web,
)
