"""The Territory panel on the sample: every edit through the real widgets, then undo.

The panel only emits edits; here they go through a real QUndoStack as in the window.
Modal dialogs are the only thing patched (they would block an offscreen test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QUndoStack,
)
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox

import terrmap.ui.territory_dialogs as dialogs
from terrmap.core.metrics import TerritoryMetrics
from terrmap.core.palette import TERRITORY_COLORS, next_free_color
from terrmap.sample import load_sample_project
from terrmap.ui.drag import DraggedSelection
from terrmap.ui.territory_dialogs import OwnerDialog, TerritoryDialog, TerritoryDraft
from terrmap.ui.territory_model import NAME_COLUMN, OWNER_COLUMN, SWATCH_SIZE, Text
from terrmap.ui.territory_panel import TerritoryPanel, next_territory_id
from terrmap.ui.undo import push_edit
from tests.ui.helpers import rgb

# Menus and completer pop-ups ask the window system to raise them and grab the keyboard,
# which the headless platform cannot do; that is a limit of the platform, not the panel.
# (A test's own marker replaces the one conftest adds, so that one is repeated here.)
POPUPS = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise", "does not support grabbing"
)


@dataclass
class Setup:
    panel: TerritoryPanel
    project: object
    metrics: TerritoryMetrics
    stack: QUndoStack


@pytest.fixture
def setup(qtbot) -> Setup:
    # The bundled sample's project alone: the panel needs no map scene (the slow part).
    project = load_sample_project()
    metrics = TerritoryMetrics(project)  # before the panel, as in the window
    panel = TerritoryPanel()
    qtbot.addWidget(panel)
    stack = QUndoStack(panel)
    panel.edit_requested.connect(lambda edit: push_edit(stack, project, edit))
    panel.set_source(project, metrics)
    panel.resize(720, 480)
    panel.show()
    qtbot.waitExposed(panel)
    yield Setup(panel, project, metrics, stack)
    panel.set_source(None, None)
    metrics.disconnect()


def _click(qtbot, panel: TerritoryPanel, key: str) -> None:
    button = panel.toolbar.widgetForAction(panel.territory_actions[key])
    assert button.isEnabled(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _units_of(project, territory_id: str | None) -> set[str]:
    owners = np.array(project.territory_of_units(), dtype=object)
    return set(project.units.ids[owners == territory_id])


def _commit(qtbot, table, editor) -> None:
    """Press Enter in a cell editor; the delegate commits on the next event-loop turn."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)


def _double_click(qtbot, table, position: QPoint) -> None:
    # QTest's double click alone yields only a press here; a click first completes it.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=position)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=position)


def _swatch(model, row: int) -> QImage:
    icon = model.data(model.index(row, NAME_COLUMN), Qt.ItemDataRole.DecorationRole)
    return icon.pixmap(QSize(SWATCH_SIZE, SWATCH_SIZE)).toImage()


def _cell_centre(panel: TerritoryPanel, row: int, column: int) -> QPoint:
    return panel.table.visualRect(panel.table.view_index(row, column)).center()


