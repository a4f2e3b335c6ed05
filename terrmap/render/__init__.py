"""QPainter map rendering shared by the canvas, printing and image export (no widgets).

The names below load on first use: the window imports small parts of this package
(styles, picking) at start-up, before a document needs the renderer and its geometry
stack (pandas, scipy), which the loading worker imports off the GUI thread.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from terrmap.render.map_renderer import MapRenderer
    from terrmap.render.scene import MapScene
    from terrmap.render.style import MapStyle
    from terrmap.render.viewport import MapViewport

_HOMES = {
    "MapRenderer": "terrmap.render.map_renderer",
    "MapScene": "terrmap.render.scene",
    "MapStyle": "terrmap.render.style",
    "MapViewport": "terrmap.render.viewport",
}

__all__ = ["MapRenderer", "MapScene", "MapStyle", "MapViewport"]


def __getattr__(name: str) -> object:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
