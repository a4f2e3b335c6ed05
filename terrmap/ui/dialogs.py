"""Dialogs of the main window: New Project and the id/name field picker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.loading import NewProjectRequest


class Text:
    """User-visible strings of the dialogs."""

    NEW_TITLE = "New Project"
    NEW_INTRO = (
        "Choose the boundary layer your territories are built from, and optionally an "
        "account book and a rep roster."
    )
    BOUNDARIES = "Boundaries:"
    ACCOUNTS = "Accounts (optional):"
    REPS = "Reps (optional):"
    BROWSE = "Browse…"
    BOUNDARY_FILTER = (
        "Boundary layers (*.shp *.zip *.gpkg *.geojson *.json *.parquet *.geoparquet)"
        ";;All files (*)"
    )
    ACCOUNT_FILTER = "Account books (*.csv *.xlsx *.txt);;All files (*)"
    REPS_FILTER = "Rep rosters (*.csv);;All files (*)"
    FIELDS_TITLE = "Choose Unit Fields"
    FIELDS_INTRO = (
        "{file} is not a layer terrmap recognises. Which fields identify and name the units?"
    )
    ID_FIELD = "Unit id field:"
    NAME_FIELD = "Unit name field:"
    NO_NAME = "(use the id)"


class _FileRow(QWidget):
    """A line edit with a Browse button."""

    def __init__(self, caption: str, file_filter: str, start_dir: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        button = QPushButton(Text.BROWSE, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(button)
        button.clicked.connect(lambda: self._browse(caption, file_filter, start_dir))

    def _browse(self, caption: str, file_filter: str, start_dir: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, caption, start_dir, file_filter)
        if path:
            self.edit.setText(path)

    def path(self) -> str | None:
        text = self.edit.text().strip()
        return text or None


class NewProjectDialog(QDialog):
    """Asks for the boundary, account and rep files of a new project."""

    def __init__(self, start_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.NEW_TITLE)
        self.setMinimumWidth(560)
        intro = QLabel(Text.NEW_INTRO, self)
        intro.setWordWrap(True)
        self._boundaries = _FileRow(Text.BOUNDARIES, Text.BOUNDARY_FILTER, start_dir, self)
        self._accounts = _FileRow(Text.ACCOUNTS, Text.ACCOUNT_FILTER, start_dir, self)
        self._reps = _FileRow(Text.REPS, Text.REPS_FILTER, start_dir, self)
        form = QFormLayout()
        form.addRow(Text.BOUNDARIES, self._boundaries)
        form.addRow(Text.ACCOUNTS, self._accounts)
        form.addRow(Text.REPS, self._reps)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept_if_complete)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _accept_if_complete(self) -> None:
        if self._boundaries.path() is None:
            self._boundaries.edit.setFocus()
            return
        self.accept()

    def request(self) -> NewProjectRequest:
        """The choices made (valid after the dialog was accepted)."""
        return NewProjectRequest(
            boundaries=self._boundaries.path() or "",
            accounts=self._accounts.path(),
            reps=self._reps.path(),
        )


class FieldPickerDialog(QDialog):
    """Lets the user pick the unit id and name fields of an unrecognised layer."""

    def __init__(
        self,
        file: str,
        id_candidates: list[str],
        all_fields: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.FIELDS_TITLE)
        intro = QLabel(Text.FIELDS_INTRO.format(file=Path(file).name), self)
        intro.setWordWrap(True)
        self._id = QComboBox(self)
        self._id.addItems(id_candidates or all_fields)
        self._name = QComboBox(self)
        self._name.addItem(Text.NO_NAME, None)
        for name in all_fields:
            self._name.addItem(name, name)
        form = QFormLayout()
        form.addRow(Text.ID_FIELD, self._id)
        form.addRow(Text.NAME_FIELD, self._name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, str | None]:
        """``(id_field, name_field or None)``."""
        return self._id.currentText(), self._name.currentData()
