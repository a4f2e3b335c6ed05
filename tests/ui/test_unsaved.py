"""Unsaved work is never dropped without asking: close and open ask to save first."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

import terrmap.ui.unsaved
from terrmap.io.projectfile import open_project
from terrmap.ui.main_window import MainWindow
from tests.ui.helpers import show_window

Choice = QMessageBox.StandardButton


@pytest.fixture
def modified(qtbot, sample_document) -> MainWindow:
    """The sample shown as a document with unsaved changes."""
    sample_document.modified = True
    return show_window(qtbot, sample_document, 1000, 700)


def answering(monkeypatch, choice: Choice) -> list[str]:
    asked: list[str] = []

    def answer(_parent, name: str, action: str) -> Choice:
        asked.append(f"{name}: {action}")
        return choice

    monkeypatch.setattr(terrmap.ui.unsaved, "ask_to_save", answer)
    return asked


def test_cancel_keeps_the_window_open(modified, monkeypatch):
    asked = answering(monkeypatch, Choice.Cancel)
    assert not modified.close()
    assert modified.isVisible()
    assert asked == ["this new project: closing"]
    answering(monkeypatch, Choice.Discard)


def test_discard_closes_at_once(modified, monkeypatch):
    answering(monkeypatch, Choice.Discard)
    assert modified.close()


def test_save_writes_the_file_then_closes(modified, monkeypatch, qtbot, tmp_path):
    answering(monkeypatch, Choice.Save)
    target = tmp_path / "kept.terrmap.gpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    project = modified.project
    assert not modified.close()  # waits for the save
    qtbot.waitUntil(lambda: not modified.isVisible(), timeout=30_000)
    assert len(open_project(target).units) == len(project.units)


def test_opening_the_sample_over_unsaved_work_asks_and_cancel_keeps_it(modified, monkeypatch):
    asked = answering(monkeypatch, Choice.Cancel)
    document = modified.document
    modified.open_sample()
    assert asked == ["this new project: opening another project"]
    assert not modified.jobs.busy
    assert modified.document is document
    answering(monkeypatch, Choice.Discard)


def test_unmodified_documents_are_replaced_without_a_question(window, unsaved_answers, qtbot):
    with qtbot.waitSignal(window.document_installed, timeout=60_000):
        window.open_sample()
    assert unsaved_answers == []
