"""Dialogs of the main window: New Project and the id/name field picker."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
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
        "Choose the boundary layer your territories are built from: ZIP codes (ZCTA), "
        "counties or any polygons. Accounts and reps are optional; accounts can also be "
        "imported later."
    )
    BOUNDARIES = "&Boundary layer:"
    ACCOUNTS = "&Accounts:"
    REPS = "&Reps:"
    BOUNDARIES_HINT = "Required: .shp, .zip, .gpkg, .geojson or .parquet"
    ACCOUNTS_HINT = "Optional: CSV or Excel export from your CRM"
    REPS_HINT = "Optional: CSV with id and name columns"
    BROWSE = "Browse…"
    BROWSE_TIP = "Choose the file"
    CREATE = "Create"
    CREATE_TIP = "Build the project (a boundary layer is required)"
    BOUNDARY_FILTER = (
        "Boundary layers (*.shp *.zip *.gpkg *.geojson *.json *.parquet *.geoparquet)"
        ";;All files (*)"
    )
    ACCOUNT_FILTER = "Account books (*.csv *.xlsx *.txt);;All files (*)"
    REPS_FILTER = "Rep rosters (*.csv);;All files (*)"
    FIELDS_TITLE = "Choose Unit Fields"
    FIELDS_INTRO = (
        "<b>{file}</b> is not a ZIP code (ZCTA) or county layer Terrmap recognises. "
        "Which fields identify and name its units?"
    )
    FIELDS_HINT = "The id must be unique for every unit, like a ZIP code or a GEOID."
    ID_FIELD = "Unit &id field:"
    NAME_FIELD = "Unit &name field:"
    ID_TIP = "A field whose value is different for every unit"
    NAME_TIP = "Shown in the status bar and reports; the id is used if you choose none"
    NO_NAME = "(use the id)"
    CONTINUE = "Continue"


# Room for a typical full path in the file fields and for the intro text.
NEW_PROJECT_WIDTH = 640
FIELD_PICKER_WIDTH = 460


def _buttons(parent: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(parent.accept)
    buttons.rejected.connect(parent.reject)
    return buttons


def _intro(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class _FileRow(QWidget):
    """A line edit with a Browse button."""

    def __init__(
        self, caption: str, hint: str, file_filter: str, start_dir: str, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(hint)
        self.edit.setToolTip(hint)
        self.edit.setClearButtonEnabled(True)
        button = QPushButton(Text.BROWSE, self)
        button.setToolTip(Text.BROWSE_TIP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(button)
        caption = caption.replace("&", "").rstrip(":")
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
        self.setMinimumWidth(NEW_PROJECT_WIDTH)
        self._boundaries = _FileRow(
            Text.BOUNDARIES, Text.BOUNDARIES_HINT, Text.BOUNDARY_FILTER, start_dir, self
        )
        self._accounts = _FileRow(
            Text.ACCOUNTS, Text.ACCOUNTS_HINT, Text.ACCOUNT_FILTER, start_dir, self
        )
        self._reps = _FileRow(Text.REPS, Text.REPS_HINT, Text.REPS_FILTER, start_dir, self)
        form = _form()
        for label, row in (
            (Text.BOUNDARIES, self._boundaries),
            (Text.ACCOUNTS, self._accounts),
            (Text.REPS, self._reps),
        ):
            form.addRow(label, row)
            form.labelForField(row).setBuddy(row.edit)
        buttons = _buttons(self, Text.CREATE)
        self._create = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._create.setToolTip(Text.CREATE_TIP)
        self._boundaries.edit.textChanged.connect(self._update_create)
        self._update_create()
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(Text.NEW_INTRO, self))
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def _update_create(self) -> None:
        self._create.setEnabled(self._boundaries.path() is not None)

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
        self.setMinimumWidth(FIELD_PICKER_WIDTH)
        intro = _intro(Text.FIELDS_INTRO.format(file=html.escape(Path(file).name)), self)
        intro.setTextFormat(Qt.TextFormat.RichText)
        hint = _intro(Text.FIELDS_HINT, self)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._id = QComboBox(self)
        self._id.addItems(id_candidates or all_fields)
        self._id.setToolTip(Text.ID_TIP)
        self._name = QComboBox(self)
        self._name.addItem(Text.NO_NAME, None)
        for name in all_fields:
            self._name.addItem(name, name)
        self._name.setToolTip(Text.NAME_TIP)
        form = _form()
        form.addRow(Text.ID_FIELD, self._id)
        form.addRow(Text.NAME_FIELD, self._name)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addSpacing(8)
        layout.addWidget(_buttons(self, Text.CONTINUE))

    def choice(self) -> tuple[str, str | None]:
        """``(id_field, name_field or None)``."""
        return self._id.currentText(), self._name.currentData()
