"""Print layouts: a page with a title, the map and the parts a manager pins to the wall.

`PrintLayout` says what goes on the page (paper, margins, title, which parts); a
`LayoutDocument` plans the pages and paints them with the one map renderer, so a PDF, an
SVG, a PNG and the printer all show what the screen shows. Sizes are page units of 1/96 inch
(`terrmap.render.page`).

A page, top to bottom: title and subtitle, the map (north arrow at its top right, scale bar
at its bottom left), the legend in as many columns as fit, the territory summary table, and
the footer (data source, synthetic-data notice, page number). When the legend or the table
would squeeze the map below half the page, they continue on the following pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPageSize

from terrmap.render.layout_document import (
    LayoutDocument,
    MapPart,
    PageSpec,
    TablePart,
    default_metrics,
    focus_style,
)
from terrmap.render.layout_marks import UNIT_METRES
from terrmap.render.page import mm_to_units
from terrmap.render.style import MapStyle

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from terrmap.core.project import Project
    from terrmap.render.route_layer import RouteOverlay
    from terrmap.render.scene import MapScene
    from terrmap.render.viewport import Bounds

__all__ = [
    "PAGE_SIZES",
    "LayoutDocument",
    "MapPart",
    "PageSpec",
    "PrintLayout",
    "TablePart",
    "build_document",
    "default_metrics",
    "focus_style",
    "paint_layout",
]

PAGE_SIZES = {
    "letter": QPageSize.PageSizeId.Letter,
    "legal": QPageSize.PageSizeId.Legal,
    "tabloid": QPageSize.PageSizeId.Tabloid,
    "a4": QPageSize.PageSizeId.A4,
    "a3": QPageSize.PageSizeId.A3,
}
ORIENTATIONS = ("portrait", "landscape")


@dataclass(frozen=True)
class PrintLayout:
    """What a printed map page holds.

    Parameters
    ----------
    page, orientation
        Paper (``letter``, ``legal``, ``tabloid``, ``a4``, ``a3``) and ``portrait`` or
        ``landscape``.
    margins_mm
        Left, top, right and bottom margins in millimetres.
    dpi
        Resolution of raster output (PNG).
    title, subtitle
        Title (default: the project's ``title`` metadata, else "Territory map") and subtitle
        (default: today's date).
    legend, scale_bar, north_arrow, unit_labels, territory_labels, accounts, summary_table,
    footer
        Which parts to draw.
    routes
        A route to draw over the map (the renderer's route layer), if any.
    metrics
        Totals shown in the legend and tables (`TerritoryMetrics` columns); default
        accounts and the first numeric account column.
    bounds
        Display-plane bounds to map (the canvas viewport's ``world_bounds`` for "current
        view"); default the whole project.
    distance_unit
        ``km`` or ``mi`` for the scale bar.
    account_limit
        Atlas account lists: at most this many accounts per page group (the largest by the
        first account metric); default all.
    style
        The map style the layout starts from (the layers panel's); the toggles above
        override its labels and account visibility.
    """

    page: str = "letter"
    orientation: str = "portrait"
    margins_mm: tuple[float, float, float, float] = (12.7, 12.7, 12.7, 12.7)
    dpi: int = 150
    title: str | None = None
    subtitle: str | None = None
    legend: bool = True
    scale_bar: bool = True
    north_arrow: bool = True
    unit_labels: bool = False
    territory_labels: bool = True
    accounts: bool = True
    summary_table: bool = True
    footer: bool = True
    routes: RouteOverlay | None = None
    metrics: tuple[str, ...] | None = None
    bounds: Bounds | None = None
    distance_unit: str = "km"
    account_limit: int | None = None
    style: MapStyle = field(default_factory=MapStyle)

    def __post_init__(self) -> None:
        if self.page not in PAGE_SIZES:
            raise ValueError(f"unknown page size {self.page!r}; known: {', '.join(PAGE_SIZES)}")
        if self.orientation not in ORIENTATIONS:
            raise ValueError(f"orientation must be portrait or landscape, not {self.orientation!r}")
        if len(self.margins_mm) != 4 or any(not 0 <= m <= 60 for m in self.margins_mm):
            raise ValueError("margins_mm needs four margins of 0–60 mm")
        if not 30 <= self.dpi <= 1200:
            raise ValueError(f"dpi must be between 30 and 1200, got {self.dpi}")
        if self.distance_unit not in UNIT_METRES:
            raise ValueError(f"distance_unit must be km or mi, not {self.distance_unit!r}")
        if self.account_limit is not None and self.account_limit < 0:
            raise ValueError("account_limit must be ≥ 0")
        if self.bounds is not None:
            minx, miny, maxx, maxy = self.bounds
            if not (maxx > minx and maxy > miny):
                raise ValueError(f"bounds must be (minx, miny, maxx, maxy), got {self.bounds}")

    def page_size(self) -> tuple[float, float]:
        """Width and height of the paper in page units, oriented."""
        size = QPageSize(PAGE_SIZES[self.page]).size(QPageSize.Unit.Millimeter)
        width, height = mm_to_units(size.width()), mm_to_units(size.height())
        return (height, width) if self.orientation == "landscape" else (width, height)

    def content_rect(self) -> QRectF:
        """The page inside the margins, page units."""
        width, height = self.page_size()
        left, top, right, bottom = (mm_to_units(m) for m in self.margins_mm)
        return QRectF(left, top, width - left - right, height - top - bottom)

    def map_style(self) -> MapStyle:
        """`style` with the layout's label and account toggles applied."""
        s = self.style
        return replace(
            s,
            units=replace(s.units, labels=self.unit_labels),
            territories=replace(s.territories, labels=self.territory_labels),
            accounts=replace(s.accounts, visible=self.accounts and s.accounts.visible),
        )


def build_document(
    project: Project, layout: PrintLayout, scene: MapScene | None = None
) -> LayoutDocument:
    """The planned pages of ``layout`` for ``project`` (see the module docstring)."""
    document = LayoutDocument(project, layout, scene)
    document.pages = document.plan_map_pages()
    return document


def paint_layout(
    painter: QPainter,
    page_rect: QRectF,
    project: Project,
    layout: PrintLayout,
    scene: MapScene | None = None,
    page: int = 1,
) -> int:
    """Paint page ``page`` (from 1) of ``layout`` into ``page_rect`` (the paper, in the
    painter's coordinates; scaled to fit); returns the document's page count.

    For several pages build the document once (`build_document`) and call its ``paint``.
    """
    document = build_document(project, layout, scene)
    if not 1 <= page <= len(document.pages):
        raise ValueError(f"page {page} out of 1–{len(document.pages)}")
    document.paint(painter, page - 1, page_rect)
    return len(document.pages)
