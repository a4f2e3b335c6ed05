"""Open, build and import documents in the background, with progress, cancel and errors.

The window asks for a job; `DocumentJobs` runs it on the worker, shows a cancellable
progress dialog, and hands the finished document to the window through ``loaded`` on
the GUI thread. A failure shows its message and leaves the current document untouched.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QProgressDialog, QWidget

from terrmap.errors import TerrmapError
from terrmap.ui import settings
from terrmap.ui.dialogs import FieldPickerDialog, NewProjectDialog
from terrmap.ui.loading import (
    LoadedDocument,
    NewProjectRequest,
    import_accounts_job,
    new_project_job,
    open_project_job,
    open_sample_job,
)
from terrmap.ui.workers import JobRunner

PROGRESS_DELAY_MS = 400  # jobs quicker than this never flash a dialog


class Text:
    """User-visible strings of document jobs."""

    WORKING = "Working…"
    CANCEL = "Cancel"
    OPEN_FAILED = "Could not open the project"
    SAMPLE_FAILED = "Could not load the sample"
    NEW_FAILED = "Could not create the project"
    IMPORT_FAILED = "Could not import the accounts"
    NOTES_TITLE = "Import notes"
    UNEXPECTED = "Something went wrong: {error}"


_FAILURE_TITLES = {
    "open": Text.OPEN_FAILED,
    "sample": Text.SAMPLE_FAILED,
    "new": Text.NEW_FAILED,
    "import": Text.IMPORT_FAILED,
}


class DocumentJobs(QObject):
    """Document jobs of one window.

    Signals
    -------
    loaded(LoadedDocument)
        A job finished; the window should show the document.
    """

    loaded = Signal(object)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._runner = JobRunner(self)
        self._runner.progressed.connect(self._progressed)
        self._runner.finished.connect(self._finished)
        self._runner.failed.connect(self._failed)
        self._progress: QProgressDialog | None = None
        self._pending_request: NewProjectRequest | None = None

    @property
    def busy(self) -> bool:
        """Whether a job is running."""
        return self._runner.busy

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
        """Cancel the running job and stop the worker thread."""
        self._close_progress()
        self._runner.shutdown()

    # -- results (GUI thread) -----------------------------------------------------
    def _start(self, tag: str, job, *args: object) -> None:
        self._close_progress()
        dialog = QProgressDialog(Text.WORKING, Text.CANCEL, 0, 1000, self._window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.canceled.connect(self._cancel)
        self._progress = dialog
        self._runner.start(tag, job, *args)

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            if message:
                self._progress.setLabelText(message)
            self._progress.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))

    def _finished(self, _tag: object, document: LoadedDocument) -> None:
        self._close_progress()
        self.loaded.emit(document)
        if document.notes:
            QMessageBox.information(self._window, Text.NOTES_TITLE, "\n".join(document.notes))

    def _failed(self, tag: object, error: BaseException) -> None:
        self._close_progress()
        if tag == "new" and self._ask_fields(error):
            return
        self.show_error(_FAILURE_TITLES.get(str(tag), Text.OPEN_FAILED), error)

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
        text = (
            str(error) if isinstance(error, TerrmapError) else Text.UNEXPECTED.format(error=error)
        )
        QMessageBox.critical(self._window, title, text)

    def _cancel(self) -> None:
        self._runner.cancel()
        self._close_progress()

    def _close_progress(self) -> None:
        if self._progress is not None:
            dialog, self._progress = self._progress, None
            dialog.canceled.disconnect(self._cancel)
            dialog.close()
            dialog.deleteLater()
