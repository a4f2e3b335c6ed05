"""Undo and redo of core edits: one thin QUndoCommand around a reversible `Edit` value.

Widgets never change the project themselves: they hand an edit to `push_edit`, the
command applies it (the project then tells every view what changed), and undo applies
the reverse edit that ``apply`` returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand, QUndoStack

if TYPE_CHECKING:
    from terrmap.core.commands import Edit
    from terrmap.core.project import Project

# Brush strokes share this id so consecutive dabs of one stroke merge into one step.
BRUSH_COMMAND_ID = 1001


class EditCommand(QUndoCommand):
    """Applies ``edit`` to ``project`` on redo and its reverse on undo.

    Parameters
    ----------
    project
        The document the edit changes.
    edit
        A core edit (`terrmap.core.commands`).
    text
        Entry in the edit history; the edit's own description when omitted.
    merge_id
        Commands with the same id (other than -1) and ``mergeable`` set are merged
        into one undo step while they arrive one after another (a brush stroke).
    """

    def __init__(
        self, project: Project, edit: Edit, text: str | None = None, merge_id: int = -1
    ) -> None:
        super().__init__(text or edit.describe())
        self._project = project
        self._edits: list[Edit] = [edit]
        self._reverses: list[Edit] = []
        self._merge_id = merge_id
        self.mergeable = merge_id != -1
        self._applied = False  # set when applied before the push (see push_edit)

    def id(self) -> int:
        return self._merge_id

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._reverses = [edit.apply(self._project) for edit in self._edits]

    def undo(self) -> None:
        for reverse in reversed(self._reverses):
            reverse.apply(self._project)
        self._reverses = []

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (isinstance(other, EditCommand) and self.mergeable and other.mergeable):
            return False
        if other._project is not self._project:
            return False
        # ``other`` was already applied by the stack; keep its edits and reverses too.
        self._edits += other._edits
        self._reverses += other._reverses
        return True


def push_edit(
    stack: QUndoStack, project: Project, edit: Edit, text: str | None = None, merge_id: int = -1
) -> None:
    """Apply ``edit`` through ``stack`` so it can be undone (raises what the edit raises).

    The edit is applied before the push, so one that fails (core edits validate before
    changing anything) raises here and never enters the history.
    """
    command = EditCommand(project, edit, text, merge_id)
    command.redo()
    command._applied = True  # the stack calls redo() on push: skip that one
    stack.push(command)
