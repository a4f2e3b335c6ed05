"""Ejection chains: move load along a path of territories, one border unit per hop.

Under a move cap a rebalance must spend every moved unit where it counts. The
flows of `terrmap.optimize.rebalance` plan for the whole plan at once and are
realised in whole units, which overshoots: territories that were only a little
under target end far under it, and the cap is gone. An ejection chain, the
classic move of capacitated districting, spends the cap one path at a time:

1. take the territory with the worst band violation;
2. find, by breadth-first search over the territory adjacency graph, the nearest
   territory that can take the load (over: one under its target; under: one over
   its target gives load to it);
3. push the load along that path, handing one or a few border units across each
   hop; each hop forwards about what the previous hop brought in, so the
   territories in between end where they were;
4. keep the chain only if the total band violation fell, otherwise undo it.

Units are chosen by how well their load matches what remains to be carried, and
by what they cost of the cap (a unit that goes back to its original owner frees
cap). Both territories of each hop stay contiguous and the cap is checked on
every move (`LocalSearch.can_move`).

Neither method is better everywhere: on small instances chains often meet a band
the flows miss; where the cap binds hard (US counties, a whole region 22 % over)
they cut the worst deviation but leave more territories outside the band. The
solver therefore runs them as a second start and keeps the better plan.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import pairwise

import numpy as np

from terrmap.optimize.local_search import EPS, LocalSearch
from terrmap.optimize.rebalance import territory_excess, unit_loads

# Share of its band a partner may be filled to, past its target (see `_chain_from`).
AIM_BAND_SHARE = 0.8
# Candidate destinations (or sources) tried per worst territory before giving up on it.
MAX_PARTNERS = 6
# Price of one moved unit's share of the cap, in units of the amount a hop carries:
# a mismatch of this much load is worth one unit less moved.
CAP_PRICE = 0.25
# Chains tried in all, against pathological loops (each accepted one lowers the
# violation, so this only bounds the failures).
MAX_CHAINS = 5000


def balance_by_chains(search: LocalSearch) -> int:
    """Run ejection chains until the bands are met, nothing helps, or time is up.

    Returns the number of unit moves kept. Never exceeds the move cap (each move is
    checked), keeps every territory contiguous and is deterministic.
    """
    load = unit_loads(search).tolist()
    mean_cost = _mean_disruption(search)
    stuck: set[int] = set()
    kept = 0
    for _ in range(MAX_CHAINS):
        if search.out_of_time():
            break
        before = search.violation()
        if before <= 0:
            break
        worst = _worst(search, stuck)
        if worst is None:
            break
        moves = _chain_from(search, load, mean_cost, worst, before)
        if moves:
            kept += moves
            stuck.clear()  # borders changed: a stuck territory may have a way out now
        else:
            stuck.add(worst)
    return kept


def _mean_disruption(search: LocalSearch) -> float:
    """Mean cap cost of moving one unit (the scale of `CAP_PRICE`)."""
    values = [d for d in search.disruption if d > 0]
    return sum(values) / len(values) if values else 1.0


def _worst(search: LocalSearch, stuck: set[int]) -> int | None:
    """The open territory with the largest band violation, skipping ``stuck`` ones."""
    excess, band = territory_excess(search)
    violation = np.maximum(np.abs(excess) - band, 0.0)
    violation[search.model.closed] = 0.0
    for c in np.argsort(-violation, kind="stable").tolist():
        if violation[c] <= EPS:
            return None
        if c not in stuck:
            return int(c)
    return None


def _territory_graph(search: LocalSearch) -> list[list[int]]:
    """Neighbouring open territories of each territory, from the current borders."""
    codes = search.codes
    a, b = codes[search.src], codes[search.dst]
    closed = search.model.closed
    keep = (a != b) & ~closed[a] & ~closed[b]
    pairs = np.unique(np.column_stack([a[keep], b[keep]]), axis=0)
    graph: list[list[int]] = [[] for _ in range(search.k)]
    for x, y in pairs.tolist():
        graph[x].append(y)
    return graph


def _paths(graph: list[list[int]], start: int) -> tuple[list[int], list[int]]:
    """Breadth-first order from ``start`` and the parent of each reached territory."""
    parent = [-2] * len(graph)
    parent[start] = -1
    order = [start]
    queue = deque([start])
    while queue:
        c = queue.popleft()
        for nb in graph[c]:
            if parent[nb] == -2:
                parent[nb] = c
                order.append(nb)
                queue.append(nb)
    return order, parent


def _chain_from(
    search: LocalSearch,
    load: list[float],
    mean_cost: float,
    worst: int,
    before: float,
) -> int:
    """Try chains between ``worst`` and its nearest partners; keep the first that helps.

    (Keeping the chain with the best violation removed per cap spent instead, or
    routing by border unit sizes, did worse on the US counties instance: it
    leaves the hardest territories for last, when the cap is gone.)

    An over-band territory sends load to the nearest territories under target; an
    under-band one receives it from the nearest over target. Returns the moves kept
    (0 if no chain lowered the band violation).
    """
    excess, band = territory_excess(search)
    over = excess[worst] > 0
    order, parent = _paths(_territory_graph(search), worst)
    # A partner may go this far past its target, into its band: the nearer
    # partners take more, so chains stay short and move fewer units.
    reach = AIM_BAND_SHARE * band
    room = (reach - excess) if over else (excess + reach)
    tried = 0
    for partner in order[1:]:
        if room[partner] <= EPS:
            continue
        amount = min(abs(excess[worst]), room[partner])
        path = [partner]
        while parent[path[-1]] != -1:
            path.append(parent[path[-1]])
        if over:
            path.reverse()  # from worst to the partner
        moves = _push(search, load, mean_cost, path, amount)
        if moves and search.violation() < before - EPS:
            return len(moves)
        # Undo in reverse order: each step restores a contiguous earlier plan.
        for i, a, _ in reversed(moves):
            search.apply(i, a)
        tried += 1
        if tried >= MAX_PARTNERS or search.out_of_time():
            break
    return 0


def _push(
    search: LocalSearch, load: list[float], mean_cost: float, path: list[int], amount: float
) -> list[tuple[int, int, int]]:
    """Hand about ``amount`` of load along ``path``; return the moves as (unit, from, to).

    Each hop forwards what the previous one actually brought in. The list is what
    undoing needs even when a hop fails part way (the caller then reverts it all).
    """
    moves: list[tuple[int, int, int]] = []
    for a, b in pairwise(path):
        carried = _hop(search, load, mean_cost, a, b, amount, moves)
        if carried <= EPS:
            return moves
        amount = carried
    return moves


def _hop(
    search: LocalSearch,
    load: list[float],
    mean_cost: float,
    a: int,
    b: int,
    amount: float,
    moves: list[tuple[int, int, int]],
) -> float:
    """Move border units of ``a`` to ``b`` until about ``amount`` crossed; return the load.

    A unit is taken while it brings what remains closer to zero; among those, the
    one whose load best matches the remainder, counting its cap cost (negative for
    a unit going home) at `CAP_PRICE` per unit, then compactness as a tie-break.
    """
    remaining = amount
    carried = 0.0
    while remaining > EPS:
        bx, by = search.centre(b)
        ax, ay = search.centre(a)
        options = []
        for i in search.members[a]:
            li = load[i]
            if li <= 0 or li >= 2 * remaining or search.fixed[i]:
                continue
            if not any(search.code[nb] == b for nb in search.nbrs[i]):
                continue
            cur = search.current[i]
            cap = search.disruption[i] * ((b != cur) - (a != cur)) if cur >= 0 else 0.0
            xi, yi = search.x[i], search.y[i]
            compact = search.cost[i] * (math.hypot(xi - bx, yi - by) - math.hypot(xi - ax, yi - ay))
            score = abs(remaining - li) / amount + CAP_PRICE * cap / mean_cost
            options.append((score, compact / search.compact_scale, i))
        options.sort()
        chosen = next((i for _, _, i in options if search.can_move(i, b)), None)
        if chosen is None:
            break
        search.apply(chosen, b)
        moves.append((chosen, a, b))
        remaining -= load[chosen]
        carried += load[chosen]
    return carried
