"""The parts of a printed page around its map: header, legend and footer (tables are in
`terrmap.render.layout_tables`).

Sizes are page units (1/96 inch, `terrmap.render.page`). Every part has a fixed height per
line or row, so a page layout can be planned before anything is drawn and the page count of
a document follows from counts alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from terrmap.render._itinerary_table import INK, MUTED, RIGHT, RULE, Fonts, elide
from terrmap.render.page import page_font

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.project import Project

TITLE_H = 30.0
LINE_H = 16.0
GAP = 10.0
FOOTER_H = 30.0
ITEM_H = 30.0  # a legend item: name line and totals line
SWATCH_W, SWATCH_H = 18.0, 13.0
ITEM_PAD = 12.0  # between legend columns
MIN_ITEM_W = 150.0
GREY_FILL = "#D3D7DC"  # territories outside an atlas page's focus
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

_METRIC_LABELS = {"units": "Units", "accounts": "Accounts", "area_km2": "Area km²"}


@dataclass(frozen=True)
class PageFonts:
    """The fonts of a printed page."""

    title: QFont
    subtitle: QFont
    heading: QFont
    legend: QFont
    legend_small: QFont
    small: QFont
    small_italic: QFont
    table: Fonts


def page_fonts() -> PageFonts:
    """DejaVu Sans at print sizes: 16 pt titles, 9 pt tables, 8 pt footers."""
    table = Fonts(
        body=page_font(8.5, condensed=True),
        header=page_font(8.5, bold=True, condensed=True),
        bold=page_font(8.5, bold=True, condensed=True),
        italic=page_font(8.5, italic=True, condensed=True),
        marker=page_font(6.5, bold=True),
    )
    return PageFonts(
        title=page_font(16, bold=True),
        subtitle=page_font(9.5),
        heading=page_font(9.5, bold=True),
        legend=page_font(8.5, bold=True),
        legend_small=page_font(7.5),
        small=page_font(7.5),
        small_italic=page_font(7.5, italic=True),
        table=table,
    )


# -- numbers -------------------------------------------------------------------------------


def metric_label(name: str) -> str:
    """``"annual_revenue"`` → ``"Annual revenue"``; the built-in totals by their names."""
    if name in _METRIC_LABELS:
        return _METRIC_LABELS[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def full_number(value: float) -> str:
    """``12,345,678``; one decimal below 100 when not whole."""
    if not math.isfinite(value):
        return "–"
    if abs(value) < 100 and value != round(value):
        return f"{value:,.1f}"
    return f"{round(value):,}"


def short_number(value: float) -> str:
    """``21.4 M``, ``12.3 k``, ``413``: totals short enough for a legend line."""
    if not math.isfinite(value):
        return "–"
    for size, suffix in ((1e9, " B"), (1e6, " M"), (1e4, " k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return full_number(value)


# -- legend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a swatch (``kind`` "fill", "grey", "account" or "home") and two lines."""

    color: str
    name: str
    detail: str = ""
    kind: str = "fill"


def territory_items(
    project: Project, codes: list[int], totals: pd.DataFrame, metrics: tuple[str, ...]
) -> list[LegendItem]:
    """Legend items of the territories ``codes``: colour, "Name — Rep", chosen totals."""
    items = []
    for code in codes:
        territory = project.territories[code]
        name = territory.name if not territory.owner else f"{territory.name} — {territory.owner}"
        row = totals.loc[territory.id]
        detail = " · ".join(f"{short_number(row[m])} {metric_label(m).lower()}" for m in metrics)
        items.append(LegendItem(territory.color, name, detail))
    return items


