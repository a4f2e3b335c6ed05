"""Display-ready geometry of one layer: projected, simplified into levels of detail, with
per-feature bounding boxes for culling and a hit index.

A `GeometryCache` is built off the GUI thread (`terrmap.ui.loading`) and only read
afterwards. Qt paths and edge arrays of a level are made on first use, not at build
time: the screen fills units from edge arrays (`terrmap.render.raster_fill`) and only
print, the selection overlay and the vector fallback want per-unit paths, so building
33k paths for every level up front would be wasted start-up time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import overload

import numpy as np
import shapely
from PySide6.QtGui import QPainterPath, QPolygonF

from terrmap.render.borders import Polylines, unit_border_runs
from terrmap.render.coverage_edges import LevelEdges
from terrmap.render.projection import DisplayProjection
from terrmap.render.qt_geometry import polygon_from_xy, unit_paths
from terrmap.render.raster_fill import ScanEdges
from terrmap.render.simplify import detail_levels
from terrmap.render.viewport import Bounds

# A level serves while its tolerance is at most this many pixels.
TOLERANCE_PIXELS = 0.75
# Levels with more vertices than this keep no whole-level edge arrays (36 bytes an edge);
# their edges are taken per frame from the few units in view (they serve close zooms).
WHOLE_LEVEL_EDGES = 4_000_000


class LazyPaths(Sequence[QPainterPath]):
    """One ``QPainterPath`` per feature, built when first asked for and then kept."""

    def __init__(self, geometry: np.ndarray) -> None:
        self._geometry = geometry
        self._paths: list[QPainterPath | None] = [None] * len(geometry)

    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, index: int) -> QPainterPath: ...
    @overload
    def __getitem__(self, index: slice) -> list[QPainterPath]: ...
    def __getitem__(self, index: int | slice) -> QPainterPath | list[QPainterPath]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        path = self._paths[index]
        if path is None:
            self.prefetch([index])
            path = self._paths[index]
        return path

    def prefetch(self, positions: Iterable[int]) -> None:
        """Build the paths of ``positions`` in one batch (much faster than one by one)."""
        missing = np.array([p for p in positions if self._paths[p] is None], dtype=np.intp)
        if len(missing):
            for position, path in zip(
                missing.tolist(), unit_paths(self._geometry[missing]), strict=True
            ):
                self._paths[position] = path


class DetailLevel:
    """The geometry of a layer at one level of detail (display plane).

    Attributes
    ----------
    tolerance
        Simplification tolerance in world units (0 for full detail).
    geometry
        Shapely (multi)polygons in layer order.
    paths
        One ``QPainterPath`` per feature (built on demand).
    """

    def __init__(self, tolerance: float, geometry: np.ndarray) -> None:
        self.tolerance = tolerance
        self.geometry = geometry
        self.paths = LazyPaths(geometry)
        self.vertex_count = int(shapely.get_num_coordinates(geometry).sum())
        self._edges: LevelEdges | None = None
        self._borders: Polylines | None = None
        self._scan: ScanEdges | None = None
        self._last_subset: tuple[bytes, LevelEdges, ScanEdges] | None = None

    def edges_for(self, visible: np.ndarray) -> LevelEdges:
        """Edge arrays holding (at least) the edges of the ``visible`` features."""
        whole = self.whole_edges
        return whole if whole is not None else self._subset(visible)[0]

    def scan_edges(self, visible: np.ndarray) -> ScanEdges:
        """Edges for the scanline fill holding (at least) those of ``visible``."""
        if self.whole_edges is None:
            return self._subset(visible)[1]
        if self._scan is None:
            self._scan = ScanEdges(self.whole_edges)
        return self._scan

    def _subset(self, visible: np.ndarray) -> tuple[LevelEdges, ScanEdges]:
        # One entry: the fill, the borders and the outlines of a frame (and the frames
        # of a region repaint or a settled view) all ask for the same units.
        key = np.asarray(visible, dtype=np.intp).tobytes()
        if self._last_subset is None or self._last_subset[0] != key:
            edges = LevelEdges(self.geometry[visible], visible)
            self._last_subset = (key, edges, ScanEdges(edges))
        return self._last_subset[1], self._last_subset[2]

    def unit_borders(self, visible: np.ndarray, view: Bounds) -> list[QPainterPath]:
        """Paths holding every unit border meeting ``view`` once (world units)."""
        edges = self.whole_edges
        if edges is None:
            return Polylines(unit_border_runs(self.edges_for(visible))).paths(view)
        if self._borders is None:
            self._borders = Polylines(unit_border_runs(edges))
        return self._borders.paths(view)

    @property
    def whole_edges(self) -> LevelEdges | None:
        """Edge arrays of the whole level, if the level is small enough to keep them."""
        if self.vertex_count > WHOLE_LEVEL_EDGES:
            return None
        if self._edges is None:
            self._edges = LevelEdges(self.geometry)
        return self._edges


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
        simplified = detail_levels(full, span, coverage=coverage)
        self.levels = [DetailLevel(0.0, full)]
        self.levels += [DetailLevel(tolerance, geometry) for tolerance, geometry in simplified]
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


class PointCache:
    """Projected points (accounts), kept in account-layer order.

    Parameters
    ----------
    lon, lat
        Point coordinates in degrees; NaN marks a point without a place.
    projection
        The display plane.

    Attributes
    ----------
    xy_all
        ``(n, 2)`` display coordinates per account position; NaN for unplaced accounts.
    placed
        Positions of the accounts that have a place.
    """

    def __init__(self, lon: np.ndarray, lat: np.ndarray, projection: DisplayProjection) -> None:
        x, y = projection.to_display(lon, lat)
        self.xy_all = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).astype(float)
        self.placed = np.flatnonzero(np.isfinite(self.xy_all).all(axis=1))

    def __len__(self) -> int:
        return len(self.placed)

    @property
    def xy(self) -> np.ndarray:
        """Coordinates of the placed accounts only."""
        return self.xy_all[self.placed]

    def visible(self, bounds: Bounds) -> np.ndarray:
        """Account positions whose point lies inside ``bounds``."""
        minx, miny, maxx, maxy = bounds
        xy = self.xy_all[self.placed]
        x, y = xy[:, 0], xy[:, 1]
        inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        return self.placed[inside]

    def visible_polygon(self, bounds: Bounds) -> QPolygonF:
        """The points inside ``bounds`` as one polygon (for ``QPainter.drawPoints``)."""
        return polygon_from_xy(self.xy_all[self.visible(bounds)])
