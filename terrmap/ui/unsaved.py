"""Ask before unsaved work is closed or replaced, and save first when the user says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from terrmap.ui.main_window import MainWindow


class Text:
    """User-visible strings of the unsaved-changes question."""

    TITLE = "Unsaved changes"
    QUESTION = "Save the changes to {name} before {action}?"
    DETAIL = "If you don't save, your changes will be lost."
    UNTITLED = "this new project"
    CLOSING = "closing"


Choice = QMessageBox.StandardButton


def ask_to_save(parent: QWidget, name: str, action: str) -> Choice:
    """Ask Save / Don't Save / Cancel; returns the button chosen."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(Text.TITLE)
    box.setText(f"<b>{Text.QUESTION.format(name=name, action=action)}</b>")
    box.setInformativeText(Text.DETAIL)
    box.setStandardButtons(Choice.Save | Choice.Discard | Choice.Cancel)
    box.setDefaultButton(Choice.Save)
    return Choice(box.exec())


class UnsavedChangesGuard:
    """Stands between a modified document and whatever would drop it.

    ``proceed(action, then)`` runs ``then`` at once when nothing is unsaved or the user
    discards the changes; after the save finishes when they choose Save; never on
    Cancel or when the save fails.
    """

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._after_save: Callable[[], None] | None = None
        window.jobs.saved.connect(self._saved)
        window.jobs.failed.connect(self._failed)

    def proceed(self, action: str, then: Callable[[], None]) -> bool:
        """Run ``then`` unless unsaved work must be kept; return whether it ran now."""
        if self._may_go_on(action, then):
            then()
            return True
        return False

    def may_close(self) -> bool:
        """Whether the window may close now; after a chosen save it closes by itself."""
        return self._may_go_on(Text.CLOSING, self._window.close)

    def _may_go_on(self, action: str, after_save: Callable[[], None]) -> bool:
        document = self._window.document
        if document is None or not document.modified:
            return True
        name = Path(document.path).name if document.path else Text.UNTITLED
        choice = ask_to_save(self._window, name, action)
        if choice == Choice.Save:
            self._after_save = after_save
            if not self._window.save():
                self._after_save = None
        return choice == Choice.Discard

    def _saved(self, _path: object) -> None:
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def _failed(self, tag: str) -> None:
        if tag == "save":
            self._after_save = None
