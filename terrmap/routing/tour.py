"""Plain single routes through every stop: fast-tsp, picked by measurement.

fast-tsp (an Or-opt/Lin-Kernighan local search in Rust) finds the proven optimum of every
TSPLIB instance in ``../shared/bench`` (48–439 nodes) within 0.1–1 s on this machine, where
general VRP engines are 3–10 % off at the same time (``benchmarks/routing.py``). It takes
symmetric integer distances below 2¹⁶ and no seed, so this module scales and symmetrises the
matrix, then re-reads the result on the true costs and polishes it deterministically.
"""

from __future__ import annotations

import itertools

import numpy as np

UINT16_MAX = 2**16 - 1
# Or-opt tries a segment next to this many of its nearest nodes (the usual neighbour lists).
NEIGHBOURS = 10
POLISH_S_PER_NODE = 0.001
EXACT_NODES = 3


def solve_tour(cost: np.ndarray, *, time_limit: float, end: int | None = None) -> list[int]:
    """Cheapest route from node 0 through every node, back to 0 or on to ``end``.

    Parameters
    ----------
    cost
        ``(n, n)`` non-negative costs (seconds or metres); may be asymmetric (one-way roads).
    time_limit
        Seconds for the whole call (fast-tsp's search, then the polish).
    end
        Node the route must finish at instead of returning to node 0.

    Returns
    -------
    list of int
        Node indices in visit order, starting with 0 (and ending with ``end`` if given).
    """
    cost = np.asarray(cost, dtype=float)
    n = len(cost)
    if n <= EXACT_NODES:
        order = [0, *[i for i in range(1, n) if i != end], *([end] if end else [])]
        return _best_direction(order, cost, end)
    symmetric = (cost + cost.T) / 2.0
    if end is not None:
        symmetric = _force_edge(symmetric, end)
    # Leave time for the Or-opt polish (about half a millisecond a node per pass).
    search = max(0.02, time_limit - POLISH_S_PER_NODE * n)
    order = _canonical(_fast_tsp(symmetric, search), end)
    order = or_opt(order, cost, closed=end is None)
    return _best_direction(order, cost, end)


def route_cost(order: list[int], cost: np.ndarray, *, closed: bool = True) -> float:
    """Total cost of visiting ``order`` (back to the first node if ``closed``)."""
    idx = np.asarray(order)
    total = float(cost[idx[:-1], idx[1:]].sum())
    return total + (float(cost[idx[-1], idx[0]]) if closed else 0.0)


def or_opt(order: list[int], cost: np.ndarray, *, closed: bool) -> list[int]:
    """Move segments of 1–3 stops next to one of their near neighbours while that helps.

    The first node stays first (and the last stays last when not ``closed``). Deterministic,
    so repeated runs from one tour agree; it also repairs what scaling to 16-bit integers
    and symmetrising one-way costs may have cost fast-tsp's tour.
    """
    order = list(order)
    near = np.argsort(cost + cost.T, axis=1, kind="stable")[:, 1 : NEIGHBOURS + 1].tolist()
    cost = np.asarray(cost, dtype=float).tolist()  # nested lists: 5× faster single lookups
    position = _positions(order)
    improved = True
    while improved:
        improved = False
        for length in (1, 2, 3):
            i = 1
            while i + length <= len(order) - (0 if closed else 1):
                moved = _relocate(order, position, i, length, cost, near, closed)
                if moved is None:
                    i += 1
                else:
                    order, improved = moved, True
                    position = _positions(order)
    return order


def _positions(order: list[int]) -> list[int]:
    position = [0] * len(order)
    for k, node in enumerate(order):
        position[node] = k
    return position


def _relocate(
    order: list[int],
    position: list[int],
    i: int,
    length: int,
    cost: list[list[float]],
    near: list[list[int]],
    closed: bool,
) -> list[int] | None:
    """``order`` with ``order[i:i+length]`` moved (maybe reversed) where it saves most."""
    n = len(order)
    segment = order[i : i + length]
    first, last = segment[0], segment[-1]
    before, after = order[i - 1], order[(i + length) % n]
    saved = cost[before][first] + cost[last][after] - cost[before][after]
    inner = _inner(segment, cost)
    flipped = _inner(segment[::-1], cost) - inner
    best, best_gain = None, 1e-9
    # Place the segment so that one of its ends sits next to one of that end's neighbours.
    for end, piece_if_after, piece_if_before in (
        (first, segment, segment[::-1]),
        (last, segment[::-1], segment),
    ):
        for node in near[end]:
            k = position[node]
            for a_at, piece in ((k, piece_if_after), (k - 1, piece_if_before)):
                b_at = a_at + 1
                if not closed and (a_at < 0 or b_at >= n):
                    continue
                if i - 1 <= a_at % n < i + length:  # the gap touches the segment itself
                    continue
                a, b = order[a_at % n], order[b_at % n]
                extra = 0.0 if piece is segment else flipped
                added = cost[a][piece[0]] + cost[piece[-1]][b] - cost[a][b] + extra
                if saved - added > best_gain:
                    best, best_gain = (a, piece), saved - added
    if best is None:
        return None
    a, piece = best
    rest = order[:i] + order[i + length :]
    at = rest.index(a) + 1
    return rest[:at] + list(piece) + rest[at:]


def _inner(segment: list[int], cost: list[list[float]]) -> float:
    return sum(cost[a][b] for a, b in itertools.pairwise(segment))


def _fast_tsp(symmetric: np.ndarray, time_limit: float) -> list[int]:
    import fast_tsp  # a compiled extension; loaded only when a route is solved

    top = float(symmetric.max())
    scale = min(1.0, UINT16_MAX / top) if top > 0 else 1.0
    ints = np.rint(symmetric * scale).astype(np.int64)
    np.fill_diagonal(ints, 0)
    return list(fast_tsp.find_tour(ints, max(0.01, float(time_limit))))


def _force_edge(symmetric: np.ndarray, end: int) -> np.ndarray:
    # A closed tour that must use the edge end–0 is a path from 0 to end once that edge is
    # dropped: make it free and every other edge dearer by more than any path can save.
    forced = symmetric + symmetric.max() + 1.0
    np.fill_diagonal(forced, 0.0)
    forced[0, end] = forced[end, 0] = 0.0
    return forced


def _canonical(tour: list[int], end: int | None) -> list[int]:
    start = tour.index(0)
    tour = tour[start:] + tour[:start]
    if end is not None and tour[1] == end:
        tour = [0, *tour[1:][::-1]]
    return tour


def _best_direction(order: list[int], cost: np.ndarray, end: int | None) -> list[int]:
    if end is not None:
        return order
    reverse = [order[0], *order[1:][::-1]]
    return min(order, reverse, key=lambda o: (route_cost(o, cost), o))
