"""The territory table view: sortable, edited in place, and a drop target.

Rows come from `TerritoryTableModel` (see `terrmap.ui.territory_model`). The table is
also where a dragged map selection can be dropped: it highlights the row under the
pointer and reports which territory the selection was dropped on.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QMetaType,
    QModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHeaderView,
    QItemEditorCreatorBase,
    QItemEditorFactory,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from terrmap.ui.drag import DraggedSelection
from terrmap.ui.territory_model import (
    NAME_COLUMN,
    OWNER_COLUMN,
    SORT_ROLE,
    AnyIndex,
    TerritoryTableModel,
    Text,
    format_number,
    metric_header,
    wrapped_header,
)

# Re-exported: the window and tests know these by this module.
__all__ = [
    "SORT_ROLE",
    "TerritoryTable",
    "TerritoryTableModel",
    "Text",
    "format_number",
    "metric_header",
    "wrapped_header",
]


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


def drop_tint(accent: QColor) -> QColor:
    """The fill of the row a selection would be dropped on."""
    tint = QColor(accent)
    tint.setAlpha(56)
    return tint


class _OwnerEditor(QItemEditorCreatorBase):
    """Makes the rep editor: a line edit that suggests the project's reps; empty = vacant.

    An editor factory, not a ``QStyledItemDelegate`` subclass: Qt calls a Python
    delegate for every cell it paints, which made each table repaint ~10 ms slower; the
    factory runs only when an edit starts.
    """

    def __init__(self, table: QTableView) -> None:
        super().__init__()
        self._table = table

    def createWidget(self, parent: QWidget) -> QWidget:
        editor = QLineEdit(parent)
        editor.setPlaceholderText(Text.OWNER_PLACEHOLDER)
        model = self._table.model()
        source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
        if isinstance(source, TerritoryTableModel):
            completer = QCompleter(source.known_owners(), editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            editor.setCompleter(completer)
        return editor

    def valuePropertyName(self) -> QByteArray:
        return QByteArray(b"text")


def _owner_delegate(table: QTableView) -> tuple[QStyledItemDelegate, object]:
    """A plain delegate whose text editor is `_OwnerEditor`, and what must stay alive
    with it (the factory does not own its creator, nor the delegate its factory)."""
    creator = _OwnerEditor(table)
    factory = QItemEditorFactory()
    factory.registerEditor(QMetaType.Type.QString.value, creator)
    delegate = QStyledItemDelegate(table)
    delegate.setItemEditorFactory(factory)
    return delegate, (factory, creator)


class TerritoryTable(QTableView):
    """The territory table view (sortable by any column) and drop target for selections.

    Signals
    -------
    drag_hovered(territory_id)
        A dragged map selection moved onto another row (None: the Unassigned row).
    drag_left()
        The dragged selection is over no row any more (left, dropped or cancelled).
    selection_dropped(territory_id)
        The dragged selection was dropped on that row (None: the Unassigned row).
    """

    drag_hovered = Signal(object)
    drag_left = Signal()
    selection_dropped = Signal(object)

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
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # No edit on a plain key press: typing jumps to a territory by name instead.
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        # Whole rows are selected, so the dotted focus frame of a cell only adds noise.
        # (A stylesheet, not a Python delegate: a delegate's paint() runs in Python for
        # every cell and made a repaint of the table cost tens of ms.)
        self.setStyleSheet("QTableView { outline: 0; }")
        owner_delegate, self._owner_editor = _owner_delegate(self)
        self.setItemDelegateForColumn(OWNER_COLUMN, owner_delegate)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # the whole target row is highlighted instead
        self._drop_row: int | None = None  # source row under a dragged selection

    def set_source(self, model: TerritoryTableModel | None) -> None:
        """Show ``model`` (or nothing)."""
        old = self.source()
        if old is not None:
            old.territories_changed.disconnect(self._territories_changed)
            old.disconnect_document()
            old.deleteLater()
        self._proxy.setSourceModel(model)
        if model is not None:
            model.territories_changed.connect(self._territories_changed)
            self.setColumnHidden(OWNER_COLUMN, model.owner_is_redundant())
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

    # -- rows in source (project) order -------------------------------------------
    def view_index(self, row: int, column: int = NAME_COLUMN) -> QModelIndex:
        """The view's index of a source row and column (invalid without a model)."""
        source = self.source()
        if source is None or not 0 <= row < source.rowCount():
            return QModelIndex()
        return self._proxy.mapFromSource(source.index(row, column))

    def current_row(self) -> int | None:
        """Source row of the current index, if any."""
        index = self.currentIndex()
        return self._proxy.mapToSource(index).row() if index.isValid() else None

    def select_row(self, row: int) -> None:
        """Make a source row current and selected, and scroll it into view."""
        index = self.view_index(row)
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def row_at(self, position: QPoint) -> int | None:
        """Source row under a viewport position, if any."""
        index = self.indexAt(position)
        return self._proxy.mapToSource(index).row() if index.isValid() else None

    def row_rect(self, row: int) -> QRect:
        """A source row's rectangle across its cells (empty if not shown)."""
        cell = self.visualRect(self.view_index(row))
        if not cell.isValid():
            return QRect()
        width = min(
            self.viewport().width(), self.horizontalHeader().length() - self.horizontalOffset()
        )
        return QRect(0, cell.top(), width, cell.height())

    def is_drop_target(self, index: AnyIndex) -> bool:
        """Whether a dragged selection would be dropped on this (view) index's row."""
        return self._drop_row is not None and self._proxy.mapToSource(index).row() == self._drop_row

    def _territories_changed(self) -> None:
        model = self.source()
        if model is None:
            return
        self.setColumnHidden(OWNER_COLUMN, model.owner_is_redundant())
        # A longer name or rep widens its column; a width the user chose is never shrunk.
        for column in (NAME_COLUMN, OWNER_COLUMN):
            if self.sizeHintForColumn(column) > self.columnWidth(column):
                self.resizeColumnToContents(column)

    # -- drop target for a dragged map selection ----------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._carries_selection(event):
            super().dragEnterEvent(event)
            return
        # Accept the whole drag even over empty space, so move events keep coming.
        event.acceptProposedAction()
        self._hover(self.row_at(event.position().toPoint()))

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._carries_selection(event):
            super().dragMoveEvent(event)
            return
        position = event.position().toPoint()
        row = self.row_at(position)
        self._hover(row)
        if row is None:
            event.ignore()  # below the last row: nothing to drop on
        else:
            event.acceptProposedAction()
        if self.hasAutoScroll() and self._near_edge(position):
            self.startAutoScroll()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._end_drag()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        model = self.source()
        if not self._carries_selection(event) or model is None:
            super().dropEvent(event)
            return
        row = self.row_at(event.position().toPoint())
        self._end_drag()
        if row is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.selection_dropped.emit(model.territory_id(row))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._drop_row is None:
            return
        rect = self.row_rect(self._drop_row)
        if rect.isEmpty():
            return
        painter = QPainter(self.viewport())
        accent = self.palette().highlight().color()
        painter.fillRect(rect, drop_tint(accent))  # translucent: text and swatch stay readable
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(accent, 2.0))
        painter.drawRoundedRect(QRectF(rect).adjusted(1.5, 1.0, -1.5, -1.0), 4, 4)
        painter.end()

    def _carries_selection(self, event: QDropEvent) -> bool:
        return (
            self.source() is not None and DraggedSelection.from_mime(event.mimeData()) is not None
        )

    def _hover(self, row: int | None) -> None:
        """Track the row under the drag; tell listeners only when it changes."""
        model = self.source()
        if row == self._drop_row or model is None:
            return
        self._drop_row = row
        self.viewport().update()
        if row is None:
            self.drag_left.emit()
        else:
            self.drag_hovered.emit(model.territory_id(row))

    def _end_drag(self) -> None:
        self.stopAutoScroll()
        if self._drop_row is not None:
            self._drop_row = None
            self.viewport().update()
            self.drag_left.emit()

    def _near_edge(self, position: QPoint) -> bool:
        margin = self.autoScrollMargin()
        return position.y() < margin or position.y() > self.viewport().height() - margin
