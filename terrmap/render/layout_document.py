"""A planned print document: its pages as values, painted with one shared map renderer.

`LayoutDocument` plans a layout's pages (`plan_map_pages`; the atlas adds its sections) as
`PageSpec` values before anything is drawn, so the page count is known up front, and paints
any page on any device: a PDF writer, an SVG generator, an image or a printer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPaintEngine, QPainter, QPainterPath

from terrmap.core.classify import Classification
from terrmap.core.plan import UNASSIGNED
from terrmap.render import layout_parts as parts
from terrmap.render import layout_tables as tabling
from terrmap.render.layout_marks import (
    SCALE_SHARE,
    north_angle,
    paint_map_frame,
    paint_north_arrow,
    paint_scale_bar,
    scale_bar,
)
from terrmap.render.page import ensure_gui_application, page_font, short_date
from terrmap.render.viewport import Bounds, MapViewport

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.render._itinerary_table import Table
    from terrmap.render.layout import PrintLayout
    from terrmap.render.map_renderer import MapRenderer
    from terrmap.render.scene import MapScene
    from terrmap.render.style import MapStyle

MIN_MAP_SHARE = 0.5  # of the page body: the legend and table move on rather than shrink it
LEGEND_SHARE = 0.3  # of the page body: the most legend the first page takes
FADED_ACCOUNT = "#5A52606D"  # #AARRGGBB: accounts outside an atlas page's territories
PAPER = "#FFFFFF"
MAP_MARGIN = 0.03  # of the map's size, around the mapped extent


def focus_style(style: MapStyle, project: Project, codes: list[int]) -> MapStyle:
    """``style`` with only the territories ``codes`` in colour and every other unit greyed.

    Done with the renderer's class colouring: focus territories are classes of their own
    colour, the rest one grey class and unassigned units no data (white); accounts outside
    the focus are drawn faint.
    """
    plan = project.plan.codes
    classes = np.full(len(plan), len(codes), dtype=np.intp)
    for position, code in enumerate(codes):
        classes[plan == code] = position
    classes[plan == UNASSIGNED] = -1
    colors = (*(project.territories[c].color for c in codes), parts.GREY_FILL)
    edges = tuple(float(i) for i in range(len(colors) + 1))
    greyed = Classification("territory", "equal", edges, colors, classes)
    inside = np.isin(project.account_codes(), np.asarray(codes, dtype=np.int32))
    dots = Classification(
        "territory",
        "equal",
        (0.0, 1.0, 2.0),
        (style.account_color, FADED_ACCOUNT),
        np.where(inside, 0, 1).astype(np.intp),
    )
    return replace(
        style, choropleth=greyed, account_colors=dots, units=replace(style.units, opacity=1.0)
    )


@dataclass(frozen=True)
class MapPart:
    """A map on a page: the world ``bounds`` to show, the territories in colour (all when
    ``focus`` is None) and its height."""

    bounds: Bounds
    height: float
    focus: tuple[int, ...] | None = None


@dataclass(frozen=True)
class TablePart:
    """Rows of a table on a page, over ``panels`` side-by-side panels, under ``heading``."""

    table: Table
    rows: range
    heading: str = ""
    panels: int = 1


@dataclass(frozen=True)
class PageSpec:
    """Everything on one page; ``kind`` names it for callers ("map", "legend", "table",
    "cover", "territory", "continued")."""

    kind: str
    title: str
    subtitle: str = ""
    map: MapPart | None = None
    legend: tuple[parts.LegendItem, ...] = ()
    legend_columns: int = 1
    tables: tuple[TablePart, ...] = ()


class LayoutDocument:
    """The pages of a layout (or an atlas), painted with one shared renderer.

    Parameters
    ----------
    project
        The document to print.
    layout
        What goes on the pages.
    scene
        Prepared display geometry (the canvas's); built when omitted.
    renderer
        A renderer to reuse; made from ``scene`` when omitted.
    """

    def __init__(
        self,
        project: Project,
        layout: PrintLayout,
        scene: MapScene | None = None,
        renderer: MapRenderer | None = None,
    ) -> None:
        ensure_gui_application()
        from terrmap.core.metrics import TerritoryMetrics
        from terrmap.render.map_renderer import MapRenderer

        self.project = project
        self.layout = layout
        self.renderer = renderer if renderer is not None else MapRenderer(project, scene)
        self.fonts = parts.page_fonts()
        metrics = TerritoryMetrics(project)
        try:
            self.totals = metrics.frame()
            self.metrics = _chosen_metrics(project, layout.metrics, metrics.columns)
        finally:
            metrics.disconnect()
        self.title = layout.title if layout.title is not None else _default_title(project)
        self.subtitle = (
            layout.subtitle if layout.subtitle is not None else short_date(dt.date.today())
        )
        self.source, self.notice = _footer_texts(project)
        self.pages: list[PageSpec] = []

    # -- geometry the planners share ---------------------------------------------------
    @property
    def content(self) -> QRectF:
        """The page inside the margins."""
        return self.layout.content_rect()

    def body_height(self, subtitle: str) -> float:
        """Room between the header and the footer."""
        footer = parts.FOOTER_H if self.layout.footer else 0.0
        return self.content.height() - parts.header_height(subtitle) - footer

    def extent(self) -> Bounds:
        """The world bounds the overview map shows."""
        return self.layout.bounds if self.layout.bounds is not None else self.renderer.extent

    def panels_for(self, min_width: float = 330.0) -> int:
        """Side-by-side table panels the page width allows."""
        return max(1, min(3, int((self.content.width() + tabling.PANEL_GAP) // min_width)))

    # -- planning ------------------------------------------------------------------------
    def plan_map_pages(self) -> list[PageSpec]:
        """The layout's pages: the map page, then any legend or table that did not fit."""
        layout, width = self.layout, self.content.width()
        body = self.body_height(self.subtitle)
        everything = list(range(len(self.project.territories)))
        items = (
            parts.territory_items(self.project, everything, self.totals, self.metrics)
            if layout.legend
            else []
        )
        columns = parts.legend_columns(items, width, self.fonts)
        fit = columns * max(1, int(body * LEGEND_SHARE // parts.ITEM_H))
        first, rest = items[:fit], items[fit:]
        legend_h = parts.legend_height(len(first), columns)
        table = (
            tabling.summary_table(self.project, everything, self.totals, self.metrics)
            if layout.summary_table
            else None
        )
        tables: tuple[TablePart, ...] = ()
        later: list[PageSpec] = []
        if table is not None:
            whole = TablePart(table, range(len(table.rows)), "Territory summary")
            if not rest and body - legend_h - tabling.table_height(len(table.rows)) >= (
                body * MIN_MAP_SHARE
            ):
                tables = (whole,)
            else:
                later = self.table_pages(whole, "table", f"{self.title} (continued)")
        map_h = body - legend_h - sum(tabling.table_height(len(t.rows)) for t in tables)
        pages = [
            PageSpec(
                "map",
                self.title,
                self.subtitle,
                MapPart(self.extent(), map_h),
                tuple(first),
                columns,
                tables,
            )
        ]
        per_page = columns * max(1, int(body // parts.ITEM_H))
        for start in range(0, len(rest), per_page):
            chunk = tuple(rest[start : start + per_page])
            pages.append(PageSpec("legend", f"{self.title} (continued)", "", None, chunk, columns))
        return pages + later

    def table_pages(self, part: TablePart, kind: str, title: str) -> list[PageSpec]:
        """``part``'s rows over as many pages as they need, under ``title``."""
        capacity = part.panels * max(1, tabling.rows_that_fit(self.body_height("")))
        count = len(part.rows)
        return [
            PageSpec(kind, title, tables=(replace(part, rows=part.rows[s : s + capacity]),))
            for s in range(0, max(count, 1), capacity)
        ]

    # -- painting -----------------------------------------------------------------------
    def paint(self, painter: QPainter, index: int, page_rect: QRectF | None = None) -> None:
        """Paint page ``index`` (from 0) with ``painter``; ``page_rect`` is the paper in
        the painter's coordinates (default the layout's page at the origin)."""
        width, height = self.layout.page_size()
        painter.save()
        try:
            if page_rect is not None:
                painter.translate(page_rect.topLeft())
                painter.scale(page_rect.width() / width, page_rect.height() / height)
            self._paint_page(painter, self.pages[index], index)
        finally:
            painter.restore()

    def _paint_page(self, painter: QPainter, spec: PageSpec, index: int) -> None:
        area, fonts = self.content, self.fonts
        y = area.top() + parts.header_height(spec.subtitle)
        if spec.map is not None:
            # The map first: on devices that cannot clip (SVG) its overflow is masked, and
            # everything around it is drawn over the mask.
            rect = QRectF(area.left(), y, area.width(), spec.map.height - parts.GAP)
            self.paint_map(painter, rect, spec.map)
            y += spec.map.height
        parts.paint_header(painter, area, spec.title, spec.subtitle, fonts)
        if spec.legend:
            rect = QRectF(area.left(), y, area.width(), area.bottom() - y)
            parts.paint_legend(painter, rect, spec.legend, spec.legend_columns, fonts)
            y += parts.legend_height(len(spec.legend), spec.legend_columns)
        for part in spec.tables:
            rect = QRectF(area.left(), y, area.width(), area.bottom() - y)
            tabling.paint_table_part(
                painter, rect, part.table, part.rows, part.panels, part.heading, fonts
            )
            y += tabling.table_height(len(part.rows), part.panels, bool(part.heading))
        if self.layout.footer:
            page = f"Page {index + 1} of {len(self.pages)}"
            parts.paint_footer(painter, area, self.source, self.notice, page, fonts)

    def paint_map(self, painter: QPainter, rect: QRectF, part: MapPart) -> MapViewport:
        """Draw ``part`` filling ``rect`` with its north arrow and scale bar; returns the
        viewport used."""
        layout = self.layout
        width, height = max(1, round(rect.width())), max(1, round(rect.height()))
        viewport = MapViewport.fit(part.bounds, width, height, margin=MAP_MARGIN)
        style = layout.map_style()
        if part.focus is not None:
            style = focus_style(style, self.project, list(part.focus))
        view = QRectF(0, 0, width, height)
        renderer = self.renderer
        painter.save()
        try:
            painter.translate(rect.topLeft())
            painter.setClipRect(view)
            renderer.route = layout.routes
            try:
                renderer.paint(painter, viewport, style)
            finally:
                renderer.route = None
            if _cannot_clip(painter):
                _mask_outside(painter, view)
            projection = renderer.scene.projection
            if layout.north_arrow:
                angle = north_angle(viewport, projection)
                paint_north_arrow(painter, view, angle, page_font(8, bold=True))
            if layout.scale_bar:
                bar = scale_bar(viewport, projection, width * SCALE_SHARE, layout.distance_unit)
                paint_scale_bar(painter, view, bar, page_font(7.5))
            painter.setClipping(False)
            paint_map_frame(painter, view, parts.RULE)
        finally:
            painter.restore()
        return viewport


def default_metrics(project: Project) -> tuple[str, ...]:
    """The totals a page shows when none are chosen: accounts and the first numeric column."""
    numeric = project.accounts.numeric_columns
    return ("accounts", *numeric[:1]) if len(project.accounts) else ("units",)


def _chosen_metrics(
    project: Project, chosen: tuple[str, ...] | None, known: list[str]
) -> tuple[str, ...]:
    if chosen is None:
        return default_metrics(project)
    unknown = [m for m in chosen if m not in known]
    if unknown:
        from terrmap.errors import TerrmapError

        raise TerrmapError(f"unknown metric {unknown[0]!r}; known: {', '.join(known)}")
    return tuple(chosen)


def _default_title(project: Project) -> str:
    return project.metadata.get("title") or "Territory map"


def _footer_texts(project: Project) -> tuple[str, str]:
    sources = [project.metadata.get("source", ""), project.units.source, project.accounts.source]
    source = "Data: " + "; ".join(s for s in dict.fromkeys(sources) if s) if any(sources) else ""
    return source, project.synthetic_notice or ""


def _cannot_clip(painter: QPainter) -> bool:
    """Qt's SVG generator writes no clip paths: a map drawn there spills over its frame."""
    engine = painter.paintEngine()
    return engine is not None and engine.type() == QPaintEngine.Type.SVG


def _mask_outside(painter: QPainter, view: QRectF) -> None:
    """Paint the paper over everything outside ``view`` (the map's spill on the page)."""
    outside = QPainterPath()
    outside.setFillRule(Qt.FillRule.OddEvenFill)
    outside.addRect(view.adjusted(-1e5, -1e5, 1e5, 1e5))
    outside.addRect(view)
    painter.save()
    painter.setClipping(False)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(PAPER))
    painter.drawPath(outside)
    painter.restore()
