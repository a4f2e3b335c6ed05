"""Open, build, import and save documents in the background, with progress and errors.

The window asks for a job; `DocumentJobs` runs it on the worker, shows a progress
dialog (with Cancel for jobs that can stop), and reports the outcome on the GUI thread:
``loaded`` hands over a finished document, ``saved``/``exported`` the file written.
``busy_changed`` tells the window to lock its file actions while a job runs. A failure
shows its message and leaves the current document (and any existing file) untouched.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from terrmap.errors import TerrmapError
from terrmap.ui import settings
from terrmap.ui.dialogs import FieldPickerDialog, NewProjectDialog
from terrmap.ui.import_report import show_import_report
from terrmap.ui.loading import (
    LoadedDocument,
    NewProjectRequest,
    import_accounts_job,
    new_project_job,
    open_project_job,
    open_sample_job,
)
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.saving import export_alignment_job, save_project_job
from terrmap.ui.workers import JobRunner


class Text:
    """User-visible strings of document jobs."""

    OPEN_FAILED = "Could not open the project"
    SAMPLE_FAILED = "Could not load the sample"
    NEW_FAILED = "Could not create the project"
    IMPORT_FAILED = "Could not import the accounts"
    SAVE_FAILED = "Could not save the project"
    EXPORT_FAILED = "Could not export the alignment"
    NOTES_TITLE = "Import notes"
    UNEXPECTED = "Something went wrong: {error}"
    ERROR = "<p><b>{title}</b></p><p>{detail}</p>"


_FAILURE_TITLES = {
    "open": Text.OPEN_FAILED,
    "sample": Text.SAMPLE_FAILED,
    "new": Text.NEW_FAILED,
    "import": Text.IMPORT_FAILED,
    "save": Text.SAVE_FAILED,
    "export": Text.EXPORT_FAILED,
}
# Jobs that cannot stop half-way: their progress dialog has no Cancel (see saving.py).
_UNCANCELLABLE = ("save", "export")


class DocumentJobs(QObject):
    """Document jobs of one window.

    Signals
    -------
    loaded(LoadedDocument)
        A job finished; the window should show the document.
    saved(Path), exported(Path)
        The project or its alignment was written to this file.
    busy_changed(bool)
        A job started (True) or its outcome was handled or it was cancelled (False).
    failed(str)
        The job with this tag ("open", "save"...) failed; its error was shown.
    """

    loaded = Signal(object)
    saved = Signal(object)
    exported = Signal(object)
    busy_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._runner = JobRunner(self)
        self._runner.progressed.connect(self._progressed)
        self._runner.finished.connect(self._finished)
        self._runner.failed.connect(self._failed)
        self._progress: JobProgressDialog | None = None
        self._pending_request: NewProjectRequest | None = None
        self._busy = False
        self._outcomes: dict[str, Callable[[Any], None]] = {
            "save": self.saved.emit,
            "export": self.exported.emit,
        }

    @property
    def busy(self) -> bool:
        """Whether a job runs whose outcome the window still waits for."""
        return self._busy

    # -- starting jobs ------------------------------------------------------------
    def open_project(self, path: str) -> None:
        """Open a project file."""
        self._start("open", open_project_job, path)

    def open_sample(self) -> None:
        """Load the bundled sample."""
        self._start("sample", open_sample_job)

    def import_accounts(self, document: LoadedDocument, path: str) -> None:
        """Replace the accounts of ``document`` with those of ``path``."""
        self._start("import", import_accounts_job, document, path)

    def save(self, document: LoadedDocument, path: Path) -> None:
        """Write ``document``'s project to ``path``; ``saved`` follows."""
        self._start("save", save_project_job, document.project, path)

    def export_alignment(self, document: LoadedDocument, path: Path) -> None:
        """Write the active plan of ``document`` as an alignment CSV; ``exported`` follows."""
        self._start("export", export_alignment_job, document.project, path)

    def ask_new_project(self) -> None:
        """Ask for the files of a new project and build it."""
        dialog = NewProjectDialog(settings.last_directory(), self._window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.new_project(dialog.request())

    def new_project(self, request: NewProjectRequest) -> None:
        """Build a project from files (asks for fields if the layer needs them)."""
        self._pending_request = request
        self._start("new", new_project_job, request)

    def shutdown(self) -> None:
        """Cancel the running job and stop the worker thread.

        A running save is not interrupted: this waits until its file is complete.
        """
        self._close_progress()
        self._runner.shutdown()
        self._set_busy(False)

    # -- results (GUI thread) -----------------------------------------------------
    def _start(self, tag: str, job: Callable[..., Any], *args: object) -> None:
        self._close_progress()
        self._progress = JobProgressDialog(self._window, cancellable=tag not in _UNCANCELLABLE)
        self._progress.canceled.connect(self._cancel)
        self._set_busy(True)
        self._runner.start(tag, job, *args)

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress.set_progress(fraction, message)

    def _finished(self, tag: object, result: object) -> None:
        self._close_progress()
        self._set_busy(False)
        outcome = self._outcomes.get(str(tag))
        if outcome is not None:
            outcome(result)
            return
        document: LoadedDocument = result
        self.loaded.emit(document)
        if document.notes:
            QMessageBox.information(self._window, Text.NOTES_TITLE, "\n".join(document.notes))
        report = document.account_report
        if report is not None:
            show_import_report(self._window, report.problems, report.placed, report.source)

    def _failed(self, tag: object, error: BaseException) -> None:
        self._close_progress()
        self._set_busy(False)
        if tag == "new" and self._ask_fields(error):
            return
        self.show_error(_FAILURE_TITLES.get(str(tag), Text.OPEN_FAILED), error)
        self.failed.emit(str(tag))

    def _ask_fields(self, error: BaseException) -> bool:
        from terrmap.io.boundaries import FieldChoiceNeeded, list_layer_fields

        request = self._pending_request
        if not isinstance(error, FieldChoiceNeeded) or request is None:
            return False
        try:
            all_fields = list_layer_fields(request.boundaries)
        except TerrmapError:
            all_fields = list(error.fields)
        picker = FieldPickerDialog(request.boundaries, list(error.fields), all_fields, self._window)
        if picker.exec() == QDialog.DialogCode.Accepted:
            id_field, name_field = picker.choice()
            self.new_project(
                NewProjectRequest(
                    request.boundaries, request.accounts, request.reps, id_field, name_field
                )
            )
        return True

    def show_error(self, title: str, error: BaseException) -> None:
        """Tell the user what failed; a TerrmapError's message is written for them."""
        detail = (
            str(error) if isinstance(error, TerrmapError) else Text.UNEXPECTED.format(error=error)
        )
        detail = html.escape(_sentence(detail)).replace("\n", "<br>")
        text = Text.ERROR.format(title=html.escape(title), detail=detail)
        QMessageBox.critical(self._window, title, text)

    def _cancel(self) -> None:
        self._runner.cancel()
        self._close_progress()
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _close_progress(self) -> None:
        if self._progress is not None:
            dialog, self._progress = self._progress, None
            dialog.dismiss()


def _sentence(text: str) -> str:
    """``text`` as a sentence: messages shared with the CLI start lower-case."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
