"""Independent plan evaluation for ``benchmarks/optimize.py``: one code path for every method.

Nothing here uses ``terrmap.optimize`` but one bound: the rook adjacency is built from shapely,
contiguity is checked with scipy on that graph, and balance, compactness and moved share are plain
numpy.

- Rook adjacency: units whose boundaries share a line of positive length (> 1 m in EPSG:5070).
  Components without such a neighbour (islands) are linked to the nearest unit (polygon distance)
  of another component, like ``terrmap.optimize.unit_adjacency``; the links are listed.
- Contiguity: territories in more than one piece over that graph (strict), and the same over rook
  edges alone where pieces that are whole islands are forgiven (island-link conventions differ).
- Balance: per metric, territory totals against equal targets (total / K); max |deviation| %.
- Forced bound: per metric, how far the largest single unit is above the target (%, 0 if none),
  or, for integer weights (counts), the deviation forced by ceil/floor(total / K) if larger.
  On lumpy instances (fewer than 20 units a territory) also the contiguity bound: the least
  tolerance within which a contiguous split of this module's graph exists, proved by terrmap's
  exhaustive search (``terrmap.optimize.split_search``, checked against brute force in its
  tests) — the only use of terrmap here, on the benchmark's own graph.
- Compactness: activity-weighted mean distance (km, EPSG:5070) of units' representative points to
  the activity-weighted centroid of their territory; activity = the first weight.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from optimize_instances import CACHE, EQUAL_AREA, Instance
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components

SHARED_EDGE_M = 1.0


@dataclass(frozen=True)
class Graph:
    """Symmetric unit adjacency: ``edges`` (e, 2) int pairs (i < j) and the island links."""

    n: int
    edges: np.ndarray
    attached: tuple[tuple[int, int], ...]

    def matrix(self) -> csr_array:
        """The adjacency as a symmetric sparse 0/1 matrix."""
        i, j = self.edges[:, 0], self.edges[:, 1]
        data = np.ones(2 * len(i), dtype=np.int8)
        rows, cols = np.concatenate([i, j]), np.concatenate([j, i])
        return coo_array((data, (rows, cols)), shape=(self.n, self.n)).tocsr()


@dataclass(frozen=True)
class Context:
    """What evaluation needs about an instance, computed once and shared by every method."""

    instance: Instance
    graph: Graph
    xy_km: np.ndarray
    weights: np.ndarray
    activity: np.ndarray

    @property
    def targets(self) -> np.ndarray:
        """``(m,)`` equal per-territory targets of every metric."""
        return self.weights.sum(axis=0) / self.instance.territories


def rook_edges(geometries: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)``, i < j, of polygons sharing a boundary longer than ``SHARED_EDGE_M``."""
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    boundaries = shapely.boundary(geometries)
    shared = shapely.length(shapely.intersection(boundaries[left], boundaries[right]))
    keep = shared > SHARED_EDGE_M
    return np.column_stack([left[keep], right[keep]]).astype(np.int64)


