"""The territory panel: one row per territory with its totals, plus an Unassigned row.

`TerritoryTableModel` adapts the core document (`Project` + `TerritoryMetrics`) to Qt's
item model: metric updates become ``dataChanged`` for the rows that changed, and
territory insertions or removals reset the (small) model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from terrmap.core.palette import UNASSIGNED_COLOR

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project

AnyIndex = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class Text:
    """User-visible strings of the territory panel."""

    TERRITORY = "Territory"
    OWNER = "Owner"
    VACANT = "Vacant"
    UNASSIGNED = "Unassigned"
    UNITS = "Units"
    ACCOUNTS = "Accounts"
    AREA = "Area (km²)"
    # Metric columns not named here are shown as "Annual revenue" for "annual_revenue".
    METRICS: ClassVar[dict[str, str]] = {"visits_per_year": "Visits per year"}
    SORT_TIP = "{header}: click to sort"


# Columns before the metrics: key, header.
_FIXED = (("name", Text.TERRITORY), ("owner", Text.OWNER))
_SHOWN_METRICS_FIRST = ("units", "accounts")
_HIDDEN_METRICS = ("area_km2",)
SHORT_HEADER = 9  # characters; longer headers with a space are wrapped


def metric_header(column: str) -> str:
    """Readable header of a metric column."""
    if column in Text.METRICS:
        return Text.METRICS[column]
    known = {"units": Text.UNITS, "accounts": Text.ACCOUNTS, "area_km2": Text.AREA}
    if column in known:
        return known[column]
    text = column.removeprefix("unit:").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def wrapped_header(text: str) -> str:
    """``text`` on two lines at its middle space, so number columns stay narrow.

    A long header would otherwise set the width of a column whose numbers need half.
    """
    if " " not in text or len(text) <= SHORT_HEADER:
        return text
    middle = len(text) / 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def format_number(value: float) -> str:
    """A total with thousands separators; decimals only for small fractional values."""
    if abs(value - round(value)) < 1e-9 or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


class TerritoryTableModel(QAbstractTableModel):
    """Rows: the project's territories in order, then Unassigned.

    Parameters
    ----------
    project, metrics
        The document and its live totals; the model listens to both until
        `disconnect_document` is called.
    """

    def __init__(self, project: Project, metrics: TerritoryMetrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.metrics = metrics
        self.metric_columns = [
            *_SHOWN_METRICS_FIRST,
            *(c for c in metrics.columns if c not in (*_SHOWN_METRICS_FIRST, *_HIDDEN_METRICS)),
        ]
        self._rows = self._row_count()
        metrics.totals_changed.connect(self._totals_changed)
        project.territory_inserted.connect(self._territories_changed)
        project.territory_removed.connect(self._territories_changed)
        project.territory_updated.connect(self._territory_updated)

    def disconnect_document(self) -> None:
        """Stop listening to the project and its metrics."""
        self.metrics.totals_changed.disconnect(self._totals_changed)
        self.project.territory_inserted.disconnect(self._territories_changed)
        self.project.territory_removed.disconnect(self._territories_changed)
        self.project.territory_updated.disconnect(self._territory_updated)

    # -- Qt model API ------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_FIXED) + len(self.metric_columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = (
                Qt.AlignmentFlag.AlignLeft if section < len(_FIXED) else Qt.AlignmentFlag.AlignRight
            )
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if section < len(_FIXED):
            header = _FIXED[section][1]
        else:
            header = metric_header(self.metric_columns[section - len(_FIXED)])
        if role == Qt.ItemDataRole.ToolTipRole:
            return Text.SORT_TIP.format(header=header)
        return wrapped_header(header)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column >= len(_FIXED):
            return self._metric_data(row, self.metric_columns[column - len(_FIXED)], role)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(self._color(row))
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return self._text(row, _FIXED[column][0])
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and self._is_vacant(row):
            return QColor("#8A94A0")
        return None

    # -- helpers -----------------------------------------------------------------
    def is_unassigned_row(self, row: int) -> bool:
        """Whether ``row`` is the Unassigned row (always the last)."""
        return row == self._rows - 1

    def owner_is_redundant(self) -> bool:
        """Whether every territory is simply named after its rep (the owner column adds nothing)."""
        territories = self.project.territories
        return bool(territories) and all(t.owner == t.name for t in territories)

    def _metric_data(self, row: int, column: str, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.TextAlignmentRole):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value = float(self.metrics.totals[row, self.metrics.columns.index(column)])
        return value if role == SORT_ROLE else format_number(value)

    def _text(self, row: int, key: str) -> str:
        if self.is_unassigned_row(row):
            return Text.UNASSIGNED if key == "name" else ""
        territory = self.project.territories[row]
        if key == "owner":
            return territory.owner or Text.VACANT
        return territory.name

    def _color(self, row: int) -> str:
        if self.is_unassigned_row(row):
            return UNASSIGNED_COLOR
        return self.project.territories[row].color

    def _is_vacant(self, row: int) -> bool:
        return not self.is_unassigned_row(row) and self.project.territories[row].vacant

    def _row_count(self) -> int:
        return len(self.project.territories) + 1

    def _totals_changed(self, rows: np.ndarray) -> None:
        if self._row_count() != self._rows:
            return  # a territory insertion/removal is under way; its reset follows
        rows = np.asarray(rows)
        if len(rows):
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(int(rows.min()), 0), self.index(int(rows.max()), last))

    def _territories_changed(self, *_args: object) -> None:
        self.beginResetModel()
        self._rows = self._row_count()
        self.endResetModel()

    def _territory_updated(self, index: int) -> None:
        self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))


class _UnassignedLastProxy(QSortFilterProxyModel):
    """Sorts territories but keeps the Unassigned row at the bottom in either order."""

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        source = self.sourceModel()
        left_last = source.is_unassigned_row(left.row())
        right_last = source.is_unassigned_row(right.row())
        if left_last or right_last:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return right_last if ascending else left_last
        return super().lessThan(left, right)


class TerritoryTable(QTableView):
    """The territory table view (sortable by any column)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = _UnassignedLastProxy(self)
        self._proxy.setSortRole(SORT_ROLE)
        self.setModel(self._proxy)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def set_source(self, model: TerritoryTableModel | None) -> None:
        """Show ``model`` (or nothing)."""
        old = self._proxy.sourceModel()
        if isinstance(old, TerritoryTableModel):
            old.disconnect_document()
            old.deleteLater()
        self._proxy.setSourceModel(model)
        if model is not None:
            self.setColumnHidden(1, model.owner_is_redundant())
            self.resizeColumnsToContents()
            self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)

    def ideal_width(self) -> int:
        """Width that shows every visible column without a horizontal scroll bar."""
        header = self.horizontalHeader()
        columns = sum(
            header.sectionSize(i) for i in range(header.count()) if not header.isSectionHidden(i)
        )
        return columns + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()

    def source(self) -> TerritoryTableModel | None:
        """The model shown."""
        model = self._proxy.sourceModel()
        return model if isinstance(model, TerritoryTableModel) else None
