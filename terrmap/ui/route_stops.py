"""The stop list of a planned route: a table model over the plan's visits, and its view.

The model never edits the plan. A drop (or Ctrl+↑/↓) moves the row at once, so the view keeps
the moved stop selected, and asks for the new order with `order_changed`; ticking the lock
column asks with `lock_toggled`. The controller (`terrmap.ui.route_action`) times the new
order with `schedule_day` and hands the plan back with `StopListModel.update_plan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from terrmap.routing.model import clock
from terrmap.ui.route_text import Text

if TYPE_CHECKING:
    from terrmap.routing.model import RoutePlan, Visit

MIME = "application/x-terrmap-route-stop"
LOCK, NUMBER, ARRIVE, VISIT, ACCOUNT, ADDRESS, LEG, WAIT = range(8)
ACCOUNT_WIDTH = 150
Index = QModelIndex | QPersistentModelIndex


class StopListModel(QAbstractTableModel):
    """Rows are the visits of one day of a plan, or of every day.

    Signals
    -------
    order_changed(day, stop_ids)
        The user moved a stop: ``stop_ids`` is the day's new visiting order.
    lock_toggled(day, stop_id, locked)
        The user ticked or cleared a stop's lock.
    """

    order_changed = Signal(int, list)
    lock_toggled = Signal(int, str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan: RoutePlan | None = None
        self._day: int | None = None
        self._rows: list[tuple[int, Visit]] = []

    # -- contents -------------------------------------------------------------------------
    @property
    def day(self) -> int | None:
        """The day listed (``None``: every day)."""
        return self._day

    @property
    def movable(self) -> bool:
        """Whether rows can be reordered: only within one listed day."""
        return self._day is not None or (self._plan is not None and len(self._plan.days) == 1)

    def set_plan(self, plan: RoutePlan | None, day: int | None = None) -> None:
        """List ``plan``'s visits of day ``day`` (``None``: all days)."""
        self.beginResetModel()
        self._plan, self._day = plan, day
        self._rows = self._collect()
        self.endResetModel()

    def update_plan(self, plan: RoutePlan) -> None:
        """Show new times for the same rows (after a move or a lock): no reset, so the
        view keeps its selection and scroll position."""
        self._plan = plan
        rows = self._collect()
        if len(rows) != len(self._rows):
            self.set_plan(plan, self._day)
            return
        self._rows = rows
        if rows:
            last = self.index(len(rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _collect(self) -> list[tuple[int, Visit]]:
        if self._plan is None:
            return []
        days = range(len(self._plan.days)) if self._day is None else [self._day]
        return [(d, visit) for d in days for visit in self._plan.days[d].visits]

    def visit(self, row: int) -> tuple[int, Visit]:
        """``(day index, visit)`` of ``row``."""
        return self._rows[row]

    def row_of(self, day: int, stop_id: str) -> int:
        """The row of a stop on a day, or -1."""
        return next(
            (r for r, (d, v) in enumerate(self._rows) if d == day and v.stop.id == stop_id), -1
        )

    # -- the table ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Text.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return Text.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return Text.HEADER_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        day, visit = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == LOCK:
            return Qt.CheckState.Checked if visit.locked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), day, visit, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (ACCOUNT, ADDRESS):
                return f"{visit.stop.name}\n{visit.stop.address}".strip()
            return Text.HEADER_TIPS[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (NUMBER, ARRIVE, LEG, WAIT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: int, day: int, visit: Visit, column: int) -> str:
        if column == NUMBER:
            number = self._number(row, day)
            if self._day is None and self._plan is not None and len(self._plan.days) > 1:
                return f"{self._plan.days[day].date:%a} {number}"
            return str(number)
        if column == ARRIVE:
            return clock(visit.arrival_s)
        if column == VISIT:
            return f"{clock(visit.start_s)}–{clock(visit.departure_s)}"
        if column == ACCOUNT:
            return visit.stop.name
        if column == ADDRESS:
            return visit.stop.address
        if column == LEG:
            return Text.LEG.format(km=visit.leg_m / 1000, min=round(visit.leg_s / 60))
        if column == WAIT:
            return f"{round(visit.wait_s / 60)} min" if visit.wait_s else ""
        return ""

    def _number(self, row: int, day: int) -> int:
        return sum(1 for d, _ in self._rows[: row + 1] if d == day)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows, never on one (items are not drop targets).
            return Qt.ItemFlag.ItemIsDropEnabled if self.movable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.movable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == LOCK:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != LOCK:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        day, visit = self._rows[index.row()]
        locked = Qt.CheckState(value) == Qt.CheckState.Checked
        if locked != visit.locked:
            self.lock_toggled.emit(day, visit.stop.id, locked)
        return True

    # -- moving rows ------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: list) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data = QMimeData()
        data.setData(MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """Move the dragged row before ``row`` (the end when ``row`` is -1)."""
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME) or not self.movable:
            return False
        text = bytes(data.data(MIME).data()).decode()
        rows = [int(r) for r in text.split(",") if r]
        if len(rows) != 1:
            return False
        target = parent.row() if parent.isValid() else row
        if target < 0:
            target = len(self._rows)
        self.moveRows(QModelIndex(), rows[0], 1, QModelIndex(), target)
        # True, yet nothing is removed afterwards: the view's clean-up after a move calls
        # removeRows, which this model does not support.
        return True

    def moveRows(self, source: Index, first: int, count: int, destination: Index, to: int) -> bool:
        """Move rows within the listed day, then ask for that day's new order."""
        from terrmap.routing.reorder import moved

        if source.isValid() or destination.isValid() or not self.movable or count != 1:
            return False
        if not (0 <= first < len(self._rows) and 0 <= to <= len(self._rows)):
            return False
        if to in (first, first + 1):
            return False  # dropped where it was
        self.beginMoveRows(QModelIndex(), first, first, QModelIndex(), to)
        self._rows = moved(self._rows, first, 1, to)
        self.endMoveRows()
        day = self._rows[0][0]
        self.order_changed.emit(day, [v.stop.id for _, v in self._rows])
        return True


class StopTable(QTableView):
    """The stop list: whole-row selection, drag to reorder, Ctrl+↑/↓ to move a stop.

    Signals
    -------
    stop_selected(stop_id)
        The current row changed (``None``: nothing selected).
    """

    stop_selected = Signal(object)

    def __init__(self, model: StopListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setObjectName("routeStops")
        self.setToolTip(Text.TABLE_TIP)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # DragDrop rather than InternalMove: the same moves (the model takes only its own
        # rows, and only as a move), but a drop is also taken when Qt knows no drag source,
        # as in the tests, where the offscreen platform delivers no drop of its own.
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        for column in range(len(Text.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACCOUNT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ADDRESS, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(ACCOUNT, ACCOUNT_WIDTH)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        model.modelReset.connect(lambda: self.stop_selected.emit(None))

    def stop_model(self) -> StopListModel:
        """The model (typed)."""
        model = self.model()
        assert isinstance(model, StopListModel)
        return model

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.stop_selected.emit(None)
            return
        _day, visit = self.stop_model().visit(current.row())
        self.stop_selected.emit(visit.stop.id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        row = self.currentIndex().row()
        if control and key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and row >= 0:
            to = row - 1 if key == Qt.Key.Key_Up else row + 2
            if 0 <= to <= self.stop_model().rowCount():
                self.stop_model().moveRows(QModelIndex(), row, 1, QModelIndex(), to)
            event.accept()
            return
        super().keyPressEvent(event)
