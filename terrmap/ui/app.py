"""Start the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from terrmap.ui.main_window import MainWindow

APP_NAME = "Terrmap"
ORGANIZATION = "terrmap"  # QSettings live under this name
BASE_POINT_SIZE = 10


def run_app(project_path: str | None = None) -> int:
    """Open the main window on ``project_path``, or on the bundled sample; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setStyle("Fusion")  # the same clean look on every desktop, themed or not
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), BASE_POINT_SIZE))
    app.setFont(font)
    window = MainWindow()
    window.show()
    if project_path:
        window.open_project_file(project_path)
    else:
        window.open_sample()
    return app.exec()