def link_islands(geometries: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Add edges linking each smaller component to the nearest unit of another component."""
    n = len(geometries)
    attached: list[tuple[int, int]] = []
    while True:
        graph = Graph(n, edges, ())
        count, labels = connected_components(graph.matrix(), directed=False)
        if count <= 1:
            return edges, tuple(attached)
        sizes = np.bincount(labels)
        smallest = int(np.argmin(sizes))
        inside = np.flatnonzero(labels == smallest)
        outside = np.flatnonzero(labels != smallest)
        tree = shapely.STRtree(geometries[outside])
        pairs, distances = tree.query_nearest(geometries[inside], return_distance=True)
        best = int(np.argmin(distances))
        a, b = int(inside[pairs[0, best]]), int(outside[pairs[1, best]])
        attached.append((a, b))
        edges = np.vstack([edges, [[min(a, b), max(a, b)]]])


def build_graph(instance: Instance) -> Graph:
    """Rook adjacency with island links for ``instance`` (cached by unit ids and geometry)."""
    frame = instance.frame.to_crs(EQUAL_AREA)
    geometries = np.asarray(frame.geometry.array)
    digest = hashlib.sha1(b"".join(shapely.to_wkb(geometries)))
    path = CACHE / f"rook_{instance.frame[instance.id_field].size}_{digest.hexdigest()[:16]}.json"
    if path.exists():
        stored = json.loads(path.read_text())
        edges = np.asarray(stored["edges"], dtype=np.int64).reshape(-1, 2)
        return Graph(len(geometries), edges, tuple(map(tuple, stored["attached"])))
    edges, attached = link_islands(geometries, rook_edges(geometries))
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"edges": edges.tolist(), "attached": [list(a) for a in attached]}))
    return Graph(len(geometries), edges, attached)


def representative_xy_km(instance: Instance) -> np.ndarray:
    """``(n, 2)`` representative points (point on surface) in EPSG:5070, km."""
    points = instance.frame.to_crs(EQUAL_AREA).representative_point()
    return points.get_coordinates().to_numpy() / 1000.0


def make_context(instance: Instance) -> Context:
    """Adjacency, points and weights of ``instance`` for evaluation."""
    weights = instance.weights
    return Context(
        instance=instance,
        graph=build_graph(instance),
        xy_km=representative_xy_km(instance),
        weights=weights,
        activity=weights[:, 0],
    )


def unit_bounds_pct(context: Context) -> np.ndarray:
    """``(m,)`` how far the largest single unit is above the equal target (%, ≥ 0)."""
    biggest = context.weights.max(axis=0)
    return np.maximum(0.0, 100.0 * (biggest / context.targets - 1.0))


def granularity_bounds_pct(context: Context) -> np.ndarray:
    """``(m,)`` deviation forced by integer weights (counts): some territory gets at least
    ceil(total / K) and some at most floor(total / K). 0 for non-integer weights."""
    targets = context.targets
    integral = np.all(context.weights == np.round(context.weights), axis=0)
    over = np.ceil(targets - 1e-9) / targets - 1.0
    under = 1.0 - np.floor(targets + 1e-9) / targets
    return np.where(integral, 100.0 * np.maximum(over, under), 0.0)


# Units per territory below which the contiguity bound is searched for, and the work allowed.
LUMPY_UNITS = 20
CONTIGUITY_BOUND_STEPS = 2_000_000


def contiguity_bound_pct(context: Context, tolerance_pct: float) -> float:
    """The largest tolerance (%) above ``tolerance_pct`` within which no contiguous split
    exists, on every metric at once; 0 if none is proved (or the instance is not lumpy)."""
    from terrmap.optimize.problem import Adjacency
    from terrmap.optimize.split_search import SplitLayer, least_tolerance

    k = context.instance.territories
    if context.graph.n >= LUMPY_UNITS * k:
        return 0.0
    matrix = context.graph.matrix()
    adjacency = Adjacency(matrix.indptr, matrix.indices)
    layer = SplitLayer(context.weights / context.targets, adjacency, context.xy_km, k)
    start = max(tolerance_pct, *forced_bounds_pct(context).values())
    return least_tolerance(layer, start, 100.0, CONTIGUITY_BOUND_STEPS).impossible_pct


def forced_bounds_pct(context: Context) -> dict[str, float]:
    """Per metric: lower bound on max |deviation| (%): the larger of the single-unit bound and
    the integer-granularity bound."""
    bounds = np.maximum(unit_bounds_pct(context), granularity_bounds_pct(context))
    return {c: float(b) for c, b in zip(context.instance.weight_columns, bounds, strict=True)}


def deviations_pct(context: Context, codes: np.ndarray) -> np.ndarray:
    """``(K, m)`` signed deviation of every territory total from its target, %."""
    k = context.instance.territories
    totals = np.zeros((k, context.weights.shape[1]))
    np.add.at(totals, codes, context.weights)
    return 100.0 * (totals / context.targets - 1.0)


def territory_pieces(n: int, edges: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Connected piece label of every unit, over the ``edges`` inside its own territory."""
    same = codes[edges[:, 0]] == codes[edges[:, 1]]
    _, labels = connected_components(Graph(n, edges[same], ()).matrix(), directed=False)
    return labels


def rook_only_edges(graph: Graph) -> np.ndarray:
    """The graph's edges without the island links."""
    if not graph.attached:
        return graph.edges
    links = {(min(a, b), max(a, b)) for a, b in graph.attached}
    keep = [tuple(edge) not in links for edge in graph.edges.tolist()]
    return graph.edges[np.asarray(keep, dtype=bool)]


def non_contiguous_territories(
    context: Context, codes: np.ndarray, forgive_islands: bool = False
) -> int:
    """Territories whose units form more than one connected piece (empty ones not counted).

    Strict (default): over the rook adjacency plus this module's island links (nearest unit by
    polygon distance). ``forgive_islands``: over rook edges only, not counting pieces that are a
    whole island group (a rook component of the full map), so that a method linking an island
    to a different nearby unit is not penalised.
    """
    graph = context.graph
    edges = rook_only_edges(graph) if forgive_islands else graph.edges
    pieces = territory_pieces(graph.n, edges, codes)
    forgiven = np.zeros(graph.n, dtype=bool)
    if forgive_islands and graph.attached:
        _, components = connected_components(Graph(graph.n, edges, ()).matrix(), directed=False)
        component_size = np.bincount(components)
        piece_size = np.bincount(pieces)
        forgiven = piece_size[pieces] == component_size[components]
    count = 0
    for territory in np.unique(codes):
        inside = codes == territory
        kept = np.unique(pieces[inside & ~forgiven])
        count += int(len(kept) > 1)
    return count


def compactness_km(context: Context, codes: np.ndarray) -> float:
    """Activity-weighted mean distance of units to their territory's weighted centroid, km."""
    k = context.instance.territories
    activity = context.activity
    mass = np.bincount(codes, weights=activity, minlength=k)
    sums = np.zeros((k, 2))
    np.add.at(sums, codes, context.xy_km * activity[:, None])
    plain = np.zeros((k, 2))
    np.add.at(plain, codes, context.xy_km)
    counts = np.maximum(np.bincount(codes, minlength=k), 1)
    centres = np.where(
        mass[:, None] > 0, sums / np.maximum(mass, 1e-300)[:, None], plain / counts[:, None]
    )
    distance = np.linalg.norm(context.xy_km - centres[codes], axis=1)
    return float(np.sum(activity * distance) / np.sum(activity))


def evaluate(context: Context, codes: np.ndarray) -> dict[str, object]:
    """All metrics of one plan (``codes``: territory 0..K-1 per unit, instance frame order)."""
    codes = np.asarray(codes, dtype=np.int64)
    k = context.instance.territories
    if codes.shape != (context.graph.n,) or codes.min() < 0 or codes.max() >= k:
        raise ValueError("codes must give a territory 0..K-1 for every unit")
    deviation = np.abs(deviations_pct(context, codes))
    columns = context.instance.weight_columns
    result: dict[str, object] = {
        "max_dev_pct": round(float(deviation.max()), 2),
        "max_dev_pct_by_metric": {
            c: round(float(deviation[:, j].max()), 2) for j, c in enumerate(columns)
        },
        "non_contiguous": non_contiguous_territories(context, codes),
        "non_contiguous_islands_forgiven": non_contiguous_territories(context, codes, True),
        "empty_territories": int(k - len(np.unique(codes))),
        "compactness_km": round(compactness_km(context, codes), 2),
    }
    current = context.instance.current
    if current is not None:
        result["moved_pct"] = round(100.0 * float(np.mean(codes != current)), 2)
    return result


def tolerance_goal_pct(context: Context, tolerance_pct: float) -> float:
    """The balance a method can be asked for: the tolerance, or the forced bound + 0.5."""
    return max(tolerance_pct, max(forced_bounds_pct(context).values()) + 0.5)


def frame_order(frame: gpd.GeoDataFrame, id_field: str, ids: np.ndarray) -> np.ndarray:
    """Positions in ``frame`` of the unit ``ids`` (raises if any id is unknown)."""
    position = {str(v): i for i, v in enumerate(frame[id_field].astype(str))}
    return np.asarray([position[str(v)] for v in ids], dtype=np.int64)
