"""The Territory panel: a toolbar of territory edits above the territory table.

The panel never changes the project. Every action ends in a core edit emitted by
``edit_requested``; the window pushes it on its undo stack, the project announces the
change and the table refreshes from that (STYLE §2). The table is also the drop target
for a selection dragged off the map; the panel passes its drag signals on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QToolButton, QVBoxLayout, QWidget

from terrmap.core.commands import AddTerritory, RemoveTerritory, UpdateTerritory
from terrmap.core.palette import next_free_color
from terrmap.core.territory import Territory
from terrmap.ui import icons
from terrmap.ui import territory_dialogs as dialogs
from terrmap.ui.territory_model import NAME_COLUMN, TerritoryTableModel
from terrmap.ui.territory_table import TerritoryTable

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project


class Text:
    """User-visible strings of the territory panel."""

    # Actions: key → (menu text, tip). Toolbar buttons show the icon; "add" its text too.
    ACTIONS: ClassVar[dict[str, tuple[str, str]]] = {
        "add": ("&Add Territory…", "Add a territory"),
        "rename": ("&Rename", "Rename the territory (or double-click its name)"),
        "recolor": ("&Colour", "Change the territory's colour"),
        "owner": ("Change &Rep…", "Change the rep who owns the territory"),
        "vacant": ("Make &Vacant", "Take the rep off the territory; its units stay in it"),
        "delete": ("&Delete Territory…", "Delete the territory; its units become unassigned"),
        "zoom": ("&Zoom to Territory", "Zoom the map to the territory (Enter)"),
    }
    NEW_NAME = "Territory {number}"
    TIP_WITH_KEY = "{tip} ({key})"


ICON_SIZE = 16
ICON_COLOR = "#3A4450"  # the stroke colour of the icon set
ICON_DISABLED = "#AEB5BD"
ID_PATTERN = re.compile(r"^(.*?)(\d+)$")
DEFAULT_ID_PREFIX = "T"
DEFAULT_ID_DIGITS = 2

# Actions that need a territory row (not Unassigned, not nothing).
_NEED_TERRITORY = ("rename", "recolor", "owner", "vacant", "delete", "zoom")


def next_territory_id(ids: Iterable[str]) -> str:
    """A new unique id in the style of ``ids``: after T01…T12 comes T13.

    The most common prefix and its widest number set the style, so a project whose
    ids are ``T1``…``T9`` gets ``T10`` and an empty one ``T01``.
    """
    taken = set(ids)
    numbered = [m for m in map(ID_PATTERN.match, taken) if m]
    if numbered:
        prefix = Counter(m.group(1) for m in numbered).most_common(1)[0][0]
        same = [m for m in numbered if m.group(1) == prefix]
        digits = max(len(m.group(2)) for m in same)
        number = max(int(m.group(2)) for m in same) + 1
    else:
        prefix, digits, number = DEFAULT_ID_PREFIX, DEFAULT_ID_DIGITS, 1
    while f"{prefix}{number:0{digits}d}" in taken:
        number += 1
    return f"{prefix}{number:0{digits}d}"


class TerritoryPanel(QWidget):
    """Toolbar + territory table; emits edits instead of changing the project.

    Signals
    -------
    edit_requested(edit)
        A core edit to apply through the undo stack.
    active_territory_changed(territory_id)
        The current row changed to another territory (None: Unassigned or no row).
    zoom_requested(territory_id)
        Zoom the map to this territory.
    selection_dropped(territory_id)
        A dragged map selection was dropped on this row (None: the Unassigned row).
    drag_hovered(territory_id)
        A dragged map selection moved onto this row (None: the Unassigned row).
    drag_left()
        The dragged selection is over no row any more (left, dropped or cancelled).
    """

    edit_requested = Signal(object)
    active_territory_changed = Signal(object)
    zoom_requested = Signal(str)
    selection_dropped = Signal(object)
    drag_hovered = Signal(object)
    drag_left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = TerritoryTable(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.activated.connect(self._activated)
        self.table.drag_hovered.connect(self.drag_hovered)
        self.table.drag_left.connect(self.drag_left)
        self.table.selection_dropped.connect(self.selection_dropped)
        # The view keeps one selection model for its whole life (the proxy stays).
        self.table.selectionModel().currentRowChanged.connect(self._sync_active)
        self._active: str | None = None
        self.territory_actions = self._build_actions()
        self.color_menu = dialogs.ColorMenu(Text.ACTIONS["recolor"][0], self)
        self.color_menu.setIcon(self.territory_actions["recolor"].icon())
        self.color_menu.aboutToShow.connect(self._mark_current_color)
        self.color_menu.color_chosen.connect(self._recolor)
        self.color_menu.other_requested.connect(self._ask_other_color)
        self.territory_actions["recolor"].setMenu(self.color_menu)
        self.toolbar = self._build_toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.table, 1)
        self._update_actions()

    # -- document ---------------------------------------------------------------------
    def set_source(self, project: Project | None, metrics: TerritoryMetrics | None) -> None:
        """Show ``project`` with its live ``metrics`` (or nothing when either is None)."""
        model = None
        if project is not None and metrics is not None:
            model = TerritoryTableModel(project, metrics, self.table)
        self.table.set_source(model)
        if model is not None:
            # Connected after the table's proxy, so the view is up to date when they run.
            model.edit_requested.connect(self.edit_requested)
            model.dataChanged.connect(self._update_actions)  # vacancy, units
            model.rowsRemoved.connect(self._sync_active)
            model.rowsInserted.connect(self._sync_active)
        self._sync_active()

    @property
    def model(self) -> TerritoryTableModel | None:
        """The table's model, if a project is shown."""
        return self.table.source()

    def active_territory_id(self) -> str | None:
        """The current row's territory; None for the Unassigned row or no row."""
        model, row = self.model, self.table.current_row()
        return None if model is None or row is None else model.territory_id(row)

    def select_territory(self, territory_id: str) -> None:
        """Make a territory's row the current one."""
        if self.model is not None and (row := self.model.row_of(territory_id)) >= 0:
            self.table.select_row(row)

    def ideal_width(self) -> int:
        """Width that shows every table column and the whole toolbar."""
        return max(self.table.ideal_width(), self.toolbar.sizeHint().width())

    # -- actions ------------------------------------------------------------------------
    def _build_actions(self) -> dict[str, QAction]:
        slots: dict[str, Callable[[], None]] = {
            "add": self._add,
            "rename": self._rename,
            "owner": self._ask_owner,
            "vacant": self._make_vacant,
            "delete": self._delete,
            "zoom": self._zoom,
        }
        keys = {
            "add": QKeySequence(Qt.Key.Key_Insert),
            "rename": QKeySequence(Qt.Key.Key_F2),
            "delete": QKeySequence(QKeySequence.StandardKey.Delete),
        }
        actions = {}
        for key in Text.ACTIONS:
            text, tip = Text.ACTIONS[key]
            action = QAction(panel_icon(key), text, self)
            action.setStatusTip(tip)
            if key in keys:
                action.setShortcut(keys[key])
                # Only while the panel has focus: Delete on the map means something else.
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                tip = Text.TIP_WITH_KEY.format(
                    tip=tip, key=keys[key].toString(QKeySequence.SequenceFormat.NativeText)
                )
            action.setToolTip(tip)
            if key in slots:  # "recolor" opens its colour menu instead
                action.triggered.connect(slots[key])
            self.addAction(action)  # shortcuts work without a menu or button showing them
            actions[key] = action
        return actions

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar(self)
        toolbar.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.setMovable(False)
        actions = self.territory_actions
        toolbar.addAction(actions["add"])
        add_button = toolbar.widgetForAction(actions["add"])
        add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addSeparator()
        toolbar.addActions([actions[k] for k in ("rename", "recolor", "owner", "delete")])
        recolor = toolbar.widgetForAction(actions["recolor"])
        recolor.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(actions["zoom"])
        return toolbar

    def context_menu(self) -> QMenu:
        """The menu of the current row (what a right click shows)."""
        actions = self.territory_actions
        menu = QMenu(self)
        menu.addAction(actions["zoom"])
        menu.setDefaultAction(actions["zoom"])
        menu.addSeparator()
        menu.addActions([actions[k] for k in ("rename", "recolor", "owner", "vacant")])
        menu.addSeparator()
        menu.addAction(actions["delete"])
        menu.addSeparator()
        menu.addAction(actions["add"])
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        row = self.table.row_at(position)
        if row is not None:
            self.table.select_row(row)
        else:  # below the rows: a menu for no territory, where only Add makes sense
            self.table.setCurrentIndex(QModelIndex())
            self.table.clearSelection()
        menu = self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _update_actions(self, *_args: object) -> None:
        model = self.model
        territory = self._current_territory()
        for key in _NEED_TERRITORY:
            self.territory_actions[key].setEnabled(territory is not None)
        self.territory_actions["add"].setEnabled(model is not None)
        self.color_menu.setEnabled(territory is not None)
        if territory is not None and model is not None:
            self.territory_actions["vacant"].setEnabled(not territory.vacant)
            units = model.metric_value(model.row_of(territory.id), "units")
            self.territory_actions["zoom"].setEnabled(units > 0)

    def _sync_active(self, *_args: object) -> None:
        """Announce the current territory when it changed (row moved, deleted or replaced)."""
        self._update_actions()
        active = self.active_territory_id()
        if active != self._active:
            self._active = active
            self.active_territory_changed.emit(active)

    def _current_territory(self) -> Territory | None:
        model, row = self.model, self.table.current_row()
        return None if model is None or row is None else model.territory(row)

    # -- what each action does (each ends in edit_requested) ---------------------------
    def _add(self) -> None:
        model = self.model
        if model is None:
            return
        project = model.project
        territory_id = next_territory_id(t.id for t in project.territories)
        draft = dialogs.ask_new_territory(
            self,
            territory_id=territory_id,
            name=_new_name(project),
            color=next_free_color({t.color for t in project.territories}),
            known_owners=model.known_owners(),
        )
        if draft is None or not draft.name:
            return
        territory = Territory(territory_id, draft.name, draft.owner, draft.color)
        self.edit_requested.emit(AddTerritory(territory))
        self.select_territory(territory_id)

    def _rename(self) -> None:
        row = self.table.current_row()
        if self._current_territory() is not None and row is not None:
            index = self.table.view_index(row, NAME_COLUMN)
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    def _recolor(self, color: str) -> None:
        territory = self._current_territory()
        if territory is not None and color.upper() != territory.color.upper():
            self.edit_requested.emit(UpdateTerritory.of(territory.id, color=color))

    def _ask_other_color(self) -> None:
        territory = self._current_territory()
        if territory is not None and (color := dialogs.ask_color(self, territory.color)):
            self._recolor(color)

    def _mark_current_color(self) -> None:
        territory = self._current_territory()
        self.color_menu.grid.set_current(None if territory is None else territory.color)

    def _ask_owner(self) -> None:
        territory, model = self._current_territory(), self.model
        if territory is None or model is None:
            return
        owner = dialogs.ask_owner(self, territory.name, territory.owner, model.known_owners())
        if owner is not None and owner != territory.owner:
            self.edit_requested.emit(UpdateTerritory.of(territory.id, owner=owner))

    def _make_vacant(self) -> None:
        territory = self._current_territory()
        if territory is not None and not territory.vacant:
            self.edit_requested.emit(UpdateTerritory.of(territory.id, owner=""))

    def _delete(self) -> None:
        territory, model = self._current_territory(), self.model
        if territory is None or model is None:
            return
        units = round(model.metric_value(model.row_of(territory.id), "units"))
        if dialogs.confirm_delete(self, territory.name, units):
            self.edit_requested.emit(RemoveTerritory(territory.id))

    def _zoom(self) -> None:
        territory_id = self.active_territory_id()
        if territory_id is not None and self.territory_actions["zoom"].isEnabled():
            self.zoom_requested.emit(territory_id)

    def _activated(self, index: QModelIndex) -> None:
        # Enter, or a double-click on a cell that is not edited in place (the numbers).
        if index.isValid():
            self._zoom()


