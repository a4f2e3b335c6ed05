"""Unit fills: by territory or by choropleth class, on raster devices or as vectors."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage

from terrmap.core.classify import NO_DATA_COLOR
from terrmap.core.plan import UNASSIGNED
from terrmap.render.raster_fill import FillRaster

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.render.frame import Frame
    from terrmap.render.geometry_cache import DetailLevel

OPAQUE = 0xFF000000


def argb(color: str) -> int:
    """``#RRGGBB`` as an opaque premultiplied ARGB32 value."""
    return OPAQUE | int(color[1:7], 16)


def unit_colors(project: Project, frame: Frame) -> tuple[np.ndarray, tuple[int, int] | None]:
    """Fill colour (ARGB32) per unit position, and the hatch ``(fill, line)`` if any.

    Territory mode colours units by territory and hatches unassigned ones; with a
    choropleth, units take their class colour (no-data colour for missing values).
    """
    style = frame.style
    if style.choropleth is not None:
        classes = np.asarray(style.choropleth.classes)
        table = np.array(
            [argb(c) for c in style.choropleth.colors] + [argb(NO_DATA_COLOR)], dtype=np.uint32
        )
        return table[np.where(classes < 0, len(table) - 1, classes)], None
    territory = np.array([argb(t.color) for t in project.territories], dtype=np.uint32)
    unassigned = argb(style.unassigned_fill)
    if unassigned in set(territory.tolist()):
        # The hatch finds unassigned pixels by colour, so keep theirs unique.
        unassigned ^= 1
    table = np.append(territory, np.uint32(unassigned))
    codes = project.plan.codes
    colors = table[np.where(codes == UNASSIGNED, len(table) - 1, codes)]
    hatch = (unassigned, argb(style.unassigned_hatch)) if (codes == UNASSIGNED).any() else None
    return colors, hatch


class UnitFills:
    """Paints unit fills, keeping the raster filler's buffers between frames."""

    def __init__(self) -> None:
        self._raster = FillRaster()

    def paint(
        self,
        frame: Frame,
        level: DetailLevel,
        visible: np.ndarray,
        colors: np.ndarray,
        hatch: tuple[int, int] | None,
    ) -> int:
        """Fill ``visible`` units; returns the number of drawing calls."""
        if not len(visible):
            return 0
        if frame.raster:
            return self._paint_raster(frame, level, visible, colors, hatch)
        return _paint_vector(frame, level, visible, colors, hatch)

    def _paint_raster(
        self,
        frame: Frame,
        level: DetailLevel,
        visible: np.ndarray,
        colors: np.ndarray,
        hatch: tuple[int, int] | None,
    ) -> int:
        painter = frame.painter
        device = painter.device()
        area = frame.device.mapRect(frame.area)
        left, top = max(0, math.floor(area.left())), max(0, math.floor(area.top()))
        right, bottom = math.ceil(area.right()), math.ceil(area.bottom())
        if isinstance(device, QImage):  # sizes in device pixels (widgets give logical)
            right, bottom = min(device.width(), right), min(device.height(), bottom)
        if right <= left or bottom <= top:
            return 0
        # Units out of view get no colour, so the fill skips their edges.
        shown = np.zeros_like(colors)
        shown[visible] = colors[visible]
        image = self._raster.render(
            level.scan_edges(visible).near(visible, len(colors)),
            shown,
            frame.device_transform(),
            right,
            (top, bottom),
            hatch,
        )
        ratio = device.devicePixelRatioF()
        painter.save()
        try:
            painter.resetTransform()  # draw in device pixels (over the pixel ratio)
            target = QRectF(
                left / ratio, top / ratio, (right - left) / ratio, (bottom - top) / ratio
            )
            painter.drawImage(target, image, QRectF(left, 0, right - left, bottom - top))
        finally:
            painter.restore()
        return 1


def _paint_vector(
    frame: Frame,
    level: DetailLevel,
    visible: np.ndarray,
    colors: np.ndarray,
    hatch: tuple[int, int] | None,
) -> int:
    painter = frame.painter
    painter.setTransform(frame.world)
    painter.setPen(Qt.PenStyle.NoPen)
    paths = level.paths
    paths.prefetch(visible.tolist())
    shown = colors[visible]
    order = np.argsort(shown, kind="stable")
    calls = 0
    for group in np.split(visible[order], np.flatnonzero(np.diff(shown[order])) + 1):
        color = int(colors[group[0]])
        painter.setBrush(QBrush(QColor.fromRgba(color)))
        for position in group.tolist():
            painter.drawPath(paths[position])
        calls += len(group)
        if hatch is not None and color == hatch[0]:
            painter.setBrush(QBrush(QColor.fromRgba(hatch[1]), Qt.BrushStyle.BDiagPattern))
            for position in group.tolist():
                painter.drawPath(paths[position])
            calls += len(group)
    painter.setTransform(frame.base)
    return calls
