"""Start-up: the splash comes before the heavy imports, then the window opens the sample."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QSplashScreen, QStyle

from terrmap.ui import app as app_module
from terrmap.ui.splash import NOTICE_COLOR, app_icon, splash_pixmap
from tests.ui.helpers import rgb


def test_the_splash_module_path_loads_no_heavy_library() -> None:
    code = (
        "import sys, terrmap.ui.app; "
        "heavy = [m for m in ('geopandas', 'pandas', 'pyogrio', 'terrmap.core') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_start_app_shows_the_splash_then_the_window_on_the_sample(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    splashes: list[tuple[QSplashScreen, bool]] = []
    real_show = app_module.show_splash

    def recording_show(*, opening_sample: bool) -> QSplashScreen:
        splash = real_show(opening_sample=opening_sample)
        splashes.append((splash, splash.isVisible()))
        return splash

    monkeypatch.setattr(app_module, "show_splash", recording_show)

    window = app_module.start_app(None)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.document_installed, timeout=60_000):
        pass

    (splash, was_visible), *_ = splashes
    assert was_visible
    assert not splash.isVisible()
    assert window.isVisible()
    assert "[synthetic sample]" in window.windowTitle()


def _pixels(opening_sample: bool) -> np.ndarray:
    """The bottom third of the splash, where the status lines are drawn."""
    image = splash_pixmap(opening_sample=opening_sample).toImage()
    rows = range(image.height() * 2 // 3, image.height())
    return np.array([[image.pixel(x, y) & 0xFFFFFF for x in range(image.width())] for y in rows])


def test_the_splash_names_the_synthetic_sample_only_when_opening_it(qapp) -> None:
    notice = rgb(NOTICE_COLOR)
    assert (_pixels(opening_sample=True) == notice).any()
    assert not (_pixels(opening_sample=False) == notice).any()


def test_app_icon_has_small_and_large_sizes(qapp) -> None:
    sizes = {(s.width(), s.height()) for s in app_icon().availableSizes()}
    assert {(16, 16), (128, 128)} <= sizes


def test_dialog_buttons_carry_no_icons(qapp) -> None:
    style = app_module._PlainButtonsStyle("Fusion")
    assert style.styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons) == 0