def _new_name(project: Project) -> str:
    names = {t.name for t in project.territories}
    number = len(project.territories) + 1
    while Text.NEW_NAME.format(number=number) in names:
        number += 1
    return Text.NEW_NAME.format(number=number)


# -- icons ----------------------------------------------------------------------------
# Panel action → icon of the app's set (`terrmap.ui.icons`). The set has no "rep" icon
# yet, so that one is drawn here in the set's style.
_SET_ICONS = {
    "add": "add-territory",
    "rename": "rename",
    "recolor": "recolor",
    "vacant": "vacant",
    "delete": "delete",
    "zoom": "zoom-selection",
}


def panel_icon(key: str) -> QIcon:
    """The icon of a panel action: the one place that decides which icon shows."""
    if key in _SET_ICONS:
        return icons.icon(_SET_ICONS[key])
    return _person_icon()


@cache
def _person_icon() -> QIcon:
    # Drawn like the set's 24-unit line icons (2-unit round strokes), at 1× and 2×.
    icon = QIcon()
    for ratio in (1, 2):
        for mode, color in ((QIcon.Mode.Normal, ICON_COLOR), (QIcon.Mode.Disabled, ICON_DISABLED)):
            pixmap = QPixmap(ICON_SIZE * ratio, ICON_SIZE * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.scale(ICON_SIZE / 24, ICON_SIZE / 24)
            pen = QPen(QColor(color), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawEllipse(QPointF(12, 7.5), 3.5, 3.5)
            shoulders = QPainterPath(QPointF(5, 20))
            shoulders.cubicTo(QPointF(5, 15.5), QPointF(8, 14), QPointF(12, 14))
            shoulders.cubicTo(QPointF(16, 14), QPointF(19, 15.5), QPointF(19, 20))
            painter.drawPath(shoulders)
            painter.end()
            icon.addPixmap(pixmap, mode)
    return icon
