"""What one paint call knows: the painter, the view, the style and the part to repaint."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPaintEngine, QPainter, QTransform

if TYPE_CHECKING:
    from terrmap.render.style import MapStyle
    from terrmap.render.viewport import Bounds, MapViewport


@dataclass
class Frame:
    """One paint call.

    Attributes
    ----------
    painter
        The active painter (its world transform is the caller's base transform).
    viewport
        The view being drawn.
    style
        Drawing options.
    area
        The screen rectangle being repainted (the whole view or a region).
    """

    painter: QPainter
    viewport: MapViewport
    style: MapStyle
    area: QRectF

    @cached_property
    def base(self) -> QTransform:
        """The caller's world transform, under which the view's pixels are drawn."""
        return QTransform(self.painter.transform())

    @cached_property
    def world(self) -> QTransform:
        """World metres → painter coordinates."""
        sx, sy, dx, dy = self.viewport.transform()
        return QTransform(sx, 0, 0, sy, dx, dy) * self.base

    @cached_property
    def world_bounds(self) -> Bounds:
        """World rectangle of `area` (a pixel of margin each way)."""
        vp = self.viewport
        left, top = vp.screen_to_world(self.area.left() - 1, self.area.top() - 1)
        right, bottom = vp.screen_to_world(self.area.right() + 1, self.area.bottom() + 1)
        return (left, bottom, right, top)

    @cached_property
    def device(self) -> QTransform:
        """View pixels → device pixels (caller transform and device pixel ratio)."""
        return QTransform(self.painter.deviceTransform())

    @cached_property
    def raster(self) -> bool:
        """Whether the device is a pixel buffer drawn without rotation: fast numpy fills
        and cached label images apply; printers and SVG get vector paths."""
        engine = self.painter.paintEngine()
        if engine is None or engine.type() != QPaintEngine.Type.Raster:
            return False
        t = self.device
        return t.m12() == 0 and t.m21() == 0 and t.m11() > 0 and t.m22() > 0

    def device_transform(self) -> tuple[float, float, float, float]:
        """``(sx, sy, dx, dy)`` from world metres to device pixels."""
        sx, sy, dx, dy = self.viewport.transform()
        t = self.device
        return (sx * t.m11(), sy * t.m22(), dx * t.m11() + t.dx(), dy * t.m22() + t.dy())

    def visible_units_mask(self, bounds: np.ndarray) -> np.ndarray:
        """Which features with these ``(n, 4)`` bounds meet the repainted area (kept for
        the frame: several layers ask about the same units)."""
        cache = self.__dict__.setdefault("_visible", {})
        if id(bounds) in cache:
            return cache[id(bounds)][1]
        minx, miny, maxx, maxy = self.world_bounds
        b = bounds
        mask = (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
        cache[id(bounds)] = (bounds, mask)  # holding ``bounds`` keeps its id unique
        return mask
