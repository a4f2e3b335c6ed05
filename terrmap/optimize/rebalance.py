"""Rebalancing by flows: move load from over- to under-loaded territories along borders.

Single boundary moves cannot fix a plan in which whole regions are over target: a
territory in the middle of an overloaded region has no underloaded neighbour, so
every move it could make only shifts the problem next door, and the local search
sees no improvement. This module looks at the territories instead of the units:

1. a transshipment linear programme over the territory adjacency graph says how
   much load should cross each border (from a territory to a neighbour) so that
   every open territory ends near its target, at the least disruption per unit of
   load carried (HiGHS; a few hundred variables);
2. each border's flow is then realised by handing boundary units across it,
   cheapest first (disruption, then compactness), keeping both territories
   contiguous and never exceeding the move cap (`LocalSearch.can_move`).

Realising is approximate (units are whole, borders shift as units move), so the two
steps repeat on the new plan a few times; the local search then finishes the job.
Flows are acyclic in an optimal solution, so no unit needs to go back and forth.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

from terrmap.optimize.local_search import EPS, LocalSearch

# The flows aim at this share of each band around the target, leaving room for units
# that do not add up exactly.
AIM_BAND_SHARE = 0.6
# Price of leaving load unbalanced in the programme (a slack), against ~1 per unit
# of load moved; only used when borders or locks make a balance impossible.
SLACK_PRICE = 1e3
# Disruption counts this much more than compactness while realising a capped flow.
CAPPED_DISRUPTION_PRIORITY = 10.0
ROUNDS = 6
# Share of the remaining move cap the flows of one round may plan to use.
BUDGET_SHARE = 0.9


def balance_by_flows(search: LocalSearch, rounds: int = ROUNDS) -> int:
    """Move units along territory flows until the bands are met; return the count moved.

    Stops early when the bands are met, when a round moves nothing or no longer
    reduces the band violation, or when the search is out of time.
    """
    moved = 0
    for _ in range(rounds):
        before = search.violation()
        if before <= 0 or search.out_of_time():
            break
        load = unit_loads(search)
        flows = territory_flows(search, load)
        done = sum(_realise(search, load.tolist(), a, b, amount) for a, b, amount in flows)
        moved += done
        if not done or search.violation() >= before - EPS:
            break
    return moved


def unit_loads(search: LocalSearch) -> np.ndarray:
    """``(n,)`` one number per unit: its weights relative to the mean open target, averaged
    over the metrics (with one metric, its weight over the mean target)."""
    model = search.model
    open_ = ~model.closed
    scale = np.where(model.targets[open_] > 0, model.targets[open_], 1.0).mean(axis=0)
    return (model.weights / scale[None, :]).mean(axis=1)


def territory_excess(search: LocalSearch) -> tuple[np.ndarray, np.ndarray]:
    """``(K,)`` load above target (negative below) and the band width, in `unit_loads` terms."""
    model = search.model
    open_ = ~model.closed
    scale = np.where(model.targets[open_] > 0, model.targets[open_], 1.0).mean(axis=0)
    totals = np.asarray(search.totals)
    excess = ((totals - model.targets) / scale[None, :]).mean(axis=1)
    band = ((model.upper - model.targets) / scale[None, :]).min(axis=1)
    return excess, band


def territory_flows(search: LocalSearch, load: np.ndarray) -> list[tuple[int, int, float]]:
    """``(from, to, load)`` per border, largest first, from the transshipment LP.

    Each open territory's net outflow must lie within `AIM_BAND_SHARE` of its band
    around its excess (slacks priced at `SLACK_PRICE` keep the programme feasible);
    the cost of a border is the disruption per unit of load of the units that could
    cross it (the cheapest half of them), so flows prefer cheap borders and short
    routes.

    Under a move cap the budget usually cannot pay for every band, and the least
    total slack then leaves the territories farthest from the excess as they were:
    the programme minimises the largest slack first (a column bounding every slack,
    priced as all of them together). On a 33,300-cell layer with its eastern fifth
    +30 % and a 10 % cap that alone ends 11.4 % off instead of 11.8 % (10.9 % with the
    solver's choice of phase by the worst violation, `_phase_key`).
    """
    model = search.model
    excess, band = territory_excess(search)
    pairs, price = _border_prices(search, load)
    if not len(pairs):
        return []
    k = search.k
    open_codes = np.flatnonzero(~model.closed)
    row = np.full(k, -1)
    row[open_codes] = np.arange(len(open_codes))
    n_f, n_t = len(pairs), len(open_codes)
    capped = model.max_moved is not None
    # Columns: flows, a slack each way per territory, and under a cap the largest slack.
    n_cols = n_f + 2 * n_t + capped
    a_eq = np.zeros((n_t, n_cols))
    a_eq[row[pairs[:, 0]], np.arange(n_f)] += 1.0
    a_eq[row[pairs[:, 1]], np.arange(n_f)] -= 1.0
    a_eq[np.arange(n_t), n_f + np.arange(n_t)] = 1.0
    a_eq[np.arange(n_t), n_f + n_t + np.arange(n_t)] = -1.0
    width = AIM_BAND_SHARE * band[open_codes]
    lower, upper = excess[open_codes] - width, excess[open_codes] + width
    a_ub = np.vstack([a_eq, -a_eq])
    b_ub = np.concatenate([upper, -lower])
    cost = np.concatenate([price, np.full(2 * n_t, SLACK_PRICE)])
    if capped:
        # What the flows may still cost: the rest of the cap (with a margin, since
        # whole units rarely match a flow exactly), so that every flow can be realised.
        budget = BUDGET_SHARE * max(model.max_moved - search.moved, 0.0)
        bounded = np.zeros((2 * n_t, n_cols))
        bounded[np.arange(2 * n_t), n_f + np.arange(2 * n_t)] = 1.0
        bounded[:, -1] = -1.0
        a_ub = np.vstack([a_ub, bounded, np.concatenate([price, np.zeros(2 * n_t + 1)])])
        b_ub = np.concatenate([b_ub, np.zeros(2 * n_t), [budget]])
        cost = np.append(cost, n_t * SLACK_PRICE)
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if result.x is None:
        return []
    flow = result.x[:n_f]
    keep = np.flatnonzero(flow > 1e-6)
    order = keep[np.argsort(-flow[keep], kind="stable")]
    return [(int(pairs[p, 0]), int(pairs[p, 1]), float(flow[p])) for p in order]


def _border_prices(search: LocalSearch, load: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Directed territory pairs ``(a, b)`` with a movable unit of a touching b, and the
    disruption per load of crossing that border."""
    model = search.model
    codes = search.codes
    src, dst = search.src, search.dst
    a, b = codes[src], codes[dst]
    keep = (a != b) & ~model.fixed[src] & ~model.closed[a] & ~model.closed[b]
    units, frm, to = src[keep], a[keep], b[keep]
    if not len(units):
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    key = frm * search.k + to
    per_load = _move_disruption(search, units, to) / np.maximum(load[units], EPS)
    per_load = np.maximum(per_load, 0.0)
    order = np.lexsort((per_load, key))
    key, per_load = key[order], per_load[order]
    starts = np.flatnonzero(np.r_[True, np.diff(key) != 0])
    ends = np.r_[starts[1:], len(key)]
    # The cheaper half of a border's units is what a flow would use first.
    price = np.array(
        [per_load[s : s + max(1, (e - s) // 2)].mean() for s, e in zip(starts, ends, strict=True)]
    )
    pairs = np.column_stack([key[starts] // search.k, key[starts] % search.k])
    # A little per border crossed keeps flows short even when moves cost nothing.
    return pairs, price + 1e-3 / max(model.n, 1) + 1e-6


def _move_disruption(search: LocalSearch, units: np.ndarray, to: np.ndarray) -> np.ndarray:
    """Change of the moved disruption share if each unit moved to ``to``."""
    model = search.model
    if model.current is None:
        return np.zeros(len(units))
    cur = model.current[units]
    frm = search.codes[units]
    change = ((to != cur).astype(float) - (frm != cur)) * (cur >= 0)
    return model.disruption[units] * change


def _realise(search: LocalSearch, load: list[float], a: int, b: int, amount: float) -> int:
    """Hand boundary units of ``a`` to ``b`` until about ``amount`` of load has crossed.

    A unit is taken only if it brings the remaining flow closer to zero; among those,
    the cheapest (disruption first when a cap applies, then compactness) that keeps
    both territories contiguous and the cap respected.
    """
    model = search.model
    capped = model.max_moved is not None
    priority = search.disruption_weight + (CAPPED_DISRUPTION_PRIORITY if capped else 0.0)
    remaining = amount
    done = 0
    while remaining > 0 and not search.out_of_time():
        options = []
        bx, by = search.centre(b)
        ax, ay = search.centre(a)
        for i in search.members[a]:
            li = load[i]
            if li > 2 * remaining or search.fixed[i]:
                continue
            if not any(search.code[nb] == b for nb in search.nbrs[i]):
                continue
            xi, yi = search.x[i], search.y[i]
            compact = search.cost[i] * (math.hypot(xi - bx, yi - by) - math.hypot(xi - ax, yi - ay))
            cur = search.current[i]
            disrupt = search.disruption[i] * ((b != cur) - (a != cur)) if cur >= 0 else 0.0
            # Per unit of load carried: a flow is realised with few, well-placed units.
            score = priority * disrupt + compact / search.compact_scale
            options.append((score / max(li, EPS), i))
        options.sort()
        chosen = next((i for _, i in options if search.can_move(i, b)), None)
        if chosen is None:
            break
        search.apply(chosen, b)
        remaining -= load[chosen]
        done += 1
    return done
