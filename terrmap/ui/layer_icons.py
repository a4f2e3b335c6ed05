"""Small layer symbols for the Layers panel, painted with QPainter from the map style.

Each symbol echoes how the layer is drawn: a patch of filled units, a boundary line,
account dots, a home marker. They follow the current style (choropleth classes, the
account colouring) so a collapsed row still says what the map shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPen, QPixmap, QPolygonF

ICON_SIZE = 18  # logical pixels


def units_symbol(fills: Sequence[str], border: str) -> QPixmap:
    """Four units in a square, filled with (up to) four of ``fills``."""

    def paint(painter: QPainter) -> None:
        colors = [fills[round(i * (len(fills) - 1) / 3)] for i in range(4)] if fills else []
        cell = (ICON_SIZE - 4) / 2
        for i, color in enumerate(colors):
            x, y = 2 + (i % 2) * cell, 2 + (i // 2) * cell
            painter.fillRect(QRectF(x, y, cell, cell), QColor(color))
        # The unit borders as the map draws them, framed so pale fills keep an edge.
        painter.setPen(QPen(QColor(border), 1.0))
        middle = 2 + cell
        painter.drawLine(QPointF(middle, 2), QPointF(middle, ICON_SIZE - 2))
        painter.drawLine(QPointF(2, middle), QPointF(ICON_SIZE - 2, middle))
        painter.setPen(QPen(QColor(0, 0, 0, 90), 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(2.5, 2.5, ICON_SIZE - 5, ICON_SIZE - 5))

    return _symbol(paint)


def outline_symbol(color: str, width: float, fill: str | None = None) -> QPixmap:
    """An irregular boundary, optionally over the area it encloses."""

    def paint(painter: QPainter) -> None:
        outline = QPolygonF(
            [
                QPointF(x, y)
                for x, y in ((2.5, 5.0), (9.0, 2.5), (15.5, 5.5), (14.0, 15.0), (4.0, 15.5))
            ]
        )
        pen = QPen(QColor(color), max(1.0, min(width, 2.0)))
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
        painter.drawPolygon(outline)

    return _symbol(paint)


def dots_symbol(colors: Sequence[str], sized: bool = False) -> QPixmap:
    """Three account dots (in class colours when coloured, growing when sized)."""

    def paint(painter: QPainter) -> None:
        spots = ((5.0, 12.0), (12.5, 12.5), (9.0, 5.0))
        radii = (2.0, 3.0, 4.0) if sized else (2.6, 2.6, 2.6)
        picks = [colors[round(i * (len(colors) - 1) / 2)] for i in range(3)]
        painter.setPen(QPen(QColor(0, 0, 0, 60), 0.8))
        for (x, y), radius, color in zip(spots, radii, picks, strict=True):
            painter.setBrush(QColor(color))
            painter.drawEllipse(QPointF(x, y), radius, radius)

    return _symbol(paint)


def home_symbol(fill: str, border: str, rep_color: str) -> QPixmap:
    """The rep-home marker: a ringed disc with the rep's colour inside."""

    def paint(painter: QPainter) -> None:
        centre = QPointF(ICON_SIZE / 2, ICON_SIZE / 2)
        painter.setPen(QPen(QColor(border), 1.2))
        painter.setBrush(QColor(fill))
        painter.drawEllipse(centre, 6.5, 6.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(rep_color))
        painter.drawEllipse(centre, 3.6, 3.6)

    return _symbol(paint)


def _symbol(paint: Callable[[QPainter], None]) -> QPixmap:
    # Drawn at the screen's pixel ratio so symbols stay crisp on HiDPI displays.
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    pixmap = QPixmap(round(ICON_SIZE * ratio), round(ICON_SIZE * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint(painter)
    painter.end()
    return pixmap
