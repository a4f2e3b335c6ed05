"""Everything a project needs prepared before it can be drawn.

Building a scene projects and simplifies every layer (about 1–2 s for the 3.2k US
counties, about two minutes for 33k ZIPs at TIGER resolution on the 2-core test
machine), so the UI builds it in a worker together with opening the project. It also
prepares what the first frame at full extent needs (edge arrays, territory outlines and
label points), so that frame does not stall the GUI thread.

What other modules may read (stable):

- ``scene.projection``: ``to_display(lon, lat)`` / ``to_lonlat(x, y)``;
- ``scene.units``: a `GeometryCache` with ``bounds`` (n × 4), ``level_index(pixel_size)``
  and ``levels[i].geometry`` / ``levels[i].paths`` per unit (``levels[0]`` is full detail,
  display plane);
- ``scene.accounts.xy_all``: display ``(x, y)`` per account position, NaN for accounts
  without a place (``scene.accounts.placed`` lists the others);
- ``scene.context``: display-only layers by name.
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
        scene = cls(projection, units, accounts, context)
        scene.prepare(project.plan.codes)
        return scene

    def prepare(self, codes: np.ndarray) -> None:
        """Compute what a full-extent frame of a plan with ``codes`` needs (worker-safe:
        numpy, shapely and Qt value types only)."""
        everything = np.arange(len(self.units))
        coarsest = len(self.units.levels) - 1
        self.units.levels[coarsest].scan_edges(everything)
        self.territories.outline_paths(coarsest, codes, self.extent, everything)
        self.territories.anchors(codes)

    def prepare_levels(self) -> None:
        """Compute the edge arrays and unit borders of every level ahead of use.

        A level's first frame otherwise pays for them (0.3 s for US counties, 1–4 s for
        a level of 33k ZIPs). Safe to run in a worker while the GUI thread draws: it
        only fills caches, each with one assignment, and depends on no plan.
        """
        everything = np.arange(len(self.units))
        for level in self.units.levels:
            if level.whole_edges is not None:
                level.scan_edges(everything)
                level.unit_borders(everything, self.extent)

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
