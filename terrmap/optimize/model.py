"""The optimiser's internal view of a problem: who may move where, and the bands to meet.

Derived once per run from the problem and the parameters, so the phases (allocation,
contiguity repair, local search) agree on the rules:

- *fixed* units keep their code (locked units, units of locked territories, and a
  unit too big for any territory, which gets a territory of its own);
- *closed* territories neither gain nor lose units (locked or single-unit territories);
- the bands: what the closed territories hold is set aside and the rest is shared
  among the open territories in proportion to their target shares, so the open
  territories aim at the best reachable targets even when a locked or single-unit
  territory is far off its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from terrmap.errors import InputError
from terrmap.optimize.evaluate import (
    disruption_values,
    known_homes,
    target_shares,
    territory_targets,
    whole_numbers,
)
from terrmap.optimize.problem import OptimiseParams, OptimiseProblem

# A unit with no activity still has to sit near its territory: give it a small
# share of the mean activity so distance matters for it too.
ZERO_ACTIVITY_SHARE = 0.05


@dataclass
class Model:
    """Arrays every phase reads (built by `build_model`)."""

    n: int
    k: int
    xy: np.ndarray  # (n, 2) km
    cost: np.ndarray  # (n,) compactness weight of each unit, > 0
    weights: np.ndarray  # (n, m)
    targets: np.ndarray  # (K, m) internal targets of open territories (closed: their content)
    lower: np.ndarray  # (K, m)
    upper: np.ndarray  # (K, m)
    fixed: np.ndarray  # (n,) bool
    start: np.ndarray  # (n,) codes of fixed units and the current plan (-1 none)
    closed: np.ndarray  # (K,) bool
    anchors: np.ndarray  # (K, 2) fixed centres, NaN where the centre follows the units
    current: np.ndarray | None  # (n,) current plan for disruption (-1 unassigned)
    disruption: np.ndarray  # (n,) share of total disruption each unit's move costs
    max_moved: float | None  # cap on the moved disruption share (0..1)
    notes: list[str]

    @property
    def open_territories(self) -> np.ndarray:
        """Codes of the territories that may change."""
        return np.flatnonzero(~self.closed)


def build_model(problem: OptimiseProblem, params: OptimiseParams) -> Model:
    """Check the parameters against the problem and derive the internal rules."""
    n, k = problem.n_units, params.territories
    if k > n:
        raise InputError(f"cannot make {k} territories from {n} units")
    current = _current_plan(problem, params)
    fixed, start, closed = _locks(problem, params, current)
    notes: list[str] = []
    _keep_homes(problem, params, fixed, start, closed, notes)
    _give_big_units_own_territory(problem, params, fixed, start, closed, notes)
    targets, lower, upper = _bands(problem, params, fixed, start, closed)
    anchors = known_homes(problem, k) if params.anchor_homes else np.full((k, 2), np.nan)
    cost = np.asarray(problem.activity, dtype=float).copy()
    floor = ZERO_ACTIVITY_SHARE * (cost.mean() if cost.sum() > 0 else 1.0)
    cost = np.maximum(cost, floor)
    disruption = disruption_values(problem)
    if current is not None:
        base = disruption[current >= 0].sum()
        disruption = disruption / base if base > 0 else np.zeros(n)
    cap = None
    if params.mode == "rebalance" and params.max_moved_pct is not None:
        cap = params.max_moved_pct / 100.0
    return Model(
        n=n,
        k=k,
        xy=problem.xy_km,
        cost=cost,
        weights=problem.weights,
        targets=targets,
        lower=lower,
        upper=upper,
        fixed=fixed,
        start=start,
        closed=closed,
        anchors=anchors,
        current=current,
        disruption=disruption,
        max_moved=cap,
        notes=notes,
    )


def _current_plan(problem: OptimiseProblem, params: OptimiseParams) -> np.ndarray | None:
    if params.mode == "rebalance":
        if problem.current is None or not (problem.current >= 0).any():
            raise InputError("rebalancing needs an existing plan; carve one first")
        if problem.territory_ids and params.territories != len(problem.territory_ids):
            raise InputError(
                f"rebalancing keeps the {len(problem.territory_ids)} existing territories; "
                f"{params.territories} were asked for"
            )
        if problem.current.max() >= params.territories:
            raise InputError("the current plan uses more territories than were asked for")
    if problem.current is None:
        return None
    current = np.asarray(problem.current, dtype=np.int64)
    return np.where(current < params.territories, current, -1)


def _locks(
    problem: OptimiseProblem, params: OptimiseParams, current: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, k = problem.n_units, params.territories
    fixed = np.zeros(n, dtype=bool)
    closed = np.zeros(k, dtype=bool)
    start = np.full(n, -1, dtype=np.int64) if current is None else current.copy()
    if params.locked_units is not None:
        locked = np.asarray(params.locked_units, dtype=bool)
        if locked.shape != (n,):
            raise InputError(f"locked units need one flag for each of the {n} units")
        if locked.any() and current is None:
            raise InputError("units can only be locked to the territory they belong to now")
        fixed |= locked & (start >= 0)
    for code in params.locked_territories:
        if not 0 <= code < k:
            raise InputError(f"there is no territory number {code + 1} to lock")
        if current is None:
            raise InputError("territories can only be locked in an existing plan")
        closed[code] = True
        fixed |= start == code
    if closed.all():
        raise InputError("every territory is locked; there is nothing to optimise")
    return fixed, start, closed


def _keep_homes(
    problem: OptimiseProblem,
    params: OptimiseParams,
    fixed: np.ndarray,
    start: np.ndarray,
    closed: np.ndarray,
    notes: list[str],
) -> None:
    """A carve at the reps' homes keeps each home's unit in its rep's territory, so
    every territory grows around its rep (centres alone let a close neighbour take a
    rep's home: the sample's two New York City reps, 14 km apart). A unit locked
    elsewhere, or home to two reps, stays as it is, and the note says so."""
    if not params.anchor_homes or params.mode != "carve" or problem.home_units is None:
        return
    homes = np.asarray(problem.home_units, dtype=np.int64)[: params.territories]
    placed, counts = np.unique(homes[homes >= 0], return_counts=True)
    shared = set(placed[counts > 1].tolist())
    for code, unit in enumerate(homes.tolist()):
        if unit < 0 or closed[code]:
            continue
        if unit in shared or fixed[unit]:
            notes.append(
                f"The home of territory {code + 1} lies in {problem.unit_label(unit)}, "
                "which another rep's home or a lock holds; it may end up in another territory."
            )
            continue
        fixed[unit] = True
        start[unit] = code


def _give_big_units_own_territory(
    problem: OptimiseProblem,
    params: OptimiseParams,
    fixed: np.ndarray,
    start: np.ndarray,
    closed: np.ndarray,
    notes: list[str],
) -> None:
    """A unit above every open territory's upper band gets a territory to itself.

    It cannot be split, so whichever territory holds it is over anyway; anything
    else there would only make it worse. The rest is then balanced without it.
    """
    targets = territory_targets(problem, params.territories)
    limit = targets * (1 + params.tolerance_pct / 100.0)
    open_codes = np.flatnonzero(~closed)
    if len(open_codes) < 2:
        return
    roomiest = limit[open_codes].max(axis=0)
    too_big = np.flatnonzero((problem.weights > roomiest[None, :]).any(axis=1) & ~fixed)
    order = too_big[np.argsort(-(problem.weights[too_big] / roomiest).max(axis=1), kind="stable")]
    for unit in order[: len(open_codes) - 1]:
        code = _territory_for_big_unit(problem, params, start, closed, unit)
        fixed[unit] = True
        start[unit] = code
        closed[code] = True
        # Whatever else the territory held (rebalance) has to find another owner.
        start[(start == code) & ~fixed] = -1
        notes.append(
            f"Unit {problem.unit_label(unit)} alone exceeds a territory's share, so it "
            f"forms territory {code + 1} on its own and the rest is balanced without it."
        )


def _territory_for_big_unit(
    problem: OptimiseProblem,
    params: OptimiseParams,
    start: np.ndarray,
    closed: np.ndarray,
    unit: int,
) -> int:
    open_codes = np.flatnonzero(~closed)
    if start[unit] >= 0 and not closed[start[unit]]:
        return int(start[unit])  # keep the owner it has (rebalance)
    shares = target_shares(problem, params.territories)[open_codes]
    # Largest target first (it sits closest to the big unit's size); among equals the
    # one that owns nothing fixed yet.
    return int(open_codes[np.argmax(shares)])


def _bands(
    problem: OptimiseProblem,
    params: OptimiseParams,
    fixed: np.ndarray,
    start: np.ndarray,
    closed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = params.territories
    weights = problem.weights
    held = np.zeros((k, weights.shape[1]))
    in_closed = (start >= 0) & closed[np.maximum(start, 0)] & fixed
    np.add.at(held, start[in_closed], weights[in_closed])
    remaining = np.maximum(weights.sum(axis=0) - held.sum(axis=0), 0.0)
    shares = target_shares(problem, k) * ~closed
    shares = shares / shares.sum()
    targets = np.where(closed[:, None], held, shares[:, None] * remaining[None, :])
    tol = params.tolerance_pct / 100.0
    lower, upper = targets * (1 - tol), targets * (1 + tol)
    _widen_for_whole_numbers(weights, remaining, closed, lower, upper)
    return targets, lower, upper


def _widen_for_whole_numbers(
    weights: np.ndarray,
    remaining: np.ndarray,
    closed: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> None:
    """Where a metric is counted in whole numbers (accounts, units) and no set of whole
    totals fits inside the bands, widen the open territories' bands to the nearest whole
    numbers, in place.

    81 accounts in 8 territories: ±2 % of 10.125 admits only 10, and eight tens make
    80, so one territory must hold 11. Left as it is, that territory would count as
    outside its band in every plan, and the search would never get past balancing to
    compactness; with the band reaching 11 the most balanced plans meet it.
    """
    open_ = ~closed
    if not open_.any():
        return
    for j in range(weights.shape[1]):
        if not whole_numbers(weights[:, j]):
            continue
        # ``remaining`` is what the open territories hold between them.
        lo, hi = np.ceil(lower[open_, j] - 1e-9), np.floor(upper[open_, j] + 1e-9)
        if remaining[j] > hi.sum():
            upper[open_, j] = np.ceil(upper[open_, j])
        if remaining[j] < lo.sum():
            lower[open_, j] = np.floor(lower[open_, j])
