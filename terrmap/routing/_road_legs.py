"""Snapping points to the road graph and solving the legs between them (numpy + scipy).

Private to `terrmap.routing.roads`, whose docstring explains the choices made here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from terrmap.routing._osm_graph import BACKWARD, FORWARD, RoadArrays
from terrmap.routing.distances import EARTH_RADIUS_M, great_circle_m

# Sources per Dijkstra call: bounds its (sources × vertices) result arrays to ~100 MB.
_DIJKSTRA_CELLS = 8_000_000
# Fastest-route trees kept for drawing legs: a route drawn leg by leg reuses each a while.
_KEPT_TREES = 16


class RoadGraph:
    """`RoadArrays` with an edge lookup and the drawing of edges and stretches.

    Attributes
    ----------
    arrays
        The compressed road graph.
    vertex_count
        Junctions (vertices) in it.
    edge_key
        ``src * V + dst`` per edge, sorted (the edges are sorted by ``(src, dst)``).
    """

    def __init__(self, arrays: RoadArrays) -> None:
        self.arrays = arrays
        self.vertex_count = len(arrays.vertex_node)
        self.edge_key = arrays.edge_src.astype(np.int64) * self.vertex_count + arrays.edge_dst

    def nodes_between(self, first: int, last: int) -> np.ndarray:
        """Nodes from position ``first`` to position ``last`` of one way, in either order."""
        if last >= first:
            return self.arrays.pos_node[first : last + 1]
        return self.arrays.pos_node[last : first + 1][::-1]

    def edge_nodes(self, src: int, dst: int) -> np.ndarray:
        """Nodes along the edge from vertex ``src`` to vertex ``dst``."""
        edge = int(np.searchsorted(self.edge_key, src * self.vertex_count + dst))
        seg = int(self.arrays.edge_seg[edge])
        first, last = int(self.arrays.seg_start[seg]), int(self.arrays.seg_end[seg])
        if self.arrays.edge_reversed[edge]:
            first, last = last, first
        return self.nodes_between(first, last)


@dataclass
class Ends:
    """Where each point joins the road, and the ways on and off it.

    ``exit_*`` are the (up to) two ways from the point into the graph: the vertex reached
    and the seconds and metres driven to get there; ``entry_*`` the two ways from the
    graph to the point. Slot 0 follows the stretch's node order, slot 1 runs against it;
    a missing way has infinite time. A point at a junction uses slot 0 at zero cost.
    """

    snap_m: np.ndarray
    node: np.ndarray
    seg: np.ndarray
    pos: np.ndarray
    along_m: np.ndarray
    exit_vertex: np.ndarray
    exit_s: np.ndarray
    exit_m: np.ndarray
    entry_vertex: np.ndarray
    entry_s: np.ndarray
    entry_m: np.ndarray


class SnapTargets:
    """Every node where a point may join the kept road network, in a k-d tree."""

    def __init__(self, a: RoadArrays) -> None:
        self._a = a
        kept = np.flatnonzero(a.seg_u >= 0)
        inner = a.seg_end[kept] - a.seg_start[kept] - 1
        # Interior positions of kept stretches, then the junctions themselves.
        first = np.repeat(a.seg_start[kept] + 1 - np.cumsum(inner) + inner, inner)
        pos = first + np.arange(inner.sum())
        self.pos = np.r_[pos, np.full(len(a.vertex_node), -1)]
        self.seg = np.r_[np.repeat(kept, inner), np.full(len(a.vertex_node), -1)]
        self.vertex = np.r_[np.full(len(pos), -1), np.arange(len(a.vertex_node))]
        self.node = np.r_[a.pos_node[pos], a.vertex_node]
        lat, lon = a.node_lat[self.node], a.node_lon[self.node]
        self._lat0 = float(np.radians(np.mean(lat))) if len(lat) else 0.0
        self._tree = cKDTree(self._project(lat, lon))

    def _project(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Local equirectangular metres: ample for finding the nearest road node."""
        x = EARTH_RADIUS_M * np.cos(self._lat0) * np.radians(lon)
        return np.c_[x, EARTH_RADIUS_M * np.radians(lat)]

    def attach(self, points: np.ndarray) -> Ends:
        """Snap ``(n, 2)`` lat/lon points to the road and work out their ways on and off."""
        a = self._a
        _, hit = self._tree.query(self._project(points[:, 0], points[:, 1]))
        node, seg, pos, vertex = self.node[hit], self.seg[hit], self.pos[hit], self.vertex[hit]
        snap_m = great_circle_m(points, np.c_[a.node_lat[node], a.node_lon[node]])
        n = len(points)
        ends = Ends(
            snap_m=snap_m,
            node=node,
            seg=seg,
            pos=pos,
            along_m=np.zeros(n),
            exit_vertex=np.zeros((n, 2), np.int64),
            exit_s=np.full((n, 2), np.inf),
            exit_m=np.zeros((n, 2)),
            entry_vertex=np.zeros((n, 2), np.int64),
            entry_s=np.full((n, 2), np.inf),
            entry_m=np.zeros((n, 2)),
        )
        at = vertex >= 0
        ends.exit_vertex[at, 0] = ends.entry_vertex[at, 0] = vertex[at]
        ends.exit_s[at, 0] = ends.entry_s[at, 0] = 0.0
        inside = np.flatnonzero(~at)
        s = seg[inside]
        before = a.pos_cum_m[pos[inside]] - a.pos_cum_m[a.seg_start[s]]
        after = a.pos_cum_m[a.seg_end[s]] - a.pos_cum_m[pos[inside]]
        speed = a.seg_speed_ms[s]
        ends.along_m[inside] = before
        # Slot 0, with the node order: leave towards the end, arrive from the start.
        # Slot 1, against it: leave towards the start, arrive from the end.
        for slot, allowed, leave_to, come_from, leave_m, arrive_m in (
            (0, a.seg_direction[s] != BACKWARD, a.seg_v[s], a.seg_u[s], after, before),
            (1, a.seg_direction[s] != FORWARD, a.seg_u[s], a.seg_v[s], before, after),
        ):
            rows = inside[allowed]
            ends.exit_vertex[rows, slot] = leave_to[allowed]
            ends.exit_m[rows, slot] = leave_m[allowed]
            ends.exit_s[rows, slot] = leave_m[allowed] / speed[allowed]
            ends.entry_vertex[rows, slot] = come_from[allowed]
            ends.entry_m[rows, slot] = arrive_m[allowed]
            ends.entry_s[rows, slot] = arrive_m[allowed] / speed[allowed]
        return ends


