"""Initial plan: balanced location–allocation solved as a linear programme (HiGHS).

Each free unit is shared among its nearest candidate centres (x ≥ 0, summing to 1);
the LP minimises the activity-weighted distance to the centres subject to every open
territory's totals lying inside its band. Restricting candidates to the nearest few
centres keeps the LP at ~15 variables per unit. A basic optimal solution splits at
most about one unit per band constraint, so rounding each unit to its largest share
moves the totals only slightly. Centres then move to the weighted centroid of their
allocation and the LP is solved again (Lloyd-like), a few times.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, vstack
from scipy.spatial import cKDTree

from terrmap.optimize.centres import initial_centres, plan_centres, seeded_mask
from terrmap.optimize.model import Model

__all__ = ["allocate", "allocate_near_plan", "initial_centres", "price_balance"]

CANDIDATES = 12  # nearest centres a unit may join
LP_CANDIDATES = 4  # best priced candidates a contested unit keeps in the LP
PRICE_ROUNDS = 60
# Penalty per unit of relative band violation (slack); the cost side is scaled to ~1,
# so a slack is used only when the band cannot be met with the candidates given.
SLACK_PENALTY = 1e3
# The LP aims inside a narrower band so that rounding and contiguity repair have room.
LP_BAND_SHARE = 0.5


def allocate(
    model: Model,
    centres: np.ndarray,
    rounds: tuple[int, int],
    stop_requested,
    done: Callable[[float], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Balanced k-means: assign under the bands, move centres to centroids, repeat.

    ``rounds = (priced, exact)``: first ``priced`` rounds assign by Lagrangian prices
    (tens of milliseconds each, nearly balanced), then ``exact`` rounds solve the
    balanced assignment LP (HiGHS, ~0.3 s on 3k units) so the centres settle where a
    plan that really meets the bands wants them. Running the centre updates to
    (near) convergence is what brings the plan close to unconstrained k-means: six
    rounds left US counties → 60 some 10 % less compact than twenty.

    ``done(fraction)``, if given, hears the share of the rounds done after each one (the
    exact rounds take most of the time on large layers).

    Returns
    -------
    codes, centres
        Rounded plan (fixed units keep their codes) and the final centres.
    """
    priced, exact = rounds
    prices = None
    total = max(priced, 0) + max(exact, 1)

    def round_done(count: int) -> None:
        if done is not None:
            done(count / total)

    for round_ in range(max(priced, 0)):
        candidates = Candidates(model, centres)
        prices, reduced = price_balance(model, candidates, prices)
        pick = candidates.codes[np.arange(len(candidates.free)), np.argmin(reduced, axis=1)]
        share = np.ones((len(pick), 1))
        new = _allocation_centres(model, share, (candidates.free, pick[:, None]), centres)
        moved = float(np.hypot(*(new - centres).T).max(initial=0.0))
        centres = new
        round_done(round_ + 1)
        if moved < 1.0 or stop_requested():
            break
    for round_ in range(max(exact, 1)):
        candidates = Candidates(model, centres)
        prices, reduced = price_balance(model, candidates, prices)
        share, lp_candidates = _solve_lp(model, candidates, reduced)
        new = _allocation_centres(model, share, lp_candidates, centres)
        moved = float(np.hypot(*(new - centres).T).max(initial=0.0))
        round_done(max(priced, 0) + round_ + 1)
        if round_ == exact - 1 or moved < 1.0 or stop_requested():
            break
        centres = new
    codes = _round(model, share, lp_candidates)
    return codes, new


def allocate_near_plan(model: Model, plan: np.ndarray, stay_bonus: np.ndarray) -> np.ndarray:
    """A balanced allocation around the territories of ``plan`` that prefers to keep
    each unit where it is: the rebalance counterpart of `allocate`.

    Each unit's cost to stay in its territory is lowered by its ``stay_bonus`` (``(n,)``,
    in the scaled costs, where a typical unit's distance costs about 1), and one exact LP
    balances every territory at once around the plan's centres. Whole chains of
    territories shift together, which moving load border by border does poorly when
    much of it has to travel far. The result is rounded, not yet contiguous.
    """
    centres = plan_centres(model, plan)
    candidates = Candidates(model, centres)
    stays = candidates.codes == plan[candidates.free][:, None]
    candidates.cost = candidates.cost - stay_bonus[candidates.free][:, None] * stays
    _, reduced = price_balance(model, candidates, None)
    share, lp_candidates = _solve_lp(model, candidates, reduced)
    return _round(model, share, lp_candidates)


