"""The edges of a unit layer at one level of detail, as flat numpy arrays.

Two consumers need edges rather than polygons:

- the scanline fill (`terrmap.render.raster_fill`) walks every ring edge of the
  visible units, so edges are stored per unit, contiguous, in ring order;
- border drawing (unit borders, territory outlines) wants each shared edge once, so an
  edge knows the unit on its other side (its twin in the neighbour's ring) and runs of
  wanted edges are joined into polylines (`EdgeRuns.polylines`).

Rings are oriented counter-clockwise (holes clockwise) so that the winding number of a
unit is +1 inside it, 0 outside and in its holes.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import shapely

_HASH_X = np.uint64(0x9E3779B97F4A7C15)
_HASH_Y = np.uint64(0xC2B2AE3D27D4EB4F)


class LevelEdges:
    """Ring edges of (some of) a layer's units.

    Parameters
    ----------
    geometry
        Display-plane (multi)polygons.
    positions
        Layer positions of ``geometry`` (default: ``0..n-1``); edges carry these.
    """

    def __init__(self, geometry: np.ndarray, positions: np.ndarray | None = None) -> None:
        geometry = shapely.orient_polygons(np.asarray(geometry, dtype=object), exterior_cw=False)
        if positions is None:
            positions = np.arange(len(geometry))
        parts, part_owner = shapely.get_parts(geometry, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        inner = np.flatnonzero(coord_ring[:-1] == coord_ring[1:])
        self.xy = coords  # every ring's coordinates, closing point included
        self.start_index = inner  # edge e runs from xy[start_index[e]] to the next point
        self.ring = coord_ring[inner]
        local_unit = part_owner[ring_part][self.ring]
        self.unit = np.asarray(positions, dtype=np.intp)[local_unit]
        self.x0, self.y0 = coords[inner, 0], coords[inner, 1]
        self.x1, self.y1 = coords[inner + 1, 0], coords[inner + 1, 1]

    def __len__(self) -> int:
        return len(self.x0)

    @cached_property
    def neighbour(self) -> np.ndarray:
        """Layer position of the unit across each edge; -1 on the layer's outer boundary
        (and wherever neighbours do not share the exact same vertices)."""
        key = _point_hash(self.x0, self.y0) + _point_hash(self.x1, self.y1)  # symmetric
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        neighbour = np.full(len(key), -1, dtype=np.intp)
        if len(key) < 2:
            return neighbour
        pair = ordered[1:] == ordered[:-1]
        # A key seen exactly twice is one edge shared by two rings.
        unique_pair = pair.copy()
        unique_pair[1:] &= ~pair[:-1]
        unique_pair[:-1] &= ~pair[1:]
        first = order[:-1][unique_pair]
        second = order[1:][unique_pair]
        neighbour[first] = self.unit[second]
        neighbour[second] = self.unit[first]
        return neighbour

    @cached_property
    def matched_share(self) -> float:
        """Share of edges that have a twin in a neighbour's ring (low: not a coverage)."""
        return float((self.neighbour >= 0).mean()) if len(self) else 0.0

    def runs(self, wanted: np.ndarray, group: np.ndarray | None = None) -> EdgeRuns:
        """The ``wanted`` edges (boolean mask) joined into polylines along their rings;
        with ``group`` (a value per edge), a run also ends where the group changes."""
        return EdgeRuns(self, wanted, group)


class EdgeRuns:
    """Maximal runs of consecutive wanted edges of one ring, each a polyline."""

    def __init__(
        self, edges: LevelEdges, wanted: np.ndarray, group: np.ndarray | None = None
    ) -> None:
        wanted = np.asarray(wanted, dtype=bool)
        same_ring = np.zeros(len(wanted), dtype=bool)
        same_ring[1:] = edges.ring[1:] == edges.ring[:-1]
        if group is not None:
            same_ring[1:] &= group[1:] == group[:-1]
        continues = np.zeros(len(wanted), dtype=bool)
        continues[1:] = wanted[:-1] & same_ring[1:]
        starts = np.flatnonzero(wanted & ~continues)
        ends_mask = wanted.copy()
        ends_mask[:-1] &= ~(wanted[1:] & same_ring[1:])
        ends = np.flatnonzero(ends_mask)
        self._xy = edges.xy
        self.first = edges.start_index[starts]  # coordinate index where each run starts
        self.stop = edges.start_index[ends] + 2  # one past its last coordinate
        self.unit = edges.unit[starts]
        self.start_edge = starts

    def __len__(self) -> int:
        return len(self.first)

    def polylines(self) -> list[np.ndarray]:
        """``(k, 2)`` coordinates of every run."""
        xy = self._xy
        return [xy[a:b] for a, b in zip(self.first.tolist(), self.stop.tolist(), strict=True)]

    def bounds(self) -> np.ndarray:
        """``(n, 4)`` bounding box of every run."""
        if not len(self):
            return np.empty((0, 4))
        # Runs are ascending, disjoint coordinate ranges: reduce over [first, stop) pairs.
        xy = np.vstack([self._xy, self._xy[-1:]])
        cuts = np.column_stack([self.first, self.stop]).ravel()
        out = np.empty((len(self), 4))
        for column, (axis, reduce) in enumerate(
            ((0, np.minimum), (1, np.minimum), (0, np.maximum), (1, np.maximum))
        ):
            out[:, column] = reduce.reduceat(xy[:, axis], cuts)[::2]
        return out


def _point_hash(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A 64-bit hash of exact coordinates (equal points, equal hashes)."""
    with np.errstate(over="ignore"):
        hx = np.asarray(x, dtype=np.float64).view(np.uint64) * _HASH_X
        hy = np.asarray(y, dtype=np.float64).view(np.uint64) * _HASH_Y
        hx ^= hy >> np.uint64(17)
        hx ^= hy << np.uint64(13)
    return hx
