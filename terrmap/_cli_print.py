"""``terrmap print``: a project's map layout or territory atlas to PDF, SVG or PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from terrmap.cli import EXIT_ERROR, EXIT_OK, error_line, load, out, progress_printer

PAGES = ("letter", "legal", "tabloid", "a4", "a3")
SUFFIXES = (".pdf", ".svg", ".png")
_PARTS = (
    ("legend", "the legend"),
    ("scale-bar", "the scale bar"),
    ("north-arrow", "the north arrow"),
    ("table", "the territory summary table"),
    ("footer", "the footer (data source, synthetic-data notice, page numbers)"),
    ("accounts", "account points (and the atlas's account lists)"),
    ("territory-labels", "territory names on the map"),
)


def register_print(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap print``."""
    p = sub.add_parser(
        "print",
        help="print the map layout or a territory atlas to PDF, SVG or PNG",
        description="Draw PROJECT's map page (title, map, legend, scale bar, north arrow, "
        "summary table, footer) as a vector PDF (every page), SVG (one page) or PNG at "
        "--dpi. With --atlas, a PDF with a cover page and a section per territory (or per "
        "district with --by parent): its map with neighbours greyed, legend, totals and "
        "account list.",
    )
    p.add_argument("project", metavar="PROJECT", help="project file (*.terrmap.gpkg)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf, FILE.svg or FILE.png")
    p.add_argument("--atlas", action="store_true", help="a territory atlas (PDF only)")
    p.add_argument(
        "--by", choices=("territory", "parent"), default="territory", help="atlas sections"
    )
    p.add_argument("--page", choices=PAGES, default="letter", type=str.lower, help="paper")
    p.add_argument("--landscape", action="store_true", help="landscape orientation")
    p.add_argument("--dpi", type=int, default=150, metavar="N", help="PNG resolution (150)")
    p.add_argument("--title", metavar="T", help="title (default: the project's title)")
    p.add_argument("--subtitle", metavar="S", help="subtitle (default: today's date)")
    p.add_argument("--metric", action="append", metavar="COL", help="total to show (repeatable)")
    p.add_argument("--unit-labels", action="store_true", help="name the units on the map")
    p.add_argument("--miles", action="store_true", help="scale bar in miles (default km)")
    p.add_argument(
        "--max-accounts", type=int, metavar="N", help="atlas: list at most N accounts a section"
    )
    p.add_argument(
        "--sheet", type=int, default=1, metavar="N", help="SVG/PNG: which page to draw (1)"
    )
    for name, what in _PARTS:
        p.add_argument(f"--no-{name}", action="store_true", help=f"leave out {what}")
    p.set_defaults(run=run_print)


def run_print(args: argparse.Namespace) -> int:
    """Check the arguments, then write the file."""
    target = Path(args.out)
    suffix = target.suffix.lower()
    problem = _check(args, suffix)
    if problem:
        error_line(problem)
        return EXIT_ERROR
    from terrmap.render.layout import PrintLayout

    try:
        layout = PrintLayout(
            page=args.page,
            orientation="landscape" if args.landscape else "portrait",
            dpi=args.dpi,
            title=args.title,
            subtitle=args.subtitle,
            legend=not args.no_legend,
            scale_bar=not args.no_scale_bar,
            north_arrow=not args.no_north_arrow,
            summary_table=not args.no_table,
            footer=not args.no_footer,
            accounts=not args.no_accounts,
            territory_labels=not args.no_territory_labels,
            unit_labels=args.unit_labels,
            metrics=tuple(args.metric) if args.metric else None,
            distance_unit="mi" if args.miles else "km",
            account_limit=args.max_accounts,
        )
    except ValueError as error:
        error_line(str(error))
        return EXIT_ERROR
    project = load(args.project)
    try:
        written = _write(args, target, suffix, project, layout)
    except ValueError as error:  # e.g. --sheet beyond the last page
        error_line(str(error))
        return EXIT_ERROR
    out(f"Wrote {target} ({written}; {args.page} {layout.orientation})")
    return EXIT_OK


def _check(args: argparse.Namespace, suffix: str) -> str:
    if suffix not in SUFFIXES:
        return f"cannot tell the format of {args.out!r}: use a .pdf, .svg or .png file name"
    if args.atlas and suffix != ".pdf":
        return "an atlas has many pages: write it to a .pdf file"
    if not Path(args.project).is_file():
        return f"no such project file: {args.project}"
    if not Path(args.out).resolve().parent.is_dir():
        return f"the folder of {args.out} does not exist"
    return ""


def _write(args: argparse.Namespace, target: Path, suffix: str, project, layout) -> str:
    from terrmap.render import print_output

    if args.atlas:
        from terrmap.render.atlas import write_atlas_pdf

        pages = write_atlas_pdf(target, project, layout, args.by, progress=progress_printer())
        return f"atlas by {args.by}, {_count(pages, 'page')}"
    if suffix == ".pdf":
        return _count(print_output.write_pdf(target, project, layout), "page")
    if suffix == ".svg":
        print_output.write_svg(target, project, layout, page=args.sheet)
        return f"page {args.sheet}"
    width, height = print_output.write_png(target, project, layout, page=args.sheet)
    return f"page {args.sheet}, {width}×{height} px at {layout.dpi} dpi"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
