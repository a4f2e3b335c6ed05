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


def unit_border_runs(edges: LevelEdges) -> EdgeRuns:
    """Every unit edge once (the layer's outer boundary included)."""
    neighbour = edges.neighbour
    return edges.runs((neighbour < 0) | (edges.unit < neighbour))


def territory_border_runs(edges: LevelEdges, codes: np.ndarray) -> EdgeRuns:
    """Edges between different territories (and a territory's outer boundary), once."""
    neighbour = edges.neighbour
    own = codes[edges.unit]
    other = np.where(neighbour >= 0, codes[np.maximum(neighbour, 0)], OUTSIDE)
    differ = own != other
    once = (neighbour < 0) | (edges.unit < neighbour)
    # Unassigned units get no outline against the outside or each other.
    drawn = differ & once & ~((own == UNASSIGNED) & (other == OUTSIDE))
    return edges.runs(drawn)
