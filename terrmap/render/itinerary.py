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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from terrmap.core.geo import equal_area_crs
from terrmap.errors import TerrmapError
from terrmap.io.atomic import write_bytes_atomic
from terrmap.render._itinerary_table import (
    CENTER,
    HEADER_H,
    INK,
    MUTED,
    RIGHT,
    ROW_H,
    RULE,
    Column,
    Fonts,
    Row,
    Table,
    elide,
    paint_table,
    split_rows,
)
from terrmap.render.frame import Frame
from terrmap.render.page import ensure_gui_application, page_font
from terrmap.render.projection import DisplayProjection
from terrmap.render.route_layer import RouteOverlay, day_color, paint_route, route_bounds
from terrmap.render.style import MapStyle
from terrmap.render.viewport import MapViewport
from terrmap.routing._export_text import WEEKDAYS, one_line
from terrmap.routing.exports import default_stem, safe_stem
from terrmap.routing.model import DayRoute, RoutePlan, clock

if TYPE_CHECKING:
    import datetime as dt

    from terrmap.core.project import Project
    from terrmap.render.map_renderer import MapRenderer

SUFFIX = "itinerary.pdf"
DPI = 96  # page units: map styles are in pixels of a 96-dpi screen, so print matches screen
MARGIN_MM = 12.7
PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
FONT_FAMILY = "DejaVu Sans"

# Vertical layout, page units (1/96 inch).
TITLE_H = 28.0
LINE_H = 16.0
GAP = 10.0
FOOTER_H = 24.0
LEGEND_H = 22.0
DAY_MAP_SHARE = 0.43  # of the page height inside the margins and footer
OVERVIEW_MAP_SHARE = 0.50
MIN_MAP_SPAN_M = 4000.0  # a day with one nearby stop still shows its surroundings
DAY_SUBTITLE_LINES = 2  # totals; start, end and lunch

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PageCapacity:
    """Table rows that fit on each kind of page (see the module docstring)."""

    overview: int
    day: int
    unplaced: int
    more: int


