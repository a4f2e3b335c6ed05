"""The scale bar and north arrow of a printed map, true to the display projection.

The display plane is equal-area (`terrmap.render.projection`), so neither its scale nor the
direction of north is the same everywhere: the scale bar measures the geodesic distance
along a horizontal line through the map's centre (on the projection's own ellipsoid) and
the north arrow follows the meridian through the centre, which Albers tilts away from its
central meridian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF

from terrmap.render._itinerary_table import CENTER, INK

if TYPE_CHECKING:
    from terrmap.render.projection import DisplayProjection
    from terrmap.render.viewport import MapViewport

UNIT_METRES = {"km": 1000.0, "mi": 1609.344}
SCALE_SHARE = 0.22  # the longest bar, as a share of the map's width
NORTH_STEP_DEG = 0.01  # latitude step that finds the meridian's direction


@dataclass(frozen=True)
class ScaleBar:
    """A scale bar: ``length`` in ``unit`` ("km" or "mi") drawn ``width`` page units long.

    ``metres_per_unit`` is the ground distance of one page unit at the map's centre.
    """

    length: float
    unit: str
    width: float
    metres_per_unit: float

    @property
    def length_m(self) -> float:
        """The bar's ground length in metres."""
        return self.length * UNIT_METRES[self.unit]

    @property
    def label(self) -> str:
        """``"50 km"``, ``"0.5 mi"``."""
        return f"{self.length:g} {self.unit}"


def ground_metres_per_unit(viewport: MapViewport, projection: DisplayProjection) -> float:
    """Geodesic metres per page unit along the horizontal line through the view's centre."""
    half = viewport.width / 4 / viewport.scale  # a quarter of the view each side
    cx, cy = viewport.center_x, viewport.center_y
    lon1, lat1 = projection.to_lonlat(cx - half, cy)
    lon2, lat2 = projection.to_lonlat(cx + half, cy)
    _, _, metres = projection.crs.get_geod().inv(lon1, lat1, lon2, lat2)
    return float(metres) / (viewport.width / 2)


def scale_bar(
    viewport: MapViewport, projection: DisplayProjection, max_width: float, unit: str = "km"
) -> ScaleBar:
    """The longest round bar (1, 2 or 5 × 10ⁿ ``unit``) no wider than ``max_width`` units."""
    if unit not in UNIT_METRES:
        raise ValueError(f"unknown distance unit {unit!r}; known: {sorted(UNIT_METRES)}")
    per_unit = ground_metres_per_unit(viewport, projection)
    target = max_width * per_unit / UNIT_METRES[unit]
    magnitude = 10 ** math.floor(math.log10(target))
    length = max(s * magnitude for s in (1, 2, 5) if s * magnitude <= target * (1 + 1e-9))
    return ScaleBar(length, unit, length * UNIT_METRES[unit] / per_unit, per_unit)


def north_angle(viewport: MapViewport, projection: DisplayProjection) -> float:
    """Degrees clockwise from the page's up to true north at the view's centre."""
    lon, lat = projection.to_lonlat(viewport.center_x, viewport.center_y)
    step = NORTH_STEP_DEG if lat < 90 - NORTH_STEP_DEG else -NORTH_STEP_DEG
    xs, ys = projection.to_display([lon, lon], [lat, lat + step])
    dx, dy = (float(xs[1] - xs[0]), float(ys[1] - ys[0]))
    if step < 0:
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(dx, dy))


def paint_scale_bar(painter: QPainter, view: QRectF, bar: ScaleBar, font: QFont) -> None:
    """The bar with end ticks and its label, on a white plate at the map's bottom left."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setFont(font)
    box = QRectF(view.left() + 8, view.bottom() - 34, bar.width + 20, 26)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
    painter.drawRoundedRect(box, 3, 3)
    x0, x1, base = box.left() + 10, box.left() + 10 + bar.width, box.bottom() - 6
    half = (x0 + x1) / 2
    # Alternating black and white halves read as a scale bar in any print.
    painter.setPen(QPen(QColor(INK), 0.8))
    painter.setBrush(QBrush(QColor(INK)))
    painter.drawRect(QRectF(x0, base - 4, half - x0, 4))
    painter.setBrush(QBrush(QColor("#FFFFFF")))
    painter.drawRect(QRectF(half, base - 4, x1 - half, 4))
    painter.setPen(QColor(INK))
    painter.drawText(QRectF(x0 - 20, box.top() + 1, bar.width + 40, 13), CENTER, bar.label)
    painter.restore()


def paint_north_arrow(painter: QPainter, view: QRectF, angle: float, font: QFont) -> None:
    """A half-filled arrow with an "N", turned ``angle`` degrees, at the map's top right."""
    size = 34.0
    centre = QPointF(view.right() - 8 - size / 2, view.top() + 8 + size / 2 + 4)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
    painter.drawEllipse(centre, size / 2 + 4, size / 2 + 4)
    painter.translate(centre)
    painter.rotate(angle)
    tip, tail, wing = -size / 2 + 8, size / 2 - 3, size * 0.2
    left = QPolygonF([QPointF(0, tip), QPointF(-wing, tail), QPointF(0, tail - 6)])
    right = QPolygonF([QPointF(0, tip), QPointF(wing, tail), QPointF(0, tail - 6)])
    painter.setPen(QPen(QColor(INK), 0.9))
    painter.setBrush(QBrush(QColor("#FFFFFF")))
    painter.drawPolygon(left)
    painter.setBrush(QBrush(QColor(INK)))
    painter.drawPolygon(right)
    painter.setPen(QColor(INK))
    painter.setFont(font)
    painter.drawText(QRectF(-10, -size / 2 - 6, 20, 14), CENTER, "N")
    painter.restore()


def paint_map_frame(painter: QPainter, view: QRectF, color: str) -> None:
    """A thin frame around the map."""
    painter.save()
    path = QPainterPath()
    path.addRect(view)
    painter.setPen(QPen(QColor(color), 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()
