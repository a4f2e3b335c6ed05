"""A route plan as a printable itinerary PDF for the field rep: a map and a timetable per day.

Layout (Letter or A4 portrait, 0.5 inch margins, DejaVu Sans):

* **Overview** (plans of two or more days only): all days' routes on one map with a day colour
  legend, then a table of each day's totals and the page its section starts on.
* **One section per day**, each starting on a new page: the heading "Rep — Mon 30 Nov 2026"
  with the day's totals, a map zoomed to the day, and the timetable: start row, one row per
  visit (numbered as the map's markers), the lunch row where the lunch is taken and the return
  row. A day whose rows do not fit continues on further pages under the repeated column header.
* **Not placed** (only when the plan has unplaced stops): every stop that did not fit, with the
  reason.

Every page has a footer with the rep, how distances were measured (``plan.distances``) and
"Page n of N". Rows are one line high (long text is elided), so the page count follows from the
row counts alone; :func:`page_capacity` gives the rows that fit on each kind of page:

* overview: 1 page while the day table fits (``overview`` rows, the total row included);
* a day of ``r`` rows (visits + start + return + 1 if it has a lunch): 1 page for up to
  ``day`` rows, then one more page per ``more`` rows;
* Not placed, ``u`` stops with ``g`` different reasons (a heading row each): ``u + g`` rows,
  1 page for up to ``unplaced`` rows, then one more page per ``more`` rows.

The maps are drawn by the one map renderer (:class:`MapRenderer`) when a project is given, its
territory map faded under the route as on screen; without a project the route alone is drawn on
a plain background by the same route layer code. Output is vector throughout.

This module assembles the document; the parts live in ``_itinerary_sections`` (the sections'
text and tables), ``_itinerary_pages`` (page geometry and pagination), ``_itinerary_paint``
(painting a page), ``_itinerary_maps`` (the maps) and ``_itinerary_table`` (the tables).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

from terrmap.errors import TerrmapError
from terrmap.io.atomic import write_bytes_atomic
from terrmap.render._itinerary_maps import MIN_MAP_SPAN_M, MapSource
from terrmap.render._itinerary_pages import (
    DAY_MAP_SHARE,
    DAY_SUBTITLE_LINES,
    DPI,
    FOOTER_H,
    GAP,
    LEGEND_H,
    LINE_H,
    MARGIN_MM,
    OVERVIEW_MAP_SHARE,
    PAGE_SIZES,
    TITLE_H,
    PageCapacity,
    content_size,
    page_capacity,
    paginate,
)
from terrmap.render._itinerary_paint import FONT_FAMILY, Context, make_fonts, paint_page
from terrmap.render._itinerary_sections import (
    DAY_COLUMNS,
    OVERVIEW_COLUMNS,
    UNPLACED_COLUMNS,
    duration,
    long_date,
)
from terrmap.render.page import ensure_gui_application
from terrmap.routing._export_text import one_line
from terrmap.routing.exports import default_stem, safe_stem
from terrmap.routing.model import RoutePlan

if TYPE_CHECKING:
    from terrmap.core.project import Project

__all__ = [
    "DAY_COLUMNS",
    "DAY_MAP_SHARE",
    "DAY_SUBTITLE_LINES",
    "DPI",
    "FONT_FAMILY",
    "FOOTER_H",
    "GAP",
    "LEGEND_H",
    "LINE_H",
    "MARGIN_MM",
    "MIN_MAP_SPAN_M",
    "OVERVIEW_COLUMNS",
    "OVERVIEW_MAP_SHARE",
    "PAGE_SIZES",
    "SUFFIX",
    "TITLE_H",
    "UNPLACED_COLUMNS",
    "PageCapacity",
    "duration",
    "ensure_gui_application",
    "itinerary_pdf_bytes",
    "long_date",
    "page_capacity",
    "write_itinerary_pdf",
]

SUFFIX = "itinerary.pdf"


def write_itinerary_pdf(
    plan: RoutePlan,
    out_dir: Path,
    *,
    project: Project | None = None,
    stem: str | None = None,
    page: str = "letter",
) -> Path:
    """Write the plan's printable itinerary, ``<stem>_itinerary.pdf``, into ``out_dir``.

    Parameters
    ----------
    plan
        The rep's routes.
    out_dir
        The folder to write into; created if needed.
    project
        The project the plan was made from: its territory map is drawn faded under the routes.
        Without it the routes are drawn on a plain background.
    stem
        The start of the file name; ``<rep id>_<first date>`` by default, as the other route
        exports (:func:`terrmap.routing.exports.default_stem`). Made safe for file names.
    page
        ``"letter"`` or ``"a4"``.

    Returns
    -------
    Path
        The file written. It is written atomically: an existing file is replaced whole.

    Raises
    ------
    ValueError
        ``page`` is not a known page size.
    TerrmapError
        The folder cannot be created or the file cannot be written.
    """
    if page.lower() not in PAGE_SIZES:
        raise ValueError(f"unknown page size {page!r}; known: {sorted(PAGE_SIZES)}")
    page = page.lower()
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TerrmapError(f"cannot create {folder}: {error.strerror or error}") from None
    path = folder / f"{safe_stem(stem if stem is not None else default_stem(plan))}_{SUFFIX}"
    write_bytes_atomic(path, itinerary_pdf_bytes(plan, project=project, page=page))
    return path


def itinerary_pdf_bytes(
    plan: RoutePlan, *, project: Project | None = None, page: str = "letter"
) -> bytes:
    """The itinerary PDF of ``plan`` as bytes (see :func:`write_itinerary_pdf`)."""
    ensure_gui_application()
    page = page.lower()
    pages = paginate(plan, page_capacity(page))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    layout = QPageLayout(
        QPageSize(PAGE_SIZES[page]),
        QPageLayout.Orientation.Portrait,
        margins,
        QPageLayout.Unit.Millimeter,
    )
    writer.setPageLayout(layout)
    writer.setTitle(one_line(f"Itinerary — {plan.rep_name} ({plan.rep_id})"))
    writer.setCreator("terrmap")
    painter = QPainter(writer)
    try:
        context = Context(plan, make_fonts(), MapSource(plan, project), page, pages)
        width, height = content_size(page)
        for number, spec in enumerate(pages, 1):
            if number > 1:
                writer.newPage()
            paint_page(painter, QRectF(0, 0, width, height), spec, number, context)
    finally:
        painter.end()
    buffer.close()
    data: QByteArray = buffer.data()
    return bytes(data.data())