def page_capacity(page: str = "letter") -> PageCapacity:
    """How many table rows fit on the overview, a day's first page, the first Not placed page
    and any continuation page, for ``page`` size ``"letter"`` or ``"a4"``."""
    _, height = _content_size(page)
    usable = height - FOOTER_H
    top = TITLE_H + GAP

    def rows(room: float) -> int:
        return max(1, int((room - HEADER_H) // ROW_H))

    day = usable - top - DAY_SUBTITLE_LINES * LINE_H - _map_height(page, DAY_MAP_SHARE) - GAP
    overview = usable - top - LINE_H - _map_height(page, OVERVIEW_MAP_SHARE) - LEGEND_H - GAP
    return PageCapacity(
        overview=rows(overview),
        day=rows(day),
        unplaced=rows(usable - top - LINE_H),
        more=rows(usable - top),
    )


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
    pages = _paginate(plan, page_capacity(page))
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
        context = _Context(plan, _fonts(), _MapSource(plan, project), page, pages)
        width, height = _content_size(page)
        for number, spec in enumerate(pages, 1):
            if number > 1:
                writer.newPage()
            _paint_page(painter, QRectF(0, 0, width, height), spec, number, context)
    finally:
        painter.end()
    buffer.close()
    data: QByteArray = buffer.data()
    return bytes(data.data())


def long_date(date: dt.date) -> str:
    """``"Mon 30 Nov 2026"``, in English whatever the locale (as every export)."""
    return f"{WEEKDAYS[date.weekday()]} {date.day} {_MONTHS[date.month - 1]} {date.year}"


def duration(seconds: float) -> str:
    """``"3 h 05 min"`` or ``"47 min"``."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


# -- sections and pages --------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    kind: str  # "overview", "day" or "unplaced"
    title: str
    lines: tuple[str, ...]
    table: Table
    day: int | None = None  # index into plan.days for a day section


@dataclass(frozen=True)
class _Page:
    section: _Section
    rows: range
    first: bool  # the section's first page: full heading and the map


@dataclass
class _Context:
    plan: RoutePlan
    fonts: _PageFonts
    maps: _MapSource
    page: str
    pages: list[_Page] = field(default_factory=list)


def _paginate(plan: RoutePlan, capacity: PageCapacity) -> list[_Page]:
    sections = [_day_section(plan, index) for index in range(len(plan.days))]
    if plan.unplaced:
        sections.append(_unplaced_section(plan))
    if len(plan.days) > 1:
        # The overview's table names the page each day starts on: lay the others out first.
        starts, page = [], 2
        for section in sections:
            if section.kind == "day":
                starts.append(page)
            page += len(_section_pages(section, capacity))
        sections.insert(0, _overview_section(plan, starts))
    pages = []
    for section in sections:
        pages += _section_pages(section, capacity)
    return pages


def _section_pages(section: _Section, capacity: PageCapacity) -> list[_Page]:
    first = {"overview": capacity.overview, "day": capacity.day}.get(
        section.kind, capacity.unplaced
    )
    ranges = split_rows(len(section.table.rows), first, capacity.more)
    return [_Page(section, rows, i == 0) for i, rows in enumerate(ranges)]


def _day_section(plan: RoutePlan, index: int) -> _Section:
    day = plan.days[index]
    totals = [
        _count(len(day.visits), "visit"),
        f"{day.distance_m / 1000:.1f} km",
        f"{duration(day.drive_s)} driving",
        f"leave {clock(day.depart_s)}",
        f"back {clock(day.end_s)}",
    ]
    places = (
        f"Start and end: {one_line(day.start.name)}"
        if day.start == day.end
        else f"Start: {one_line(day.start.name)} · end: {one_line(day.end.name)}"
    )
    if day.lunch is not None:
        places += f" · lunch {clock(day.lunch.start_s)}–{clock(day.lunch.end_s)}"
    lines = (" · ".join(totals), places)
    title = f"{one_line(plan.rep_name)} — {long_date(day.date)}"
    return _Section("day", title, lines, Table(DAY_COLUMNS, tuple(_day_rows(day, index))), index)


DAY_COLUMNS = (
    Column("#", align=CENTER),
    Column("Arrive"),
    Column("Start–leave"),
    Column("Account", flex=0.55),  # the name matters most: it elides last
    Column("Address", flex=0.45),
    Column("Leg km", align=RIGHT),
    Column("Leg min", align=RIGHT),
    Column("Wait", align=RIGHT),
    Column("Notes", 150),
)


def _day_rows(day: DayRoute, index: int) -> list[Row]:
    color = day_color(index)
    blank = ("",) * 2
    rows = [
        Row(
            ("", "", f"leave {clock(day.depart_s)}", f"Start: {one_line(day.start.name)}", "")
            + ("",) * 4,
            kind="place",
        )
    ]
    for seq, visit in enumerate(day.visits, 1):
        if day.lunch is not None and day.lunch.after == seq - 1:
            rows.append(_lunch_row(day))
        stop = visit.stop
        notes = []
        if stop.window is not None:
            notes.append(f"window {clock(stop.window[0])}–{clock(stop.window[1])}")
        if visit.locked:
            notes.append("locked")
        wait = f"{round(visit.wait_s / 60)} min" if visit.wait_s >= 30 else ""
        cells = (
            str(seq),
            clock(visit.arrival_s),
            f"{clock(visit.start_s)}–{clock(visit.departure_s)}",
            one_line(stop.name),
            one_line(stop.address),
            f"{visit.leg_m / 1000:.1f}",
            str(round(visit.leg_s / 60)),
            wait,
            " · ".join(notes),
        )
        rows.append(Row(cells, marker=color, locked=visit.locked))
    if day.lunch is not None and day.lunch.after >= len(day.visits):
        rows.append(_lunch_row(day))
    back = (
        "",
        clock(day.end_s),
        "",
        f"Return: {one_line(day.end.name)}",
        "",
        f"{day.return_m / 1000:.1f}",
        str(round(day.return_s / 60)),
    )
    rows.append(Row(back + blank, kind="place"))
    return rows


def _lunch_row(day: DayRoute) -> Row:
    lunch = day.lunch
    assert lunch is not None
    times = f"{clock(lunch.start_s)}–{clock(lunch.end_s)}"
    return Row(("", "", times, "Lunch break", "", "", "", "", ""), kind="break")


UNPLACED_COLUMNS = (
    Column("Account ID", 100),
    Column("Account", flex=0.45),
    Column("Address", flex=0.55),
    Column("Visit min", align=RIGHT),
)


def _unplaced_section(plan: RoutePlan) -> _Section:
    # Grouped under their reason, a line across the table: reasons are sentences too long
    # for a column ("too far: the visit alone takes 13.2 h from home and back, …").
    groups: dict[str, list[Row]] = {}
    for u in plan.unplaced:
        cells = (
            one_line(u.stop.id),
            one_line(u.stop.name),
            one_line(u.stop.address),
            str(round(u.stop.service_s / 60)),
        )
        groups.setdefault(one_line(u.reason), []).append(Row(cells, kind="plain"))
    rows: list[Row] = []
    for reason, members in groups.items():
        heading = f"{reason[:1].upper()}{reason[1:]} ({_count(len(members), 'stop')})"
        rows.append(Row((heading, "", "", ""), kind="group"))
        rows += members
    count = _count(len(plan.unplaced), "stop")
    line = f"{count} did not fit in this plan, listed under the reason."
    return _Section("unplaced", "Not placed", (line,), Table(UNPLACED_COLUMNS, tuple(rows)))


OVERVIEW_COLUMNS = (
    Column("Day", 90),
    Column("Date", flex=1.0),
    Column("Visits", align=RIGHT),
    Column("Distance", flex=0.5, align=RIGHT),
    Column("Driving", flex=0.5, align=RIGHT),
    Column("Leave", flex=0.3, align=RIGHT),
    Column("Back", flex=0.3, align=RIGHT),
    Column("Lunch", flex=0.5, align=RIGHT),
    Column("Page", flex=0.3, align=RIGHT),
)


def _overview_section(plan: RoutePlan, starts: list[int]) -> _Section:
    rows = []
    for index, (day, start) in enumerate(zip(plan.days, starts, strict=True)):
        lunch = "" if day.lunch is None else f"{clock(day.lunch.start_s)}–{clock(day.lunch.end_s)}"
        cells = (
            f"Day {index + 1}",
            long_date(day.date),
            str(len(day.visits)),
            f"{day.distance_m / 1000:.1f} km",
            duration(day.drive_s),
            clock(day.depart_s),
            clock(day.end_s),
            lunch,
            str(start),
        )
        rows.append(Row(cells, kind="plain", swatch=day_color(index)))
    total = (
        "Total",
        "",
        str(plan.visit_count),
        f"{plan.distance_m / 1000:.1f} km",
        duration(plan.drive_s),
        "",
        "",
        "",
        "",
    )
    rows.append(Row(total, kind="total"))
    first, last = plan.days[0].date, plan.days[-1].date
    title = f"{one_line(plan.rep_name)} — {long_date(first)} to {long_date(last)}"
    parts = [
        _count(len(plan.days), "day"),
        _count(plan.visit_count, "visit"),
        f"{plan.distance_m / 1000:.1f} km",
        f"{duration(plan.drive_s)} driving",
    ]
    if plan.unplaced:
        parts.append(f"{_count(len(plan.unplaced), 'stop')} not placed")
    notes = tuple(one_line(n) for n in plan.notes)
    return _Section(
        "overview", title, (" · ".join(parts), *notes), Table(OVERVIEW_COLUMNS, tuple(rows))
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- painting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PageFonts:
    title: QFont
    subtitle: QFont
    small: QFont
    legend: QFont
    table: Fonts


def _fonts() -> _PageFonts:
    font = page_font  # the print font: DejaVu Sans, no ligatures, sized for the 96-dpi page

    table = Fonts(
        body=font(9, condensed=True),
        header=font(8.5, bold=True, condensed=True),
        bold=font(9, bold=True, condensed=True),
        italic=font(9, italic=True, condensed=True),
        marker=font(6.5, bold=True),
    )
    return _PageFonts(
        title=font(15, bold=True),
        subtitle=font(9.5),
        small=font(8),
        legend=font(8.5),
        table=table,
    )


def _paint_page(painter: QPainter, area: QRectF, spec: _Page, number: int, ctx: _Context) -> None:
    section = spec.section
    fonts = ctx.fonts
    y = area.top()
    title = section.title if spec.first else f"{section.title} (continued)"
    title_rect = QRectF(area.left(), y, area.width(), TITLE_H)
    if section.kind == "day" and section.day is not None:
        tag = f"Day {section.day + 1} of {len(ctx.plan.days)}"
        painter.setFont(fonts.subtitle)
        painter.setPen(QColor(MUTED))
        tag_w = 120.0
        tag_rect = QRectF(title_rect.right() - tag_w, y, tag_w, TITLE_H)
        painter.drawText(tag_rect, RIGHT, tag)
        swatch = QRectF(area.left(), y + 6, 6, TITLE_H - 12)
        painter.fillRect(swatch, QColor(day_color(section.day)))
        title_rect = title_rect.adjusted(14, 0, -tag_w, 0)
    painter.setFont(fonts.title)
    painter.setPen(QColor(INK))
    painter.drawText(
        title_rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        elide(painter, title, title_rect.width()),
    )
    y += TITLE_H
    if spec.first:
        painter.setFont(fonts.subtitle)
        lines = section.lines
        if section.kind == "day":  # always the same height, so day pages page alike
            lines = (*lines, "")[:DAY_SUBTITLE_LINES]
        for position, line in enumerate(lines):
            rect = QRectF(area.left(), y, area.width(), LINE_H)
            painter.setPen(QColor(MUTED if position else INK))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                elide(painter, line, rect.width()),
            )
            y += LINE_H
    y += GAP
    if spec.first and section.kind in ("day", "overview"):
        share = DAY_MAP_SHARE if section.kind == "day" else OVERVIEW_MAP_SHARE
        map_rect = QRectF(area.left(), y, area.width(), _map_height(ctx.page, share))
        ctx.maps.paint(painter, map_rect, section.day)
        y = map_rect.bottom()
        if section.kind == "overview":
            _paint_legend(painter, QRectF(area.left(), y, area.width(), LEGEND_H), ctx)
            y += LEGEND_H
        y += GAP
    table_rect = QRectF(area.left(), y, area.width(), area.bottom() - FOOTER_H - y)
    paint_table(painter, table_rect, section.table, spec.rows, fonts.table)
    _paint_footer(painter, area, number, len(ctx.pages), ctx)


def _paint_legend(painter: QPainter, rect: QRectF, ctx: _Context) -> None:
    painter.save()
    painter.setFont(ctx.fonts.legend)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    x = rect.left()
    count = len(ctx.plan.days)
    step = rect.width() / max(count, 1)
    step = min(step, 140.0)
    for index, day in enumerate(ctx.plan.days):
        cell = QRectF(x, rect.top(), step, rect.height())
        mid = cell.center().y()
        painter.setPen(QPen(QColor("#FFFFFF"), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(x + 4, mid), QPointF(x + 26, mid))
        painter.setPen(
            QPen(QColor(day_color(index)), 3.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        painter.drawLine(QPointF(x + 4, mid), QPointF(x + 26, mid))
        painter.setPen(QColor(INK))
        label = (
            f"Day {index + 1} {WEEKDAYS[day.date.weekday()]} {day.date.day} "
            + (_MONTHS[day.date.month - 1])
        )
        text = cell.adjusted(32, 0, -4, 0)
        painter.drawText(
            text,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            elide(painter, label, text.width()),
        )
        x += step
    painter.restore()


def _paint_footer(painter: QPainter, area: QRectF, number: int, total: int, ctx: _Context) -> None:
    plan = ctx.plan
    top = area.bottom() - FOOTER_H + 8
    painter.save()
    painter.setPen(QPen(QColor(RULE), 0.8))
    painter.drawLine(QPointF(area.left(), top), QPointF(area.right(), top))
    painter.setFont(ctx.fonts.small)
    painter.setPen(QColor(MUTED))
    rect = QRectF(area.left(), top + 2, area.width(), area.bottom() - top - 2)
    pages = f"Page {number} of {total}"
    painter.drawText(rect, RIGHT, pages)
    left = f"{one_line(plan.rep_name)} ({one_line(plan.rep_id)})"
    if plan.distances:
        left += f" · distances: {one_line(plan.distances)}"
    room = rect.adjusted(0, 0, -100, 0)
    painter.drawText(
        room,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        elide(painter, left, room.width()),
    )
    painter.restore()


# -- maps ----------------------------------------------------------------------------------


class _MapSource:
    """Draws a plan's maps: through the project's renderer, or the route alone."""

    def __init__(self, plan: RoutePlan, project: Project | None) -> None:
        self.plan = plan
        self.renderer: MapRenderer | None = None
        if project is not None:
            from terrmap.render.map_renderer import MapRenderer

            self.renderer = MapRenderer(project)
            self.projection = self.renderer.scene.projection
        else:
            lat, lon = _plan_points(plan)
            centre = (float(np.median(lon)), float(np.median(lat))) if len(lat) else (0.0, 0.0)
            self.projection = DisplayProjection(equal_area_crs(*centre))

    def paint(self, painter: QPainter, rect: QRectF, day: int | None) -> None:
        """The routes of ``day`` (all days when None) filling ``rect``."""
        width, height = round(rect.width()), round(rect.height())
        viewport = MapViewport.fit(self._bounds(day), width, height, margin=0.05)
        overlay = RouteOverlay(self.plan, day=day, show_unplaced=False)
        view = QRectF(0, 0, width, height)
        painter.save()
        try:
            painter.translate(rect.topLeft())
            painter.setClipRect(view)
            if self.renderer is not None:
                self.renderer.route = overlay
                try:
                    self.renderer.paint(painter, viewport, MapStyle())
                finally:
                    self.renderer.route = None
            else:
                style = MapStyle()
                painter.fillRect(view, QColor(style.background))
                frame = Frame(painter, viewport, style, view)
                self._paint_places(frame, overlay)
                paint_route(frame, overlay, self.projection)
            _paint_scale_bar(painter, view, viewport)
            painter.setClipping(False)
            painter.setPen(QPen(QColor(RULE), 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(view)
        finally:
            painter.restore()

    def _bounds(self, day: int | None) -> tuple[float, float, float, float]:
        days = self.plan.days if day is None else [self.plan.days[day]]
        if not days:
            lat, lon = _plan_points(self.plan)
        else:
            lat = [p.lat for d in days for p in (d.start, d.end)]
            lon = [p.lon for d in days for p in (d.start, d.end)]
            lat += [v.stop.lat for d in days for v in d.visits]
            lon += [v.stop.lon for d in days for v in d.visits]
        if not len(lat):
            lat, lon = [0.0], [0.0]
        xs, ys = self.projection.to_display(np.asarray(lon), np.asarray(lat))
        left, bottom, right, top = (
            float(np.min(xs)),
            float(np.min(ys)),
            float(np.max(xs)),
            float(np.max(ys)),
        )
        if any(d.legs for d in days):
            drawn = route_bounds(self.plan, self.projection, day)
            left, bottom = min(left, drawn[0]), min(bottom, drawn[1])
            right, top = max(right, drawn[2]), max(top, drawn[3])
        cx, cy = (left + right) / 2, (bottom + top) / 2
        half_w = max(right - left, MIN_MAP_SPAN_M) / 2
        half_h = max(top - bottom, MIN_MAP_SPAN_M) / 2
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h

    def _paint_places(self, frame: Frame, overlay: RouteOverlay) -> None:
        # Without a project there is no homes layer: mark where each day starts and ends.
        places = {p for _, d in overlay.days() for p in (d.start, d.end)}
        painter = frame.painter
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for place in places:
            xs, ys = self.projection.to_display(np.array([place.lon]), np.array([place.lat]))
            at = QPointF(*frame.viewport.world_to_screen(float(xs[0]), float(ys[0])))
            pen = QPen(QColor(INK), 1.4)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(QBrush(QColor("#FFFFFF")))
            painter.drawEllipse(at, 7.0, 7.0)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(INK)))
            painter.drawEllipse(at, 3.0, 3.0)
        painter.restore()


def _paint_scale_bar(painter: QPainter, view: QRectF, viewport: MapViewport) -> None:
    """A bar of a round length, about a fifth of the map wide, at the bottom left."""
    metres_per_unit = 1.0 / viewport.scale
    target = view.width() * 0.2 * metres_per_unit
    magnitude = 10 ** math.floor(math.log10(target))
    length = max(s * magnitude for s in (1, 2, 5) if s * magnitude <= target)
    bar = length / metres_per_unit
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    font = QFont(painter.font())
    font.setPointSizeF(7.5)
    painter.setFont(font)
    box = QRectF(view.left() + 8, view.bottom() - 30, bar + 16, 22)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 215)))
    painter.drawRoundedRect(box, 3, 3)
    x0, x1, base = box.left() + 8, box.left() + 8 + bar, box.bottom() - 6
    painter.setPen(QPen(QColor(INK), 1.2))
    painter.drawLine(QPointF(x0, base), QPointF(x1, base))
    painter.drawLine(QPointF(x0, base - 4), QPointF(x0, base))
    painter.drawLine(QPointF(x1, base - 4), QPointF(x1, base))
    painter.drawText(QRectF(x0, box.top() + 1, bar, 12), CENTER, label)
    painter.restore()


def _plan_points(plan: RoutePlan) -> tuple[list[float], list[float]]:
    lat = [p.lat for d in plan.days for p in (d.start, d.end)]
    lon = [p.lon for d in plan.days for p in (d.start, d.end)]
    lat += [v.stop.lat for d in plan.days for v in d.visits]
    lon += [v.stop.lon for d in plan.days for v in d.visits]
    lat += [u.stop.lat for u in plan.unplaced]
    lon += [u.stop.lon for u in plan.unplaced]
    return lat, lon


def _content_size(page: str) -> tuple[float, float]:
    """Width and height inside the margins, page units."""
    size = QPageSize(PAGE_SIZES[page]).size(QPageSize.Unit.Millimeter)
    width, height = size.width() - 2 * MARGIN_MM, size.height() - 2 * MARGIN_MM
    return width / 25.4 * DPI, height / 25.4 * DPI


def _map_height(page: str, share: float) -> float:
    _, height = _content_size(page)
    return float(math.floor((height - FOOTER_H) * share))
