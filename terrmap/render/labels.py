"""Map labels: greedy placement without overlaps, drawn with a white halo.

Candidates come in priority order (territory names, then rep names beside their home
markers, then unit names, largest unit first); each is placed if its box stays clear of
every box placed before it, otherwise dropped. Boxes are kept in a coarse screen grid,
so a test looks at a few neighbours rather than every placed label.

A label is its text as a glyph path filled over a wider stroke of the same path (the
halo), which keeps it readable on any territory colour. On raster devices each label is
drawn once into a small cached image and then blitted (about a tenth of the cost of
filling two glyph paths a frame); printers and SVG get the vector paths.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
)

POINTS_TO_PIXELS = 96 / 72  # label sizes are in points on a 96-dpi screen
HALO_PIXELS = 3.0  # total width of the halo stroke
GAP_PIXELS = 3.0  # empty margin kept around each label
CELL_PIXELS = 64  # grid cell for overlap tests
SPRITE_CACHE = 2048
SIZE_CACHE = 100_000  # text sizes kept (a unit layer's names, a few per label font)


@dataclass(frozen=True)
class LabelFont:
    """How one kind of label is set."""

    size_pt: float
    bold: bool = False

    def qfont(self) -> QFont:
        """The Qt font (pixel-sized, so every device draws it the same size)."""
        font = QFont()
        font.setPixelSize(max(1, round(self.size_pt * POINTS_TO_PIXELS)))
        font.setBold(self.bold)
        return font


@dataclass(frozen=True)
class PlacedLabel:
    """A label that found room: its text, font, screen box and kind ("territory",
    "home" or "unit")."""

    text: str
    font: LabelFont
    box: QRectF
    kind: str = "unit"
    key: int = -1  # territory code, unit position or territory index (homes)


class _Shape:
    """Glyph path, halo path and size of one text in one font, centred on (0, 0)."""

    def __init__(self, text: str, font: LabelFont) -> None:
        qfont = font.qfont()
        metrics = QFontMetricsF(qfont)
        self.width = metrics.horizontalAdvance(text)
        self.height = metrics.ascent() + metrics.descent()
        self.glyphs = QPainterPath()
        baseline = (metrics.ascent() - metrics.descent()) / 2
        self.glyphs.addText(QPointF(-self.width / 2, baseline), qfont, text)
        stroker = QPainterPathStroker()
        stroker.setWidth(HALO_PIXELS)
        stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.halo = stroker.createStroke(self.glyphs)


class LabelLayout:
    """Places labels greedily in a view of ``width`` × ``height`` pixels."""

    def __init__(self, width: float, height: float, shapes: ShapeCache) -> None:
        self.width, self.height = width, height
        self.placed: list[PlacedLabel] = []
        self._shapes = shapes
        self._grid: dict[tuple[int, int], list[QRectF]] = {}

    def size(self, text: str, font: LabelFont) -> tuple[float, float]:
        """Width and height of ``text`` in pixels (halo included)."""
        return self._shapes.size(text, font)

    def place(
        self,
        text: str,
        font: LabelFont,
        x: float,
        y: float,
        *,
        align: str = "center",
        kind: str = "unit",
        key: int = -1,
    ) -> bool:
        """Put ``text`` centred on (or, ``align="left"``, starting at) pixel ``(x, y)``;
        returns whether it found room."""
        width, height = self.size(text, font)
        left = x - width / 2 if align == "center" else x
        box = QRectF(left, y - height / 2, width, height)
        if not QRectF(0, 0, self.width, self.height).contains(box):
            return False
        if not self._free(box):
            return False
        self.reserve(box)
        self.placed.append(PlacedLabel(text, font, box, kind, key))
        return True

    def reserve(self, box: QRectF) -> None:
        """Keep labels off ``box`` (a marker, or a placed label)."""
        for cell in self._cells(box):
            self._grid.setdefault(cell, []).append(box)

    def _free(self, box: QRectF) -> bool:
        padded = box.adjusted(-GAP_PIXELS, -GAP_PIXELS, GAP_PIXELS, GAP_PIXELS)
        return not any(
            other.intersects(padded)
            for cell in self._cells(padded)
            for other in self._grid.get(cell, ())
        )

    def _cells(self, box: QRectF):
        for i in range(int(box.left() // CELL_PIXELS), int(box.right() // CELL_PIXELS) + 1):
            for j in range(int(box.top() // CELL_PIXELS), int(box.bottom() // CELL_PIXELS) + 1):
                yield i, j


class ShapeCache:
    """Glyph paths and pre-drawn label images, kept across frames (LRU)."""

    def __init__(self) -> None:
        self._shapes: OrderedDict[tuple[str, LabelFont], _Shape] = OrderedDict()
        self._sprites: OrderedDict[tuple, QImage] = OrderedDict()
        self._metrics: dict[LabelFont, QFontMetricsF] = {}
        self._sizes: dict[tuple[str, LabelFont], tuple[float, float]] = {}

    def size(self, text: str, font: LabelFont) -> tuple[float, float]:
        """Width and height of ``text`` in pixels (halo included).

        Measured with font metrics (a microsecond), not glyph paths (about a
        millisecond each), since most candidate labels are never drawn.
        """
        key = (text, font)
        size = self._sizes.get(key)
        if size is None:
            metrics = self._metrics.get(font)
            if metrics is None:
                metrics = self._metrics[font] = QFontMetricsF(font.qfont())
            if len(self._sizes) > SIZE_CACHE:
                self._sizes.clear()
            size = self._sizes[key] = (
                metrics.horizontalAdvance(text) + HALO_PIXELS,
                metrics.ascent() + metrics.descent() + HALO_PIXELS,
            )
        return size

    def shape(self, text: str, font: LabelFont) -> _Shape:
        """The cached shape of ``text`` in ``font``."""
        key = (text, font)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(text, font)
            if len(self._shapes) > SPRITE_CACHE:
                self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(key)
        return shape

    def sprite(self, text: str, font: LabelFont, color: str, halo: str, ratio: float) -> QImage:
        """``text`` with its halo drawn into a transparent image (device pixels)."""
        key = (text, font, color, halo, ratio)
        image = self._sprites.get(key)
        if image is not None:
            self._sprites.move_to_end(key)
            return image
        shape = self.shape(text, font)
        width, height = shape.width + HALO_PIXELS, shape.height + HALO_PIXELS
        image = QImage(
            max(1, round(width * ratio)),
            max(1, round(height * ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.translate(width / 2, height / 2)
            _fill_label(painter, shape, color, halo)
        finally:
            painter.end()
        self._sprites[key] = image
        if len(self._sprites) > SPRITE_CACHE:
            self._sprites.popitem(last=False)
        return image


def draw_labels(
    painter: QPainter,
    labels: list[PlacedLabel],
    shapes: ShapeCache,
    color: str,
    halo: str,
    *,
    raster: bool,
) -> int:
    """Draw placed labels; returns the number of drawing calls."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ratio = painter.device().devicePixelRatioF() if raster else 1.0
        for label in labels:
            if raster:
                painter.drawImage(
                    label.box.topLeft(), shapes.sprite(label.text, label.font, color, halo, ratio)
                )
            else:
                painter.save()
                painter.translate(label.box.center())
                _fill_label(painter, shapes.shape(label.text, label.font), color, halo)
                painter.restore()
    finally:
        painter.restore()
    return len(labels) * (1 if raster else 2)


def _fill_label(painter: QPainter, shape: _Shape, color: str, halo: str) -> None:
    painter.fillPath(shape.halo, QBrush(QColor(halo)))
    painter.fillPath(shape.glyphs, QBrush(QColor(color)))