class Legs:
    """Solves the road legs between snapped points, batch of origins by batch of origins.

    Each point gets a virtual source vertex with edges to its exit vertices and a virtual
    sink with edges from its entry vertices, weighted by the part of its stretch driven.
    One Dijkstra on time per origin then picks the best way off and on by itself, and a
    leg's route runs source, exit, ..., entry, sink. The distance of each fastest route is
    summed by walking all pairs' predecessor chains at once (vectorised). Only a batch's
    trees are held; `path` recomputes the one tree it needs.
    """

    def __init__(self, network: RoadGraph, ends: Ends, points: np.ndarray) -> None:
        self._net = network
        self._ends = ends
        self._points = points
        n = len(points)
        self.time_s = np.zeros((n, n))
        self.length_m = np.zeros((n, n))
        self._direct = np.zeros((n, n), bool)
        self._first_sink = network.vertex_count + n
        self._time, self._length = self._augmented_graph()
        self._reach_s = self._search_limits()
        # Fastest-route trees from the points `path` has drawn legs from.
        self._trees: dict[int, np.ndarray] = {}

    def _search_limits(self) -> np.ndarray:
        """``(n,)`` seconds within which every point reaches every other point.

        By the triangle inequality through a hub (the point nearest the points' centre),
        time(i, j) <= time(i, hub) + time(hub, j). Searches stop at that bound, so stops in
        one town of a state-wide extract do not search the whole state (the figures are
        unchanged: nothing beyond the bound can be on a fastest leg).
        """
        n = len(self._points)
        if n == 0:
            return np.zeros(0)
        hub = int(np.argmin(np.abs(self._points - self._points.mean(axis=0)).sum(axis=1)))
        start = self._net.vertex_count
        from_hub = dijkstra(self._time, indices=start + hub)[self._first_sink :]
        reverse = self._time.T.tocsr()
        to_hub = dijkstra(reverse, indices=self._first_sink + hub)[start : start + n]
        # A second of slack covers rounding and the nanosecond weights of junction links.
        return to_hub + from_hub.max() + 1.0

    def _augmented_graph(self) -> tuple[csr_matrix, csr_matrix]:
        """Time and length CSR matrices of the road graph plus the points' virtual vertices."""
        a, e, net = self._net.arrays, self._ends, self._net
        n = len(self._points)
        point = np.repeat(np.arange(n), 2)
        on, off = np.isfinite(e.exit_s.ravel()), np.isfinite(e.entry_s.ravel())
        src = np.r_[a.edge_src, net.vertex_count + point[on], e.entry_vertex.ravel()[off]]
        dst = np.r_[a.edge_dst, e.exit_vertex.ravel()[on], self._first_sink + point[off]]
        # Sparse graphs drop zero weights: a point at a junction joins it in 1 ns.
        time = np.r_[a.edge_time_s, e.exit_s.ravel()[on], e.entry_s.ravel()[off]]
        time = np.maximum(time, 1e-9)
        length = np.r_[a.edge_length_m, e.exit_m.ravel()[on], e.entry_m.ravel()[off]]
        # Both ends of a closed loop reach one vertex: keep the faster edge of a pair.
        order = np.lexsort((time, dst, src))
        src, dst, time, length = src[order], dst[order], time[order], length[order]
        first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
        size = self._first_sink + n
        shape = (size, size)
        pairs = (src[first], dst[first])
        return csr_matrix((time[first], pairs), shape), csr_matrix((length[first], pairs), shape)

    def batches(self) -> int:
        """How many origin batches keep each Dijkstra result near `_DIJKSTRA_CELLS`."""
        per_batch = max(1, _DIJKSTRA_CELLS // self._time.shape[0])
        return max(1, -(-len(self._points) // per_batch))

    def solve(self, rows: np.ndarray) -> None:
        """Times and distances from points ``rows`` to every point."""
        if len(rows) == 0:
            return
        n = len(self._points)
        sources = self._net.vertex_count + rows
        limit = float(self._reach_s[rows].max())
        seconds, pred = dijkstra(self._time, indices=sources, return_predecessors=True, limit=limit)
        self.time_s[rows] = seconds[:, self._first_sink :]
        sinks = self._first_sink + np.arange(n)
        self.length_m[rows] = self._walk(np.arange(len(rows))[:, None], sinks[None, :], pred)
        self._take_direct(rows)

    def _walk(self, tree: np.ndarray, goal: np.ndarray, pred: np.ndarray) -> np.ndarray:
        """Metres from each pair's tree root to ``goal`` along the fastest-route tree ``tree``.

        All pairs step back one vertex per iteration until they reach their root (whose
        predecessor is negative); the arrays shrink to the pairs still walking, so the work
        is the number of tree edges walked, not pairs × longest route.
        """
        shape = np.broadcast_shapes(tree.shape, goal.shape)
        base = np.broadcast_to(tree.astype(np.int64) * pred.shape[1], shape).ravel()
        here = np.broadcast_to(goal, shape).ravel()
        pred = pred.ravel()
        metres = np.zeros(base.size)
        idx = np.arange(base.size)
        back = pred[base + here]
        while True:
            going = back >= 0
            idx, base, here, back = idx[going], base[going], here[going], back[going]
            if not len(idx):
                return metres.reshape(shape)
            # Sparse fancy indexing scans each short CSR row in C++.
            metres[idx] += np.asarray(self._length[back, here]).ravel()
            here = back
            back = pred[base + here]

    def _take_direct(self, rows: np.ndarray) -> None:
        """Two points on one stretch: driving straight along it may beat leaving it."""
        e = self._ends
        a = self._net.arrays
        i, j = np.nonzero((e.seg[rows][:, None] == e.seg[None, :]) & (e.seg[rows][:, None] >= 0))
        origin, seg = rows[i], e.seg[j]
        ahead = e.along_m[j] - e.along_m[origin]
        allowed = np.where(
            ahead >= 0, a.seg_direction[seg] != BACKWARD, a.seg_direction[seg] != FORWARD
        )
        seconds = np.abs(ahead) / a.seg_speed_ms[seg]
        better = allowed & (seconds < self.time_s[origin, j])
        origin, j = origin[better], j[better]
        self.time_s[origin, j] = seconds[better]
        self.length_m[origin, j] = np.abs(ahead[better])
        self._direct[origin, j] = True

    def path(self, i: int, j: int) -> tuple[tuple[float, float], ...]:
        """The drawn leg from point ``i`` to point ``j``: the point, the road, the point."""
        if i == j:
            nodes = np.zeros(0, np.int64)
        elif self._direct[i, j]:
            nodes = self._net.nodes_between(int(self._ends.pos[i]), int(self._ends.pos[j]))
        else:
            vertices = self._route(i, j)
            road = [self._net.edge_nodes(u, v) for u, v in itertools.pairwise(vertices)]
            leave = self._partial(i, vertices[0], exit_=True)
            arrive = self._partial(j, vertices[-1], exit_=False)
            nodes = np.concatenate([leave, *road, arrive])
        a = self._net.arrays
        lat = np.r_[self._points[i, 0], a.node_lat[nodes], self._points[j, 0]]
        lon = np.r_[self._points[i, 1], a.node_lon[nodes], self._points[j, 1]]
        keep = np.r_[True, (lat[1:] != lat[:-1]) | (lon[1:] != lon[:-1])]
        if keep.sum() == 1:  # i == j, or both at one spot: still a (degenerate) line
            keep[-1] = True
        return tuple(zip(lat[keep].tolist(), lon[keep].tolist(), strict=True))

    def _route(self, i: int, j: int) -> list[int]:
        """Road vertices of leg ``(i, j)``, exit to entry (the virtual ends left off)."""
        if i not in self._trees:
            # Recomputed (milliseconds) rather than kept from `solve`: sources × vertices
            # predecessors would take hundreds of MB on a county extract.
            if len(self._trees) >= _KEPT_TREES:
                del self._trees[next(iter(self._trees))]
            source = self._net.vertex_count + i
            limit = float(self._reach_s[i])
            _, self._trees[i] = dijkstra(
                self._time, indices=source, return_predecessors=True, limit=limit
            )
        pred = self._trees[i]
        here = int(pred[self._first_sink + j])
        vertices = []
        while here < self._net.vertex_count:
            vertices.append(here)
            here = int(pred[here])
        return vertices[::-1]

    def _partial(self, point: int, vertex: int, *, exit_: bool) -> np.ndarray:
        """Nodes between where ``point`` joins the road and ``vertex``, in driving order."""
        e, a = self._ends, self._net.arrays
        seg = e.seg[point]
        if seg < 0:
            return np.array([e.node[point]])
        ends, seconds = (e.exit_vertex, e.exit_s) if exit_ else (e.entry_vertex, e.entry_s)
        # The slot the search used: the faster of those reaching this vertex.
        slot = min((s for s in (0, 1) if ends[point, s] == vertex), key=lambda s: seconds[point, s])
        # Slot 0 leaves towards the stretch's end and arrives from its start; slot 1 the reverse.
        far_end = a.seg_end[seg] if (slot == 0) == exit_ else a.seg_start[seg]
        if exit_:
            return self._net.nodes_between(int(e.pos[point]), int(far_end))
        return self._net.nodes_between(int(far_end), int(e.pos[point]))
