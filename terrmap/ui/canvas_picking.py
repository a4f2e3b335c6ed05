"""What the map's tools pick: units and account dots under the pointer or inside an area.

The canvas owns one `CanvasPicking`; the tools call it with widget positions or
world-plane areas, and it updates the selection (or reports brushed units). Spatial
indexes are built on first use, so opening a project does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import shapely
    from PySide6.QtCore import QPointF

    from terrmap.core.selection import Mode
    from terrmap.render.picking import PointPicker, UnitPicker
    from terrmap.ui.map_canvas import MapCanvas

ACCOUNT_PICK_PIXELS = 6.0  # how near a click must be to an account dot


class CanvasPicking:
    """Picking and selecting on one canvas's map."""

    def __init__(self, canvas: MapCanvas) -> None:
        self.canvas = canvas
        self._units: UnitPicker | None = None
        self._points: PointPicker | None = None

    def reset(self) -> None:
        """Forget the indexes (another project is shown)."""
        self._units = self._points = None

    @property
    def units(self) -> UnitPicker:
        """Spatial queries over the shown units."""
        if self._units is None:
            from terrmap.render.picking import UnitPicker

            self._units = UnitPicker(self.canvas.renderer.scene.units.levels[0].geometry)
        return self._units

    @property
    def points(self) -> PointPicker:
        """Spatial queries over the shown accounts (by account position)."""
        if self._points is None:
            from terrmap.render.picking import PointPicker

            renderer = self.canvas.renderer
            geometry = renderer.project.accounts.frame.geometry
            x, y = renderer.scene.projection.to_display(
                geometry.x.to_numpy(), geometry.y.to_numpy()
            )
            self._points = PointPicker(x, y)
        return self._points

    def _ready(self) -> bool:
        return self.canvas.renderer is not None and self.canvas.viewport is not None

    def world_at(self, position: QPointF) -> tuple[float, float]:
        """World point under a widget position."""
        return self.canvas.viewport.screen_to_world(position.x(), position.y())

    def unit_at(self, position: QPointF) -> int | None:
        """Position of the unit under a widget position, if any."""
        return self.units.at(*self.world_at(position)) if self._ready() else None

    def account_at(self, position: QPointF) -> int | None:
        """Position of the account dot under a widget position, if any."""
        if not self._ready():
            return None
        radius = ACCOUNT_PICK_PIXELS / self.canvas.viewport.scale
        return self.points.nearest(*self.world_at(position), radius)

    def selected_item_at(self, position: QPointF) -> int | None:
        """The selected unit or account under a widget position, if any."""
        selection = self.canvas.selection
        if selection is None or not len(selection):
            return None
        item = self.unit_at(position) if selection.kind == "units" else self.account_at(position)
        return item if item is not None and item in selection else None

    def select_at(self, position: QPointF, mode: Mode) -> None:
        """Select the unit (or account) under a widget position; nothing there clears."""
        selection, kind = self.canvas.selection, self.canvas.pick_kind
        if selection is None:
            return
        item = self.unit_at(position) if kind == "units" else self.account_at(position)
        if item is None:
            if mode == "replace":
                selection.clear()
            return
        selection.select(kind, np.array([item]), mode)

    def select_in_area(self, area: shapely.Geometry, mode: Mode) -> None:
        """Select the units (or accounts) inside a world-plane area."""
        selection, kind = self.canvas.selection, self.canvas.pick_kind
        if selection is None or not self._ready():
            return
        picker = self.units if kind == "units" else self.points
        selection.select(kind, picker.inside(area), mode)

    def paint_units(self, area: shapely.Geometry, stroke: int) -> None:
        """The brush covered ``area`` (world plane): report the units it touches."""
        if self._ready():
            touched = self.units.touching(area)
            if len(touched):
                self.canvas.units_painted.emit(touched, stroke)
