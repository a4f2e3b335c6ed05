"""The one map painter: the interactive canvas, printing and image export all call it.

Drawing order, back to front: background, context fill (states), unit fills (by
territory with unassigned units hatched, or by choropleth class), unit borders when
units are big enough on screen, context outlines, territory outlines, accounts, rep
homes, labels, and a route when one is shown. Every layer honours its `LayerStyle`
(visible, opacity, labels).

One code path serves screen and print; only two steps pick a technique by device. On
pixel buffers (the canvas's frame, PNG export) unit fills are scanline-filled with numpy
(`terrmap.render.raster_fill`) and labels are blitted from cached images; on vector
devices (PDF, SVG, printers) units are filled as Qt paths and labels drawn as glyph
paths, so print output stays vector. Lines are cosmetic Qt pens everywhere, so they
keep their pixel width at any zoom and come out antialiased when the style asks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QTransform

from terrmap.core.palette import ROUTE_FADE  # unit fill opacity under a route
from terrmap.render.frame import Frame
from terrmap.render.labels import PlacedLabel, ShapeCache, draw_labels
from terrmap.render.map_labels import UnitAnchors, place_labels, territory_font
from terrmap.render.markers import home_points, paint_accounts, paint_homes
from terrmap.render.route_layer import RouteOverlay, paint_route
from terrmap.render.scene import MapScene
from terrmap.render.style import LayerStyle, MapStyle
from terrmap.render.unit_fill import UnitFills, unit_colors

if TYPE_CHECKING:
    from collections.abc import Callable

    from terrmap.core.project import Project
    from terrmap.render.viewport import Bounds, MapViewport

# Below this mean on-screen size (pixels) unit borders would turn fills into a grey mesh.
MIN_UNIT_PIXELS_FOR_BORDERS = 12.0
# Unit borders may be simplified by up to this many pixels (see `_paint_units`).
BORDER_TOLERANCE_PIXELS = 2.5
# Pixels added around changed units by `region_for_units` (outline width and halo).
REGION_MARGIN = 3.0


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
        self.paint_calls = 0  # drawing calls of the last paint, for benchmarks and tests
        self.labels: list[PlacedLabel] = []  # labels placed by the last paint
        self._fills = UnitFills()
        self._shapes = ShapeCache()
        units = self.scene.units
        self._unit_anchors = UnitAnchors(units.levels[0].geometry, project)
        self._last_style = MapStyle()
        self.route: RouteOverlay | None = None  # drawn on top of everything when set

    @property
    def extent(self) -> Bounds:
        """World bounds of the whole unit layer."""
        return self.scene.extent

    def unit_at(self, x: float, y: float) -> int | None:
        """Layer position of the unit under world point ``(x, y)``, if any."""
        return self.scene.units.feature_at(x, y)

    def paint(
        self,
        painter: QPainter,
        viewport: MapViewport,
        style: MapStyle | None = None,
        region: QRectF | None = None,
    ) -> None:
        """Draw the map as seen through ``viewport`` onto ``painter``'s device.

        Parameters
        ----------
        painter
            An active painter; its current transform maps view pixels to its device.
        viewport
            The view to draw.
        style
            Drawing options (default `MapStyle()`).
        region
            Repaint only this rectangle of the view (view pixels); pixels outside it
            are left alone. The canvas passes `region_for_units` after an edit.
        """
        style = style or MapStyle()
        if self.route is not None:
            style = faded_for_route(style)
        self._last_style = style
        view = QRectF(0, 0, viewport.width, viewport.height)
        area = view if region is None else region.intersected(view)
        self.paint_calls = 0
        if area.isEmpty():
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, style.antialias)
            painter.setClipRect(area, Qt.ClipOperation.IntersectClip)
            painter.fillRect(area, QColor(style.background))
            frame = Frame(painter, viewport, style, area)
            for layer in self._layers():
                layer(frame)
        finally:
            painter.restore()

    def region_for_units(
        self,
        viewport: MapViewport,
        positions: np.ndarray,
        old_codes: np.ndarray | None = None,
    ) -> QRectF:
        """The view rectangle to repaint after the units at ``positions`` changed
        territory (from ``old_codes``, if known).

        It holds the units' boxes grown by the outline width, the labels of the last
        paint that touch them, and the old and new name boxes of every territory that
        gained or lost units (a territory's name moves with its shape).
        """
        positions = np.asarray(positions, dtype=np.intp)
        if not len(positions):
            return QRectF()
        minx, miny, maxx, maxy = self.scene.units.bounds[positions].T
        left, top = viewport.world_to_screen(float(minx.min()), float(maxy.max()))
        right, bottom = viewport.world_to_screen(float(maxx.max()), float(miny.min()))
        region = QRectF(left, top, right - left, bottom - top).adjusted(
            -REGION_MARGIN, -REGION_MARGIN, REGION_MARGIN, REGION_MARGIN
        )
        codes = self.project.plan.codes
        touched = set(codes[positions].tolist())
        if old_codes is not None:
            touched |= set(np.asarray(old_codes).tolist())
        grown = QRectF(region)
        for label in self.labels:
            moved = label.kind == "territory" and label.key in touched
            if moved or label.box.intersects(region):
                grown = grown.united(label.box)
        style = self._last_style
        if style.territories.visible and style.territories.labels:
            anchors = self.scene.territories.anchors(codes)
            font = territory_font(style)
            for code in touched:
                anchor = anchors.get(code)
                if anchor is None or code >= len(self.project.territories):
                    continue
                width, height = self._shapes.size(self.project.territories[code].name, font)
                x, y = viewport.world_to_screen(anchor.x, anchor.y)
                grown = grown.united(QRectF(x - width / 2, y - height / 2, width, height))
        return grown.adjusted(-1, -1, 1, 1)

    # -- layers, back to front -------------------------------------------------------
    def _layers(self) -> list[Callable[[Frame], None]]:
        return [
            self._paint_context_fill,
            self._paint_units,
            self._paint_context_outlines,
            self._paint_territory_outlines,
            self._paint_accounts,
            self._paint_homes_and_labels,
            self._paint_route,
        ]

    def _paint_route(self, frame: Frame) -> None:
        if self.route is not None:
            self.paint_calls += paint_route(frame, self.route, self.scene.projection)

    def _paint_units(self, frame: Frame) -> None:
        layer = frame.style.units
        if not _shown(layer):
            return
        units = self.scene.units
        index = units.level_index(frame.viewport.pixel_size)
        level = units.levels[index]
        visible = np.flatnonzero(frame.visible_units_mask(units.bounds))
        colors, hatch = unit_colors(self.project, frame)
        with _opacity(frame.painter, layer):
            self.paint_calls += self._fills.paint(frame, level, visible, colors, hatch)
            if len(visible) and _mean_pixels(units.bounds[visible], frame) >= (
                MIN_UNIT_PIXELS_FOR_BORDERS
            ):
                # Unit borders may come from the next coarser level: within a territory
                # they lie on one colour, and between territories the outline covers
                # them, so a couple of pixels of generalisation do not show; it halves
                # the lines to stroke (measured: 42k → 21k path elements, US counties).
                coarser = units.levels[min(index + 1, len(units.levels) - 1)]
                if coarser.tolerance > BORDER_TOLERANCE_PIXELS * frame.viewport.pixel_size:
                    coarser = level
                paths = coarser.unit_borders(visible, frame.world_bounds)
                pen = _pen(frame.style.unit_border, frame.style.unit_border_width)
                self._stroke(frame, paths, pen)

    def _paint_territory_outlines(self, frame: Frame) -> None:
        layer = frame.style.territories
        if not _shown(layer):
            return
        units = self.scene.units
        index = units.level_index(frame.viewport.pixel_size)
        visible = np.flatnonzero(frame.visible_units_mask(units.bounds))
        paths = self.scene.territories.outline_paths(
            index, self.project.plan.codes, frame.world_bounds, visible
        )
        style = frame.style
        with _opacity(frame.painter, layer):
            if not frame.raster:
                # On paper one true-width line is exact and a third of the PDF's size.
                pen = _pen(style.territory_border, style.territory_border_width)
                self._stroke(frame, paths, pen)
                return
            # Qt strokes pens wider than 1 px through a general stroker that costs 4–10×
            # a 1-px hairline (60 vs 9 ms for 60 territories of US counties, measured);
            # a few hairlines nudged by sub-pixel offsets look the same at 2 px.
            for dx, dy in _hairline_offsets(style.territory_border_width):
                self._stroke(frame, paths, _pen(style.territory_border, 1.0), (dx, dy))

    def _paint_context_fill(self, frame: Frame) -> None:
        layer = frame.style.context
        if not _shown(layer):
            return
        painter = frame.painter
        with _opacity(painter, layer):
            painter.setTransform(frame.world)
            # Aliased: the context outlines drawn later cover these edges, and
            # antialiasing large fills costs 3–5× (measured).
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(frame.style.context_fill)))
            for paths, visible in self._context_paths(frame):
                for position in visible.tolist():
                    painter.drawPath(paths[position])
                self.paint_calls += len(visible)
            painter.setTransform(frame.base)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, frame.style.antialias)

    def _paint_context_outlines(self, frame: Frame) -> None:
        layer = frame.style.context
        if not _shown(layer):
            return
        painter = frame.painter
        style = frame.style
        with _opacity(painter, layer):
            painter.setTransform(frame.world)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(_pen(style.context_border, style.context_border_width))
            for paths, visible in self._context_paths(frame):
                for position in visible.tolist():
                    painter.drawPath(paths[position])
                self.paint_calls += len(visible)
            painter.setTransform(frame.base)

    def _context_paths(self, frame: Frame):
        for layer in self.scene.context.values():
            level = layer.levels[layer.level_index(frame.viewport.pixel_size)]
            yield level.paths, np.flatnonzero(frame.visible_units_mask(layer.bounds))

    def _paint_accounts(self, frame: Frame) -> None:
        layer = frame.style.accounts
        if _shown(layer) and len(self.scene.accounts):
            with _opacity(frame.painter, layer):
                self.paint_calls += paint_accounts(frame, self.project, self.scene)

    def _paint_homes_and_labels(self, frame: Frame) -> None:
        # Labels are placed over the whole view, so a region repaint draws the same
        # labels as the full frame around it.
        full = Frame(frame.painter, frame.viewport, frame.style, _view_rect(frame.viewport))
        homes = home_points(full, self.project, self.scene)
        layer = frame.style.homes
        if _shown(layer):
            with _opacity(frame.painter, layer):
                self.paint_calls += paint_homes(frame, self.project, homes)
        layout = place_labels(
            full, self.project, self.scene, homes, self._shapes, self._unit_anchors
        )
        self.labels = layout.placed
        shown = [label for label in layout.placed if label.box.intersects(frame.area)]
        if shown:
            self.paint_calls += draw_labels(
                frame.painter,
                shown,
                self._shapes,
                frame.style.label_color,
                frame.style.label_halo,
                raster=frame.raster,
            )

    def _stroke(
        self,
        frame: Frame,
        paths: list[QPainterPath],
        pen: QPen,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        painter = frame.painter
        painter.setTransform(frame.world * QTransform.fromTranslate(*offset))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path in paths:
            painter.drawPath(path)
        painter.setTransform(frame.base)
        self.paint_calls += len(paths)


def faded_for_route(style: MapStyle) -> MapStyle:
    """The style with territory fills faded, so a route's day colours stand out on them."""
    units = replace(style.units, opacity=style.units.opacity * ROUTE_FADE)
    return replace(style, units=units)


class _opacity:
    """Context manager: paint a layer at its opacity."""

    def __init__(self, painter: QPainter, layer: LayerStyle) -> None:
        self._painter, self._opacity = painter, layer.opacity

    def __enter__(self) -> None:
        self._before = self._painter.opacity()
        self._painter.setOpacity(self._before * self._opacity)

    def __exit__(self, *_exc: object) -> None:
        self._painter.setOpacity(self._before)


def _shown(layer: LayerStyle) -> bool:
    return layer.visible and layer.opacity > 0


def _view_rect(viewport: MapViewport) -> QRectF:
    return QRectF(0, 0, viewport.width, viewport.height)


def _mean_pixels(bounds: np.ndarray, frame: Frame) -> float:
    diagonal = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    return float(np.mean(diagonal)) * frame.viewport.scale


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
