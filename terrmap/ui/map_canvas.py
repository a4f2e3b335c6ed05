"""The interactive map: a widget that shows frames painted by `MapRenderer`.

A frame is rendered once into a cached QImage and reused until the view or the
document changes. While the user pans or zooms, the cached frame is moved and scaled
(a blit, well under the 16 ms frame budget); once input pauses for ``SETTLE_MS`` the
map is rendered again, antialiased, for the new view.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from terrmap.render import MapRenderer, MapStyle, MapViewport

SETTLE_MS = 180  # input pause after which the exact frame is rendered
WHEEL_STEP = 1.0015  # zoom factor per 1/8° of wheel turn: one notch (120) ≈ ×1.2
KEY_ZOOM = 1.5


class Text:
    """User-visible strings of the canvas."""

    EMPTY = "No project open"


class MapCanvas(QWidget):
    """Shows a project's map and lets the user pan and zoom it.

    Signals
    -------
    cursor_moved(lon, lat, unit_position)
        The pointer moved over the map; ``unit_position`` is -1 off every unit.
    cursor_left()
        The pointer left the map.
    """

    cursor_moved = Signal(float, float, int)
    cursor_left = Signal()
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(320, 240)
        self.style_options = MapStyle()
        self._renderer: MapRenderer | None = None
        self._viewport: MapViewport | None = None
        self._frame: QImage | None = None
        self._frame_viewport: MapViewport | None = None
        self._frame_exact = False  # rendered with the final-quality style
        self._drag_origin: QPointF | None = None
        # While the view is the fitted full extent it stays fitted as the window resizes
        # (the dock settles its width after the first fit); a pan or zoom ends that.
        self._fitted = False
        self._drag_viewport: MapViewport | None = None
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._settled)

    # -- document ------------------------------------------------------------
    @property
    def renderer(self) -> MapRenderer | None:
        """The renderer of the shown project."""
        return self._renderer

    @property
    def viewport(self) -> MapViewport | None:
        """The current view (None before a project is shown)."""
        return self._viewport

    def set_renderer(self, renderer: MapRenderer | None) -> None:
        """Show another project's map (``None``: nothing), zoomed to its full extent."""
        self._disconnect()
        self._renderer = renderer
        if renderer is not None:
            project = renderer.project
            project.units_reassigned.connect(self._document_changed)
            project.accounts_reassigned.connect(self._document_changed)
            project.territory_inserted.connect(self._document_changed)
            project.territory_removed.connect(self._document_changed)
            project.territory_updated.connect(self._document_changed)
            project.plan_switched.connect(self._document_changed)
        self._viewport = None
        self.zoom_to_full_extent()

    def _disconnect(self) -> None:
        if self._renderer is None:
            return
        project = self._renderer.project
        for signal in (
            project.units_reassigned,
            project.accounts_reassigned,
            project.territory_inserted,
            project.territory_removed,
            project.territory_updated,
            project.plan_switched,
        ):
            signal.disconnect(self._document_changed)

    def _document_changed(self, *_args: object) -> None:
        self._frame = None
        self.update()

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

    def zoom_in(self) -> None:
        """Zoom in about the centre of the window."""
        self._zoom_at_centre(KEY_ZOOM)

    def zoom_out(self) -> None:
        """Zoom out about the centre of the window."""
        self._zoom_at_centre(1 / KEY_ZOOM)

    def _zoom_at_centre(self, factor: float) -> None:
        if self._viewport is not None:
            self.set_viewport(self._viewport.zoomed_at(self.width() / 2, self.height() / 2, factor))

    def render_now(self) -> None:
        """Render the exact frame for the current view at once (tests, screenshots)."""
        self._settle.stop()
        self._render_frame(antialias=self.style_options.antialias)
        self.update()

    # -- painting --------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._renderer is None or self._viewport is None:
                self._paint_empty(painter)
                return
            if self._frame is None:
                # Content changed (edit, resize, new project): draw it now, at full
                # quality unless input is still going on.
                self._render_frame(antialias=not self._settle.isActive())
                if self._settle.isActive() or not self._frame_exact:
                    self._settle.start()
            self._paint_frame(painter)
        finally:
            painter.end()

    def _paint_empty(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor(self.style_options.background))
        painter.setPen(QColor("#6B7785"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, Text.EMPTY)

    def _paint_frame(self, painter: QPainter) -> None:
        frame, shown, current = self._frame, self._frame_viewport, self._viewport
        if shown == current:
            painter.drawImage(0, 0, frame)
            return
        # Move and scale the cached frame to where the new view puts it.
        painter.fillRect(self.rect(), QColor(self.style_options.background))
        ratio = current.scale / shown.scale
        x0, y0 = current.world_to_screen(*shown.screen_to_world(0.0, 0.0))
        target = QRectF(x0, y0, shown.width * ratio, shown.height * ratio)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, frame, QRectF(frame.rect()))

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
        self._frame, self._frame_viewport, self._frame_exact = image, viewport, antialias

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

    def mousePressEvent(self, event: QMouseEvent) -> None:
        buttons = Qt.MouseButton.LeftButton | Qt.MouseButton.MiddleButton
        if self._viewport is not None and event.button() & buttons:
            self._drag_origin = event.position()
            self._drag_viewport = self._viewport
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_origin is not None:
            delta = event.position() - self._drag_origin
            self.set_viewport(self._drag_viewport.panned(delta.x(), delta.y()))
        self._report_cursor(event.position())

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        if self._drag_origin is not None:
            self._drag_origin = self._drag_viewport = None
            self.unsetCursor()

    def leaveEvent(self, _event: object) -> None:
        self.cursor_left.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom_out()
        else:
            super().keyPressEvent(event)

    def _report_cursor(self, position: QPointF) -> None:
        if self._renderer is None or self._viewport is None:
            return
        x, y = self._viewport.screen_to_world(position.x(), position.y())
        lon, lat = self._renderer.scene.projection.to_lonlat(x, y)
        unit = self._renderer.unit_at(x, y)
        self.cursor_moved.emit(lon, lat, -1 if unit is None else unit)

    def closeEvent(self, event: object) -> None:
        self._disconnect()
        self._renderer = None
        super().closeEvent(event)
