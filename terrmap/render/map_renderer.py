"""The one map painter: the interactive canvas, printing and image export all call it.

Drawing order, back to front: background, context fill (states), units filled by
territory (grouped by brush, culled by bounding box), hatching of unassigned units,
context outlines, territory outlines, accounts, rep homes. Geometry is in world metres
and reaches the device through the painter's transform, so the paths built once are
reused by every frame; pens are cosmetic so lines keep their pixel width at any zoom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QTransform

from terrmap.core.plan import UNASSIGNED
from terrmap.render.geometry_cache import GeometryCache
from terrmap.render.scene import MapScene
from terrmap.render.style import MapStyle
from terrmap.render.viewport import Bounds, MapViewport

if TYPE_CHECKING:
    from terrmap.core.project import Project

# Below this mean on-screen size (pixels) unit borders would turn fills into a grey mesh.
MIN_UNIT_PIXELS_FOR_BORDERS = 12.0


class MapRenderer:
    """Paints a project's map for a viewport.

    Parameters
    ----------
    project
        The document to draw; read on every paint, so edits show on the next frame.
    scene
        Prepared display geometry; built from ``project`` when omitted (slow for large
        layers: build it in a worker and pass it in).
    """

    def __init__(self, project: Project, scene: MapScene | None = None) -> None:
        self.project = project
        self.scene = scene if scene is not None else MapScene.build(project)
        self._brushes: dict[str, QBrush] = {}
        self.paint_calls = 0  # drawing calls of the last paint, for benchmarks and tests

    @property
    def extent(self) -> Bounds:
        """World bounds of the whole unit layer."""
        return self.scene.extent

    def unit_at(self, x: float, y: float) -> int | None:
        """Layer position of the unit under world point ``(x, y)``, if any."""
        return self.scene.units.feature_at(x, y)

    def paint(
        self, painter: QPainter, viewport: MapViewport, style: MapStyle | None = None
    ) -> None:
        """Draw the map as seen through ``viewport`` onto ``painter``'s device."""
        style = style or MapStyle()
        self.paint_calls = 0
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, style.antialias)
            painter.fillRect(
                QRectF(0, 0, viewport.width, viewport.height), QColor(style.background)
            )
            painter.setClipRect(QRectF(0, 0, viewport.width, viewport.height))
            base = painter.transform()
            sx, sy, dx, dy = viewport.transform()
            painter.setTransform(QTransform(sx, 0, 0, sy, dx, dy), True)
            self._paint_world(painter, viewport, style)
            painter.setTransform(base)
            if style.homes.visible:
                self._paint_homes(painter, viewport, style)
        finally:
            painter.restore()

    # -- world-space layers ---------------------------------------------------
    def _paint_world(self, painter: QPainter, viewport: MapViewport, style: MapStyle) -> None:
        bounds = viewport.world_bounds
        units = self.scene.units
        level = units.level_index(viewport.pixel_size)
        visible = units.visible(bounds)
        if style.context.visible:
            self._paint_context_fill(painter, bounds, viewport, style)
        self._paint_units(painter, units, level, visible, viewport, style)
        if style.context.visible:
            self._paint_context_outlines(painter, bounds, viewport, style)
        self._paint_territory_borders(painter, level, bounds, style)
        if style.accounts.visible and len(self.scene.accounts):
            painter.setPen(_pen(style.account_color, style.account_size, Qt.PenCapStyle.SquareCap))
            painter.drawPoints(self.scene.accounts.visible_polygon(bounds))
            self.paint_calls += 1

    def _paint_units(
        self,
        painter: QPainter,
        units: GeometryCache,
        level: int,
        visible: np.ndarray,
        viewport: MapViewport,
        style: MapStyle,
    ) -> None:
        paths = units.levels[level].paths
        codes = self.project.plan.codes[visible]
        territories = self.project.territories
        painter.setPen(self._unit_pen(units, visible, viewport, style))
        # One brush change per territory: sort the visible units by territory code.
        order = np.argsort(codes, kind="stable")
        groups = np.split(visible[order], np.flatnonzero(np.diff(codes[order])) + 1)
        for members in groups:
            if not len(members):
                continue
            code = int(self.project.plan.codes[members[0]])
            color = style.unassigned_fill if code == UNASSIGNED else territories[code].color
            painter.setBrush(self._brush(color))
            group = [paths[position] for position in members]
            for path in group:
                painter.drawPath(path)
            self.paint_calls += len(group)
            if code == UNASSIGNED:
                self._hatch(painter, group, style)

    def _hatch(self, painter: QPainter, paths: list[QPainterPath], style: MapStyle) -> None:
        pen = painter.pen()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(style.unassigned_hatch), Qt.BrushStyle.BDiagPattern))
        for path in paths:
            painter.drawPath(path)
        self.paint_calls += len(paths)
        painter.setPen(pen)

    def _unit_pen(
        self, units: GeometryCache, visible: np.ndarray, viewport: MapViewport, style: MapStyle
    ) -> QPen:
        if not len(visible):
            return QPen(Qt.PenStyle.NoPen)
        b = units.bounds[visible]
        mean_pixels = (
            float(np.mean(np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))) * viewport.scale
        )
        if mean_pixels < MIN_UNIT_PIXELS_FOR_BORDERS:
            return QPen(Qt.PenStyle.NoPen)
        return _pen(style.unit_border, style.unit_border_width)

    def _paint_territory_borders(
        self, painter: QPainter, level: int, bounds: Bounds, style: MapStyle
    ) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(_pen(style.territory_border, 1.0))
        view = QRectF(bounds[0], bounds[1], bounds[2] - bounds[0], bounds[3] - bounds[1])
        territories = self.scene.territories
        territories.update(level, self.project.plan.codes)
        paths = [
            path
            for path in territories.outlines(level).values()
            if path.controlPointRect().intersects(view)
        ]
        # Qt strokes pens wider than 1 px through a general stroker that costs 4–10× a
        # 1-px hairline (60 vs 9 ms for 60 territories of US counties, measured); a few
        # hairlines nudged by sub-pixel offsets look the same at 2 px and stay fast.
        base = painter.transform()
        for ox, oy in _hairline_offsets(style.territory_border_width):
            painter.setTransform(base * QTransform.fromTranslate(ox, oy))
            for path in paths:
                painter.drawPath(path)
            self.paint_calls += len(paths)
        painter.setTransform(base)

    def _context_layers(self, bounds: Bounds, viewport: MapViewport):
        for layer in self.scene.context.values():
            level = layer.level_index(viewport.pixel_size)
            yield layer, level, layer.visible(bounds)

    def _paint_context_fill(
        self, painter: QPainter, bounds: Bounds, viewport: MapViewport, style: MapStyle
    ) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush(style.context_fill))
        for layer, level, visible in self._context_layers(bounds, viewport):
            for position in visible:
                painter.drawPath(layer.levels[level].paths[position])
            self.paint_calls += len(visible)

    def _paint_context_outlines(
        self, painter: QPainter, bounds: Bounds, viewport: MapViewport, style: MapStyle
    ) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(_pen(style.context_border, style.context_border_width))
        for layer, level, visible in self._context_layers(bounds, viewport):
            for position in visible:
                painter.drawPath(layer.levels[level].paths[position])
            self.paint_calls += len(visible)

    # -- screen-space markers ---------------------------------------------------
    def _paint_homes(self, painter: QPainter, viewport: MapViewport, style: MapStyle) -> None:
        homes = [(t.home, t.color) for t in self.project.territories if t.home is not None]
        if not homes:
            return
        lon = np.array([h[0][0] for h in homes])
        lat = np.array([h[0][1] for h in homes])
        xs, ys = self.scene.projection.to_display(lon, lat)
        radius = style.home_size / 2
        outline = _pen(style.home_border, 1.2)
        for x, y, (_home, color) in zip(np.atleast_1d(xs), np.atleast_1d(ys), homes, strict=True):
            sx, sy = viewport.world_to_screen(float(x), float(y))
            if not (
                -radius <= sx <= viewport.width + radius
                and -radius <= sy <= viewport.height + radius
            ):
                continue
            self._paint_home(painter, QPointF(sx, sy), radius, color, outline, style)

    def _paint_home(
        self,
        painter: QPainter,
        at: QPointF,
        radius: float,
        color: str,
        outline: QPen,
        style: MapStyle,
    ) -> None:
        # A white-ringed disc in the rep's colour reads as "home", apart from account dots.
        painter.setPen(outline)
        painter.setBrush(self._brush(style.home_fill))
        painter.drawEllipse(at, radius, radius)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush(color))
        painter.drawEllipse(at, radius * 0.55, radius * 0.55)
        self.paint_calls += 2

    def _brush(self, color: str) -> QBrush:
        brush = self._brushes.get(color)
        if brush is None:
            brush = self._brushes[color] = QBrush(QColor(color))
        return brush


def _hairline_offsets(width: float) -> list[tuple[float, float]]:
    """Device-pixel offsets whose 1-px hairlines together make a line about ``width`` wide."""
    if width <= 1.0:
        return [(0.0, 0.0)]
    extra = min(width - 1.0, 2.0)
    # Offsets along both axes, so lines of every direction thicken.
    return [(0.0, 0.0), (extra, 0.0), (0.0, extra)]


def _pen(color: str, width: float, cap: Qt.PenCapStyle = Qt.PenCapStyle.FlatCap) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)
    pen.setCapStyle(cap)
    # Round joins make Qt's stroker 4–5× slower than bevel joins on thick outlines
    # (measured); at 2 px the difference does not show.
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    return pen
