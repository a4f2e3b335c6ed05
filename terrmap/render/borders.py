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


class Polylines:
    """Polylines with bounding boxes, handed out as one path culled to a view."""

    def __init__(self, runs: EdgeRuns) -> None:
        self.lines = runs.polylines()
        self.bounds = runs.bounds()
        self._whole: QPainterPath | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def path(self, view: Bounds) -> QPainterPath:
        """The polylines meeting ``view`` as one path."""
        minx, miny, maxx, maxy = view
        b = self.bounds
        seen = np.flatnonzero(
            (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
        )
        if len(seen) > len(self.lines) // 2:
            # Mostly in view: Qt clips the rest faster than Python builds a subset.
            if self._whole is None:
                self._whole = polylines_path(self.lines)
            return self._whole
        lines = self.lines
        return polylines_path(lines[i] for i in seen.tolist())


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
