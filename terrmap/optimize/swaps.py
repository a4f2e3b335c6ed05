"""Swaps: two neighbouring territories exchange a boundary unit each.

Once every band is met, most single boundary moves that would improve compactness
push a territory out of its band and are refused. Exchanging a unit for another of
similar weight keeps both totals nearly where they were, so compactness can keep
improving along tight borders.

Candidates are scored with numpy (the compactness change of each boundary move at
the current centres); per pair of neighbouring territories the best few moves each
way are paired up, the pair's joint change (balance included) is estimated, and the
promising ones are tried in order: the first unit moves, then the second moves back
if that keeps both territories contiguous and the exact change is an improvement;
otherwise the first move is undone.
"""

from __future__ import annotations

import itertools

import numpy as np

from terrmap.optimize.local_search import EPS, LocalSearch

PER_SIDE = 4  # best moves each way of a territory pair that are paired up
MAX_PASSES = 20


def swap_pass(search: LocalSearch, per_side: int = PER_SIDE) -> int:
    """Apply improving contiguity-preserving swaps once over every border; return the count."""
    units, to, frm, gain = _boundary_moves(search)
    if not len(units):
        return 0
    k = search.k
    pair = np.minimum(frm, to) * k + np.maximum(frm, to)
    order = np.lexsort((gain, pair))
    units, to, frm, gain, pair = units[order], to[order], frm[order], gain[order], pair[order]
    bounds = np.flatnonzero(np.diff(pair)) + 1
    trials: list[tuple[float, int, int]] = []
    for group in np.split(np.arange(len(pair)), bounds):
        low = frm[group[0]] if frm[group[0]] < to[group[0]] else to[group[0]]
        forward = group[frm[group] == low][:per_side]  # sorted by gain already
        backward = group[frm[group] != low][:per_side]
        for p, q in itertools.product(forward.tolist(), backward.tolist()):
            estimate = _estimate(search, int(units[p]), int(units[q]), gain[p] + gain[q])
            if estimate < -EPS:
                trials.append((estimate, int(units[p]), int(units[q])))
    trials.sort()
    done = 0
    touched: set[int] = set()
    for _, i, j in trials:
        if i in touched or j in touched or search.out_of_time():
            continue
        if _try_swap(search, i, j):
            touched.update((i, j))
            done += 1
    return done


def improve_with_swaps(search: LocalSearch) -> int:
    """Alternate swap passes and greedy moves until neither improves (or time is up)."""
    total = 0
    for _ in range(MAX_PASSES):
        if search.out_of_time():
            break
        done = swap_pass(search)
        if not done:
            break
        total += done
        search.improve()
    return total


def _boundary_moves(search: LocalSearch) -> tuple[np.ndarray, ...]:
    """Distinct boundary moves (unit, to, from) with their compactness change alone."""
    model = search.model
    codes = search.codes
    a, b = codes[search.src], codes[search.dst]
    keep = (a != b) & ~model.fixed[search.src] & ~model.closed[a] & ~model.closed[b]
    key = np.unique(search.src[keep] * search.k + b[keep])
    units, to = key // search.k, key % search.k
    frm = codes[units]
    centres = search.centres()
    xy = model.xy[units]
    gain = model.cost[units] * (np.hypot(*(xy - centres[to]).T) - np.hypot(*(xy - centres[frm]).T))
    return units, to, frm, gain / search.compact_scale


def _estimate(search: LocalSearch, i: int, j: int, compact: float) -> float:
    """Estimated objective change of swapping ``i`` (in a) and ``j`` (in b)."""
    a, b = search.code[i], search.code[j]
    value = compact
    wi, wj = search.w[i], search.w[j]
    for m in range(search.m):
        shift = wj[m] - wi[m]
        if shift == 0.0:
            continue
        ta, tb = search.totals[a][m], search.totals[b][m]
        value += search._balance_term(a, m, ta + shift) - search._balance_term(a, m, ta)
        value += search._balance_term(b, m, tb - shift) - search._balance_term(b, m, tb)
    return value


def _try_swap(search: LocalSearch, i: int, j: int) -> bool:
    """Swap ``i`` and ``j`` if both moves keep territories contiguous and it pays."""
    a, b = search.code[i], search.code[j]
    if a == b or not search.can_move(i, b):
        return False
    first = search.delta(i, b)
    search.apply(i, b)
    if search.can_move(j, a) and first + search.delta(j, a) < -EPS:
        search.apply(j, a)
        return True
    search.apply(i, a)  # undo: the plan before was contiguous
    return False
