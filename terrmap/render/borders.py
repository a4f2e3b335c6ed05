"""Unit borders and territory outlines as polylines, each shared edge drawn once.

Stroking every unit's own outline draws each shared edge twice and costs a Qt call per
unit; dissolving territories with ``coverage_union_all`` took about a second for 60
territories of 33k ZIPs. Both borders are instead picked from the level's edge arrays
(`terrmap.render.coverage_edges`): unit borders are all edges, territory outlines the
edges whose two sides belong to different territories. A vectorised mask and a join of
consecutive edges into polylines rebuild all territory outlines of a level in a few
milliseconds, so an edit simply rebuilds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QPainterPath

from terrmap.core.plan import UNASSIGNED
from terrmap.render.qt_geometry import polylines_path

if TYPE_CHECKING:
    from terrmap.render.coverage_edges import EdgeRuns, LevelEdges
    from terrmap.render.viewport import Bounds

OUTSIDE = -2  # code of the area beyond the layer's outer boundary
TILES = 16  # at most this many grid cells a side
LINES_PER_TILE = 64  # fewer lines than this per cell do not warrant more cells


class Polylines:
    """Polylines with bounding boxes, handed out as paths culled to a view.

    Paths are built once, one per cell of a coarse grid over the polylines' extent (Qt
    clips a cell's lines outside the view quickly; building a path of only the lines in
    view each frame cost more, about 2 µs a line in Python).
    """

    def __init__(self, runs: EdgeRuns) -> None:
        lines = runs.polylines()
        bounds = runs.bounds()
        self._tiles: list[tuple[np.ndarray, QPainterPath]] = []
        self._whole: QPainterPath | None = None
        self.count = len(lines)
        if not lines:
            return
        centre_x = (bounds[:, 0] + bounds[:, 2]) / 2
        centre_y = (bounds[:, 1] + bounds[:, 3]) / 2
        cells = max(1, min(TILES, int(np.sqrt(len(lines) / LINES_PER_TILE))))
        column = _bins(centre_x, cells)
        row = _bins(centre_y, cells)
        tile = row * cells + column
        order = np.argsort(tile, kind="stable")
        for members in np.split(order, np.flatnonzero(np.diff(tile[order])) + 1):
            box = np.array(
                [
                    bounds[members, 0].min(),
                    bounds[members, 1].min(),
                    bounds[members, 2].max(),
                    bounds[members, 3].max(),
                ]
            )
            self._tiles.append((box, polylines_path(lines[i] for i in members.tolist())))

    def __len__(self) -> int:
        return self.count

    def paths(self, view: Bounds) -> list[QPainterPath]:
        """Paths holding (at least) every polyline that meets ``view``."""
        minx, miny, maxx, maxy = view
        seen = [
            path
            for box, path in self._tiles
            if box[2] >= minx and box[0] <= maxx and box[3] >= miny and box[1] <= maxy
        ]
        if len(seen) > len(self._tiles) // 2:
            # Mostly in view: one call beats one per tile.
            if self._whole is None:
                self._whole = QPainterPath()
                for _box, path in self._tiles:
                    self._whole.addPath(path)
            return [self._whole]
        return seen


def _bins(values: np.ndarray, count: int) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.zeros(len(values), dtype=np.intp)
    return np.minimum(((values - low) / (high - low) * count).astype(np.intp), count - 1)


class TerritoryOutlines:
    """The territory outlines of one level: one path per pair of touching territories.

    After an edit only the pairs whose shared border changed are rebuilt. Rebuilding
    every outline cost 40–60 ms for national counties (one ``QPolygonF`` per run, about
    3k runs); a typical edit touches a few territories, hence a few pairs.

    Parameters
    ----------
    edges
        The level's edge arrays.
    """

    def __init__(self, edges: LevelEdges) -> None:
        self._edges = edges
        self._keys: np.ndarray | None = None
        self._pairs: dict[int, tuple[np.ndarray, QPainterPath]] = {}
        self._whole: QPainterPath | None = None

    def __len__(self) -> int:
        return len(self._pairs)

    def update(self, codes: np.ndarray) -> None:
        """Follow the plan's ``codes``, rebuilding the pairs whose border changed."""
        keys = _pair_keys(self._edges, codes)
        if self._keys is None or len(self._keys) != len(keys):
            dirty = np.unique(keys)
            self._pairs.clear()
        else:
            changed = keys != self._keys
            if not changed.any():
                return
            dirty = np.union1d(self._keys[changed], keys[changed])
        self._keys = keys
        self._whole = None
        dirty = dirty[dirty >= 0]
        for key in dirty.tolist():
            self._pairs.pop(key, None)
        if not len(dirty):
            return
        # searchsorted into the few dirty keys: np.isin would sort every edge's key.
        slot = np.minimum(np.searchsorted(dirty, keys), len(dirty) - 1)
        runs = self._edges.runs(dirty[slot] == keys, group=keys)
        if not len(runs):
            return
        run_keys = keys[runs.start_edge]
        lines = runs.polylines()
        bounds = runs.bounds()
        order = np.argsort(run_keys, kind="stable")
        for members in np.split(order, np.flatnonzero(np.diff(run_keys[order])) + 1):
            box = np.concatenate([bounds[members, :2].min(axis=0), bounds[members, 2:].max(axis=0)])
            path = polylines_path(lines[i] for i in members.tolist())
            self._pairs[int(run_keys[members[0]])] = (box, path)

    def paths(self, view: Bounds) -> list[QPainterPath]:
        """Paths holding every outline that meets ``view``."""
        minx, miny, maxx, maxy = view
        seen = [
            path
            for box, path in self._pairs.values()
            if box[2] >= minx and box[0] <= maxx and box[3] >= miny and box[1] <= maxy
        ]
        if len(seen) > len(self._pairs) // 2:
            # Mostly in view: one call beats hundreds (merging takes well under 1 ms).
            if self._whole is None:
                self._whole = QPainterPath()
                for _box, path in self._pairs.values():
                    self._whole.addPath(path)
            return [self._whole]
        return seen