class Candidates:
    """Free units with their nearest open centres, distances and loads."""

    def __init__(self, model: Model, centres: np.ndarray) -> None:
        self.free = np.flatnonzero(~model.fixed)
        open_codes = model.open_territories
        count = min(CANDIDATES, len(open_codes))
        dist, idx = cKDTree(centres[open_codes]).query(model.xy[self.free], k=count)
        self.dist = dist.reshape(len(self.free), count)
        self.codes = open_codes[idx.reshape(len(self.free), count)]
        cost = model.cost[self.free][:, None] * self.dist
        # Scaled so that a typical unit's cost is ~1: prices and the LP see O(1) numbers.
        self.cost = cost / max(float(np.mean(cost[:, 0])) if len(cost) else 1.0, 1e-12)
        self.cost = self.cost + 1e-3 * np.arange(count)[None, :]  # ties: nearest first
        targets = np.where(model.targets > 0, model.targets, 1.0)
        # (nf, c, m) load a unit puts on each candidate territory, relative to its target.
        self.load = model.weights[self.free][:, None, :] / targets[self.codes]


def price_balance(
    model: Model, cand: Candidates, prices: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Lagrangian prices per territory and metric that balance a nearest-centre choice.

    Each unit picks the candidate with the lowest cost + price × relative load; an
    overloaded territory raises its price, an underloaded one lowers it, with a
    per-territory step that grows while the sign holds and halves when it flips
    (Rprop). Cheap (numpy over n × candidates), and the prices tell which units are
    clearly settled, so the LP only has to decide the contested ones.
    """
    k, m = model.k, model.weights.shape[1]
    prices = np.zeros((k, m)) if prices is None else prices.copy()
    step = np.full((k, m), 0.05)
    last = np.zeros((k, m))
    held = _held(model)
    targets = np.where(model.targets > 0, model.targets, 1.0)
    open_mask = ~model.closed
    scale = max(float(np.median(cand.load.sum(axis=2)[:, 0])) if cand.load.size else 1.0, 1e-12)
    rows = np.arange(len(cand.free))
    free_weights = model.weights[cand.free]
    # One contiguous (n, candidates) array per metric: summing a short last axis of a
    # 3-d array was most of a round's time.
    loads = [np.ascontiguousarray(cand.load[:, :, j]) for j in range(m)]

    def priced_cost() -> np.ndarray:
        charge = prices[:, 0][cand.codes] * loads[0]
        for j in range(1, m):
            charge += prices[:, j][cand.codes] * loads[j]
        return cand.cost + charge / scale

    band = LP_BAND_SHARE * _band(model)
    for _ in range(PRICE_ROUNDS):
        reduced = priced_cost()
        pick = np.argmin(reduced, axis=1)
        chosen = cand.codes[rows, pick]
        load = held + _sum_by_code(chosen, free_weights, k)
        gap = load / targets - 1.0
        direction = np.sign(gap) * (np.abs(gap) > band) * open_mask[:, None]
        if not direction.any():
            break
        same = direction * last
        step = np.where(same > 0, step * 1.3, np.where(same < 0, step * 0.5, step))
        prices += step * direction
        last = np.where(direction != 0, direction, last)
    return prices, priced_cost()


def _sum_by_code(codes: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """``(K, m)`` column sums of ``weights`` per code (bincount: far faster than add.at)."""
    return np.column_stack(
        [np.bincount(codes, weights=weights[:, j], minlength=k) for j in range(weights.shape[1])]
    )


def _band(model: Model) -> np.ndarray:
    targets = np.where(model.targets > 0, model.targets, 1.0)
    return (model.upper - model.targets) / targets


def _held(model: Model) -> np.ndarray:
    """``(K, m)`` totals of fixed units (locked units already in open territories)."""
    held = np.zeros_like(model.targets)
    mine = model.fixed & (model.start >= 0)
    np.add.at(held, model.start[mine], model.weights[mine])
    return held


def _solve_lp(
    model: Model, cand: Candidates, reduced: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Fractional balanced allocation over each unit's best priced candidates."""
    nf = len(cand.free)
    width = min(LP_CANDIDATES, reduced.shape[1])
    lp_cols = np.argsort(reduced, axis=1, kind="stable")[:, :width]
    codes = np.take_along_axis(cand.codes, lp_cols, axis=1)
    cost = np.take_along_axis(cand.cost, lp_cols, axis=1)
    load = np.take_along_axis(cand.load, lp_cols[:, :, None], axis=1)
    share = np.zeros((nf, width))
    share[:, 0] = 1.0
    if nf:
        found = _balanced_assignment(model, codes, cost, load, _held(model), LP_BAND_SHARE)
        if found is not None:
            share = found
    return share, (cand.free, codes)


def _balanced_assignment(
    model: Model,
    codes: np.ndarray,
    cost: np.ndarray,
    load: np.ndarray,
    held: np.ndarray,
    band_share: float,
) -> np.ndarray | None:
    """Shares of each unit among its candidates meeting the narrowed bands (HiGHS LP).

    Slacks priced at `SLACK_PENALTY` keep the programme feasible whatever the data.
    """
    nf, c = codes.shape
    m = load.shape[2]
    open_codes = model.open_territories
    targets = np.where(model.targets > 0, model.targets, 1.0)
    row_of = np.full(model.k, -1)
    row_of[open_codes] = np.arange(len(open_codes))
    n_x, n_rows = nf * c, len(open_codes)
    n_slack = 2 * n_rows * m
    cols = np.arange(n_x)
    rows = row_of[codes.ravel()]
    band = band_share * _band(model)
    eye = np.arange(n_rows)
    blocks, lower, upper = [], [], []
    for j in range(m):
        use = csr_array((load[:, :, j].ravel(), (rows, cols)), shape=(n_rows, n_x))
        # Σ load + s- - s+ within [1 - band, 1 + band] (relative to target) minus held.
        slack = csr_array(
            (
                np.concatenate([np.ones(n_rows), -np.ones(n_rows)]),
                (
                    np.concatenate([eye, eye]),
                    np.concatenate([2 * j * n_rows + eye, (2 * j + 1) * n_rows + eye]),
                ),
            ),
            shape=(n_rows, n_slack),
        )
        blocks.append(hstack([use, slack]))
        rel_held = held[open_codes, j] / targets[open_codes, j]
        lower.append(1 - band[open_codes, j] - rel_held)
        upper.append(1 + band[open_codes, j] - rel_held)
    one_each = hstack(
        [
            csr_array((np.ones(n_x), (np.repeat(np.arange(nf), c), cols)), shape=(nf, n_x)),
            csr_array((nf, n_slack)),
        ]
    )
    constraints = [
        LinearConstraint(vstack(blocks).tocsr(), np.concatenate(lower), np.concatenate(upper)),
        LinearConstraint(one_each.tocsr(), np.ones(nf), np.ones(nf)),
    ]
    objective = np.concatenate([cost.ravel() / max(nf, 1), np.full(n_slack, SLACK_PENALTY)])
    result = milp(
        objective,
        constraints=constraints,
        integrality=np.zeros(n_x + n_slack),
        bounds=Bounds(0, np.concatenate([np.ones(n_x), np.full(n_slack, np.inf)])),
    )
    if result.x is None:
        return None
    return result.x[:n_x].reshape(nf, c)


def _round(model: Model, share: np.ndarray, candidates: tuple) -> np.ndarray:
    """Whole units from the LP shares: each to its largest share, and the few split
    units greedily, biggest first, to where they leave the totals least outside the
    bands.

    Deliberately not a time-limited MILP: that made the plan depend on the machine's
    load (the same seed gave 3.6, 4.1 and 5.9 % on Delaware ZCTAs). Varied starts and
    the local search after this do better there (3.6 % on every seed).
    """
    free, cand = candidates
    codes = model.start.copy()
    codes[~model.fixed] = -1
    rows = np.arange(len(free))
    codes[free] = cand[rows, np.argmax(share, axis=1)]
    split = np.flatnonzero((share > 1e-6).sum(axis=1) > 1)
    if len(split):
        _round_split_units(model, codes, free[split], cand[split], share[split])
    return codes


def _round_split_units(
    model: Model, codes: np.ndarray, units: np.ndarray, cand: np.ndarray, share: np.ndarray
) -> None:
    codes[units] = -1
    totals = np.zeros_like(model.targets)
    placed = codes >= 0
    np.add.at(totals, codes[placed], model.weights[placed])
    targets = np.where(model.targets > 0, model.targets, 1.0)

    def outside(code: np.ndarray, total: np.ndarray) -> np.ndarray:
        excess = np.maximum(total - model.upper[code], 0) + np.maximum(model.lower[code] - total, 0)
        return (excess / targets[code]).sum(axis=1)

    for row in np.argsort(-model.weights[units].sum(axis=1), kind="stable"):
        unit = units[row]
        options = cand[row][share[row] > 1e-6]
        worse = outside(options, totals[options] + model.weights[unit]) - outside(
            options, totals[options]
        )
        best = options[int(np.argmin(worse - 1e-3 * share[row][share[row] > 1e-6]))]
        codes[unit] = best
        totals[best] += model.weights[unit]


def _allocation_centres(
    model: Model, share: np.ndarray, candidates: tuple, centres: np.ndarray
) -> np.ndarray:
    free, cand = candidates
    k = model.k
    w = (share * model.cost[free][:, None]).ravel()
    code = cand.ravel()
    xy = np.repeat(model.xy[free], cand.shape[1], axis=0)
    mass = np.bincount(code, weights=w, minlength=k)
    sx = np.bincount(code, weights=w * xy[:, 0], minlength=k)
    sy = np.bincount(code, weights=w * xy[:, 1], minlength=k)
    mine = model.fixed & (model.start >= 0)
    fixed_codes = model.start[mine]
    mass += np.bincount(fixed_codes, weights=model.cost[mine], minlength=k)
    sx += np.bincount(fixed_codes, weights=model.cost[mine] * model.xy[mine, 0], minlength=k)
    sy += np.bincount(fixed_codes, weights=model.cost[mine] * model.xy[mine, 1], minlength=k)
    new = centres.copy()
    ok = (mass > 0) & ~seeded_mask(model)
    new[ok] = np.column_stack([sx[ok] / mass[ok], sy[ok] / mass[ok]])
    return new
