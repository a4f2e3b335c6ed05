"""Start the desktop app: splash screen first, then the heavy imports, then the window.

Importing the main window loads geopandas and pandas (over a second on a small
machine), so the QApplication and a splash screen come up before that import; only Qt
and `terrmap.ui.splash` may be imported at module level here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleHintReturn, QWidget

from terrmap.ui.splash import app_icon, show_splash

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOption

    from terrmap.ui.main_window import MainWindow

APP_NAME = "Terrmap"
ORGANIZATION = "terrmap"  # QSettings live under this name
BASE_POINT_SIZE = 10


def run_app(project_path: str | None = None) -> int:
    """Open the main window on ``project_path``, or on the bundled sample; return the exit code."""
    app = application()
    _window = start_app(project_path)  # this reference keeps the window alive while it runs
    return app.exec()


def application() -> QApplication:
    """The QApplication, created and styled on first use."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
        app.setOrganizationName(ORGANIZATION)
        app.setApplicationName(APP_NAME)
    configure_application(app)
    return app


def configure_application(app: QApplication) -> None:
    """Name, style, font and icon shared by every window of the app."""
    app.setApplicationDisplayName(APP_NAME)
    # Fusion gives the same clean look on every desktop, themed or not; the proxy drops
    # the dated icons some platforms put on OK/Cancel buttons.
    app.setStyle(_PlainButtonsStyle("Fusion"))
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), BASE_POINT_SIZE))
    app.setFont(font)
    app.setWindowIcon(app_icon())


def start_app(project_path: str | None = None) -> MainWindow:
    """Show the splash, load the main window, show it and start opening the document.

    Returns without running the event loop, so tests can drive start-up headless.
    """
    splash = show_splash(opening_sample=not project_path)
    from terrmap.ui.main_window import MainWindow  # the slow import the splash covers

    window = MainWindow()
    window.show()
    splash.finish(window)
    if project_path:
        window.open_project_file(project_path)
    else:
        window.open_sample()
    return window


class _PlainButtonsStyle(QProxyStyle):
    """Fusion without icons on dialog buttons (the generic Unix theme adds them)."""

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        return_data: QStyleHintReturn | None = None,
    ) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, return_data)
