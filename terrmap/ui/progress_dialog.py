"""The progress dialog of background jobs, with or without Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

PROGRESS_DELAY_MS = 400  # jobs quicker than this never flash a dialog
PROGRESS_WIDTH = 420  # wide enough that changing messages do not resize the dialog
STEPS = 1000


class Text:
    """User-visible strings of the progress dialog."""

    TITLE = "Terrmap"
    WORKING = "Working…"
    CANCEL = "Cancel"


class JobProgressDialog(QProgressDialog):
    """Window-modal progress of one job, shown only if the job takes a while.

    Parameters
    ----------
    cancellable
        With Cancel, ``canceled`` fires when the user gives up. Without it the dialog
        shows a busy bar and cannot be dismissed (Escape, the title bar's close button)
        while a job that cannot stop half-way, such as a save, is writing.
    """

    def __init__(self, parent: QWidget, *, cancellable: bool, label: str = Text.WORKING) -> None:
        super().__init__(label, Text.CANCEL, 0, STEPS, parent)
        self._cancellable = cancellable
        self.setWindowTitle(Text.TITLE)
        self.setMinimumWidth(PROGRESS_WIDTH)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(PROGRESS_DELAY_MS)
        self.setAutoClose(False)
        self.setAutoReset(False)
        if not cancellable:
            self.setCancelButton(None)
            self.setRange(0, 0)  # a busy bar: such jobs report no fractions
        self.setValue(0)  # starts the timer that shows the dialog after the delay

    def set_progress(self, fraction: float, message: str) -> None:
        """Show ``fraction`` (0–1) done and, if given, ``message``."""
        if message:
            self.setLabelText(message)
        if self._cancellable:
            self.setValue(round(STEPS * min(max(fraction, 0.0), 1.0)))

    def dismiss(self) -> None:
        """Take the dialog down for good (the job is over)."""
        self.hide()  # not close(): closing emits ``canceled``
        self.deleteLater()

    def reject(self) -> None:
        if self._cancellable:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._cancellable:
            super().closeEvent(event)
        else:
            event.ignore()
