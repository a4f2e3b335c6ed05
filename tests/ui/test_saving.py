"""Save, Save As and Export Alignment run on the worker, lock the window, and fail safely."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from terrmap.core.testing import assert_plan_equal
from terrmap.io import projectfile
from terrmap.io.projectfile import open_project
from terrmap.ui import settings
from terrmap.ui.main_window import MainWindow
from terrmap.ui.progress_dialog import JobProgressDialog

SAVE_TIMEOUT_MS = 60_000
_JOB_ACTIONS = ("new", "open", "sample", "save", "save_as", "import_accounts", "export_alignment")


def _answer_save_dialog(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _capture_errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text, *a: shown.append((title, text))
    )
    return shown


def _save_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """Record the thread every `save_project` call runs on."""
    threads: list[threading.Thread] = []
    real_save = projectfile.save_project

    def recording_save(project, path) -> None:
        threads.append(threading.current_thread())
        real_save(project, path)

    monkeypatch.setattr(projectfile, "save_project", recording_save)
    return threads


def test_save_as_runs_in_the_worker_and_reads_back_equal(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "northeast.terrmap.gpkg"
    _answer_save_dialog(monkeypatch, target)
    threads = _save_threads(monkeypatch)

    with qtbot.waitSignal(window.jobs.saved, timeout=SAVE_TIMEOUT_MS) as saved:
        assert window.save_as()
    assert saved.args == [target]

    assert threads
    assert threads[0] is not threading.main_thread()
    loaded = open_project(target)
    assert_plan_equal(window.project, loaded)
    assert list(loaded.units.ids) == list(window.project.units.ids)
    assert len(loaded.accounts) == len(window.project.accounts)
    assert loaded.metadata == window.project.metadata
    assert window.document.path == target
    assert "northeast.terrmap.gpkg" in window.windowTitle()
    assert settings.recent_projects()[0] == str(target.resolve())


def test_save_locks_the_file_actions_and_shows_progress_without_cancel(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "slow.terrmap.gpkg"
    release = threading.Event()
    real_save = projectfile.save_project

    def held_save(project, path) -> None:
        release.wait(timeout=30)  # the test looks at the window while the save "runs"
        real_save(project, path)

    monkeypatch.setattr(projectfile, "save_project", held_save)
    window.document.path = target
    with qtbot.waitSignal(window.jobs.saved, timeout=SAVE_TIMEOUT_MS):
        assert window.save()
        assert window.jobs.busy
        assert not any(window.file_actions[key].isEnabled() for key in _JOB_ACTIONS)
        assert window.file_actions["quit"].isEnabled()
        assert not window.save(), "a second save must not start while one runs"
        dialogs = window.findChildren(JobProgressDialog)
        assert len(dialogs) == 1
        assert not dialogs[0].findChildren(QPushButton), "a save cannot be cancelled"
        release.set()

    assert not window.jobs.busy
    assert all(window.file_actions[key].isEnabled() for key in _JOB_ACTIONS)
    assert target.is_file()


def test_saving_a_modified_document_clears_the_title_marker(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    window.document.modified = True
    window.document.path = tmp_path / "edited.terrmap.gpkg"
    window.install_document(window.document)
    assert window.isWindowModified()

    with qtbot.waitSignal(window.jobs.saved, timeout=SAVE_TIMEOUT_MS):
        window.save()

    assert not window.isWindowModified()
    assert not window.document.modified


def test_save_into_a_missing_folder_shows_the_error_and_keeps_the_document(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _capture_errors(monkeypatch)
    _answer_save_dialog(monkeypatch, tmp_path / "no such folder" / "x.terrmap.gpkg")
    document, project = window.document, window.project

    window.save_as()
    qtbot.waitUntil(lambda: bool(shown), timeout=SAVE_TIMEOUT_MS)

    title, text = shown[0]
    assert title == "Could not save the project"
    assert "Cannot save x.terrmap.gpkg" in text
    assert "does not exist" in text
    assert window.document is document
    assert window.project is project
    assert document.path is None
    assert not window.jobs.busy
    assert window.file_actions["save"].isEnabled()


def test_a_save_failing_midway_leaves_the_old_file_untouched(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "keep.terrmap.gpkg"
    _answer_save_dialog(monkeypatch, target)
    with qtbot.waitSignal(window.jobs.saved, timeout=SAVE_TIMEOUT_MS):
        window.save_as()
    before = target.read_bytes()
    shown = _capture_errors(monkeypatch)
    real_write = pyogrio.write_dataframe

    def disk_full_at_assignments(frame: pd.DataFrame, path: Path, **kwargs: object) -> None:
        if kwargs.get("layer") == "assignments":
            raise OSError(28, "No space left on device")
        real_write(frame, path, **kwargs)

    monkeypatch.setattr(projectfile.pyogrio, "write_dataframe", disk_full_at_assignments)
    window.save()
    qtbot.waitUntil(lambda: bool(shown), timeout=SAVE_TIMEOUT_MS)

    assert "No space left on device" in shown[0][1]
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.terrmap.gpkg"]
    assert window.document.path == target


def test_export_alignment_runs_in_the_background(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "alignment.csv"
    _answer_save_dialog(monkeypatch, target)

    with qtbot.waitSignal(window.jobs.exported, timeout=SAVE_TIMEOUT_MS) as exported:
        window.file_actions["export_alignment"].trigger()

    assert exported.args == [target]
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["unit_id"] for row in rows] == list(window.project.units.ids)
    assert [p.name for p in tmp_path.iterdir()] == ["alignment.csv"]


def test_failed_export_keeps_the_old_csv(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "alignment.csv"
    target.write_text("unit_id,territory\nold,row\n", encoding="utf-8")
    _answer_save_dialog(monkeypatch, target)
    shown = _capture_errors(monkeypatch)

    def failing_write(_project, out_csv) -> None:
        Path(out_csv).write_text("unit_id,terr", encoding="utf-8")  # half a file, then:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("terrmap.io.alignment.write_alignment", failing_write)
    window.file_actions["export_alignment"].trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=SAVE_TIMEOUT_MS)

    assert shown[0][0] == "Could not export the alignment"
    assert "No space left on device" in shown[0][1]
    assert target.read_text(encoding="utf-8") == "unit_id,territory\nold,row\n"
    assert [p.name for p in tmp_path.iterdir()] == ["alignment.csv"]
