"""The interactive map: a widget that shows frames painted by `MapRenderer`.

A frame is rendered once into a cached QImage and reused until the view or the
document changes. While the user pans or zooms, the cached frame is moved and scaled
(a blit, well under the 16 ms frame budget); once input pauses for ``SETTLE_MS`` the
map is rendered again, antialiased, for the new view. The selection highlight lives in
a second cached image, so selecting never repaints the map.

Panning works in every tool: middle or right drag, Space + left drag, arrow keys.
Left-button gestures belong to the active tool (`terrmap.ui.map_tools`). A right click
that does not drag asks for the context menu.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QWidget

from terrmap.render.style import MapStyle
from terrmap.render.viewport import MapViewport
from terrmap.ui.canvas_picking import CanvasPicking
from terrmap.ui.drag import DraggedSelection
from terrmap.ui.map_tools import TOOLS, BrushTool, MapTool, ToolKind
from terrmap.ui.selection_drag import SelectionDrag
from terrmap.ui.selection_overlay import selection_image

if TYPE_CHECKING:
    from terrmap.core.selection import Selection
    from terrmap.render.map_renderer import MapRenderer
    from terrmap.render.route_layer import RouteOverlay
    from terrmap.render.viewport import Bounds

SETTLE_MS = 180  # input pause after which the exact frame is rendered
WHEEL_STEP = 1.0015  # zoom factor per 1/8° of wheel turn: one notch (120) ≈ ×1.2
KEY_ZOOM = 1.5
KEY_PAN = 0.2  # share of the window an arrow key pans


class Text:
    """User-visible strings of the canvas."""

    EMPTY = "No project open"


class MapCanvas(QWidget):
    """Shows a project's map; pans, zooms, selects and reassigns through map tools.

    Signals
    -------
    cursor_moved(lon, lat, unit_position)
        The pointer moved over the map; ``unit_position`` is -1 off every unit.
    cursor_left()
        The pointer left the map.
    drag_hovered(territory_id)
        A dragged selection is over a unit of that territory (None: unassigned).
    drag_left()
        A dragged selection is over no target any more (or the drag ended).
    selection_dropped(territory_id)
        The dragged selection was dropped on a unit of that territory (None: unassigned).
    units_painted(positions, stroke)
        The brush passed over these units; ``stroke`` numbers the press-to-release stroke.
    context_menu_requested(global_position)
        A right click without a drag.
    tool_changed(kind)
        The active `ToolKind` changed.
    """

    cursor_moved = Signal(float, float, int)
    cursor_left = Signal()
    view_changed = Signal()
    drag_hovered = Signal(object)
    drag_left = Signal()
    selection_dropped = Signal(object)
    units_painted = Signal(object, int)
    context_menu_requested = Signal(QPoint)
    tool_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(320, 240)
        self.style_options = MapStyle()
        self.pick_kind = "units"  # what clicks and areas select: "units" or "accounts"
        self.brush_territory: str | None = None  # where the brush paints (None: unassign)
        self._renderer: MapRenderer | None = None
        self._viewport: MapViewport | None = None
        self._frame: QImage | None = None
        self._frame_viewport: MapViewport | None = None
        self._frame_exact = False  # rendered with the final-quality style
        self._dirty: QRectF | None = None  # part of the frame to repaint (units moved)
        self._selection: Selection | None = None
        self._overlay: QImage | None = None
        self._pan_origin: QPointF | None = None
        self._pan_viewport: MapViewport | None = None
        self._pan_button = Qt.MouseButton.NoButton
        self._panned = False
        self._space_held = False
        self.picking = CanvasPicking(self)
        self.dragging = SelectionDrag(self)
        # While the view is the fitted full extent it stays fitted as the window resizes
        # (the dock settles its width after the first fit); a pan or zoom ends that.
        self._fitted = False
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        self._tools = {kind: cls(self) for kind, cls in TOOLS.items()}
        self._tool: MapTool = self._tools[ToolKind.SELECT]
        self._gesture: MapTool | None = None
        self.setCursor(self._tool.cursor)

    # -- document ------------------------------------------------------------
    @property
    def renderer(self) -> MapRenderer | None:
        """The renderer of the shown project."""
        return self._renderer

    @property
    def viewport(self) -> MapViewport | None:
        """The current view (None before a project is shown)."""
        return self._viewport

    @property
    def selection(self) -> Selection | None:
        """The selection shown and edited by the tools."""
        return self._selection

    def set_renderer(
        self, renderer: MapRenderer | None, selection: Selection | None = None
    ) -> None:
        """Show another project's map (``None``: nothing), zoomed to its full extent."""
        self._disconnect()
        self._renderer = renderer
        self._selection = selection
        self.picking.reset()
        if renderer is not None:
            for signal in self._document_signals():
                signal.connect(self._document_changed)
            renderer.project.units_reassigned.connect(self._units_reassigned)
        if selection is not None:
            selection.changed.connect(self._selection_changed)
        self._viewport = None
        self._overlay = None
        self.zoom_to_full_extent()

    def _document_signals(self) -> list:
        project = self._renderer.project
        return [
            project.accounts_reassigned,
            project.territory_inserted,
            project.territory_removed,
            project.territory_updated,
            project.plan_switched,
        ]

    def _disconnect(self) -> None:
        if self._renderer is not None:
            for signal in self._document_signals():
                signal.disconnect(self._document_changed)
            self._renderer.project.units_reassigned.disconnect(self._units_reassigned)
        if self._selection is not None:
            self._selection.changed.disconnect(self._selection_changed)

    def _document_changed(self, *_args: object) -> None:
        self._frame = None
        self._dirty = None
        self.update()

    def _units_reassigned(self, positions: np.ndarray, old: np.ndarray, _new: object) -> None:
        # Only the moved units' part of the cached frame changes: repaint just that
        # region on the next paint (a 10-unit move costs a few small paths, not a map).
        if self._frame is None or self._frame_viewport is None:
            return
        # The old codes tell which territories lost units: their names may move too.
        region = self._renderer.region_for_units(self._frame_viewport, positions, old)
        self._dirty = region if self._dirty is None else self._dirty.united(region)
        self.update()

    def _selection_changed(self) -> None:
        self._overlay = None
        self.update()

    def set_style(self, style: MapStyle) -> None:
        """Draw with ``style`` from now on (layers panel)."""
        if style != self.style_options:
            self.style_options = style
            self._frame = None
            self.update()

    def set_route(self, overlay: RouteOverlay | None) -> None:
        """Draw ``overlay`` on top of the map (``None``: no route); renders a new frame."""
        if self._renderer is not None and self._renderer.route is not overlay:
            self._renderer.route = overlay
            self._document_changed()

    # -- view commands -------------------------------------------------------
    def set_viewport(self, viewport: MapViewport) -> None:
        """Show ``viewport`` (moving the cached frame now, re-rendering after a pause)."""
        self._viewport = viewport
        self._fitted = False
        self._settle.start()
        self.update()
        self.view_changed.emit()

    def zoom_to_full_extent(self) -> None:
        """Fit the whole unit layer in the window."""
        if self._renderer is None:
            self._viewport = None
            self.update()
            return
        self._viewport = MapViewport.fit(self._renderer.extent, self.width(), self.height())
        self._fitted = True
        self._frame = None
        self.update()
        self.view_changed.emit()

    def zoom_to_bounds(self, bounds: Bounds, margin: float = 0.08) -> None:
        """Show the world rectangle ``bounds`` whole."""
        if self._renderer is not None:
            self.set_viewport(MapViewport.fit(bounds, self.width(), self.height(), margin))

    def zoom_to_units(self, positions: np.ndarray) -> None:
        """Show the units at ``positions`` whole (nothing happens for none)."""
        if self._renderer is None or not len(positions):
            return
        b = self._renderer.scene.units.bounds[positions]
        self.zoom_to_bounds((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))

    def zoom_to_selection(self) -> None:
        """Show the selected units or accounts whole."""
        selection = self._selection
        if self._renderer is None or selection is None or not len(selection):
            return
        if selection.kind == "units":
            self.zoom_to_units(selection.positions)
            return
        xy = self.picking.points
        x, y = xy.x[selection.positions], xy.y[selection.positions]
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            pad = 2_000.0  # metres: a single account still shows its neighbourhood
            self.zoom_to_bounds(
                (x[ok].min() - pad, y[ok].min() - pad, x[ok].max() + pad, y[ok].max() + pad)
            )

    def zoom_in(self) -> None:
        """Zoom in about the centre of the window."""
        self._zoom_at_centre(KEY_ZOOM)

    def zoom_out(self) -> None:
        """Zoom out about the centre of the window."""
        self._zoom_at_centre(1 / KEY_ZOOM)

    def _zoom_at_centre(self, factor: float) -> None:
        if self._viewport is not None:
            self.set_viewport(self._viewport.zoomed_at(self.width() / 2, self.height() / 2, factor))

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the map content by a screen offset in pixels."""
        if self._viewport is not None:
            self.set_viewport(self._viewport.panned(dx, dy))

    def render_now(self) -> None:
        """Render the exact frame for the current view at once (tests, screenshots)."""
        self._settle.stop()
        self._render_frame(antialias=self.style_options.antialias)
        self.update()

    # -- tools ---------------------------------------------------------------------
    @property
    def tool(self) -> ToolKind:
        """The active mouse tool."""
        return self._tool.kind

    def set_tool(self, kind: ToolKind) -> None:
        """Make ``kind`` the active mouse tool (cancels a gesture in progress)."""
        if kind == self._tool.kind:
            return
        self.cancel_gesture()
        self._tool = self._tools[kind]
        self.setCursor(self._tool.cursor)
        self.update()
        self.tool_changed.emit(kind)

    @property
    def brush(self) -> BrushTool:
        """The paint brush tool (its radius can be changed)."""
        return self._tools[ToolKind.BRUSH]

    def brush_color(self) -> str | None:
        """Colour of the territory the brush paints into."""
        if self._renderer is None or self.brush_territory is None:
            return None
        project = self._renderer.project
        if not project.has_territory(self.brush_territory):
            return None
        return project.territory(self.brush_territory).color

    def cancel_gesture(self) -> None:
        """Abandon the gesture in progress (if any)."""
        if self._gesture is not None:
            self._gesture.cancel()
            self._gesture = None

    # -- drops of a Qt drag back onto the map -----------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if DraggedSelection.from_mime(event.mimeData()) is not None and self._renderer is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragging.move_to(event.position())
        if self.dragging.over_unit:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, _event: object) -> None:
        self.dragging.end()

    def dropEvent(self, event: QDropEvent) -> None:
        if DraggedSelection.from_mime(event.mimeData()) is None:
            return
        self.dragging.drop_at(event.position())
        event.acceptProposedAction()

    # -- painting --------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._renderer is None or self._viewport is None:
                self._paint_empty(painter)
                return
            if self._frame is not None and self._dirty is not None:
                self._repaint_region(self._dirty)
            if self._frame is None:
                # Content changed (edit, resize, new project): draw it now, at full
                # quality unless input is still going on.
                self._render_frame(antialias=not self._settle.isActive())
                if self._settle.isActive() or not self._frame_exact:
                    self._settle.start()
            if self._overlay is None and self._selection is not None and len(self._selection):
                self._overlay = selection_image(
                    self._renderer,
                    self._frame_viewport,
                    self._selection,
                    self.picking.points.xy if self._selection.kind == "accounts" else None,
                    self.devicePixelRatioF(),
                )
            self._paint_frame(painter)
            self._paint_interaction(painter)
        finally:
            painter.end()

    def _paint_empty(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor(self.style_options.background))
        painter.setPen(QColor("#6B7785"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, Text.EMPTY)

    def _paint_frame(self, painter: QPainter) -> None:
        frame, shown, current = self._frame, self._frame_viewport, self._viewport
        images = [frame] if self._overlay is None else [frame, self._overlay]
        if shown == current:
            for image in images:
                painter.drawImage(0, 0, image)
            return
        # Move and scale the cached frame to where the new view puts it.
        painter.fillRect(self.rect(), QColor(self.style_options.background))
        ratio = current.scale / shown.scale
        x0, y0 = current.world_to_screen(*shown.screen_to_world(0.0, 0.0))
        target = QRectF(x0, y0, shown.width * ratio, shown.height * ratio)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for image in images:
            painter.drawImage(target, image, QRectF(image.rect()))

    def _paint_interaction(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._tool.paint_overlay(painter)
        self.dragging.paint_label(painter)

    def _render_frame(self, *, antialias: bool) -> None:
        viewport = self._viewport
        ratio = self.devicePixelRatioF()
        image = QImage(
            max(1, round(viewport.width * ratio)),
            max(1, round(viewport.height * ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(ratio)
        painter = QPainter(image)
        try:
            style = self.style_options
            if style.antialias != antialias:
                style = replace(style, antialias=antialias)
            self._renderer.paint(painter, viewport, style)
        finally:
            painter.end()
        if viewport != self._frame_viewport:
            self._overlay = None
        self._dirty = None
        self._frame, self._frame_viewport, self._frame_exact = image, viewport, antialias

    def _repaint_region(self, region: QRectF) -> None:
        """Bring the cached frame up to date inside ``region`` (frame pixels)."""
        self._dirty = None
        painter = QPainter(self._frame)
        try:
            style = self.style_options
            if style.antialias != self._frame_exact:
                style = replace(style, antialias=self._frame_exact)
            self._renderer.paint(painter, self._frame_viewport, style, region)
        finally:
            painter.end()

    def _settled(self) -> None:
        stale = self._viewport != self._frame_viewport or not self._frame_exact
        if self._viewport is not None and (self._frame is None or stale):
            self._render_frame(antialias=self.style_options.antialias)
            self.update()

    # -- input -------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._viewport is None or self._fitted:
            self.zoom_to_full_extent()
        else:
            self._viewport = self._viewport.resized(self.width(), self.height())
            self._frame = None

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._viewport is None:
            return
        steps = event.angleDelta().y() or event.angleDelta().x()
        position = event.position()
        self.set_viewport(self._viewport.zoomed_at(position.x(), position.y(), WHEEL_STEP**steps))
        event.accept()

    def _pans(self, event: QMouseEvent) -> bool:
        button = event.button()
        if button in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton):
            return True
        left = button == Qt.MouseButton.LeftButton
        return left and (self._space_held or self._tool.kind == ToolKind.PAN)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._viewport is None:
            return
        if self._pans(event):
            self._pan_origin = event.position()
            self._pan_viewport = self._viewport
            self._pan_button = event.button()
            self._panned = False
            event.accept()
        elif event.button() == Qt.MouseButton.LeftButton and self._tool.press(event):
            self._gesture = self._tool
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_origin is not None:
            delta = event.position() - self._pan_origin
            if self._panned or delta.manhattanLength() >= QApplication.startDragDistance():
                if not self._panned:
                    self.setCursor(Qt.CursorShape.ClosedHandCursor)
                self._panned = True
                self.set_viewport(self._pan_viewport.panned(delta.x(), delta.y()))
        elif self._gesture is not None:
            self._gesture.move(event)
        else:
            self._tool.hover(event.position())
        self._report_cursor(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_origin is not None and event.button() == self._pan_button:
            clicked = not self._panned and event.button() == Qt.MouseButton.RightButton
            self._pan_origin = self._pan_viewport = None
            self._panned = False
            self.setCursor(self._tool.cursor)
            if clicked:
                self.context_menu_requested.emit(event.globalPosition().toPoint())
        elif self._gesture is not None and event.button() == Qt.MouseButton.LeftButton:
            gesture, self._gesture = self._gesture, None
            gesture.release(event)

    def leaveEvent(self, _event: object) -> None:
        self.cursor_left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        step_x, step_y = self.width() * KEY_PAN, self.height() * KEY_PAN
        pans = {
            Qt.Key.Key_Left: (step_x, 0),
            Qt.Key.Key_Right: (-step_x, 0),
            Qt.Key.Key_Up: (0, step_y),
            Qt.Key.Key_Down: (0, -step_y),
        }
        if key in pans:
            self.pan_by(*pans[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        elif key == Qt.Key.Key_Escape:
            if self._gesture is not None:
                self.cancel_gesture()
            elif self._selection is not None:
                self._selection.clear()
        elif key in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            self.brush.resize(1.25 if key == Qt.Key.Key_BracketRight else 0.8)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.setCursor(self._tool.cursor)
        else:
            super().keyReleaseEvent(event)

    def focusOutEvent(self, event: object) -> None:
        self._space_held = False
        super().focusOutEvent(event)

    def _report_cursor(self, position: QPointF) -> None:
        if self._renderer is None or self._viewport is None:
            return
        x, y = self._viewport.screen_to_world(position.x(), position.y())
        lon, lat = self._renderer.scene.projection.to_lonlat(x, y)
        unit = self.picking.units.at(x, y)
        self.cursor_moved.emit(lon, lat, -1 if unit is None else unit)

    def closeEvent(self, event: object) -> None:
        self._disconnect()
        self._renderer = None
        self._selection = None
        super().closeEvent(event)
