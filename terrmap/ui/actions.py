"""Menu actions that explain themselves: the tip shows in the status bar and as a tooltip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction


def menu_action(parent: QObject, text: str, tip: str, slot: Callable[[], object]) -> QAction:
    """An action labelled ``text`` that runs ``slot``, with ``tip`` as status tip and tooltip."""
    action = QAction(text, parent)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    action.triggered.connect(slot)
    return action
