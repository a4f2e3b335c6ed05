"""``terrmap screenshot``: the main window with a project, rendered offscreen to PNG."""

from __future__ import annotations

import argparse

from terrmap.cli import EXIT_ERROR, EXIT_OK, error_line, out


def register_screenshot(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap screenshot``."""
    p = sub.add_parser(
        "screenshot",
        help="render the app window with a project to a PNG (no display needed)",
        description="Open PROJECT in the main window offscreen and save the window as a "
        "PNG, e.g. for documentation. Without PROJECT, the bundled sample is shown.",
    )
    p.add_argument("project", metavar="PROJECT", nargs="?", help="project file (*.terrmap.gpkg)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="PNG to write")
    p.add_argument(
        "--size", default="1600x1000", metavar="WxH", help="window size in pixels (1600x1000)"
    )
    p.set_defaults(run=run_screenshot)


def run_screenshot(args: argparse.Namespace) -> int:
    """Render and save the window."""
    from terrmap.ui.screenshot import parse_size, screenshot

    try:
        size = parse_size(args.size)
    except ValueError as error:
        error_line(str(error))
        return EXIT_ERROR
    written = screenshot(args.project, args.out, size)
    out(f"Wrote {written} ({size[0]}×{size[1]})")
    return EXIT_OK
