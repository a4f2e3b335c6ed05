"""Routes on the map: each day's legs as a cased line, each visit as a numbered marker.

Part of the one map renderer, so the canvas, image export and the printed itinerary draw
routes the same way. Days are told apart by colour (Paul Tol's "bright" scheme, safe for
colour-blind readers) and by the numbering, which restarts every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen

from terrmap.core.palette import ROUTE_CASING as CASING
from terrmap.core.palette import ROUTE_CASING_WIDTH as CASING_WIDTH
from terrmap.core.palette import ROUTE_DAY_COLORS as DAY_COLORS
from terrmap.core.palette import ROUTE_LINE_WIDTH as LINE_WIDTH

if TYPE_CHECKING:
    from terrmap.render.frame import Frame
    from terrmap.render.projection import DisplayProjection
    from terrmap.routing.model import DayRoute, RoutePlan

MARKER_SIZE = 17.0
UNPLACED_SIZE = 7.0
HOME_COLOR = "#1F2933"
HOME_SIZE = 16.0


@dataclass(frozen=True)
class RouteOverlay:
    """What route to draw: a plan, optionally only one of its days, and a stop to highlight.

    Attributes
    ----------
    day
        Index of the day to draw; ``None`` draws every day.
    highlight
        Stop id drawn larger (the row selected in the stop list).
    show_unplaced
        Draw stops that did not fit as small hollow grey rings.
    """

    plan: RoutePlan
    day: int | None = None
    highlight: str | None = None
    show_unplaced: bool = True

    def days(self) -> list[tuple[int, DayRoute]]:
        """``(index, day)`` of the days to draw."""
        days = list(enumerate(self.plan.days))
        return days if self.day is None else [days[self.day]]


def day_color(index: int) -> str:
    """Colour of day ``index`` (cycles after seven days)."""
    return DAY_COLORS[index % len(DAY_COLORS)]


def paint_route(frame: Frame, overlay: RouteOverlay, projection: DisplayProjection) -> int:
    """Draw ``overlay`` on ``frame``; returns the number of drawing calls."""
    painter = frame.painter
    painter.save()
    try:
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        calls = 0
        if overlay.show_unplaced:
            calls += _paint_unplaced(frame, overlay, projection)
        days = overlay.days()
        for index, day in days:
            calls += _paint_legs(frame, day, day_color(index), projection)
        for index, day in days:
            calls += _paint_stops(frame, day, day_color(index), projection, overlay.highlight)
        calls += _paint_places(frame, [d for _, d in days], projection)
        return calls
    finally:
        painter.restore()


def route_bounds(plan: RoutePlan, projection: DisplayProjection, day: int | None = None) -> tuple:
    """World bounds ``(left, bottom, right, top)`` of a plan's (or one day's) paths."""
    days = plan.days if day is None else [plan.days[day]]
    points = [p for d in days for leg in d.legs for p in leg]
    points += [(d.start.lat, d.start.lon) for d in days]
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    xs, ys = projection.to_display(lon, lat)
    return float(np.min(xs)), float(np.min(ys)), float(np.max(xs)), float(np.max(ys))


def _screen(frame: Frame, projection: DisplayProjection, lat, lon) -> list[QPointF]:
    xs, ys = projection.to_display(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    to_screen = frame.viewport.world_to_screen
    return [
        QPointF(*to_screen(float(x), float(y)))
        for x, y in zip(np.atleast_1d(xs), np.atleast_1d(ys), strict=True)
    ]


def _paint_legs(frame: Frame, day: DayRoute, color: str, projection: DisplayProjection) -> int:
    points = [p for leg in day.legs for p in leg]
    if len(points) < 2:
        return 0
    screen = _screen(frame, projection, [p[0] for p in points], [p[1] for p in points])
    path = QPainterPath(screen[0])
    for point in screen[1:]:
        path.lineTo(point)
    painter = frame.painter
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for pen in (_pen(CASING, CASING_WIDTH), _pen(color, LINE_WIDTH)):
        painter.setPen(pen)
        painter.drawPath(path)
    return 2


def _paint_stops(
    frame: Frame, day: DayRoute, color: str, projection: DisplayProjection, highlight: str | None
) -> int:
    if not day.visits:
        return 0
    lat = [v.stop.lat for v in day.visits]
    lon = [v.stop.lon for v in day.visits]
    painter = frame.painter
    font = QFont(painter.font())
    font.setPointSizeF(7.5)
    font.setBold(True)
    painter.setFont(font)
    for number, (visit, at) in enumerate(
        zip(day.visits, _screen(frame, projection, lat, lon), strict=True), 1
    ):
        size = MARKER_SIZE * (1.35 if visit.stop.id == highlight else 1.0)
        paint_marker(painter, at, size, color, str(number), locked=visit.locked)
    return 2 * len(day.visits)


def paint_marker(
    painter: QPainter, at: QPointF, size: float, color: str, text: str, *, locked: bool = False
) -> None:
    """A numbered stop marker: a disc in the day's colour, a rounded square when locked."""
    box = QRectF(at.x() - size / 2, at.y() - size / 2, size, size)
    painter.setPen(_pen(CASING, 1.5))
    painter.setBrush(QBrush(QColor(color)))
    if locked:  # a square reads as "pinned in place"
        painter.drawRoundedRect(box, 2.5, 2.5)
    else:
        painter.drawEllipse(box)
    painter.setPen(QColor(_text_color(color)))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _paint_places(frame: Frame, days: list[DayRoute], projection: DisplayProjection) -> int:
    """Where the days start and end, as a house: drawn last so a stop there cannot hide it."""
    places = list(dict.fromkeys(p for d in days for p in (d.start, d.end)))
    if not places:
        return 0
    painter = frame.painter
    painter.setPen(_pen(CASING, 1.5))
    painter.setBrush(QBrush(QColor(HOME_COLOR)))
    for at in _screen(frame, projection, [p.lat for p in places], [p.lon for p in places]):
        painter.drawPath(_house(at, HOME_SIZE))
    return len(places)


def _house(at: QPointF, size: float) -> QPainterPath:
    half = size / 2
    x, y = at.x(), at.y()
    path = QPainterPath(QPointF(x, y - half))
    for dx, dy in ((half, -0.05 * size), (0.75 * half, -0.05 * size), (0.75 * half, half)):
        path.lineTo(QPointF(x + dx, y + dy))
    for dx, dy in ((-0.75 * half, half), (-0.75 * half, -0.05 * size), (-half, -0.05 * size)):
        path.lineTo(QPointF(x + dx, y + dy))
    path.closeSubpath()
    return path


def _paint_unplaced(frame: Frame, overlay: RouteOverlay, projection: DisplayProjection) -> int:
    stops = [u.stop for u in overlay.plan.unplaced]
    if not stops:
        return 0
    painter = frame.painter
    painter.setPen(_pen("#5F6B7A", 1.4))
    painter.setBrush(QBrush(QColor("#FFFFFF")))
    r = UNPLACED_SIZE / 2
    for at in _screen(frame, projection, [s.lat for s in stops], [s.lon for s in stops]):
        painter.drawEllipse(at, r, r)
    return len(stops)


def _text_color(background: str) -> str:
    # Dark digits on the light yellow, cyan and grey days; white on the others.
    c = QColor(background)
    luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
    return "#1F2933" if luminance > 0.55 else "#FFFFFF"


def _pen(color: str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen
