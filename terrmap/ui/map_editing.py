"""Turns what the user does on the map and panels into undoable territory edits.

The canvas and the territory panel only say what happened (a selection was dropped on
a territory, the brush passed over units, a drag hovers over a target); this module
makes the matching core edit, pushes it on the undo stack and, while a drag hovers,
shows the would-be balance in the gauges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from terrmap.core.commands import AssignAccounts, AssignUnits
from terrmap.errors import TerrmapError
from terrmap.ui.undo import BRUSH_COMMAND_ID, push_edit

if TYPE_CHECKING:
    from terrmap.core.commands import Edit
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.core.selection import Selection


class Text:
    """User-visible strings of map editing."""

    PAINT = "Paint {count:,} {noun} into {target}"
    UNASSIGNED = "Unassigned"


class TerritoryEditing(QObject):
    """Applies map edits to one project through an undo stack.

    Parameters
    ----------
    project, metrics, selection
        The document, its live totals and the map selection.
    stack
        Where every edit goes, so it can be undone.

    Signals
    -------
    preview_changed(totals)
        Would-be totals while a drag hovers over a target (None: no preview).
    failed(message)
        An edit was refused (e.g. an account dropped nowhere it can go).
    """

    preview_changed = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        project: Project,
        metrics: TerritoryMetrics,
        selection: Selection,
        stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.metrics = metrics
        self.selection = selection
        self.stack = stack

    # -- edits -------------------------------------------------------------
    def push(self, edit: Edit, text: str | None = None, merge_id: int = -1) -> bool:
        """Apply ``edit`` as one undo step; report a refused edit instead of raising."""
        try:
            push_edit(self.stack, self.project, edit, text, merge_id)
        except TerrmapError as error:
            self.failed.emit(str(error))
            return False
        return True

    def assign_selection(self, territory_id: str | None) -> bool:
        """Give the selected units or accounts to ``territory_id`` (None: unassign units,
        or let accounts follow their unit again)."""
        self.clear_preview()
        edit = self.selection_edit(territory_id)
        return edit is not None and self.push(edit)

    def selection_edit(self, territory_id: str | None) -> Edit | None:
        """The edit that gives the selection to ``territory_id``, or None if it changes nothing."""
        positions = self.selection.positions
        if not len(positions):
            return None
        if self.selection.kind == "units":
            code = -1 if territory_id is None else self.project.territory_index(territory_id)
            moving = positions[self.project.plan.codes[positions] != code]
            if not len(moving):
                return None
            return AssignUnits(tuple(self.project.units.ids[moving]), territory_id)
        ids = tuple(self.project.accounts.ids[positions])
        if territory_id is None:
            return AssignAccounts(ids, None)
        return AssignAccounts(ids, territory_id)

    def paint_units(self, positions: np.ndarray, stroke: int, territory_id: str | None) -> None:
        """The brush passed over ``positions``: assign those not yet in ``territory_id``.

        Dabs of one stroke merge into one undo step.
        """
        code = -1 if territory_id is None else self.project.territory_index(territory_id)
        moving = positions[self.project.plan.codes[positions] != code]
        if not len(moving):
            return
        target = Text.UNASSIGNED if territory_id is None else territory_id
        text = Text.PAINT.format(count=len(moving), noun=_noun(len(moving), "unit"), target=target)
        edit = AssignUnits(tuple(self.project.units.ids[moving]), territory_id)
        self.push(edit, text, merge_id=BRUSH_COMMAND_ID + stroke)

    # -- preview -------------------------------------------------------------
    def preview(self, territory_id: str | None) -> None:
        """Show the totals as they would be after dropping the selection on ``territory_id``."""
        from terrmap.core.metrics import preview_account_move, preview_unit_move

        positions = self.selection.positions
        if not len(positions):
            self.clear_preview()
            return
        if self.selection.kind == "units":
            code = -1 if territory_id is None else self.project.territory_index(territory_id)
            totals = preview_unit_move(self.metrics, positions, code)
        else:
            totals = preview_account_move(self.metrics, positions, territory_id)
        self.preview_changed.emit(totals)

    def clear_preview(self) -> None:
        """Remove the would-be totals."""
        self.preview_changed.emit(None)


def _noun(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"