def _pair_keys(edges: LevelEdges, codes: np.ndarray) -> np.ndarray:
    """Per edge: a key of the unordered pair of territories it separates, or -1 where
    no outline is drawn (see `territory_border_runs`)."""
    own, other, drawn = _outline_sides(edges, codes)
    # Codes are ≥ OUTSIDE (-2); shifted by 2 they pack into one int64 per pair.
    low, high = np.minimum(own, other) + 2, np.maximum(own, other) + 2
    return np.where(drawn, (low << 32) | high, -1)


def _outline_sides(edges: LevelEdges, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per edge: its territory, the territory across it (OUTSIDE beyond the layer), and
    whether it is drawn as a territory outline: sides differ, each shared edge once."""
    neighbour = edges.neighbour
    own = codes[edges.unit].astype(np.int64)
    other = np.where(neighbour >= 0, codes[np.maximum(neighbour, 0)], OUTSIDE).astype(np.int64)
    once = (neighbour < 0) | (edges.unit < neighbour)
    # Unassigned units get no outline against the outside or each other.
    drawn = (own != other) & once & ~((own == UNASSIGNED) & (other == OUTSIDE))
    return own, other, drawn


def unit_border_runs(edges: LevelEdges) -> EdgeRuns:
    """Every unit edge once (the layer's outer boundary included)."""
    neighbour = edges.neighbour
    return edges.runs((neighbour < 0) | (edges.unit < neighbour))


def territory_border_runs(edges: LevelEdges, codes: np.ndarray) -> EdgeRuns:
    """Edges between different territories (and a territory's outer boundary), once."""
    return edges.runs(_outline_sides(edges, codes)[2])
