"""Window and pixel helpers for the UI tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from terrmap.ui.loading import LoadedDocument
    from terrmap.ui.main_window import MainWindow


def grab_rgb(widget: QWidget) -> np.ndarray:
    """The widget's pixels as an ``(h, w)`` array of 0xRRGGBB ints."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(
        image.constBits(), dtype=np.uint32, count=image.bytesPerLine() // 4 * height
    )
    return (data.reshape(height, -1)[:, :width] & 0xFFFFFF).copy()


def rgb(color: str) -> int:
    """``"#RRGGBB"`` as an int."""
    return int(color[1:], 16)


def colours_near(pixels: np.ndarray, x: float, y: float, radius: int = 3) -> set[int]:
    """Colours within ``radius`` pixels of ``(x, y)``."""
    xi, yi = round(x), round(y)
    patch = pixels[max(0, yi - radius) : yi + radius + 1, max(0, xi - radius) : xi + radius + 1]
    return set(np.unique(patch).tolist())


def show_window(qtbot, document: LoadedDocument, width: int, height: int) -> MainWindow:
    """A main window of the given size, shown, holding ``document``."""
    from terrmap.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.install_document(document)
    return window
