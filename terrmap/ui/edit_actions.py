"""The Edit and Tools actions of the main window: undo/redo, map tools, selection.

Built once per window; they act on whatever document the window holds, through the
window's canvas, selection and `TerritoryEditing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from terrmap.ui.assign_menu import assign_menu
from terrmap.ui.icons import icon
from terrmap.ui.map_tools import ToolKind

if TYPE_CHECKING:
    from terrmap.ui.main_window import MainWindow


class Text:
    """User-visible strings of the Edit and Tools menus."""

    EDIT, TOOLS = "&Edit", "&Tools"
    TOOLBAR = "Map tools"
    UNDO_TIP = "Undo the last edit (Ctrl+Z); the Edit History panel lists every step"
    REDO_TIP = "Redo the edit just undone (Ctrl+Shift+Z)"
    # key → (text, tip, icon, shortcut)
    ACTIONS: ClassVar[dict[str, tuple[str, str, str, str | None]]] = {
        "select": (
            "&Select",
            "Click, Shift-click (add), Ctrl-click (toggle) or drag a rectangle; "
            "drag a selected unit onto another territory to move the selection (S)",
            "select",
            "S",
        ),
        "lasso": (
            "&Lasso",
            "Draw a freehand loop around the units to select (L)",
            "lasso",
            "L",
        ),
        "brush": (
            "Paint &Brush",
            "Paint units into the territory chosen in the Territories panel; "
            "[ and ] change the brush size (B)",
            "brush",
            "B",
        ),
        "zoom_box": (
            "&Zoom Box",
            "Drag a box to zoom to it; click zooms in, Shift-click zooms out (Z)",
            "zoom-box",
            "Z",
        ),
        "pan": (
            "&Pan",
            "Drag to move the map (also: middle or right drag, Space + drag, arrows) (H)",
            "pan",
            "H",
        ),
        "pick_accounts": (
            "Select &Accounts",
            "Select and move individual accounts (named-account overrides) instead of units",
            "account",
            "A",
        ),
        "select_all": ("Select &All Units", "Select every unit", "select-rect", "Ctrl+A"),
        "clear_selection": (
            "&Clear Selection",
            "Select nothing (Esc on the map)",
            "clear-selection",
            "Ctrl+Shift+A",
        ),
        "query": (
            "Select by A&ttribute…",
            "Select units or accounts whose fields meet a condition",
            "query",
            "Ctrl+F",
        ),
        "zoom_selection": (
            "Zoom to Se&lection",
            "Show the selected units or accounts whole",
            "zoom-selection",
            "Ctrl+J",
        ),
    }


class EditActions:
    """Undo/redo, the map tools and the selection commands of one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        stack = window.undo_stack
        self.undo = stack.createUndoAction(window)
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo.setIcon(icon("undo"))
        self.redo = stack.createRedoAction(window)
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo.setIcon(icon("redo"))
        for action, tip in ((self.undo, Text.UNDO_TIP), (self.redo, Text.REDO_TIP)):
            action.setStatusTip(tip)
            action.setToolTip(tip)
        self.actions = {key: self._action(key) for key in Text.ACTIONS}
        self.tools = QActionGroup(window)
        for kind in ToolKind:
            action = self.actions[kind.value.replace("-", "_")]
            action.setCheckable(True)
            action.setData(kind)
            self.tools.addAction(action)
        self.actions["select"].setChecked(True)
        self.tools.triggered.connect(lambda action: window.canvas.set_tool(action.data()))
        window.canvas.tool_changed.connect(self._tool_changed)
        pick = self.actions["pick_accounts"]
        pick.setCheckable(True)
        pick.toggled.connect(self._pick_accounts)
        self.actions["select_all"].triggered.connect(self._select_all)
        self.actions["clear_selection"].triggered.connect(self._clear_selection)
        self.actions["query"].triggered.connect(window.show_query)
        self.actions["zoom_selection"].triggered.connect(window.canvas.zoom_to_selection)

    def _action(self, key: str) -> QAction:
        text, tip, icon_name, shortcut = Text.ACTIONS[key]
        action = QAction(icon(icon_name), text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(f"{text.replace('&', '')} — {tip}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def assign_menu(self) -> QMenu:
        """A fresh "Assign Selection To" submenu."""
        window = self.window
        return assign_menu(
            window, lambda: (window.project, window.selection), window.assign_selection
        )

    def fill_edit_menu(self, menu: QMenu) -> None:
        """Undo, redo, selection commands and the assign submenu."""
        menu.addActions([self.undo, self.redo])
        menu.addSeparator()
        menu.addActions(
            [self.actions[k] for k in ("select_all", "clear_selection", "query", "zoom_selection")]
        )
        menu.addSeparator()
        menu.addMenu(self.assign_menu())

    def fill_tools_menu(self, menu: QMenu) -> None:
        """The map tools, then the accounts toggle."""
        menu.addActions(self.tools.actions())
        menu.addSeparator()
        menu.addAction(self.actions["pick_accounts"])

    def fill_toolbar(self, toolbar: QToolBar) -> None:
        """Undo/redo, tools, accounts toggle, selection and zoom commands."""
        toolbar.addActions([self.undo, self.redo])
        toolbar.addSeparator()
        toolbar.addActions(self.tools.actions())
        toolbar.addAction(self.actions["pick_accounts"])
        toolbar.addSeparator()
        toolbar.addActions([self.actions["query"], self.actions["clear_selection"]])
        toolbar.addAction(self.actions["zoom_selection"])

    def set_enabled(self, has_document: bool) -> None:
        """Selection and tool actions need a document."""
        for action in self.actions.values():
            action.setEnabled(has_document)

    def _tool_changed(self, kind: ToolKind) -> None:
        for action in self.tools.actions():
            if action.data() == kind:
                action.setChecked(True)

    def _pick_accounts(self, on: bool) -> None:
        window = self.window
        window.canvas.pick_kind = "accounts" if on else "units"
        if window.selection is not None:
            window.selection.clear()

    def _select_all(self) -> None:
        window = self.window
        if window.selection is not None and window.project is not None:
            self.actions["pick_accounts"].setChecked(False)
            window.selection.select("units", np.arange(len(window.project.units)))

    def _clear_selection(self) -> None:
        if self.window.selection is not None:
            self.window.selection.clear()
