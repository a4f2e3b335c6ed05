"""The "Assign to ▸" menu: one entry per territory (with its colour), plus Unassigned.

Used by the Edit menu and by the map's right-click menu, rebuilt each time it opens so
it always lists the current territories.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QWidget

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.ui.territory_model import swatch_pixmap

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.core.selection import Selection


class Text:
    """User-visible strings of the assign menu."""

    ASSIGN_TO = "&Assign Selection To"
    UNASSIGNED = "Unassigned (white space)"
    FOLLOW_UNIT = "Follow Unit's Territory (clear override)"
    VACANT = "vacant"
    NOTHING = "(select units or accounts first)"


def fill_assign_menu(
    menu: QMenu,
    project: Project | None,
    selection: Selection | None,
    assign: Callable[[str | None], object],
) -> None:
    """Fill ``menu`` with the territories the selection can be given to."""
    menu.clear()
    if project is None or selection is None or not len(selection):
        menu.addAction(Text.NOTHING).setEnabled(False)
        return
    for territory in project.territories:
        owner = territory.owner or Text.VACANT
        action = menu.addAction(
            QIcon(swatch_pixmap(territory.color)), f"{territory.name}  —  {owner}"
        )
        action.setToolTip(territory.id)
        action.triggered.connect(lambda _=False, t=territory.id: assign(t))
    menu.addSeparator()
    if selection.kind == "units":
        unassign = menu.addAction(
            QIcon(swatch_pixmap(UNASSIGNED_COLOR, hatched=True)), Text.UNASSIGNED
        )
    else:
        unassign = menu.addAction(Text.FOLLOW_UNIT)
    unassign.triggered.connect(lambda _=False: assign(None))


def assign_menu(parent: QWidget, provider: Callable[[], tuple], assign: Callable) -> QMenu:
    """An "Assign to" submenu filled from ``provider() -> (project, selection)`` on open."""
    menu = QMenu(Text.ASSIGN_TO, parent)
    menu.aboutToShow.connect(lambda: fill_assign_menu(menu, *provider(), assign))
    return menu
