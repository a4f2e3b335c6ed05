"""Painting the printed itinerary's pages: heading, subtitle, map, table and footer.

:func:`paint_page` draws one page planned by :mod:`terrmap.render._itinerary_pages`; the maps come
from :mod:`terrmap.render._itinerary_maps` and the tables from
:mod:`terrmap.render._itinerary_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from terrmap.render._itinerary_maps import MapSource
from terrmap.render._itinerary_pages import (
    DAY_MAP_SHARE,
    DAY_SUBTITLE_LINES,
    FOOTER_H,
    GAP,
    LEGEND_H,
    LINE_H,
    OVERVIEW_MAP_SHARE,
    TITLE_H,
    Page,
    map_height,
)
from terrmap.render._itinerary_table import INK, MUTED, RIGHT, RULE, Fonts, elide, paint_table
from terrmap.render.page import MONTHS, page_font
from terrmap.render.route_layer import day_color
from terrmap.routing._export_text import WEEKDAYS, one_line
from terrmap.routing.model import RoutePlan

FONT_FAMILY = "DejaVu Sans"


@dataclass
class Context:
    plan: RoutePlan
    fonts: PageFonts
    maps: MapSource
    page: str
    pages: list[Page] = field(default_factory=list)


@dataclass(frozen=True)
class PageFonts:
    title: QFont
    subtitle: QFont
    small: QFont
    legend: QFont
    table: Fonts


def make_fonts() -> PageFonts:
    font = page_font  # the print font: DejaVu Sans, no ligatures, sized for the 96-dpi page

    table = Fonts(
        body=font(9, condensed=True),
        header=font(8.5, bold=True, condensed=True),
        bold=font(9, bold=True, condensed=True),
        italic=font(9, italic=True, condensed=True),
        marker=font(6.5, bold=True),
    )
    return PageFonts(
        title=font(15, bold=True),
        subtitle=font(9.5),
        small=font(8),
        legend=font(8.5),
        table=table,
    )


def paint_page(painter: QPainter, area: QRectF, spec: Page, number: int, ctx: Context) -> None:
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
        map_rect = QRectF(area.left(), y, area.width(), map_height(ctx.page, share))
        ctx.maps.paint(painter, map_rect, section.day)
        y = map_rect.bottom()
        if section.kind == "overview":
            _paint_legend(painter, QRectF(area.left(), y, area.width(), LEGEND_H), ctx)
            y += LEGEND_H
        y += GAP
    table_rect = QRectF(area.left(), y, area.width(), area.bottom() - FOOTER_H - y)
    paint_table(painter, table_rect, section.table, spec.rows, fonts.table)
    _paint_footer(painter, area, number, len(ctx.pages), ctx)


def _paint_legend(painter: QPainter, rect: QRectF, ctx: Context) -> None:
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
            + (MONTHS[day.date.month - 1])
        )
        text = cell.adjusted(32, 0, -4, 0)
        painter.drawText(
            text,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            elide(painter, label, text.width()),
        )
        x += step
    painter.restore()


def _paint_footer(painter: QPainter, area: QRectF, number: int, total: int, ctx: Context) -> None:
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
