"""The maps of the printed itinerary: one per day and the overview of all days.

They are drawn by the one map renderer (:class:`MapRenderer`) when a project is given, its
territory map faded under the route as on screen; without a project the route alone is drawn on
a plain background by the same route layer code.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from terrmap.core.geo import equal_area_crs
from terrmap.render._itinerary_table import CENTER, INK, RULE
from terrmap.render.frame import Frame
from terrmap.render.projection import DisplayProjection
from terrmap.render.route_layer import RouteOverlay, paint_route, route_bounds
from terrmap.render.style import MapStyle
from terrmap.render.viewport import MapViewport
from terrmap.routing.model import RoutePlan

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.render.map_renderer import MapRenderer

MIN_MAP_SPAN_M = 4000.0  # a day with one nearby stop still shows its surroundings


class MapSource:
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