# -- rows -------------------------------------------------------------------------------
def test_rows_show_territories_then_a_hatched_unassigned_row(setup) -> None:
    model, project = setup.panel.model, setup.project
    assert model.rowCount() == len(project.territories) + 1
    last = model.rowCount() - 1
    assert model.data(model.index(last, NAME_COLUMN)) == Text.UNASSIGNED
    assert not model.flags(model.index(last, NAME_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(0, NAME_COLUMN)) & Qt.ItemFlag.ItemIsEditable

    swatch = _swatch(model, last)
    colours = {swatch.pixelColor(x, y).name() for x in range(3, 9) for y in range(3, 9)}
    assert len(colours) >= 2  # grey with hatching, not one flat grey
    first = _swatch(model, 0)
    centre = first.pixelColor(first.width() // 2, first.height() // 2).name().upper()
    assert centre == project.territories[0].color.upper()


def test_vacant_rep_shows_in_italics(setup) -> None:
    panel, project, model = setup.panel, setup.project, setup.panel.model
    panel.select_territory("T02")
    panel.territory_actions["vacant"].trigger()
    assert project.territory("T02").owner == ""
    index = model.index(1, OWNER_COLUMN)
    assert model.data(index) == Text.VACANT
    assert model.data(index, Qt.ItemDataRole.FontRole).italic()
    assert not panel.territory_actions["vacant"].isEnabled()
    setup.stack.undo()
    assert project.territory("T02").owner == "Gabriel Nakamura"
    assert model.data(index, Qt.ItemDataRole.FontRole) is None


# -- add --------------------------------------------------------------------------------
def test_add_territory_from_the_toolbar_and_undo(setup, qtbot, monkeypatch) -> None:
    panel, project = setup.panel, setup.project
    asked = {}

    def answer(_parent, **kwargs):
        asked.update(kwargs)
        return TerritoryDraft("Worcester", "Ada Byrne", "#117733")

    monkeypatch.setattr(dialogs, "ask_new_territory", answer)
    with qtbot.waitSignal(panel.active_territory_changed) as active:
        _click(qtbot, panel, "add")
    assert asked["territory_id"] == "T13"
    assert asked["color"] == next_free_color({t.color for t in project.territories[:12]})
    assert asked["name"] == "Territory 13"
    assert "Keisha Ashworth" in asked["known_owners"]

    added = project.territory("T13")
    assert (added.name, added.owner, added.color) == ("Worcester", "Ada Byrne", "#117733")
    assert panel.model.rowCount() == 14
    assert panel.model.is_unassigned_row(13)
    assert active.args == ["T13"]
    assert panel.active_territory_id() == "T13"
    assert setup.stack.undoText() == "Add territory Worcester"

    setup.stack.undo()
    assert not project.has_territory("T13")
    assert panel.model.rowCount() == 13
    setup.stack.redo()
    assert project.territory("T13").name == "Worcester"


def test_cancelling_the_add_dialog_changes_nothing(setup, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "ask_new_territory", lambda *_a, **_k: None)
    _click(qtbot, setup.panel, "add")
    assert len(setup.project.territories) == 12
    assert setup.stack.count() == 0


def test_new_ids_follow_the_projects_style() -> None:
    assert next_territory_id([f"T{i:02d}" for i in range(1, 13)]) == "T13"
    assert next_territory_id(["T1", "T2", "T9"]) == "T10"
    assert next_territory_id(["T01", "T02", "East"]) == "T03"
    assert next_territory_id([]) == "T01"
    assert next_territory_id(["North", "South"]) == "T01"


# -- rename -----------------------------------------------------------------------------
def test_rename_by_typing_in_the_name_cell_and_undo(setup, qtbot) -> None:
    panel, project = setup.panel, setup.project
    table = panel.table
    index = table.view_index(0, NAME_COLUMN)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Greater  Boston ")
    _commit(qtbot, table, editor)

    assert project.territory("T01").name == "Greater Boston"
    assert panel.model.data(panel.model.index(0, NAME_COLUMN)) == "Greater Boston"
    assert setup.stack.count() == 1
    setup.stack.undo()
    assert project.territory("T01").name == "Boston"


def test_f2_and_the_rename_button_open_the_name_editor(setup, qtbot) -> None:
    panel, table = setup.panel, setup.panel.table
    panel.select_territory("T04")
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    assert table.state() == table.State.EditingState
    editor = QApplication.focusWidget()
    assert editor.text() == "Hartford"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert table.state() != table.State.EditingState

    _click(qtbot, panel, "rename")
    assert table.state() == table.State.EditingState
    assert table.currentIndex().column() == NAME_COLUMN


def test_cell_edits_only_ask_for_edits(setup, qtbot) -> None:
    """setData emits an edit and leaves the project alone; empty names are refused."""
    model, project = setup.panel.model, setup.project
    model.edit_requested.disconnect()  # nobody applies the request now
    with qtbot.waitSignal(model.edit_requested) as request:
        assert model.setData(model.index(0, NAME_COLUMN), "Cambridge")
    assert project.territory("T01").name == "Boston"
    assert request.args[0].describe() == "Change name of T01"
    with qtbot.assertNotEmitted(model.edit_requested):
        assert not model.setData(model.index(0, NAME_COLUMN), "   ")
        assert not model.setData(model.index(0, NAME_COLUMN), "Boston")
        assert not model.setData(model.index(12, NAME_COLUMN), "Nowhere")


# -- rep --------------------------------------------------------------------------------
def test_change_rep_from_the_toolbar_and_undo(setup, qtbot, monkeypatch) -> None:
    panel, project = setup.panel, setup.project
    asked = []

    def answer(_parent, name, owner, known):
        asked.append((name, owner))
        return "Priya Raman"

    monkeypatch.setattr(dialogs, "ask_owner", answer)
    panel.select_territory("T05")
    _click(qtbot, panel, "owner")
    assert asked == [("New York City", "Sofia Fairbanks")]
    assert project.territory("T05").owner == "Priya Raman"
    setup.stack.undo()
    assert project.territory("T05").owner == "Sofia Fairbanks"


def test_clearing_the_rep_cell_makes_the_territory_vacant(setup, qtbot) -> None:
    panel, project, table = setup.panel, setup.project, setup.panel.table
    index = table.view_index(2, OWNER_COLUMN)
    _double_click(qtbot, table, table.visualRect(index).center())
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "Marcus Hollis"
    assert editor.completer() is not None
    editor.clear()
    _commit(qtbot, table, editor)
    assert project.territory("T03").vacant
    assert panel.model.data(panel.model.index(2, OWNER_COLUMN)) == Text.VACANT
    setup.stack.undo()
    assert project.territory("T03").owner == "Marcus Hollis"


# -- colour -----------------------------------------------------------------------------
@POPUPS
def test_recolour_from_the_palette_menu_and_undo(setup, qtbot) -> None:
    panel, project = setup.panel, setup.project
    panel.select_territory("T06")
    new_color = TERRITORY_COLORS[12]
    menu = panel.color_menu
    seen = []

    def pick() -> None:
        # The menu is open (modal); click a swatch like the user would.
        seen.append(menu.isVisible())
        seen.append(menu.grid.current())
        qtbot.mouseClick(menu.grid.buttons[12], Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, pick)
    _click(qtbot, panel, "recolor")
    assert seen == [True, "#AA3377"]  # the menu marked the current colour
    assert project.territory("T06").color == new_color
    assert not menu.isVisible()
    setup.stack.undo()
    assert project.territory("T06").color == "#AA3377"


@POPUPS
def test_recolour_with_any_colour_from_other(setup, qtbot, monkeypatch) -> None:
    panel, project = setup.panel, setup.project
    monkeypatch.setattr(dialogs, "ask_color", lambda _parent, current: "#123456")
    panel.select_territory("T01")
    menu = panel.color_menu

    def choose_other() -> None:
        where = menu.actionGeometry(menu.other_action).center()
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=where)

    QTimer.singleShot(0, choose_other)
    _click(qtbot, panel, "recolor")
    assert project.territory("T01").color == "#123456"
    image = _swatch(panel.model, 0)
    assert image.pixelColor(image.width() // 2, image.height() // 2).rgb() & 0xFFFFFF == rgb(
        "#123456"
    )


# -- delete -----------------------------------------------------------------------------
def test_delete_unassigns_the_units_and_undo_restores_them(setup, qtbot, monkeypatch) -> None:
    panel, project, metrics = setup.panel, setup.project, setup.metrics
    asked = []
    monkeypatch.setattr(
        dialogs, "confirm_delete", lambda _parent, name, units: asked.append((name, units)) or True
    )
    members = _units_of(project, "T02")
    unassigned_before = _units_of(project, None)
    panel.select_territory("T02")
    _click(qtbot, panel, "delete")

    assert asked == [("Portland ME", len(members))]
    assert not project.has_territory("T02")
    assert _units_of(project, None) == unassigned_before | members
    assert metrics.unassigned("units") == len(unassigned_before | members)
    model = panel.model
    assert model.rowCount() == 12
    unassigned = model.index(11, 2)  # the units column of the last row
    assert model.data(unassigned, Qt.ItemDataRole.DisplayRole) == str(len(members))
    assert panel.active_territory_id() != "T02"

    setup.stack.undo()
    assert project.territory("T02").name == "Portland ME"
    assert _units_of(project, "T02") == members
    assert model.rowCount() == 13
    assert model.data(model.index(1, NAME_COLUMN)) == "Portland ME"


def test_declining_the_delete_question_keeps_the_territory(setup, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "confirm_delete", lambda *_args: False)
    setup.panel.select_territory("T02")
    setup.panel.table.setFocus()
    qtbot.keyClick(setup.panel.table, Qt.Key.Key_Delete)  # the shortcut asks too
    assert setup.project.has_territory("T02")
    assert setup.stack.count() == 0


def test_delete_key_while_typing_a_name_edits_the_text(setup, qtbot, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(dialogs, "confirm_delete", lambda *args: asked.append(args) or True)
    table = setup.panel.table
    index = table.view_index(0, NAME_COLUMN)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = QApplication.focusWidget()
    editor.setCursorPosition(0)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert editor.text() == "oston"
    assert asked == []


# -- what is enabled where ------------------------------------------------------------
def test_actions_follow_the_current_row(setup, qtbot) -> None:
    panel = setup.panel
    territory_only = ("rename", "recolor", "owner", "vacant", "delete", "zoom")
    panel.table.select_row(2)
    with qtbot.waitSignal(panel.active_territory_changed) as active:
        panel.table.select_row(12)  # Unassigned
    assert active.args == [None]
    assert panel.active_territory_id() is None
    for key in territory_only:
        assert not panel.territory_actions[key].isEnabled(), key
    assert panel.territory_actions["add"].isEnabled()

    with qtbot.waitSignal(panel.active_territory_changed) as active:
        panel.table.select_row(3)
    assert active.args == ["T04"]
    for key in territory_only:
        assert panel.territory_actions[key].isEnabled(), key

    panel.set_source(None, None)
    assert panel.active_territory_id() is None
    assert not any(a.isEnabled() for a in panel.territory_actions.values())


def test_context_menu_offers_the_row_actions(setup) -> None:
    panel = setup.panel
    panel.table.select_row(12)
    menu = panel.context_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[0] == "&Zoom to Territory"
    assert "&Delete Territory…" in texts
    assert "Make &Vacant" in texts
    assert not panel.territory_actions["delete"].isEnabled()


@POPUPS
def test_right_click_selects_the_row_and_runs_a_menu_action(setup, qtbot, monkeypatch) -> None:
    panel, project = setup.panel, setup.project

    def choose_vacant() -> None:
        menu = QApplication.activePopupWidget()
        qtbot.mouseClick(
            menu,
            Qt.MouseButton.LeftButton,
            pos=menu.actionGeometry(panel.territory_actions["vacant"]).center(),
        )

    QTimer.singleShot(0, choose_vacant)
    # QTest clicks bypass the window system, which makes context-menu events; send one.
    viewport = panel.table.viewport()
    at = _cell_centre(panel, 7, 3)
    menu_event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, menu_event)
    assert panel.active_territory_id() == "T08"
    assert project.territory("T08").vacant


# -- zoom -------------------------------------------------------------------------------
def test_double_click_on_a_number_or_enter_zooms_double_click_on_a_name_edits(setup, qtbot) -> None:
    panel, table = setup.panel, setup.panel.table
    with qtbot.waitSignal(panel.zoom_requested) as zoom:
        _double_click(qtbot, table, _cell_centre(panel, 4, 3))
    assert zoom.args == ["T05"]

    with qtbot.waitSignal(panel.zoom_requested) as zoom:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert zoom.args == ["T05"]

    with qtbot.assertNotEmitted(panel.zoom_requested):
        _double_click(qtbot, table, _cell_centre(panel, 1, NAME_COLUMN))
    assert table.state() == table.State.EditingState


def test_zoom_button_and_a_territory_without_units(setup, qtbot, monkeypatch) -> None:
    panel = setup.panel
    panel.select_territory("T09")
    with qtbot.waitSignal(panel.zoom_requested) as zoom:
        _click(qtbot, panel, "zoom")
    assert zoom.args == ["T09"]

    monkeypatch.setattr(
        dialogs, "ask_new_territory", lambda *_a, **_k: TerritoryDraft("Empty", "", "#117733")
    )
    _click(qtbot, panel, "add")
    assert panel.active_territory_id() == "T13"
    assert not panel.territory_actions["zoom"].isEnabled()  # nothing to zoom to yet


# -- drop target ----------------------------------------------------------------------
def _mime(kind: str = "units", count: int = 7) -> QMimeData:
    return DraggedSelection(kind, count).to_mime()


def _send_drag(table, event_type, position: QPoint, mime: QMimeData):
    where = QPointF(position)
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    if event_type == "enter":
        event = QDragEnterEvent(position, actions, mime, buttons, mods)
    elif event_type == "move":
        event = QDragMoveEvent(position, actions, mime, buttons, mods)
    else:
        event = QDropEvent(where, actions, mime, buttons, mods)
    QApplication.sendEvent(table.viewport(), event)
    return event


def test_dropping_a_selection_on_a_row_reports_its_territory(setup, qtbot) -> None:
    panel, table = setup.panel, setup.panel.table
    hovered, left, dropped = [], [], []
    panel.drag_hovered.connect(hovered.append)
    panel.drag_left.connect(lambda: left.append(True))
    panel.selection_dropped.connect(dropped.append)
    mime = _mime()

    enter = _send_drag(table, "enter", _cell_centre(panel, 2, 3), mime)
    assert enter.isAccepted()
    assert hovered == ["T03"]
    move = _send_drag(table, "move", _cell_centre(panel, 2, 4), mime)  # same row
    assert move.isAccepted()
    assert hovered == ["T03"]
    _send_drag(table, "move", _cell_centre(panel, 6, 2), mime)
    assert hovered == ["T03", "T07"]
    assert table.row_rect(6).contains(_cell_centre(panel, 6, 2))

    drop = _send_drag(table, "drop", _cell_centre(panel, 6, 2), mime)
    assert drop.isAccepted()
    assert dropped == ["T07"]
    assert left == [True]
    assert table._drop_row is None  # highlight gone


def test_dropping_on_the_unassigned_row_reports_none(setup) -> None:
    panel, table = setup.panel, setup.panel.table
    hovered, dropped = [], []
    panel.drag_hovered.connect(hovered.append)
    panel.selection_dropped.connect(dropped.append)
    mime = _mime("accounts", 3)
    _send_drag(table, "enter", _cell_centre(panel, 12, 0), mime)
    _send_drag(table, "drop", _cell_centre(panel, 12, 0), mime)
    assert hovered == [None]
    assert dropped == [None]


def test_drop_rows_follow_the_sort_order(setup) -> None:
    panel, table = setup.panel, setup.panel.table
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # units, most first
    dropped = []
    panel.selection_dropped.connect(dropped.append)
    top = table.visualRect(table.model().index(0, 0)).center()
    mime = _mime()
    _send_drag(table, "enter", top, mime)
    _send_drag(table, "drop", top, mime)
    units = setup.metrics.column("units")
    assert dropped == [setup.project.territories[int(np.argmax(units))].id]


def test_leaving_or_empty_space_ends_the_hover(setup) -> None:
    panel, table = setup.panel, setup.panel.table
    hovered, left = [], []
    panel.drag_hovered.connect(hovered.append)
    panel.drag_left.connect(lambda: left.append(True))
    mime = _mime()
    _send_drag(table, "enter", _cell_centre(panel, 0, 0), mime)
    below = QPoint(10, table.viewport().height() - 3)  # under the last row
    move = _send_drag(table, "move", below, mime)
    assert not move.isAccepted()
    assert left == [True]
    _send_drag(table, "move", _cell_centre(panel, 1, 0), mime)
    QApplication.sendEvent(table.viewport(), QDragLeaveEvent())
    assert hovered == ["T01", "T02"]
    assert left == [True, True]


def test_other_drags_are_refused(setup) -> None:
    panel, table = setup.panel, setup.panel.table
    hovered = []
    panel.drag_hovered.connect(hovered.append)
    mime = QMimeData()
    mime.setText("plain text")
    enter = _send_drag(table, "enter", _cell_centre(panel, 0, 0), mime)
    assert not enter.isAccepted()
    assert hovered == []


# -- the dialogs themselves ---------------------------------------------------------------
@POPUPS
def test_add_dialog_collects_name_rep_and_colour(qtbot, monkeypatch) -> None:
    dialog = TerritoryDialog(
        None, territory_id="T13", name="Territory 13", color="#117733", known_owners=["Ann"]
    )
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.swatches.current() == "#117733"
    dialog.name_edit.clear()
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.name_edit, " Cape  Cod ")
    assert ok.isEnabled()
    qtbot.keyClicks(dialog.owner_edit, "Ann Lee")
    qtbot.mouseClick(dialog.swatches.buttons[1], Qt.MouseButton.LeftButton)
    assert dialog.draft() == TerritoryDraft("Cape Cod", "Ann Lee", TERRITORY_COLORS[1])

    monkeypatch.setattr(dialogs, "ask_color", lambda _parent, _current: "#0A0B0C")
    qtbot.mouseClick(dialog.other_button, Qt.MouseButton.LeftButton)
    assert dialog.draft().color == "#0A0B0C"
    assert dialog.swatches.current() is None
    assert not dialog.other_button.icon().isNull()


