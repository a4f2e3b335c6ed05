"""Select by attribute: a query such as ``accounts > 20 and territory = 'Boston'``.

The dialog is modeless, so the user can refine a query while watching the map; each
Select applies it to the selection with the chosen mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from terrmap.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.selection import Kind


class Text:
    """User-visible strings of the query dialog."""

    TITLE = "Select by Attribute"
    INTRO = (
        "Write a condition on the fields below, e.g. <code>accounts &gt; 20 and "
        "territory = 'Boston'</code>. Operators: = != &lt; &lt;= &gt; &gt;=, contains, "
        "startswith, in (…), is null; combine with and, or, not and parentheses. "
        "Text is compared ignoring case; quote it with single quotes."
    )
    LAYER = "&Select:"
    QUERY = "&Where:"
    MODE = "&Mode:"
    FIELDS = "Fields (double-click to insert):"
    SELECT = "Select"
    LAYERS = (("units", "Units"), ("accounts", "Accounts"))
    MODES = (
        ("replace", "New selection"),
        ("add", "Add to selection"),
        ("remove", "Remove from selection"),
        ("within", "Select within selection"),
    )
    RESULT = "{count:,} of {total:,} {kind} match"
    QUERY_TIP = "A condition on the fields; press Enter to select"


class QueryDialog(QDialog):
    """Builds a boolean mask over the units' or accounts' attribute table.

    Parameters
    ----------
    tables
        ``kind -> DataFrame`` provider (``terrmap.core.attributes.attribute_table``).

    Signals
    -------
    selected(kind, positions, mode)
        The query matched ``positions`` of ``kind``; ``mode`` is a selection mode or
        ``"within"`` (keep only selected items that match).
    """

    selected = Signal(str, object, str)

    def __init__(self, tables, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.TITLE)
        self._tables = tables
        intro = QLabel(Text.INTRO, self)
        intro.setWordWrap(True)
        self.layer = QComboBox(self)
        for key, label in Text.LAYERS:
            self.layer.addItem(label, key)
        self.mode = QComboBox(self)
        for key, label in Text.MODES:
            self.mode.addItem(label, key)
        self.query = QLineEdit(self)
        self.query.setToolTip(Text.QUERY_TIP)
        self.query.setPlaceholderText("accounts > 20 and territory = 'Boston'")
        self.query.setMinimumWidth(420)
        self.fields = QListWidget(self)
        self.fields.setMaximumHeight(140)
        self.fields.itemDoubleClicked.connect(lambda item: self._insert(item.text()))
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.select_button = buttons.addButton(Text.SELECT, QDialogButtonBox.ButtonRole.ApplyRole)
        self.select_button.setDefault(True)
        self.select_button.clicked.connect(self.run_query)
        buttons.rejected.connect(self.close)
        self.query.returnPressed.connect(self.run_query)
        self.layer.currentIndexChanged.connect(lambda _i: self._list_fields())
        form = QFormLayout()
        form.addRow(Text.LAYER, self.layer)
        form.addRow(Text.QUERY, self.query)
        form.addRow(Text.MODE, self.mode)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel(Text.FIELDS, self))
        layout.addWidget(self.fields)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self._list_fields()

    @property
    def kind(self) -> Kind:
        """The layer the query runs on."""
        return self.layer.currentData()

    def _table(self) -> pd.DataFrame:
        return self._tables(self.kind)

    def _list_fields(self) -> None:
        self.fields.clear()
        self.fields.addItems([str(c) for c in self._table().columns])

    def _insert(self, field: str) -> None:
        name = field if field.replace("_", "").replace(":", "").isalnum() else f'"{field}"'
        self.query.insert(f"{name} ")
        self.query.setFocus()

    def run_query(self) -> None:
        """Run the query and announce what matched (errors show in the dialog)."""
        from terrmap.core.query import select_where

        table = self._table()
        try:
            mask = select_where(table, self.query.text())
        except InputError as error:
            self.result.setStyleSheet("color: #B42318;")
            self.result.setText(str(error))
            return
        positions = np.flatnonzero(mask)
        self.result.setStyleSheet("")
        self.result.setText(
            Text.RESULT.format(count=len(positions), total=len(table), kind=self.kind)
        )
        self.selected.emit(self.kind, positions, self.mode.currentData())


def apply_query_result(selection, kind: Kind, positions: np.ndarray, mode: str) -> None:
    """Combine a query's matches with ``selection`` ("within" keeps selected matches)."""
    if mode == "within":
        current = selection.positions if selection.kind == kind else np.empty(0, np.intp)
        selection.select(kind, np.intersect1d(current, positions), "replace")
        return
    selection.select(kind, positions, mode)
