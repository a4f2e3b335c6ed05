"""The start-up splash screen and the app icon, drawn with QPainter (no image files).

This module is imported before the heavy libraries (geopandas, pandas) load, so it must
import nothing but Qt and the `terrmap` package root.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QSplashScreen, QWidget

import terrmap

SIZE = (520, 300)
# Four of the territory palette's colours (terrmap.core.palette); copied so the splash
# does not import terrmap.core, which pulls in geopandas.
LOGO_COLORS = ("#4477AA", "#EE6677", "#228833", "#CCBB44")
BACKGROUND = "#1F3347"
BORDER = "#4A6580"
TEXT_COLOR = "#FFFFFF"
MUTED_TEXT = "#B8C7D6"
NOTICE_COLOR = "#FFD27F"


class Text:
    """User-visible strings of the splash screen."""

    NAME = "Terrmap"
    TAGLINE = "Sales territory mapping, offline"
    VERSION = "Version {version}"
    LOADING = "Loading…"
    SAMPLE_NOTICE = "Synthetic sample data: accounts and reps are made up."


def show_splash(*, opening_sample: bool) -> QSplashScreen:
    """Show the splash screen now (call right after the QApplication is made)."""
    splash = SplashScreen(splash_pixmap(opening_sample=opening_sample))
    splash.show()
    # One pass of the event loop paints the splash before the long imports block it;
    # a single call, not a loop, is what QSplashScreen's documentation prescribes.
    QGuiApplication.processEvents()
    return splash


class SplashScreen(QSplashScreen):
    """QSplashScreen without its one-second stall on show.

    On its Show event Qt 6's QSplashScreen waits (up to 1 s, sleeping) for its window
    to be exposed, but that event comes before the window is mapped, so the wait always
    runs out and start-up gets a second slower (FreeCAD/FreeCAD#29917). Qt paints the
    splash as soon as the window is exposed anyway.
    """

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            return QWidget.event(self, event)
        return super().event(event)


def splash_pixmap(*, opening_sample: bool) -> QPixmap:
    """The splash picture: logo, name, version, "Loading…" and the sample notice."""
    ratio = _device_pixel_ratio()
    width, height = SIZE
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(BACKGROUND))
    painter = QPainter(pixmap)
    painter.setPen(QColor(BORDER))  # keeps the edge visible on a dark desktop
    painter.drawRect(QRectF(0.5, 0.5, width - 1, height - 1))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _paint_logo(painter, QRectF(36, 56, 96, 96))
    _paint_title(painter, left=156)
    lines = [Text.LOADING] + ([Text.SAMPLE_NOTICE] if opening_sample else [])
    _paint_status(painter, lines, QRectF(36, height - 92, width - 72, 64))
    painter.end()
    return pixmap


def app_icon() -> QIcon:
    """The window icon: the splash's logo on a transparent square."""
    icon = QIcon()
    for side in (16, 32, 64, 128):
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = side / 16  # the shapes would otherwise touch the icon's edges
        _paint_logo(painter, QRectF(margin, margin, side - 2 * margin, side - 2 * margin))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _paint_logo(painter: QPainter, box: QRectF) -> None:
    """Four quadrilateral "territories" sharing a centre, like a tiny coloured map."""
    centre = QPointF(box.center().x() + box.width() * 0.06, box.center().y() - box.height() * 0.04)
    corners = [
        box.topLeft() + QPointF(box.width() * 0.08, box.height() * 0.12),
        box.topRight() + QPointF(-box.width() * 0.02, box.height() * 0.02),
        box.bottomRight() + QPointF(-box.width() * 0.10, -box.height() * 0.04),
        box.bottomLeft() + QPointF(box.width() * 0.02, -box.height() * 0.10),
    ]
    mids = [(corners[i] + corners[(i + 1) % 4]) / 2 for i in range(4)]
    painter.setPen(Qt.PenStyle.NoPen)
    for i, color in enumerate(LOGO_COLORS):
        painter.setBrush(QColor(color))
        painter.drawPolygon(QPolygonF([centre, mids[i - 1], corners[i], mids[i]]))


def _paint_title(painter: QPainter, left: float) -> None:
    painter.setPen(QColor(TEXT_COLOR))
    painter.setFont(_font(30, bold=True))
    painter.drawText(QRectF(left, 58, 340, 50), Qt.AlignmentFlag.AlignLeft, Text.NAME)
    painter.setPen(QColor(MUTED_TEXT))
    painter.setFont(_font(12))
    painter.drawText(QRectF(left, 108, 340, 24), Qt.AlignmentFlag.AlignLeft, Text.TAGLINE)
    version = Text.VERSION.format(version=terrmap.__version__)
    painter.drawText(QRectF(left, 132, 340, 24), Qt.AlignmentFlag.AlignLeft, version)


def _paint_status(painter: QPainter, lines: list[str], box: QRectF) -> None:
    painter.setFont(_font(11))
    flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
    for i, line in enumerate(lines):
        painter.setPen(QColor(TEXT_COLOR if i == 0 else NOTICE_COLOR))
        painter.drawText(box.adjusted(0, 26 * i, 0, 0), flags, line)


def _font(point_size: int, *, bold: bool = False) -> QFont:
    font = QFont(QGuiApplication.font())
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def _device_pixel_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0
