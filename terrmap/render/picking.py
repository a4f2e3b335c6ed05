"""Which units or accounts lie under a click, a rectangle, a lasso or a brush.

Works on the scene's display-plane geometry (the full-detail level, so a click on a
thin unit picks what the user sees when zoomed in). Units are picked by an anchor
point for areas (rectangle, lasso: a unit is inside when its representative point is
inside, so a lasso around a group never catches a neighbour it merely grazes) and by
their polygon for clicks and the brush (what the pointer touches).
"""

from __future__ import annotations

import numpy as np
import shapely


class UnitPicker:
    """Spatial queries over unit polygons in the display plane.

    Parameters
    ----------
    geometry
        Display-plane polygons in layer order.
    """

    def __init__(self, geometry: np.ndarray) -> None:
        self._geometry = np.asarray(geometry, dtype=object)
        self._tree = shapely.STRtree(self._geometry)
        anchors = shapely.point_on_surface(self._geometry)
        self.anchor_x = shapely.get_x(anchors)
        self.anchor_y = shapely.get_y(anchors)

    def at(self, x: float, y: float) -> int | None:
        """Position of the unit covering world point ``(x, y)``, if any."""
        hits = self._tree.query(shapely.Point(x, y), predicate="intersects")
        return int(hits.min()) if len(hits) else None

    def inside(self, area: shapely.Geometry) -> np.ndarray:
        """Positions of the units whose anchor point lies inside ``area``."""
        if area.is_empty:
            return np.empty(0, dtype=np.intp)
        minx, miny, maxx, maxy = area.bounds
        x, y = self.anchor_x, self.anchor_y
        near = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if not len(near):
            return near.astype(np.intp)
        shapely.prepare(area)
        return near[shapely.contains_xy(area, x[near], y[near])].astype(np.intp)

    def touching(self, area: shapely.Geometry) -> np.ndarray:
        """Positions of the units that ``area`` (e.g. a brush stroke) touches."""
        return np.sort(self._tree.query(area, predicate="intersects")).astype(np.intp)


class PointPicker:
    """Spatial queries over account points in the display plane.

    Parameters
    ----------
    x, y
        Display-plane coordinates per account position; NaN for unplaced accounts.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)

    @property
    def xy(self) -> np.ndarray:
        """``(n, 2)`` display coordinates per account position."""
        return np.column_stack([self.x, self.y])

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """Position of the account nearest ``(x, y)`` within ``radius`` world units."""
        if not len(self.x):
            return None
        distance = np.hypot(self.x - x, self.y - y)
        distance[~np.isfinite(distance)] = np.inf
        best = int(np.argmin(distance))
        return best if distance[best] <= radius else None

    def inside(self, area: shapely.Geometry) -> np.ndarray:
        """Positions of the accounts inside ``area``."""
        if area.is_empty or not len(self.x):
            return np.empty(0, dtype=np.intp)
        minx, miny, maxx, maxy = area.bounds
        x, y = self.x, self.y
        near = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        shapely.prepare(area)
        return near[shapely.contains_xy(area, x[near], y[near])].astype(np.intp)


def lasso_polygon(points: list[tuple[float, float]]) -> shapely.Geometry:
    """A valid area from a freehand lasso path (closed; self-crossings become parts)."""
    if len(points) < 3:
        return shapely.Polygon()
    ring = shapely.Polygon(points)
    return ring if ring.is_valid else shapely.make_valid(ring)


def brush_stroke(points: list[tuple[float, float]], radius: float) -> shapely.Geometry:
    """The area a round brush of ``radius`` covers along ``points``."""
    if len(points) == 1:
        return shapely.Point(points[0]).buffer(radius, quad_segs=8)
    return shapely.LineString(points).buffer(radius, quad_segs=8)
