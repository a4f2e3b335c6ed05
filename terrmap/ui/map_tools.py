"""The map's mouse tools: select (click, rectangle, drag the selection), lasso, paint
brush and zoom box.

Each tool turns left-button gestures into requests on the canvas (select these, drop
the selection on that territory, paint these units); the canvas owns panning (middle
or right drag, Space + drag, arrow keys) and zooming for every tool. Tools keep their
gesture in screen pixels and draw it as an overlay; the picking itself happens in the
world plane through the canvas's pickers.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QApplication

from terrmap.core.selection import mode_for
from terrmap.render.picking import brush_stroke, lasso_polygon

if TYPE_CHECKING:
    from terrmap.ui.map_canvas import MapCanvas

BAND_COLOR = "#1F6FB2"
BAND_FILL = "#331F6FB2"  # #AARRGGBB
BRUSH_MIN, BRUSH_MAX = 4, 120  # brush radius limits, screen pixels
CLICK_ZOOM = 2.0


class ToolKind(enum.Enum):
    """The mouse tools, in toolbar order."""

    SELECT = "select"
    LASSO = "lasso"
    BRUSH = "brush"
    ZOOM_BOX = "zoom-box"
    PAN = "pan"


def _modifiers(event: QMouseEvent) -> tuple[bool, bool]:
    mods = event.modifiers()
    return (
        bool(mods & Qt.KeyboardModifier.ShiftModifier),
        bool(mods & Qt.KeyboardModifier.ControlModifier),
    )


def _band_pen() -> QPen:
    pen = QPen(QColor(BAND_COLOR), 1.5, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    return pen


class MapTool:
    """Base tool: ignores everything (pan-only)."""

    kind = ToolKind.PAN
    cursor = Qt.CursorShape.OpenHandCursor

    def __init__(self, canvas: MapCanvas) -> None:
        self.canvas = canvas

    def press(self, event: QMouseEvent) -> bool:
        """Handle a left press; return whether the tool took the gesture."""
        return False

    def move(self, event: QMouseEvent) -> None:
        """The pointer moved during the gesture."""

    def release(self, event: QMouseEvent) -> None:
        """The left button was released: finish the gesture."""

    def cancel(self) -> None:
        """Abandon the gesture (Escape, tool change, focus loss)."""

    def paint_overlay(self, painter: QPainter) -> None:
        """Draw the gesture (rubber band, lasso, brush) over the map."""

    def hover(self, position: QPointF) -> None:
        """The pointer moved with no button held."""


class PanTool(MapTool):
    """Left drag pans (the canvas handles it: the tool takes nothing)."""


class _AreaTool(MapTool):
    """Shared by tools that drag out an area and act on release."""

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self._start: QPointF | None = None
        self._points: list[QPointF] = []

    @property
    def active(self) -> bool:
        return self._start is not None

    def press(self, event: QMouseEvent) -> bool:
        self._start = event.position()
        self._points = [self._start]
        return True

    def move(self, event: QMouseEvent) -> None:
        if self._start is not None:
            self._points.append(event.position())
            self.canvas.update()

    def cancel(self) -> None:
        self._start = None
        self._points = []
        self.canvas.update()

    def _dragged(self) -> bool:
        """Whether the pointer has gone further than a click's jitter since the press
        (a lasso may end where it began)."""
        if self._start is None:
            return False
        limit = QApplication.startDragDistance()
        return any((p - self._start).manhattanLength() >= limit for p in self._points)


class SelectTool(_AreaTool):
    """Click to select, drag a rectangle, or drag the selection onto another territory.

    Shift adds to the selection and Ctrl toggles. Pressing on an already selected item
    and dragging moves the selection: dropped on a unit of another territory, it is
    assigned there; dragged off the map, it can be dropped on the territory panel.
    """

    kind = ToolKind.SELECT
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self._moving_selection = False

    def press(self, event: QMouseEvent) -> bool:
        self._start = event.position()
        self._points = [self._start]
        shift, ctrl = _modifiers(event)
        self._moving_selection = (
            not (shift or ctrl) and self.canvas.picking.selected_item_at(self._start) is not None
        )
        return True

    def move(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        self._points.append(event.position())
        if self._moving_selection and self._dragged():
            self.canvas.dragging.move_to(event.position())
        self.canvas.update()

    def release(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        self._points.append(event.position())
        shift, ctrl = _modifiers(event)
        if self._moving_selection and self._dragged():
            self.canvas.dragging.drop_at(event.position())
        elif self._dragged():
            rect = QRectF(self._start, event.position()).normalized()
            self.canvas.picking.select_in_area(
                _screen_area(self.canvas, _rect_points(rect)), mode_for(shift, ctrl)
            )
        else:
            self.canvas.picking.select_at(event.position(), mode_for(shift, ctrl))
        self._moving_selection = False
        self.cancel()

    def cancel(self) -> None:
        if self._moving_selection:
            self.canvas.dragging.end()
        self._moving_selection = False
        super().cancel()

    def paint_overlay(self, painter: QPainter) -> None:
        if self._moving_selection or not self._dragged():
            return
        painter.setPen(_band_pen())
        painter.setBrush(QColor(BAND_FILL))
        painter.drawRect(QRectF(self._start, self._points[-1]).normalized())


class LassoTool(_AreaTool):
    """Draw a freehand loop: what lies inside is selected (Shift adds, Ctrl toggles)."""

    kind = ToolKind.LASSO
    cursor = Qt.CursorShape.CrossCursor

    def release(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        self._points.append(event.position())
        if len(self._points) >= 3 and self._dragged():
            shift, ctrl = _modifiers(event)
            area = _screen_area(self.canvas, self._points, lasso=True)
            self.canvas.picking.select_in_area(area, mode_for(shift, ctrl))
        self.cancel()

    def paint_overlay(self, painter: QPainter) -> None:
        if len(self._points) < 2:
            return
        painter.setPen(_band_pen())
        painter.setBrush(QColor(BAND_FILL))
        painter.drawPolygon(QPolygonF(self._points))


class BrushTool(MapTool):
    """Paint units into the active territory: every unit the brush passes over joins it.

    One stroke (press to release) is one undo step. ``[`` and ``]`` resize the brush.
    """

    kind = ToolKind.BRUSH
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(canvas)
        self.radius = 14.0  # screen pixels
        self._last: QPointF | None = None
        self._pointer: QPointF | None = None
        self.stroke = 0  # increments per stroke: undo merges dabs of one stroke only

    def press(self, event: QMouseEvent) -> bool:
        self.stroke += 1
        self._last = event.position()
        self._paint_segment([self._last])
        return True

    def move(self, event: QMouseEvent) -> None:
        self._pointer = event.position()
        if self._last is not None:
            self._paint_segment([self._last, event.position()])
            self._last = event.position()
        self.canvas.update()

    def release(self, event: QMouseEvent) -> None:
        self._last = None

    def cancel(self) -> None:
        self._last = None

    def hover(self, position: QPointF) -> None:
        self._pointer = position
        self.canvas.update()

    def resize(self, factor: float) -> None:
        """Grow (factor > 1) or shrink the brush."""
        self.radius = float(np.clip(self.radius * factor, BRUSH_MIN, BRUSH_MAX))
        self.canvas.update()

    def _paint_segment(self, points: list[QPointF]) -> None:
        viewport = self.canvas.viewport
        if viewport is None:
            return
        world = [viewport.screen_to_world(p.x(), p.y()) for p in points]
        area = brush_stroke(world, self.radius / viewport.scale)
        self.canvas.picking.paint_units(area, self.stroke)

    def paint_overlay(self, painter: QPainter) -> None:
        if self._pointer is None:
            return
        color = self.canvas.brush_color() or BAND_COLOR
        pen = QPen(QColor(color).darker(130), 2.0)
        painter.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(70)
        painter.setBrush(fill)
        painter.drawEllipse(self._pointer, self.radius, self.radius)


class ZoomBoxTool(_AreaTool):
    """Drag a box to zoom to it; click to zoom in (Shift-click zooms out)."""

    kind = ToolKind.ZOOM_BOX
    cursor = Qt.CursorShape.CrossCursor

    def release(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        self._points.append(event.position())
        viewport = self.canvas.viewport
        if self._dragged() and viewport is not None:
            rect = QRectF(self._start, event.position()).normalized()
            x0, y1 = viewport.screen_to_world(rect.left(), rect.top())
            x1, y0 = viewport.screen_to_world(rect.right(), rect.bottom())
            self.canvas.zoom_to_bounds((x0, y0, x1, y1), margin=0.0)
        elif viewport is not None:
            shift, _ctrl = _modifiers(event)
            factor = 1 / CLICK_ZOOM if shift else CLICK_ZOOM
            at = event.position()
            self.canvas.set_viewport(viewport.zoomed_at(at.x(), at.y(), factor))
        self.cancel()

    def paint_overlay(self, painter: QPainter) -> None:
        if not self._dragged():
            return
        painter.setPen(_band_pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self._start, self._points[-1]).normalized())


TOOLS: dict[ToolKind, type[MapTool]] = {
    ToolKind.SELECT: SelectTool,
    ToolKind.LASSO: LassoTool,
    ToolKind.BRUSH: BrushTool,
    ToolKind.ZOOM_BOX: ZoomBoxTool,
    ToolKind.PAN: PanTool,
}


def _rect_points(rect: QRectF) -> list[QPointF]:
    return [rect.topLeft(), rect.topRight(), rect.bottomRight(), rect.bottomLeft()]


def _screen_area(canvas: MapCanvas, points: list[QPointF], *, lasso: bool = False):
    """The world-plane area under a screen polygon."""
    viewport = canvas.viewport
    world = [viewport.screen_to_world(p.x(), p.y()) for p in points]
    return lasso_polygon(world) if lasso else shapely.Polygon(world)
