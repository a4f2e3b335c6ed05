"""Toolbar and menu icons: the line drawings in ``resources/icons/*.svg``.

Each icon is a 24×24 SVG, loaded through Qt's SVG icon engine so it stays sharp at any
size and device pixel ratio, and Qt derives the greyed "disabled" look itself.
"""

from __future__ import annotations

import difflib
from functools import cache

from PySide6.QtGui import QIcon

from terrmap.resources import resource_path

# The set is closed: a misspelt name must fail loudly rather than show a blank button.
ICON_NAMES: tuple[str, ...] = (
    "pan",
    "route",
    "select",
    "select-rect",
    "account",
    "lasso",
    "brush",
    "zoom-box",
    "zoom-in",
    "zoom-out",
    "zoom-extent",
    "zoom-selection",
    "undo",
    "redo",
    "history",
    "query",
    "clear-selection",
    "add-territory",
    "rename",
    "recolor",
    "vacant",
    "delete",
    "layers",
    "balance",
    "optimise",
    "open",
    "save",
    "new",
    "sample",
    "import",
    "export",
    "screenshot",
    "print",
)


def icon(name: str) -> QIcon:
    """Return the bundled icon called ``name`` (e.g. ``"zoom-in"``), loaded once.

    Raises ``KeyError`` naming the closest icons if there is no such icon.
    """
    if name not in ICON_NAMES:
        close = difflib.get_close_matches(name, ICON_NAMES, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no icon named {name!r}{hint} (icons: {', '.join(ICON_NAMES)})")
    return _load(name)


def icon_path(name: str) -> str:
    """Return the file path of an icon's SVG (for style sheets and tests)."""
    return str(resource_path("icons", f"{name}.svg"))


@cache
def _load(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        # Reaching here means a broken install, not a caller's mistake.
        raise FileNotFoundError(f"icon file missing: {path}; reinstall terrmap")
    return QIcon(str(path))