def test_owner_dialog_returns_the_tidied_rep(qtbot) -> None:
    dialog = OwnerDialog(None, "Boston", "Keisha Ashworth", ["Keisha Ashworth"])
    qtbot.addWidget(dialog)
    assert dialog.owner() == "Keisha Ashworth"
    dialog.owner_edit.setText("  ")
    assert dialog.owner() == ""


@pytest.mark.parametrize("choice", ["Delete", "Cancel"])
def test_confirm_delete_names_the_territory_and_its_units(qtbot, choice) -> None:
    seen = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        seen.append((box.text(), box.informativeText()))
        button = next(b for b in box.buttons() if b.text().replace("&", "") == choice)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)
    assert dialogs.confirm_delete(None, "Albany", 25) is (choice == "Delete")
    assert seen[0][0] == "Delete the territory “Albany”?"
    assert "25 units will become unassigned" in seen[0][1]


def test_confirm_delete_uses_a_warning_box(qtbot) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert box.icon() == QMessageBox.Icon.Warning
        box.reject()

    QTimer.singleShot(0, answer)
    assert dialogs.confirm_delete(None, "Albany", 0) is False


def test_a_longer_name_widens_its_column(setup) -> None:
    table, model = setup.panel.table, setup.panel.model
    before = table.columnWidth(NAME_COLUMN)
    assert model.setData(model.index(0, NAME_COLUMN), "Boston, Cambridge and the North Shore")
    assert table.columnWidth(NAME_COLUMN) > before
