"""What the Layers panel remembers between sessions (QSettings group ``layers``).

Per layer: ``visible``, ``opacity`` (percent), ``labels`` and ``expanded``; for units
and accounts also ``colorBy`` (a column, "" for none), ``method`` and ``classes``;
for accounts ``sizeBy``. Values are read back with their type, since the INI format
returns every value as a string.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSettings

from terrmap.core.classify import METHODS, Method
from terrmap.render.style import LayerStyle
from terrmap.ui.layer_row import DEFAULT_CLASSES, MAX_CLASSES, MIN_CLASSES

GROUP = "layers"
T = TypeVar("T", bool, int, str)


def remember(layer: str, name: str, value: bool | int | str) -> None:
    """Store one option of ``layer``."""
    QSettings().setValue(_key(layer, name), value)


def remembered(layer: str, name: str, default: T) -> T:
    """One stored option of ``layer``, of the type of ``default``."""
    return type(default)(QSettings().value(_key(layer, name), default, type=type(default)))


def save_layer(key: str, layer: LayerStyle) -> None:
    """Remember a layer's visibility, opacity and labels."""
    remember(key, "visible", layer.visible)
    remember(key, "opacity", round(layer.opacity * 100))
    remember(key, "labels", layer.labels)


def load_layer(key: str, default: LayerStyle) -> LayerStyle:
    """The remembered options of a layer; ``default`` for what was never stored."""
    percent = remembered(key, "opacity", round(default.opacity * 100))
    return LayerStyle(
        visible=remembered(key, "visible", default.visible),
        opacity=min(max(percent, 0), 100) / 100,
        labels=remembered(key, "labels", default.labels),
    )


def save_colouring(layer: str, column: str | None, method: Method, k: int) -> None:
    """Remember a "Colour by" choice."""
    remember(layer, "colorBy", column or "")
    remember(layer, "method", method)
    remember(layer, "classes", k)


def load_colouring(layer: str) -> tuple[str | None, Method, int]:
    """The remembered (column, method, classes); the column may not exist any more."""
    method = remembered(layer, "method", METHODS[0])
    k = remembered(layer, "classes", DEFAULT_CLASSES)
    return (
        remembered(layer, "colorBy", "") or None,
        method if method in METHODS else METHODS[0],  # type: ignore[return-value]
        min(max(k, MIN_CLASSES), MAX_CLASSES),
    )


def _key(layer: str, name: str) -> str:
    return f"{GROUP}/{layer}/{name}"
