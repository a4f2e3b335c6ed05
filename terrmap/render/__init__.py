"""QPainter map rendering shared by the canvas, printing and image export (no widgets)."""

from terrmap.render.map_renderer import MapRenderer
from terrmap.render.scene import MapScene
from terrmap.render.style import MapStyle
from terrmap.render.viewport import MapViewport

__all__ = ["MapRenderer", "MapScene", "MapStyle", "MapViewport"]
