"""Drawing the map selection over the cached map frame.

The selection is painted into its own transparent image for the frame's view, so a
change of selection repaints only the highlight (cost grows with what is selected),
never the map underneath, and panning moves both images together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTransform

from terrmap.render.qt_geometry import polygon_from_xy

if TYPE_CHECKING:
    from terrmap.core.selection import Selection
    from terrmap.render.map_renderer import MapRenderer
    from terrmap.render.viewport import MapViewport

HIGHLIGHT_FILL = "#73FFFFFF"  # #AARRGGBB: a light wash keeps the territory colour readable
HIGHLIGHT_EDGE = "#111827"
HIGHLIGHT_EDGE_WIDTH = 2.0
ACCOUNT_RING = 7.0  # px


def paint_selection(
    painter: QPainter,
    renderer: MapRenderer,
    viewport: MapViewport,
    selection: Selection,
    account_xy: np.ndarray | None,
) -> None:
    """Draw ``selection`` as seen through ``viewport``."""
    if not len(selection):
        return
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if selection.kind == "units":
            _paint_units(painter, renderer, viewport, selection.positions)
        elif account_xy is not None:
            _paint_accounts(painter, viewport, account_xy[selection.positions])
    finally:
        painter.restore()


def selection_image(
    renderer: MapRenderer,
    viewport: MapViewport,
    selection: Selection,
    account_xy: np.ndarray | None,
    device_ratio: float,
) -> QImage:
    """A transparent image of the selection highlight for ``viewport``."""
    image = QImage(
        max(1, round(viewport.width * device_ratio)),
        max(1, round(viewport.height * device_ratio)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(device_ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        paint_selection(painter, renderer, viewport, selection, account_xy)
    finally:
        painter.end()
    return image


def _paint_units(
    painter: QPainter, renderer: MapRenderer, viewport: MapViewport, positions: np.ndarray
) -> None:
    units = renderer.scene.units
    minx, miny, maxx, maxy = viewport.world_bounds
    b = units.bounds[positions]
    seen = positions[(b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)]
    paths = units.levels[units.level_index(viewport.pixel_size)].paths
    sx, sy, dx, dy = viewport.transform()
    painter.setTransform(QTransform(sx, 0, 0, sy, dx, dy), True)
    pen = QPen(QColor(HIGHLIGHT_EDGE), HIGHLIGHT_EDGE_WIDTH)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(QBrush(QColor(HIGHLIGHT_FILL)))
    for position in seen.tolist():
        painter.drawPath(paths[position])


def _paint_accounts(painter: QPainter, viewport: MapViewport, xy: np.ndarray) -> None:
    xy = xy[np.isfinite(xy).all(axis=1)]
    sx, sy, dx, dy = viewport.transform()
    screen = np.column_stack([xy[:, 0] * sx + dx, xy[:, 1] * sy + dy])
    inside = (
        (screen[:, 0] >= -ACCOUNT_RING)
        & (screen[:, 0] <= viewport.width + ACCOUNT_RING)
        & (screen[:, 1] >= -ACCOUNT_RING)
        & (screen[:, 1] <= viewport.height + ACCOUNT_RING)
    )
    screen = screen[inside]
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # A white ring under a dark one stays visible on every territory colour.
    for color, width in (("#FFFFFF", 4.0), (HIGHLIGHT_EDGE, 2.0)):
        painter.setPen(QPen(QColor(color), width))
        for x, y in screen.tolist():
            painter.drawEllipse(QPointF(x, y), ACCOUNT_RING / 2, ACCOUNT_RING / 2)
    if len(screen):
        dot = QPen(QColor(HIGHLIGHT_EDGE), 3.0)
        dot.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(dot)
        painter.drawPoints(polygon_from_xy(screen))
