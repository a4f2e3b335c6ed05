"""Dialogs and pickers of the territory panel: add a territory, change its rep, pick a
colour, confirm a deletion.

Each modal question is one module-level function (`ask_new_territory`, `ask_owner`,
`ask_color`, `confirm_delete`) so the panel has one place to call and tests one place
to patch. None of them changes the project: they return what the user chose.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QColorDialog,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from terrmap.core.palette import TERRITORY_COLORS
from terrmap.ui.territory_model import swatch_pixmap


class Text:
    """User-visible strings of the territory dialogs."""

    ADD_TITLE = "Add Territory"
    ADD = "Add Territory"
    NAME = "&Name:"
    REP = "&Rep:"
    COLOR = "Colour:"
    VACANT_PLACEHOLDER = "Vacant (no rep yet)"
    ADD_HINT = "The new territory's id is {id}. Name, rep and colour can be changed later."
    OTHER_COLOR = "Other Colour…"
    OTHER_COLOR_TIP = "Pick any colour"
    COLOR_TITLE = "Territory Colour"
    OWNER_TITLE = "Change Rep"
    OWNER_LABEL = "Rep of <b>{name}</b>:"
    OWNER_HINT = "Leave empty to make the territory vacant; its units stay in it."
    DELETE_TITLE = "Delete Territory"
    DELETE_QUESTION = "Delete the territory “{name}”?"
    DELETE_UNITS = "Its {units:,} {noun} will become unassigned."
    DELETE_EMPTY = "It has no units."
    DELETE_UNDO = "You can undo this."
    DELETE = "Delete"


SWATCH_BUTTON = 22  # logical pixels; a comfortable click target around a 16-pixel swatch
DIALOG_WIDTH = 380


@dataclass(frozen=True)
class TerritoryDraft:
    """What the Add Territory dialog collected (the panel picks the id)."""

    name: str
    owner: str  # empty: vacant
    color: str  # "#RRGGBB"


# -- colour picking -----------------------------------------------------------------
class SwatchButton(QAbstractButton):
    """A checkable colour square; a ring marks the chosen colour."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.color = color
        self.setCheckable(True)
        self.setToolTip(color)
        self.setAccessibleName(color)
        self.setFixedSize(SWATCH_BUTTON, SWATCH_BUTTON)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(SWATCH_BUTTON, SWATCH_BUTTON)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(self.color)
        outer = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        if self.isChecked() or self.hasFocus() or self.underMouse():
            ring = self.palette().text().color() if self.isChecked() else fill.darker(120)
            if self.hasFocus() and not self.isChecked():
                ring = self.palette().highlight().color()
            painter.setPen(QPen(ring, 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(outer, 5, 5)
        painter.setPen(QPen(fill.darker(135), 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(outer.adjusted(2.5, 2.5, -2.5, -2.5), 3, 3)
        painter.end()


class SwatchGrid(QWidget):
    """The palette as a grid of swatches; ``color_chosen`` fires on a click."""

    color_chosen = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        colors: Sequence[str] = TERRITORY_COLORS,
        columns: int = 9,
    ) -> None:
        super().__init__(parent)
        self.buttons = [SwatchButton(color, self) for color in colors]
        self._group = QButtonGroup(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for i, button in enumerate(self.buttons):
            self._group.addButton(button)
            grid.addWidget(button, i // columns, i % columns)
            button.clicked.connect(lambda _checked=False, c=button.color: self.color_chosen.emit(c))

    def set_current(self, color: str | None) -> None:
        """Mark ``color`` as chosen (none is marked for a colour outside the palette)."""
        self._group.setExclusive(False)  # an exclusive group cannot uncheck its last button
        for button in self.buttons:
            button.setChecked(color is not None and button.color.upper() == color.upper())
        self._group.setExclusive(True)

    def current(self) -> str | None:
        """The marked colour, if any."""
        return next((b.color for b in self.buttons if b.isChecked()), None)


class ColorMenu(QMenu):
    """A menu with the palette as swatches and "Other Colour…" for any colour.

    Signals
    -------
    color_chosen(color)
        A palette swatch was clicked (the menu closes).
    other_requested()
        "Other Colour…" was chosen.
    """

    color_chosen = Signal(str)
    other_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        holder = QWidget(self)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(8, 6, 8, 4)
        self.grid = SwatchGrid(holder, columns=6)
        layout.addWidget(self.grid)
        swatches = QWidgetAction(self)
        swatches.setDefaultWidget(holder)
        self.addAction(swatches)
        self.addSeparator()
        self.other_action = self.addAction(Text.OTHER_COLOR)
        self.other_action.setToolTip(Text.OTHER_COLOR_TIP)
        self.other_action.triggered.connect(self.other_requested)
        self.grid.color_chosen.connect(self._chosen)

    def _chosen(self, color: str) -> None:
        self.close()  # a click on a widget inside a menu does not close it by itself
        self.color_chosen.emit(color)


def ask_color(parent: QWidget | None, current: str) -> str | None:
    """Any colour from the system colour dialog, as ``#RRGGBB``; None if cancelled."""
    color = QColorDialog.getColor(QColor(current), parent, Text.COLOR_TITLE)
    return color.name().upper() if color.isValid() else None


# -- add a territory -----------------------------------------------------------------
def _owner_edit(parent: QWidget, owner: str, known_owners: Sequence[str]) -> QLineEdit:
    edit = QLineEdit(owner, parent)
    edit.setPlaceholderText(Text.VACANT_PLACEHOLDER)
    edit.setClearButtonEnabled(True)
    completer = QCompleter(list(known_owners), edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    edit.setCompleter(completer)
    return edit


def _hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class TerritoryDialog(QDialog):
    """Name, rep and colour of a new territory."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        territory_id: str,
        name: str,
        color: str,
        known_owners: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.ADD_TITLE)
        self.setMinimumWidth(DIALOG_WIDTH)
        self._color = color
        self.name_edit = QLineEdit(name, self)
        self.name_edit.selectAll()
        self.owner_edit = _owner_edit(self, "", known_owners)
        self.swatches = SwatchGrid(self)
        self.swatches.set_current(color)
        self.swatches.color_chosen.connect(self._set_color)
        self.other_button = QPushButton(Text.OTHER_COLOR, self)
        self.other_button.setToolTip(Text.OTHER_COLOR_TIP)
        self.other_button.clicked.connect(self._ask_other_color)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(Text.ADD)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update_ok)
        self._layout(territory_id)
        self._update_ok()

    def draft(self) -> TerritoryDraft:
        """What the user entered (names with stray spaces tidied)."""
        return TerritoryDraft(
            " ".join(self.name_edit.text().split()),
            " ".join(self.owner_edit.text().split()),
            self._color,
        )

    def _layout(self, territory_id: str) -> None:
        colors = QVBoxLayout()
        colors.setSpacing(6)
        colors.addWidget(self.swatches)
        other = QHBoxLayout()
        other.addWidget(self.other_button)
        other.addStretch(1)
        colors.addLayout(other)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(Text.NAME, self.name_edit)
        form.addRow(Text.REP, self.owner_edit)
        form.addRow(Text.COLOR, colors)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_hint(Text.ADD_HINT.format(id=territory_id), self))
        layout.addSpacing(4)
        layout.addWidget(self._buttons)

    def _set_color(self, color: str) -> None:
        self._color = color
        self.swatches.set_current(color)
        # A colour outside the palette shows on the button that chose it.
        custom = self.swatches.current() is None
        self.other_button.setIcon(QIcon(swatch_pixmap(color)) if custom else QIcon())

    def _ask_other_color(self) -> None:
        color = ask_color(self, self._color)
        if color is not None:
            self._set_color(color)

    def _update_ok(self) -> None:
        ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name_edit.text().strip()))


def ask_new_territory(
    parent: QWidget | None,
    *,
    territory_id: str,
    name: str,
    color: str,
    known_owners: Sequence[str] = (),
) -> TerritoryDraft | None:
    """Ask for a new territory's name, rep and colour; None if cancelled."""
    dialog = TerritoryDialog(
        parent, territory_id=territory_id, name=name, color=color, known_owners=known_owners
    )
    try:
        return dialog.draft() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


# -- change the rep --------------------------------------------------------------------
class OwnerDialog(QDialog):
    """The rep of one territory; empty means vacant."""

    def __init__(
        self, parent: QWidget | None, name: str, owner: str, known_owners: Sequence[str] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.OWNER_TITLE)
        self.setMinimumWidth(DIALOG_WIDTH)
        label = QLabel(Text.OWNER_LABEL.format(name=html.escape(name)), self)
        self.owner_edit = _owner_edit(self, owner, known_owners)
        self.owner_edit.selectAll()
        label.setBuddy(self.owner_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.owner_edit)
        layout.addWidget(_hint(Text.OWNER_HINT, self))
        layout.addSpacing(4)
        layout.addWidget(buttons)

    def owner(self) -> str:
        """The rep entered (empty: vacant)."""
        return " ".join(self.owner_edit.text().split())


def ask_owner(
    parent: QWidget | None, name: str, owner: str, known_owners: Sequence[str] = ()
) -> str | None:
    """Ask for the rep of territory ``name``: the rep, "" for vacant, None if cancelled."""
    dialog = OwnerDialog(parent, name, owner, known_owners)
    try:
        return dialog.owner() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


# -- delete ---------------------------------------------------------------------------
def confirm_delete(parent: QWidget | None, name: str, units: int) -> bool:
    """Ask whether to delete territory ``name``, saying how many units it leaves behind."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(Text.DELETE_TITLE)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a name is text, never markup
    box.setText(Text.DELETE_QUESTION.format(name=name))
    fate = (
        Text.DELETE_UNITS.format(units=units, noun="unit" if units == 1 else "units")
        if units
        else Text.DELETE_EMPTY
    )
    box.setInformativeText(f"{fate} {Text.DELETE_UNDO}")
    delete = box.addButton(Text.DELETE, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    try:
        box.exec()
        return box.clickedButton() is delete
    finally:
        box.deleteLater()
