"""Territory outlines and label points, rebuilt only when the plan's codes change.

Each frame hands in the plan's current codes; comparing them with the codes of the last
build tells whether anything moved, so plan switches and inserted or removed
territories (which shift codes) need no signal. Outlines come from the level's edge
arrays (`terrmap.render.borders`), one path per pair of touching territories, and only
the pairs whose border changed are rebuilt; label points are rebuilt only for
territories that gained or lost units, since they need each territory's dissolved shape.

Fills stay per unit: a merged path per territory was tried and made the national-county
frame 1.7× (plain) to 2× (antialiased) slower with Qt's rasterisers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
from PySide6.QtGui import QPainterPath
from shapely.errors import GEOSException

from terrmap.core.plan import UNASSIGNED
from terrmap.render.borders import Polylines, TerritoryOutlines, territory_border_runs
from terrmap.render.label_points import deepest_units
from terrmap.render.qt_geometry import line_paths

if TYPE_CHECKING:
    from terrmap.render.coverage_edges import LevelEdges
    from terrmap.render.geometry_cache import GeometryCache
    from terrmap.render.viewport import Bounds

# Below this share of edges matched with a neighbour's, the layer is not a clean
# coverage and outlines are dissolved per territory instead (slower, but right).
MIN_MATCHED_SHARE = 0.5


@dataclass(frozen=True)
class LabelAnchor:
    """Where a territory's name goes: a point deep inside it.

    Attributes
    ----------
    x, y
        The label point (world units).
    width, height
        Size of the territory's bounding box (of its largest part where it is
        dissolved), in world units, to skip labels of territories too small on screen.
    """

    x: float
    y: float
    width: float
    height: float


@dataclass
class _LevelOutlines:
    codes: np.ndarray | None = None
    lines: TerritoryOutlines | None = None
    dissolved: dict[int, QPainterPath] = field(default_factory=dict)


class TerritoryPaths:
    """Territory outlines at each level of detail and a label point per territory.

    Parameters
    ----------
    units
        The unit layer's display geometry.
    """

    def __init__(self, units: GeometryCache) -> None:
        self._units = units
        self._levels: dict[int, _LevelOutlines] = {}
        self._anchor_codes: np.ndarray | None = None
        self._anchors: dict[int, LabelAnchor | None] = {}
        self._points: np.ndarray | None = None  # an interior point of every unit
        self._close: tuple[tuple[int, bytes], np.ndarray, Polylines] | None = None

    def outline_paths(
        self, level: int, codes: np.ndarray, view: Bounds, visible: np.ndarray
    ) -> list[QPainterPath]:
        """Paths holding every territory outline meeting ``view`` (world units)."""
        detail = self._units.levels[level]
        edges = detail.whole_edges
        if edges is None:
            # A level too big for whole edge arrays serves close zooms: outlines of the
            # units in view, kept while the view's units and the codes stay the same.
            key = (level, np.asarray(visible, dtype=np.intp).tobytes())
            cached = self._close
            if cached is None or cached[0] != key or not np.array_equal(cached[1], codes):
                lines = Polylines(territory_border_runs(detail.edges_for(visible), codes))
                self._close = cached = (key, codes.copy(), lines)
            return cached[2].paths(view)
        state = self._levels.setdefault(level, _LevelOutlines())
        if state.codes is None or not np.array_equal(state.codes, codes):
            if edges.matched_share >= MIN_MATCHED_SHARE:
                if state.lines is None:
                    state.lines = TerritoryOutlines(edges)
                state.lines.update(codes)
            else:
                state.lines = None
                _update_dissolved(state, detail.geometry, codes)
            state.codes = codes.copy()
        if state.lines is not None:
            return state.lines.paths(view)
        return list(state.dissolved.values())

    def anchors(self, codes: np.ndarray) -> dict[int, LabelAnchor | None]:
        """Territory code → label point (``None`` for a territory with no units)."""
        previous = self._anchor_codes
        if previous is None or len(previous) != len(codes):
            dirty = np.unique(codes)
            self._anchors.clear()
        else:
            changed = previous != codes
            if not changed.any():
                return self._anchors
            dirty = np.union1d(previous[changed], codes[changed])
        # Label points come from the coarsest level: cheap, and the same at every zoom
        # so labels do not jump.
        coarsest = self._units.levels[-1]
        edges = coarsest.whole_edges
        dirty = dirty[dirty != UNASSIGNED]
        if edges is not None and edges.matched_share >= MIN_MATCHED_SHARE:
            self._update_deepest(edges, codes, dirty)
        else:
            for code in dirty.tolist():
                members = np.flatnonzero(codes == code)
                self._anchors[code] = _anchor(coarsest.geometry[members]) if len(members) else None
        self._anchor_codes = codes.copy()
        return self._anchors

    def _update_deepest(self, edges: LevelEdges, codes: np.ndarray, dirty: np.ndarray) -> None:
        if self._points is None:
            points = shapely.point_on_surface(self._units.levels[-1].geometry)
            self._points = shapely.get_coordinates(points)
        deepest = deepest_units(edges, codes, self._points)
        bounds = self._units.bounds
        for code in dirty.tolist():
            unit = deepest.get(code)
            if unit is None:
                self._anchors[code] = None
                continue
            box = bounds[codes == code]
            x, y = self._points[unit]
            width = box[:, 2].max() - box[:, 0].min()
            height = box[:, 3].max() - box[:, 1].min()
            self._anchors[code] = LabelAnchor(float(x), float(y), float(width), float(height))


def _update_dissolved(state: _LevelOutlines, geometry: np.ndarray, codes: np.ndarray) -> None:
    previous = state.codes
    if previous is None or len(previous) != len(codes):
        dirty = np.unique(codes)
        state.dissolved.clear()
    else:
        changed = previous != codes
        dirty = np.union1d(previous[changed], codes[changed])
    for code in dirty[dirty != UNASSIGNED].tolist():
        members = np.flatnonzero(codes == code)
        if not len(members):
            state.dissolved.pop(code, None)
            continue
        merged = np.array([_dissolve(geometry[members])], dtype=object)
        state.dissolved[code] = line_paths(merged)[0]


def _anchor(members: np.ndarray) -> LabelAnchor | None:
    merged = _dissolve(members)
    parts = shapely.get_parts(merged)
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    largest = parts[int(np.argmax(shapely.area(parts)))]
    minx, miny, maxx, maxy = largest.bounds
    size = max(maxx - minx, maxy - miny)
    try:
        # The centre of the largest inscribed circle (the "pole of inaccessibility"):
        # the point farthest from the outline, where a name has most room.
        circle = shapely.maximum_inscribed_circle(largest, tolerance=size / 50)
        x, y = shapely.get_coordinates(circle)[0]
    except GEOSException:
        point = shapely.point_on_surface(largest)
        x, y = point.x, point.y
    return LabelAnchor(float(x), float(y), maxx - minx, maxy - miny)


def _dissolve(members: np.ndarray) -> shapely.Geometry:
    try:
        # Units of a coverage share edges exactly, so the fast coverage union applies.
        merged = shapely.coverage_union_all(members)
        if shapely.is_valid(merged):
            return merged
    except GEOSException:
        pass
    return shapely.union_all(shapely.make_valid(members))
