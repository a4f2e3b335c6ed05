"""Adapter from the core document to Qt's item model for the territory table.

`TerritoryTableModel` shows one row per territory with its totals, plus an Unassigned
row. Metric updates become ``dataChanged`` for the rows that changed, and territory
insertions and removals become row insertions and removals, so views keep their
selection. Names and reps are edited in place, but the model never changes the
project: ``setData`` turns the typed text into a core edit and emits ``edit_requested``
for the window to push on its undo stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPen, QPixmap

from terrmap.core.commands import UpdateTerritory
from terrmap.core.palette import UNASSIGNED_COLOR

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.core.territory import Territory

AnyIndex = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_COLUMN, OWNER_COLUMN = 0, 1
VACANT_COLOR = "#8A94A0"
SWATCH_SIZE = 12  # logical pixels; fits the 24-pixel rows with air around it
HATCH_COLOR = "#9AA3AD"


class Text:
    """User-visible strings of the territory table."""

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
    NAME_TIP = "{name} ({id})\nRep: {owner}{parent}\nDouble-click or F2 to rename"
    PARENT = "\nRolls up to: {parent}"
    OWNER_TIP = "Double-click to change the rep; leave empty to make the territory vacant"
    UNASSIGNED_TIP = "Units that belong to no territory yet"
    OWNER_PLACEHOLDER = "Vacant (no rep)"


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


def format_compact(value: float) -> str:
    """A total short enough for a narrow column: 77.5M, 245k, 2,398 (full value in tips)."""
    magnitude = abs(value)
    if magnitude >= 1e9:
        return f"{value / 1e9:,.2f}B"
    if magnitude >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if magnitude >= 1e5:
        return f"{value / 1e3:,.0f}k"
    return format_number(value)


def swatch_pixmap(color: str, size: int = SWATCH_SIZE, *, hatched: bool = False) -> QPixmap:
    """A rounded colour square with a thin darker edge; ``hatched`` marks "no territory".

    The hatch matches how the map tells unassigned units apart from a pale territory.
    """
    ratio = QGuiApplication.instance().devicePixelRatio() if QGuiApplication.instance() else 1.0
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    fill = QColor(color)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    box = QRectF(0.5, 0.5, size - 1, size - 1)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, 2.5, 2.5)
    if hatched:
        painter.setClipRect(box)
        painter.setPen(QPen(QColor(HATCH_COLOR), 1.2))
        for offset in range(-size, size, 3):
            painter.drawLine(QPointF(offset, size), QPointF(offset + size, 0))
        painter.setClipping(False)
    painter.setPen(QPen(fill.darker(135), 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(box, 2.5, 2.5)
    painter.end()
    return pixmap


class TerritoryTableModel(QAbstractTableModel):
    """Rows: the project's territories in order, then Unassigned.

    Parameters
    ----------
    project, metrics
        The document and its live totals; the model listens to both until
        `disconnect_document` is called.

    Signals
    -------
    edit_requested(edit)
        The user typed a new name or rep into a cell: a core edit to apply (undoably).
    territories_changed()
        A territory was added, removed or changed (not just its totals).
    """

    edit_requested = Signal(object)
    territories_changed = Signal()

    def __init__(self, project: Project, metrics: TerritoryMetrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.metrics = metrics
        self.metric_columns = [
            *_SHOWN_METRICS_FIRST,
            *(c for c in metrics.columns if c not in (*_SHOWN_METRICS_FIRST, *_HIDDEN_METRICS)),
        ]
        self._rows = self._row_count()
        self._swatches: dict[tuple[str, bool], QIcon] = {}
        metrics.totals_changed.connect(self._totals_changed)
        project.territory_inserted.connect(self._territory_inserted)
        project.territory_removed.connect(self._territory_removed)
        project.territory_updated.connect(self._territory_updated)

    def disconnect_document(self) -> None:
        """Stop listening to the project and its metrics."""
        self.metrics.totals_changed.disconnect(self._totals_changed)
        self.project.territory_inserted.disconnect(self._territory_inserted)
        self.project.territory_removed.disconnect(self._territory_removed)
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

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() < len(_FIXED) and self.territory(index.row()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column >= len(_FIXED):
            return self._metric_data(row, self.metric_columns[column - len(_FIXED)], role)
        if self.is_unassigned_row(row):
            return self._unassigned_data(column, role)
        territory = self.territory(row)
        if territory is None:
            return None  # a removal is under way; its rowsRemoved follows
        if column == NAME_COLUMN:
            return self._name_data(territory, role)
        return self._owner_data(territory, role)

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Ask for the typed name or rep as an edit; the project itself is left alone."""
        territory = self.territory(index.row()) if index.isValid() else None
        if territory is None or role != Qt.ItemDataRole.EditRole or index.column() >= len(_FIXED):
            return False
        text = " ".join(str(value or "").split())  # no stray or doubled spaces from typing
        if index.column() == NAME_COLUMN:
            if not text or text == territory.name:
                return False  # a territory needs a name; an unchanged one is no edit
            self.edit_requested.emit(UpdateTerritory.of(territory.id, name=text))
            return True
        if text == territory.owner:
            return False
        self.edit_requested.emit(UpdateTerritory.of(territory.id, owner=text))
        return True

    # -- helpers -----------------------------------------------------------------
    def is_unassigned_row(self, row: int) -> bool:
        """Whether ``row`` is the Unassigned row (always the last)."""
        return row == self._rows - 1

    def territory(self, row: int) -> Territory | None:
        """The territory of ``row``; None for the Unassigned row."""
        territories = self.project.territories
        if self.is_unassigned_row(row) or not 0 <= row < len(territories):
            return None
        return territories[row]

    def territory_id(self, row: int) -> str | None:
        """Id of the territory of ``row``; None for the Unassigned row."""
        territory = self.territory(row)
        return None if territory is None else territory.id

    def row_of(self, territory_id: str | None) -> int:
        """Row of a territory (None: the Unassigned row); -1 if there is none."""
        if territory_id is None:
            return self._rows - 1
        if not self.project.has_territory(territory_id):
            return -1
        return self.project.territory_index(territory_id)

    def metric_value(self, row: int, column: str) -> float:
        """Current total of one metric for ``row``."""
        totals = self.metrics.totals
        return float(totals[row, self.metrics.columns.index(column)]) if row < len(totals) else 0.0

    def known_owners(self) -> list[str]:
        """Reps who own a territory, sorted (offered while typing a rep)."""
        return sorted({t.owner for t in self.project.territories if t.owner}, key=str.casefold)

    def owner_is_redundant(self) -> bool:
        """Whether every territory is simply named after its rep (the owner column adds nothing)."""
        territories = self.project.territories
        return bool(territories) and all(t.owner == t.name for t in territories)

    def _name_data(self, territory: Territory, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, SORT_ROLE):
            return territory.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._swatch(territory.color, hatched=False)
        if role == Qt.ItemDataRole.ToolTipRole:
            parent = Text.PARENT.format(parent=territory.parent) if territory.parent else ""
            owner = territory.owner or Text.VACANT
            return Text.NAME_TIP.format(
                name=territory.name, id=territory.id, owner=owner, parent=parent
            )
        return None

    def _owner_data(self, territory: Territory, role: int) -> object:
        if role == Qt.ItemDataRole.EditRole:
            return territory.owner
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return territory.owner or Text.VACANT
        if role == Qt.ItemDataRole.ToolTipRole:
            return Text.OWNER_TIP
        if territory.vacant and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(VACANT_COLOR)
        if territory.vacant and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _unassigned_data(self, column: int, role: int) -> object:
        if column != NAME_COLUMN:
            return "" if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE) else None
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return Text.UNASSIGNED
        if role == Qt.ItemDataRole.DecorationRole:
            return self._swatch(UNASSIGNED_COLOR, hatched=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            return Text.UNASSIGNED_TIP
        return None

    def _metric_data(self, row: int, column: str, role: int) -> object:
        shown = (
            Qt.ItemDataRole.DisplayRole,
            SORT_ROLE,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.ToolTipRole,
        )
        if role not in shown:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if row >= len(self.metrics.totals):
            return None  # the metrics have not caught up with a territory change yet
        value = self.metric_value(row, column)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{metric_header(column)}: {format_number(value)}"
        # Compact in the cell so every column fits beside the map; exact in the tooltip.
        return format_compact(value)

    def _swatch(self, color: str, *, hatched: bool) -> QIcon:
        key = (color, hatched)
        if key not in self._swatches:
            pixmap = swatch_pixmap(color, hatched=hatched)
            # The same pixmap when selected: Qt would tint it, and the colour is the point.
            icon = QIcon(pixmap)
            icon.addPixmap(pixmap, QIcon.Mode.Selected)
            self._swatches[key] = icon
        return self._swatches[key]

    def _row_count(self) -> int:
        return len(self.project.territories) + 1

    def _totals_changed(self, rows: np.ndarray) -> None:
        if self._row_count() != self._rows or len(self.metrics.totals) != self._rows:
            return  # a territory insertion/removal is under way; its row signals follow
        rows = np.asarray(rows)
        if len(rows):
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(int(rows.min()), 0), self.index(int(rows.max()), last))

    # The project announces insertions and removals after the fact; the begin/end pair
    # is still emitted together so views and the proxy shift their rows and selection.
    def _territory_inserted(self, index: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index)
        self._rows = self._row_count()
        self.endInsertRows()
        self.territories_changed.emit()

    def _territory_removed(self, index: int, _territory: object) -> None:
        self.beginRemoveRows(QModelIndex(), index, index)
        self._rows = self._row_count()
        self.endRemoveRows()
        self.territories_changed.emit()

    def _territory_updated(self, index: int) -> None:
        self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))
        self.territories_changed.emit()