def legend_columns(items: list[LegendItem], width: float, fonts: PageFonts) -> int:
    """How many legend columns fit ``width`` without cutting the widest item."""
    if not items:
        return 1
    name = QFontMetricsF(fonts.legend)
    detail = QFontMetricsF(fonts.legend_small)
    widest = max(
        max(name.horizontalAdvance(i.name), detail.horizontalAdvance(i.detail)) for i in items
    )
    item_w = max(MIN_ITEM_W, SWATCH_W + 8 + widest + ITEM_PAD)
    return max(1, min(len(items), int((width + ITEM_PAD) // item_w)))


def legend_height(count: int, columns: int) -> float:
    """Height of a legend of ``count`` items in ``columns`` columns (0 without items)."""
    if not count:
        return 0.0
    return math.ceil(count / columns) * ITEM_H + GAP


def paint_legend(
    painter: QPainter, rect: QRectF, items: tuple[LegendItem, ...], columns: int, fonts: PageFonts
) -> None:
    """Items down each column, then across: reading order is the territories' order."""
    rows = math.ceil(len(items) / columns)
    width = rect.width() / columns
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for index, item in enumerate(items):
        column, row = divmod(index, rows)
        cell = QRectF(rect.left() + column * width, rect.top() + row * ITEM_H, width, ITEM_H)
        _paint_item(painter, cell.adjusted(0, 0, -ITEM_PAD, 0), item, fonts)
    painter.restore()


def _paint_item(painter: QPainter, cell: QRectF, item: LegendItem, fonts: PageFonts) -> None:
    swatch = QRectF(cell.left(), cell.top() + 3, SWATCH_W, SWATCH_H)
    painter.setPen(QPen(QColor(RULE), 0.8))
    if item.kind in ("fill", "grey"):
        painter.setBrush(QBrush(QColor(item.color)))
        painter.drawRect(swatch)
    elif item.kind == "account":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(item.color)))
        painter.drawEllipse(swatch.center(), 2.5, 2.5)
    else:  # a rep home: the map's ringed disc
        painter.setPen(QPen(QColor(INK), 1.2))
        painter.setBrush(QBrush(QColor("#FFFFFF")))
        painter.drawEllipse(swatch.center(), 6.0, 6.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(item.color)))
        painter.drawEllipse(swatch.center(), 3.5, 3.5)
    text = cell.adjusted(SWATCH_W + 7, 0, 0, 0)
    painter.setFont(fonts.legend)
    painter.setPen(QColor(INK))
    line = QRectF(text.left(), cell.top(), text.width(), 19)
    painter.drawText(line, LEFT, elide(painter, item.name, line.width()))
    if item.detail:
        painter.setFont(fonts.legend_small)
        painter.setPen(QColor(MUTED))
        line = QRectF(text.left(), cell.top() + 16, text.width(), 13)
        painter.drawText(line, LEFT, elide(painter, item.detail, line.width()))


# -- header and footer ---------------------------------------------------------------------


def header_height(subtitle: str) -> float:
    """The title line, the subtitle line when there is one, and a gap."""
    return TITLE_H + (LINE_H if subtitle else 0.0) + GAP


def paint_header(
    painter: QPainter, rect: QRectF, title: str, subtitle: str, fonts: PageFonts
) -> None:
    """Title and subtitle at the top of ``rect``."""
    painter.save()
    painter.setFont(fonts.title)
    painter.setPen(QColor(INK))
    line = QRectF(rect.left(), rect.top(), rect.width(), TITLE_H)
    painter.drawText(line, LEFT, elide(painter, title, line.width()))
    if subtitle:
        painter.setFont(fonts.subtitle)
        painter.setPen(QColor(MUTED))
        line = QRectF(rect.left(), rect.top() + TITLE_H, rect.width(), LINE_H)
        painter.drawText(line, LEFT, elide(painter, subtitle, line.width()))
    painter.restore()


def paint_footer(
    painter: QPainter, rect: QRectF, source: str, notice: str, page: str, fonts: PageFonts
) -> None:
    """A rule, the data source and page number, and the synthetic-data notice below."""
    top = rect.bottom() - FOOTER_H + 4
    painter.save()
    painter.setPen(QPen(QColor(RULE), 0.8))
    painter.drawLine(QPointF(rect.left(), top), QPointF(rect.right(), top))
    painter.setFont(fonts.small)
    painter.setPen(QColor(MUTED))
    line = QRectF(rect.left(), top + 2, rect.width(), 12)
    painter.drawText(line, RIGHT, page)
    room = line.adjusted(0, 0, -90, 0)
    painter.drawText(room, LEFT, elide(painter, source, room.width()))
    if notice:
        painter.setFont(fonts.small_italic)
        painter.setPen(QColor(INK))
        line = QRectF(rect.left(), top + 14, rect.width(), 12)
        painter.drawText(line, LEFT, elide(painter, notice, line.width()))
    painter.restore()
