"""``terrmap web``: the project as an HTML web map to open in any browser.

A thin shell over `terrmap.web.write_web_map`: territories coloured as in the app, tooltips
and popups with the rep and totals, clustered accounts, a layer control. ``--offline`` writes
a page that needs no network at all (no online tiles; Leaflet inlined).

Exit status: 0 written, 2 error (unknown metric, unreadable project, unwritable file).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from terrmap.cli import EXIT_OK, load, out


def register_web(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap web``."""
    p = sub.add_parser(
        "web",
        help="write the project as an HTML web map (--offline: no network needed)",
        description="Write the active plan as a standalone HTML web map: units filled with "
        "their territory's colour (unassigned grey), territory borders, tooltips and popups "
        "with the territory, rep and totals, accounts as clustered markers, rep homes and a "
        "layer control. The default page loads Leaflet and OpenStreetMap tiles from the "
        "internet; --offline writes one that needs no network at all (no basemap, Leaflet "
        "inlined), for a laptop on the road or an intranet.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file (*.terrmap.gpkg)")
    p.add_argument("--out", type=Path, required=True, metavar="MAP.html", help="page to write")
    p.add_argument(
        "--offline",
        action="store_true",
        help="no online tiles and no CDN scripts: the page works without a network",
    )
    p.add_argument(
        "--metric",
        nargs="+",
        action="extend",
        metavar="COL",
        help="metric column(s) whose territory sums the popups show "
        "(default: every numeric account column)",
    )
    p.set_defaults(run=run_web)


def run_web(args: argparse.Namespace) -> int:
    """Write the web map and say what it holds."""
    from terrmap.web import write_web_map

    project = load(args.project)
    path = write_web_map(project, args.out, offline=args.offline, metrics=args.metric)
    size_mb = path.stat().st_size / 1e6
    mode = "offline, no network needed" if args.offline else "online tiles"
    out(
        f"Wrote {path} ({size_mb:.1f} MB, {mode}): {len(project.units):,} units, "
        f"{len(project.territories):,} territories, {len(project.accounts):,} accounts"
    )
    return EXIT_OK
