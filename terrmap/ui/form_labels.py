"""Labels for form fields, shared by the app's forms and docks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def buddy(text: str, widget: QWidget, parent: QWidget) -> QLabel:
    """A label for ``widget``: its mnemonic focuses the widget and it shows the same tooltip."""
    label = QLabel(text, parent)
    label.setBuddy(widget)
    label.setToolTip(widget.toolTip())
    return label
