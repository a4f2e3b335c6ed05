"""The import report: every account row not placed, and every warning, with its reason.

The model filters and sorts its own row order in bulk: a ``QSortFilterProxyModel`` calls
Python per row or comparison, which takes seconds (sorting: minutes) for 100,000 problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from terrmap.io.accounts import ImportProblem

__all__ = ["ImportReportDialog", "ProblemTableModel", "Text", "show_import_report"]


class Text:
    """User-visible strings of the import report."""

    TITLE = "Import report — {source}"
    COUNTS = (  # (singular, plural) of the placed, not placed and warning counts
        ("{n:,} account placed", "{n:,} accounts placed"),
        ("{n:,} row not placed", "{n:,} rows not placed"),
        ("{n:,} warning", "{n:,} warnings"),
    )
    SEPARATOR = " · "
    HINT = "Rows not placed are missing from the map: fix them in the file and import again."
    SHOW = "&Show:"
    FILTERS = ("All ({n:,})", "Not placed ({n:,})", "Warnings ({n:,})")
    SHOW_TIP = "Show every row, only the rows not placed, or only the warnings"
    SEARCH = "S&earch:"
    SEARCH_PLACEHOLDER = "Account id or reason"
    SEARCH_TIP = "Show only rows whose account id or reason contains this text (Ctrl+F)"
    COLUMNS = ("Line", "Account ID", "Severity", "Reason")
    COLUMN_TIPS = (
        "Line of the source file (the header is line 1)",
        "The row's account id",
        "Not placed: missing from the map. Warning: placed, but suspect.",
        "Why the row was not placed, or what looks wrong",
    )
    SEVERITY: ClassVar[dict[str, str]] = {"error": "Not placed", "warning": "Warning"}
    ROW_TIP = "{file}, line {line}: {reason}"
    SHOWING = "Showing {shown:,} of {total:,}"
    NO_MATCH = "No rows match the filter"
    SAVE = "&Save as CSV…"
    SAVE_TIP = "Save all {n:,} rows (file, line, account id, severity, reason) as a CSV file"
    SAVE_CAPTION = "Save Import Report"
    SAVE_NAME = "{stem} import problems.csv"
    CSV_FILTER = "CSV files (*.csv);;All files (*)"
    SAVE_FAILED = "Could not save the import report"
    CLOSE = "Close"


_ROOT = QModelIndex()
LINE, ACCOUNT, SEVERITY, REASON = range(4)
_SORT_KEYS = {
    LINE: lambda p: p.line,
    ACCOUNT: lambda p: p.account_id.casefold(),
    SEVERITY: lambda p: p.severity != "error",
    REASON: lambda p: p.reason.casefold(),
}
_HEADER = {Qt.ItemDataRole.DisplayRole: Text.COLUMNS, Qt.ItemDataRole.ToolTipRole: Text.COLUMN_TIPS}
_Index = QModelIndex | QPersistentModelIndex


def summary_text(problems: list[ImportProblem], placed: int) -> str:
    """``"4,970 accounts placed · 12 rows not placed · 18 warnings"``."""
    errors = sum(p.severity == "error" for p in problems)
    counts = zip(Text.COUNTS, (placed, errors, len(problems) - errors), strict=True)
    return Text.SEPARATOR.join(forms[n != 1].format(n=n) for forms, n in counts)


class ProblemTableModel(QAbstractTableModel):
    """Problems as rows (Line, Account ID, Severity, Reason), filtered and sorted in bulk."""

    def __init__(
        self, problems: list[ImportProblem], icons: dict[str, QIcon], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._problems = list(problems)
        self._icons = icons
        self._severities = [p.severity for p in self._problems]
        self._haystacks = [f"{p.account_id}\n{p.reason}".casefold() for p in self._problems]
        self._keys: dict[int, list] = {}  # sort keys by column, made on first use
        self._sorted_by = (LINE, Qt.SortOrder.AscendingOrder)  # problems come in line order
        self._order = list(range(len(self._problems)))  # all rows, in the sort order
        self._rows = self._order  # the rows shown
        self._severity: str | None = None
        self._needle = ""

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(Text.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        problem, column = self._problems[self._rows[index.row()]], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(problem, column)
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY:
            return self._icons[problem.severity]
        if role == Qt.ItemDataRole.ToolTipRole:
            return Text.ROW_TIP.format(file=problem.file, line=problem.line, reason=problem.reason)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == LINE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    @staticmethod
    def _display(problem: ImportProblem, column: int) -> object:
        severity = Text.SEVERITY[problem.severity]
        return (problem.line, problem.account_id, severity, problem.reason)[column]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        texts = _HEADER.get(role)
        return texts[section] if texts and orientation == Qt.Orientation.Horizontal else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in _SORT_KEYS or (column, order) == self._sorted_by:
            return  # QTableView.sortByColumn asks twice
        keys = self._keys.get(column) or [_SORT_KEYS[column](p) for p in self._problems]
        self._keys[column] = keys
        descending = order == Qt.SortOrder.DescendingOrder
        self._order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        self._sorted_by = (column, order)
        self._refresh()

    def set_filter(self, severity: str | None, text: str) -> None:
        """Show only ``severity`` rows (None: all) whose id or reason contains ``text``."""
        self._severity, self._needle = severity, text.strip().casefold()
        self._refresh()

    def _refresh(self) -> None:
        rows = self._order
        if self._severity is not None:
            rows = [i for i in rows if self._severities[i] == self._severity]
        if self._needle:
            rows = [i for i in rows if self._needle in self._haystacks[i]]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


class ImportReportDialog(QDialog):
    """Lists every problem of one import, with a filter and a Save as CSV button."""

    def __init__(
        self, problems: list[ImportProblem], placed: int, source: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._problems = list(problems)
        self._source = source
        self.setWindowTitle(Text.TITLE.format(source=source))
        self.resize(860, 520)
        icon, pixmaps = self.style().standardIcon, QStyle.StandardPixmap
        icons = {
            "error": icon(pixmaps.SP_MessageBoxCritical),
            "warning": icon(pixmaps.SP_MessageBoxWarning),
        }
        self.model = ProblemTableModel(self._problems, icons, self)
        self.summary_label = QLabel(summary_text(self._problems, placed), self)
        self.summary_label.setStyleSheet("font-weight: bold")
        self.severity_combo = self._severity_combo(icons)
        self.search_edit = self._search_edit()
        self.table = self._table()
        self.count_label = QLabel(self)
        self.save_button = self._button(Text.SAVE, Text.SAVE_TIP.format(n=len(self._problems)))
        self.close_button = self._button(Text.CLOSE, "")
        self.save_button.clicked.connect(self.save_as_csv)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        self._lay_out()
        self._apply_filter()

    def _severity_combo(self, icons: dict[str, QIcon]) -> QComboBox:
        errors = sum(p.severity == "error" for p in self._problems)
        counts = (len(self._problems), errors, len(self._problems) - errors)
        combo = QComboBox(self)
        for text, severity, n in zip(Text.FILTERS, (None, "error", "warning"), counts, strict=True):
            combo.addItem(icons.get(severity, QIcon()), text.format(n=n), severity)
        combo.setToolTip(Text.SHOW_TIP)
        combo.currentIndexChanged.connect(self._apply_filter)
        return combo

    def _search_edit(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(Text.SEARCH_PLACEHOLDER)
        edit.setClearButtonEnabled(True)
        edit.setToolTip(Text.SEARCH_TIP)
        edit.textChanged.connect(self._apply_filter)
        return edit

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)  # compact, no wrapping
        header = table.horizontalHeader()
        header.setSortIndicator(LINE, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        for column, width in ((LINE, 70), (ACCOUNT, 150), (SEVERITY, 120)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        return table

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)  # Enter in the search field must not save or close
        button.setToolTip(tip)
        return button

    def _lay_out(self) -> None:
        hint = QLabel(Text.HINT, self)
        hint.setWordWrap(True)
        filters = QHBoxLayout()
        for text, field in ((Text.SHOW, self.severity_combo), (Text.SEARCH, self.search_edit)):
            label = QLabel(text, self)
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field)
        filters.setStretchFactor(self.search_edit, 1)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(hint)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def _focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _apply_filter(self) -> None:
        self.model.set_filter(self.severity_combo.currentData(), self.search_edit.text())
        shown = self.model.rowCount()
        self.count_label.setText(
            Text.SHOWING.format(shown=shown, total=len(self._problems)) if shown else Text.NO_MATCH
        )

    def save_as_csv(self) -> None:
        """Ask for a file name and write every problem there."""
        name = Text.SAVE_NAME.format(stem=Path(self._source).stem or "accounts")
        path, _ = QFileDialog.getSaveFileName(self, Text.SAVE_CAPTION, name, Text.CSV_FILTER)
        if not path:
            return
        if not Path(path).suffix:
            path += ".csv"
        from terrmap.io.accounts import problems_to_csv  # loaded by now; keeps startup light

        try:
            problems_to_csv(self._problems, path)
        except OSError as exc:
            QMessageBox.critical(self, Text.SAVE_FAILED, f"{Text.SAVE_FAILED} to {path}:\n{exc}")


def show_import_report(
    parent: QWidget | None, problems: list[ImportProblem], placed: int, source: str
) -> None:
    """Open the import report beside ``parent`` (not modal); nothing when no problems."""
    if not problems:
        return
    dialog = ImportReportDialog(problems, placed, source, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
