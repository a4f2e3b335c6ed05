"""pytest-qt fixtures for the UI tests (offscreen; no display needed)."""

from __future__ import annotations

import os

# Before any Qt import: the UI tests run headless.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import threading

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from terrmap.core import Project
from terrmap.ui.loading import LoadedDocument, open_sample_job
from tests.grid import make_grid_project
from tests.ui.helpers import show_window


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns that it cannot propagate dock size hints; that is a
    # limit of the headless platform, not of the app.
    marker = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
    for item in items:
        if "tests/ui" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _no_dangling_threads():
    """Fail a test that leaves a worker thread running (napari ``_dangling_qthreads``)."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    active = QThreadPool.globalInstance().activeThreadCount()
    if leftover or active:
        names = ", ".join(t.name for t in leftover) or f"{active} QThreadPool threads"
        pytest.fail(f"test left threads running: {names}")


@pytest.fixture(autouse=True)
def unsaved_answers(monkeypatch) -> list[tuple[str, str]]:
    """Answer "Don't Save" to the unsaved-changes question (a modal box would hang a test).

    Returns the list of (file name, action) questions asked; a test that wants another
    answer patches ``terrmap.ui.unsaved.ask_to_save`` itself.
    """
    from PySide6.QtWidgets import QMessageBox

    import terrmap.ui.unsaved

    asked: list[tuple[str, str]] = []

    def answer(_parent, name: str, action: str) -> QMessageBox.StandardButton:
        asked.append((name, action))
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(terrmap.ui.unsaved, "ask_to_save", answer)
    return asked


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path_factory):
    """Keep QSettings (recent files, window state) away from the user's real ones."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setOrganizationName("terrmap-tests")
    qapp.setApplicationName("terrmap-tests")
    yield
    QSettings().clear()


def _no_progress(_fraction: float, _message: str = "") -> None:
    pass


@pytest.fixture
def sample_document() -> LoadedDocument:
    """The bundled sample, loaded without a worker (a fresh copy each test)."""
    return open_sample_job(progress=_no_progress, stop=lambda: False)


@pytest.fixture
def window(qtbot, sample_document):
    """The main window showing the sample at 1200 × 800."""
    win = show_window(qtbot, sample_document, 1200, 800)
    win.canvas.render_now()
    return win


@pytest.fixture
def grid_project() -> Project:
    """The core tests' 4 × 3 grid: columns 0–1 → T1, column 2 → T2, column 3 unassigned."""
    return make_grid_project()
