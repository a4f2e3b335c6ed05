"""pyqtgraph items of the balance gauges: name and percent axes, arrow-heads, header.

Kept apart from `terrmap.ui.balance_plot` (which arranges them): each replaces a
pyqtgraph default that does not suit a live bar chart of territories, either in looks
(tick labels) or in cost per edit (scatter spots, HTML labels).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy

DEFAULT_NAME_PX = 96  # longer names are elided (the tooltip has them in full)


class TerritoryAxis(pg.AxisItem):
    """Left axis naming the territory of each bar, thinned out when rows get too low."""

    def __init__(self, font: QFont) -> None:
        super().__init__("left")
        self._names: list[str] = []
        self._full_names: list[str] = []
        self._name_px = DEFAULT_NAME_PX
        metrics = QFontMetrics(font)
        # A line's height less most of its descent: names may nearly touch, not overlap.
        self._label_px = math.ceil(metrics.height() * 0.85)
        self._metrics = metrics
        self.setTickFont(font)
        self.setStyle(tickLength=0, tickTextOffset=4)
        # A fixed width keeps the bars of stacked gauges aligned with each other.
        self.setWidth(DEFAULT_NAME_PX + 8)

    def set_names(self, names: list[str]) -> None:
        """Show these territory names, first at the top."""
        self._full_names = list(names)
        self._elide()

    def set_name_width(self, pixels: int) -> None:
        """Give names ``pixels`` (longer ones are elided; the tooltip has them in full)."""
        if pixels != self._name_px:
            self._name_px = pixels
            self.setWidth(pixels + 8)
            self._elide()

    @property
    def names(self) -> list[str]:
        """The names as drawn (elided where too long)."""
        return list(self._names)

    def _elide(self) -> None:
        elide = self._metrics.elidedText
        self._names = [
            elide(n, Qt.TextElideMode.ElideRight, self._name_px) for n in self._full_names
        ]
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        span = abs(maxVal - minVal)  # the view is inverted: the range comes reversed
        if not self._names or size <= 0 or span == 0:
            return []
        row_px = size / span
        step = max(1, math.ceil(self._label_px / row_px))
        return [(step, list(range(0, len(self._names), step)))]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._names[int(v)] if 0 <= int(v) < len(self._names) else "" for v in values]


class PercentAxis(pg.AxisItem):
    """Bottom axis whose numbers carry their unit ("110 %"), so no axis title is needed.

    Ticks are spaced for the width of the labels: pyqtgraph's own spacing assumes
    bare numbers, and "100 %" labels would collide at dock widths near 300 px.
    """

    def __init__(self, font: QFont) -> None:
        super().__init__("bottom")
        self.setStyle(tickLength=-4, tickTextOffset=2)
        self._label_px = QFontMetrics(font).horizontalAdvance("100 %") + 14
        self.setTickFont(font)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        low, high = sorted((minVal, maxVal))
        if size <= 0 or high <= low:
            return []
        step = nice_step((high - low) / max(size / self._label_px, 1.0))
        first = math.ceil(low / step - 1e-9) * step
        return [(step, list(np.arange(first, high + step * 1e-6, step)))]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = 0 if spacing >= 1 else 1
        return [f"{v:.{decimals}f} %" for v in values]


class ArrowHeads(pg.GraphicsObject):
    """Triangles of a fixed pixel size at data points, pointing left or right.

    Marks the bars outside the tolerance band. A ScatterPlotItem does the same but
    rebuilds its spot records on every ``setData`` (~0.5 ms a gauge); these are three
    arrays, painted as one path.
    """

    def __init__(self, color: str, size_px: float) -> None:
        super().__init__()
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._right = np.zeros(0, dtype=bool)
        self._size = size_px
        self._brush = QBrush(QColor(color))

    def set_points(self, x: np.ndarray, y: np.ndarray, right: np.ndarray) -> None:
        """Put a head at each ``(x, y)``, pointing right where ``right`` is true."""
        self.prepareGeometryChange()
        self._x, self._y, self._right = (np.asarray(a) for a in (x, y, right))
        self.update()

    def set_size(self, size_px: float) -> None:
        """Side of a head in pixels."""
        self.prepareGeometryChange()
        self._size = size_px
        self.update()

    def __len__(self) -> int:
        return len(self._x)

    def viewTransformChanged(self) -> None:
        # The bounds hold a pixel margin in data units, which a zoom changes.
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:
        if not len(self._x):
            return QRectF()
        pad_x = (self.pixelWidth() or 0.0) * self._size
        pad_y = (self.pixelHeight() or 0.0) * self._size
        left, right = float(self._x.min()) - pad_x, float(self._x.max()) + pad_x
        top, bottom = float(self._y.min()) - pad_y, float(self._y.max()) + pad_y
        return QRectF(left, top, right - left, bottom - top)

    def paint(self, painter: QPainter, *_args: object) -> None:
        if not len(self._x):
            return
        # Heads keep their pixel size, so place them in device coordinates: the view
        # only scales and shifts (no rotation), which numpy does for all heads at once.
        to_device = painter.transform()
        x = to_device.m11() * self._x + to_device.m31()
        y = to_device.m22() * self._y + to_device.m32()
        half = self._size / 2
        d = np.where(self._right, half, -half)
        # Each head: base top, base bottom, tip; the 0 in `connect` starts a new one.
        xs = np.stack([x - d, x - d, x + d], axis=1).ravel()
        ys = np.stack([y - half, y + half, y], axis=1).ravel()
        connect = np.tile(np.array([1, 1, 0], dtype=np.int32), len(x))
        path = pg.arrayToQPath(xs, ys, connect=connect, finiteCheck=False)
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, self._brush)


class GaugeHeader(pg.GraphicsWidget):
    """One line above a gauge: the metric in bold, a coloured flag, a note on the right.

    Painted directly: a pyqtgraph LabelItem re-parses HTML and re-lays out the whole
    layout on each ``setText`` (~1 ms), and the flag and note change on most edits.
    Each text comes in a long and a short form; the short one is drawn when the long
    one does not fit the width.
    """

    def __init__(self, font: QFont, height_px: int, text_color: str, note_color: str) -> None:
        super().__init__()
        self._font = QFont(font)
        self._bold = QFont(font)
        self._bold.setBold(True)
        self._colors = (QColor(text_color), QColor(note_color))
        self._content: tuple = ("", ("", ""), QColor(text_color), ("", ""))
        self.setMinimumHeight(height_px)
        self.setMaximumHeight(height_px)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_content(
        self, title: str, flag: tuple[str, str], flag_color: str, note: tuple[str, str]
    ) -> None:
        """Set the texts; ``flag`` and ``note`` are (long, short) forms."""
        content = (title, flag, QColor(flag_color), note)
        if content != self._content:
            self._content = content
            self.update()

    def text(self) -> str:
        """The long form of the line, as plain text."""
        title, flag, _color, note = self._content
        return f"{title}  {flag[0]}  {note[0]}"

    def paint(self, painter: QPainter, *_args: object) -> None:
        title, flag, flag_color, note = self._content
        rect = self.rect().adjusted(2, 0, -2, 0)
        bold, plain = QFontMetricsF(self._bold), QFontMetricsF(self._font)
        title_px = bold.horizontalAdvance(title) + plain.horizontalAdvance("  ")
        long_px = title_px + plain.horizontalAdvance(f"{flag[0]}    {note[0]}")
        form = 0 if long_px <= rect.width() else 1
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        middle = Qt.AlignmentFlag.AlignVCenter
        painter.setFont(self._bold)
        painter.setPen(QPen(self._colors[0]))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | middle, title)
        painter.setFont(self._font)
        painter.setPen(QPen(flag_color))
        painter.drawText(
            rect.adjusted(title_px, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | middle, flag[form]
        )
        painter.setPen(QPen(self._colors[1]))
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | middle, note[form])


def nice_half_range(need: float, floor: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is ≥ ``need`` and ``floor``."""
    return _nice_at_least(max(need, floor), (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10))


def nice_step(need: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least ``need`` (tick spacing)."""
    return _nice_at_least(need, (1, 2, 2.5, 5, 10))


def _nice_at_least(need: float, factors: tuple[float, ...]) -> float:
    if not math.isfinite(need) or need <= 0:
        return 10.0
    power = 10.0 ** math.floor(math.log10(need))
    return next(f * power for f in factors if f * power >= need * (1 - 1e-9))
