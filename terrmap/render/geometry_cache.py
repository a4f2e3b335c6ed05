"""Display-ready geometry of one layer: projected, simplified into levels of detail, and
held as Qt paths built once, with per-feature bounding boxes for culling.

Levels of a unit layer come from ``shapely.coverage_simplify``: it simplifies each
shared edge once, so neighbours keep meeting exactly (plain ``simplify`` opens gaps
that show as slivers and let clicks fall through). Building the levels of the 3.2k US
counties takes about a second a level, so a `GeometryCache` is built off the GUI thread
(see `terrmap.ui.workers`) and only read afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtGui import QPainterPath, QPolygonF
from shapely.errors import GEOSException

from terrmap.render.projection import DisplayProjection
from terrmap.render.qt_geometry import polygon_from_xy, unit_paths
from terrmap.render.viewport import Bounds

# Tolerances of the coarser levels as fractions of the layer's larger span. A layer
# fitted to a 1600-px window has pixels of about span/1500, so the coarsest level is
# exact to half a pixel at full extent and the middle one after zooming in 4×.
LEVEL_FRACTIONS = (1 / 12_000, 1 / 3_000)
# A level serves while its tolerance is at most this many pixels.
TOLERANCE_PIXELS = 0.75


@dataclass(frozen=True)
class DetailLevel:
    """The geometry of a layer at one level of detail (display plane)."""

    tolerance: float
    geometry: np.ndarray
    paths: list[QPainterPath]


class GeometryCache:
    """Projected polygons of a layer with levels of detail, bbox arrays and a hit index.

    Parameters
    ----------
    geometries
        Shapely (multi)polygons in lon/lat, in layer order.
    projection
        The display plane.
    coverage
        Whether the polygons tile without overlaps (boundary units): simplify them as a
        coverage. Context layers (state outlines) are simplified one by one.
    """

    def __init__(
        self, geometries: np.ndarray, projection: DisplayProjection, *, coverage: bool = True
    ) -> None:
        full = projection.project(np.asarray(geometries, dtype=object))
        self.bounds = shapely.bounds(full)  # (n, 4): minx, miny, maxx, maxy
        self.bounds[np.isnan(self.bounds)] = 0.0
        self.extent: Bounds = tuple(float(v) for v in shapely.total_bounds(full))
        span = max(self.extent[2] - self.extent[0], self.extent[3] - self.extent[1], 1.0)
        self.levels = [DetailLevel(0.0, full, unit_paths(full))]
        for fraction in LEVEL_FRACTIONS:
            simplified = _simplify(full, span * fraction, coverage=coverage)
            self.levels.append(DetailLevel(span * fraction, simplified, unit_paths(simplified)))
        self._tree: shapely.STRtree | None = None

    def __len__(self) -> int:
        return len(self.bounds)

    def level_index(self, pixel_size: float) -> int:
        """Index of the coarsest level still exact enough at ``pixel_size`` world units."""
        best = 0
        for index, level in enumerate(self.levels):
            if level.tolerance <= pixel_size * TOLERANCE_PIXELS:
                best = index
        return best

    def visible(self, bounds: Bounds) -> np.ndarray:
        """Positions of the features whose bounding box meets ``bounds``."""
        minx, miny, maxx, maxy = bounds
        b = self.bounds
        mask = (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
        return np.flatnonzero(mask)

    def feature_at(self, x: float, y: float) -> int | None:
        """Position of the feature covering the world point ``(x, y)``, if any."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.levels[0].geometry)
        hits = self._tree.query(shapely.Point(x, y), predicate="intersects")
        return int(hits.min()) if len(hits) else None


def _simplify(geometry: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    try:
        if coverage:
            simplified = shapely.coverage_simplify(geometry, tolerance)
        else:
            # Context is only looked at, never clicked or measured: a self-touching
            # outline is harmless, and skipping topology checks is 10× faster.
            simplified = shapely.simplify(geometry, tolerance, preserve_topology=False)
    except GEOSException:
        # Not a clean coverage (overlaps): simplify alone; slivers may show between units.
        simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    # Never let a unit vanish from the map because it is small.
    lost = shapely.is_empty(simplified) | shapely.is_missing(simplified)
    return np.where(lost, geometry, simplified)


class PointCache:
    """Projected points (accounts) ready to be drawn as one ``QPolygonF`` per frame.

    Parameters
    ----------
    lon, lat
        Point coordinates in degrees; NaN marks a point without a place.
    projection
        The display plane.
    """

    def __init__(self, lon: np.ndarray, lat: np.ndarray, projection: DisplayProjection) -> None:
        x, y = projection.to_display(lon, lat)
        xy = np.column_stack([x, y])
        self.xy = xy[np.isfinite(xy).all(axis=1)]

    def __len__(self) -> int:
        return len(self.xy)

    def visible_polygon(self, bounds: Bounds) -> QPolygonF:
        """The points inside ``bounds`` as one polygon (for ``QPainter.drawPoints``)."""
        minx, miny, maxx, maxy = bounds
        x, y = self.xy[:, 0], self.xy[:, 1]
        inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        return polygon_from_xy(self.xy[inside])
