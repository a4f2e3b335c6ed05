"""The Optimise dialog: the settings form, then the preview of the result.

Modeless, so the map stays usable to look at a preview; while the optimiser runs, the
progress dialog blocks the window. The dialog only says what the user asked for through
its signals; `terrmap.ui.optimise_action` runs the job and applies the edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.optimise_preview import OptimisePreview
from terrmap.ui.optimise_text import Text

if TYPE_CHECKING:
    from terrmap.ui.optimise_form import OptimiseForm
    from terrmap.ui.optimise_outcome import OptimiseOutcome

# Room for the two columns of the form and the six columns of the territory table.
DIALOG_SIZE = (720, 600)
FORM_PAGE, PREVIEW_PAGE = 0, 1


class OptimiseDialog(QDialog):
    """Settings page and preview page of one optimisation.

    Parameters
    ----------
    form
        The settings form (becomes a child of the dialog).

    Signals
    -------
    run_requested()
        Run with the form's choices.
    apply_requested()
        Apply the previewed plan.
    back_requested()
        Drop the preview and show the settings again.
    closed()
        The dialog was closed (Discard, Close, Escape or the title bar): nothing applies.
    """

    run_requested = Signal()
    apply_requested = Signal()
    back_requested = Signal()
    closed = Signal()

    def __init__(self, form: OptimiseForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.TITLE)
        self.setObjectName("optimiseDialog")
        self.form = form
        self.preview = OptimisePreview(self)
        intro = QLabel(Text.INTRO, self)
        intro.setWordWrap(True)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(form)
        self._pages.addWidget(self.preview)
        buttons = QDialogButtonBox(self)
        self.run_button = self._button(buttons, Text.RUN, Text.RUN_TIP, self.run_requested)
        self.close_button = self._button(buttons, Text.CLOSE, "", self.reject)
        self.back_button = self._button(buttons, Text.BACK, Text.BACK_TIP, self.back_requested)
        self.discard_button = self._button(buttons, Text.DISCARD, Text.DISCARD_TIP, self.reject)
        self.apply_button = self._button(buttons, Text.APPLY, Text.APPLY_TIP, self.apply_requested)
        # Roles place the buttons the platform's way; Back sits apart on the left.
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.RejectRole)
        form.validity_changed.connect(self.run_button.setEnabled)
        self.run_button.setEnabled(form.is_valid())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self._pages, 1)
        layout.addWidget(buttons)
        self.intro = intro
        self.resize(*DIALOG_SIZE)
        self.show_form()

    def _button(self, box: QDialogButtonBox, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text, box)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- pages ----------------------------------------------------------------------------
    @property
    def showing_preview(self) -> bool:
        """Whether the preview page is shown."""
        return self._pages.currentIndex() == PREVIEW_PAGE

    def show_form(self) -> None:
        """Show the settings, with Run and Close."""
        self._pages.setCurrentIndex(FORM_PAGE)
        self.intro.setVisible(True)
        self._show_buttons(run=True)
        self.run_button.setDefault(True)

    def show_preview(self, outcome: OptimiseOutcome, *, applicable: bool) -> None:
        """Show ``outcome`` with Apply, Discard and Back."""
        self.preview.show_outcome(outcome, applicable=applicable)
        self._pages.setCurrentIndex(PREVIEW_PAGE)
        self.intro.setVisible(False)
        self._show_buttons(run=False)
        self.set_applicable(applicable)
        self.apply_button.setDefault(True)

    def set_applicable(self, applicable: bool) -> None:
        """Enable Apply only while the preview still fits the plan and changes something."""
        outcome = self.preview.outcome
        changes = outcome is not None and outcome.edit(Text.EDIT_NAME) is not None
        self.apply_button.setEnabled(applicable and changes)
        self.preview.set_applicable(applicable)

    def _show_buttons(self, *, run: bool) -> None:
        for button in (self.run_button, self.close_button):
            button.setVisible(run)
        for button in (self.back_button, self.discard_button, self.apply_button):
            button.setVisible(not run)

    # -- closing --------------------------------------------------------------------------
    def done(self, result: int) -> None:
        # Close, Discard, Escape and the title bar's button all end here (via reject).
        super().done(result)
        self.closed.emit()
