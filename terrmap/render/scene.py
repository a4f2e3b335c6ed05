"""Everything a project needs prepared before it can be drawn.

Building a scene projects and simplifies every layer (about a second a level for the
3.2k US counties), so the UI builds it in a worker together with opening the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely

from terrmap.core.geo import STORAGE_CRS
from terrmap.render.geometry_cache import GeometryCache, PointCache
from terrmap.render.projection import DisplayProjection
from terrmap.render.territory_paths import TerritoryPaths
from terrmap.render.viewport import Bounds

if TYPE_CHECKING:
    from terrmap.core.project import Project


@dataclass
class MapScene:
    """Display geometry of one project's layers."""

    projection: DisplayProjection
    units: GeometryCache
    accounts: PointCache
    context: dict[str, GeometryCache] = field(default_factory=dict)
    territories: TerritoryPaths = field(init=False)

    def __post_init__(self) -> None:
        self.territories = TerritoryPaths(self.units)

    @classmethod
    def build(cls, project: Project) -> MapScene:
        """Project and simplify the layers of ``project`` for display."""
        projection = DisplayProjection.for_geometries(project.units.geometry)
        units = GeometryCache(project.units.geometry, projection, coverage=True)
        points = project.accounts.frame.geometry.to_numpy()
        accounts = PointCache(shapely.get_x(points), shapely.get_y(points), projection)
        near = _surroundings(project.units.frame.total_bounds)
        context = {
            name: GeometryCache(
                _polygons(frame.to_crs(STORAGE_CRS).geometry, near), projection, coverage=False
            )
            for name, frame in project.context.items()
        }
        return cls(projection, units, accounts, context)

    @property
    def extent(self) -> Bounds:
        """World bounds of the unit layer (what "zoom to full extent" shows)."""
        return self.units.extent


def _surroundings(bounds: np.ndarray) -> shapely.Geometry:
    """The units' box grown by its own size each way: context beyond it is never in view
    at useful zooms, and projecting all of it costs start-up time."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    return shapely.box(minx - width, miny - height, maxx + width, maxy + height)


def _polygons(geometry: object, near: shapely.Geometry) -> np.ndarray:
    values = np.asarray(geometry, dtype=object)
    keep = (shapely.get_type_id(values) >= 0) & shapely.intersects(values, near)
    return values[keep]
