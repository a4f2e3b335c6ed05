"""A compact legend of a classed colouring: a title, then a swatch and a range per class.

It paints itself (no child label per row), so a legend of nine classes costs one widget
and lines up exactly; any panel or dialog showing a `Classification` can use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from terrmap.ui.territory_model import metric_header

if TYPE_CHECKING:
    from terrmap.core.classify import Classification

SWATCH = QSize(20, 12)
GAP = 8  # between swatch, range and count
ROW_SPACING = 3
SWATCH_BORDER = QColor(0, 0, 0, 80)  # pale classes (and no-data white) need an edge
# Counts stay this close to their ranges in a wide dock, where the eye must not travel.
MAX_SLACK = 56


class LegendWidget(QWidget):
    """Legend of one `Classification`; empty (zero height) without one.

    Parameters
    ----------
    classification
        What to show, or ``None``.
    title
        Heading; the readable name of the classified column by default.
    """

    def __init__(
        self,
        classification: Classification | None = None,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._classification: Classification | None = None
        self._title = ""
        self._rows: list[tuple[str, str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_classification(classification, title)

    # -- public --------------------------------------------------------------------
    def set_classification(
        self, classification: Classification | None, title: str | None = None
    ) -> None:
        """Show ``classification`` (``None``: nothing) under ``title``."""
        self._classification = classification
        if classification is None:
            self._title, self._rows = "", []
        else:
            self._title = title if title is not None else metric_header(classification.column)
            self._rows = _rows(classification)
        self.updateGeometry()
        self.update()

    @property
    def classification(self) -> Classification | None:
        """The classification shown."""
        return self._classification

    @property
    def title(self) -> str:
        """The heading shown."""
        return self._title

    def rows(self) -> list[tuple[str, str]]:
        """``(range label, colour)`` of each row shown, top to bottom."""
        return [(label, color) for label, color, _count in self._rows]

    def swatch_rect(self, row: int) -> QRect:
        """Where row ``row``'s colour swatch is painted, in widget coordinates."""
        top = self._title_height() + row * self._row_height()
        y = top + (self._row_height() - SWATCH.height()) // 2
        return QRect(0, y, SWATCH.width(), SWATCH.height())

    # -- Qt ------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        if not self._rows:
            return QSize(0, 0)
        metrics = self.fontMetrics()
        labels = max(metrics.horizontalAdvance(label) for label, _c, _n in self._rows)
        counts = max(metrics.horizontalAdvance(f"{n:,}") for _l, _c, n in self._rows)
        width = max(
            SWATCH.width() + GAP + labels + GAP + counts,
            QFontMetrics(self._title_font()).horizontalAdvance(self._title),
        )
        return QSize(width, self._title_height() + len(self._rows) * self._row_height())

    def minimumSizeHint(self) -> QSize:
        # Narrow docks elide the title rather than widen the panel.
        hint = self.sizeHint()
        return QSize(min(hint.width(), 120), hint.height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        width = min(self.width(), self.sizeHint().width() + MAX_SLACK)
        title_rect = QRect(0, 0, width, self._title_height() - ROW_SPACING)
        painter.setFont(self._title_font())
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        title = QFontMetrics(self._title_font()).elidedText(
            self._title, Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(
            title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
        )
        painter.setFont(self.font())
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        for row, (label, color, count) in enumerate(self._rows):
            swatch = self.swatch_rect(row)
            painter.setPen(QPen(SWATCH_BORDER, 1))
            painter.setBrush(QColor(color))
            painter.drawRect(swatch.adjusted(0, 0, -1, -1))
            text_rect = QRect(
                swatch.right() + GAP,
                swatch.center().y() - self._row_height() // 2,
                width - swatch.right() - GAP,
                self._row_height(),
            )
            align = Qt.AlignmentFlag.AlignVCenter
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignLeft, label)
            painter.setPen(muted)
            painter.drawText(text_rect, align | Qt.AlignmentFlag.AlignRight, f"{count:,}")
        painter.end()

    # -- helpers -------------------------------------------------------------------
    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _title_height(self) -> int:
        return QFontMetrics(self._title_font()).height() + ROW_SPACING

    def _row_height(self) -> int:
        return max(self.fontMetrics().height(), SWATCH.height()) + ROW_SPACING


def _rows(classification: Classification) -> list[tuple[str, str, int]]:
    """Legend rows with the number of items in each class (no-data last)."""
    classes = np.asarray(classification.classes)
    counts = np.bincount(classes[classes >= 0], minlength=classification.k).tolist()
    counts.append(int((classes < 0).sum()))
    return [
        (label, color, counts[i] if i < classification.k else counts[-1])
        for i, (label, color) in enumerate(classification.legend())
    ]
