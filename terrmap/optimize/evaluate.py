"""Statistics of a plan: balance per metric, forced bounds, contiguity, compactness, moves.

`evaluate_plan` is what the optimiser reports for its own result, and what previews,
the CLI table and the benchmark use for any other plan, so every figure is measured
the same way.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from terrmap.errors import InputError
from terrmap.optimize.problem import (
    MetricBalance,
    OptimiseParams,
    OptimiseProblem,
    OptimiseResult,
)

# How far above a forced bound a plan may sit and still count as meeting the tolerance.
FORCED_BOUND_SLACK_PCT = 0.5
# What forces a bound (`MetricBalance.forced_by`): one unit bigger than a target, whole-
# number totals against a fractional target, or (proved by exhaustive search) contiguity.
FORCED_BY_UNIT = "unit"
FORCED_BY_WHOLE_NUMBERS = "whole numbers"
FORCED_BY_CONTIGUITY = "contiguity"
# ...and how to say so, before "a deviation of at least X %".
FORCED_BY_PHRASES = {
    FORCED_BY_UNIT: "an indivisible unit forces",
    FORCED_BY_WHOLE_NUMBERS: "whole-number totals force",
    FORCED_BY_CONTIGUITY: "contiguity forces",
}


def evaluate_plan(
    problem: OptimiseProblem, codes: np.ndarray, params: OptimiseParams
) -> OptimiseResult:
    """Measure any plan the way `optimise` measures its own.

    Parameters
    ----------
    problem
        The snapshot the plan belongs to.
    codes
        ``(n,)`` territory code of each unit, 0..K-1.
    params
        Supplies ``K``, the tolerance and whether centres are the reps' homes.

    Returns
    -------
    OptimiseResult
        With ``elapsed_s`` 0 and ``stopped_early`` False.
    """
    codes = np.asarray(codes, dtype=np.int64)
    k = params.territories
    if codes.shape != (problem.n_units,):
        raise InputError(f"a plan needs one territory code for each of the {problem.n_units} units")
    if problem.n_units and (codes.min() < 0 or codes.max() >= k):
        raise InputError(f"every unit needs a territory code between 0 and {k - 1}")
    return summarise(problem, codes, params, elapsed_s=0.0, stopped_early=False, notes=())


def summarise(
    problem: OptimiseProblem,
    codes: np.ndarray,
    params: OptimiseParams,
    *,
    elapsed_s: float,
    stopped_early: bool,
    notes: tuple[str, ...],
    proved_bound_pct: float = 0.0,
) -> OptimiseResult:
    """Build the result record of a plan (no validation: callers own the codes).

    ``proved_bound_pct`` is a bound the optimiser proved for this layer by exhaustive
    search (`terrmap.optimize.split_search`): no contiguous plan keeps every metric
    within it.
    """
    k = params.territories
    targets = territory_targets(problem, k)
    balance = tuple(
        _metric_balance(problem, codes, targets, j, k, params.tolerance_pct, proved_bound_pct)
        for j in range(len(problem.metric_names))
    )
    moved_units, moved_share = moved(problem, codes)
    centres = territory_centres(problem, codes, k, params.anchor_homes)
    messages = list(island_notes(problem)) + list(notes)
    messages += _balance_notes(problem, balance, params.tolerance_pct)
    return OptimiseResult(
        codes=codes.copy(),
        balance=balance,
        contiguous=contiguity(problem, codes, k),
        compactness_km=compactness_km(problem, codes, centres),
        moved_units=moved_units,
        moved_share_pct=moved_share,
        elapsed_s=elapsed_s,
        stopped_early=stopped_early,
        messages=tuple(dict.fromkeys(messages)),
    )


def target_shares(problem: OptimiseProblem, k: int) -> np.ndarray:
    """Relative target of each of ``k`` territories (summing to 1).

    The problem's shares apply when they describe exactly ``k`` territories;
    otherwise (carving a different number) every territory gets an equal share.
    """
    shares = problem.target_shares
    if shares is None or len(shares) != k or not np.asarray(shares, dtype=float).sum() > 0:
        return np.full(k, 1.0 / k)
    shares = np.asarray(shares, dtype=float)
    return shares / shares.sum()


def territory_targets(problem: OptimiseProblem, k: int) -> np.ndarray:
    """``(K, m)`` target totals: each metric's total split by the target shares."""
    return target_shares(problem, k)[:, None] * problem.weights.sum(axis=0)[None, :]


def forced_bounds_pct(problem: OptimiseProblem, targets: np.ndarray) -> np.ndarray:
    """``(m,)`` least max |deviation| that no plan can beat, per metric.

    Two causes force it: a unit cannot be split, so a unit bigger than the largest
    target puts one territory above its target by the excess; and where every unit's
    value is a whole number (units, account counts), every territory's total is one
    too, so it misses a fractional target by at least the distance to a whole number
    (and with equal targets the totals cannot all round the same way).
    """
    single = single_unit_bounds_pct(problem, targets)
    return np.maximum(single, whole_number_bounds_pct(problem, targets))


def single_unit_bounds_pct(problem: OptimiseProblem, targets: np.ndarray) -> np.ndarray:
    """``(m,)`` the excess of the biggest unit over the largest target, in percent."""
    if problem.n_units == 0:
        return np.zeros(targets.shape[1])
    biggest = problem.weights.max(axis=0)
    room = targets.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(room > 0, 100.0 * (biggest - room) / room, 0.0)
    return np.maximum(pct, 0.0)


def whole_numbers(values: np.ndarray) -> bool:
    """Whether a metric is counted in whole numbers (accounts, units)."""
    return bool(np.array_equal(values, np.round(values)))


def whole_number_bounds_pct(problem: OptimiseProblem, targets: np.ndarray) -> np.ndarray:
    """``(m,)`` the deviation whole-number totals force on fractional targets, in percent."""
    bounds = np.zeros(targets.shape[1])
    for j in range(targets.shape[1]):
        values, target = problem.weights[:, j], targets[:, j]
        if not len(values) or (target <= 0).any() or not whole_numbers(values):
            continue
        below, above = target - np.floor(target), np.ceil(target) - target
        if np.allclose(target, target[0]) and below[0] > 1e-9:
            # Totals add up to K·T: with T fractional, one total is at least ⌈T⌉ and one
            # at most ⌊T⌋.
            bounds[j] = 100.0 * max(below[0], above[0]) / target[0]
        else:
            # Each total is whole, so each misses its own target by the rounding gap.
            bounds[j] = 100.0 * float((np.minimum(below, above) / target).max())
    return bounds


def totals_by_territory(problem: OptimiseProblem, codes: np.ndarray, k: int) -> np.ndarray:
    """``(K, m)`` sums of the balance metrics per territory."""
    totals = np.zeros((k, problem.weights.shape[1]))
    np.add.at(totals, codes, problem.weights)
    return totals


def territory_centres(
    problem: OptimiseProblem, codes: np.ndarray, k: int, anchor_homes: bool
) -> np.ndarray:
    """``(K, 2)`` centre of each territory: the rep's home when anchored, else the
    activity-weighted centroid of its units (plain centroid if it has no activity)."""
    mass = np.bincount(codes, weights=problem.activity, minlength=k)
    sums = np.column_stack(
        [
            np.bincount(codes, weights=problem.activity * problem.xy_km[:, d], minlength=k)
            for d in (0, 1)
        ]
    )
    count = np.bincount(codes, minlength=k).astype(float)
    plain = np.column_stack(
        [np.bincount(codes, weights=problem.xy_km[:, d], minlength=k) for d in (0, 1)]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        centres = np.where(mass[:, None] > 0, sums / mass[:, None], plain / count[:, None])
    if anchor_homes:
        homes = known_homes(problem, k)
        centres = np.where(np.isnan(homes), centres, homes)
    return centres


def known_homes(problem: OptimiseProblem, k: int) -> np.ndarray:
    """``(K, 2)`` rep homes in km for the first territories, NaN where unknown."""
    homes = np.full((k, 2), np.nan)
    if problem.homes_km is not None:
        given = np.asarray(problem.homes_km, dtype=float)[:k]
        homes[: len(given)] = given
    return homes


def compactness_km(problem: OptimiseProblem, codes: np.ndarray, centres: np.ndarray) -> float:
    """Activity-weighted mean distance of units to their territory's centre, km."""
    if problem.n_units == 0:
        return 0.0
    dist = np.hypot(*(problem.xy_km - centres[codes]).T)
    weight = problem.activity if problem.activity.sum() > 0 else np.ones(problem.n_units)
    return float(np.average(dist, weights=weight))


def contiguity(problem: OptimiseProblem, codes: np.ndarray, k: int) -> np.ndarray:
    """``(K,)`` whether each territory's units form one connected piece (empty: True)."""
    pieces = pieces_per_territory(problem, codes, k)
    return pieces <= 1


def pieces_per_territory(problem: OptimiseProblem, codes: np.ndarray, k: int) -> np.ndarray:
    """``(K,)`` number of connected pieces of each territory."""
    _, labels = same_territory_components(problem, codes)
    pieces = np.zeros(k, dtype=np.int64)
    first = np.unique(labels, return_index=True)[1]
    np.add.at(pieces, codes[first], 1)
    return pieces


def same_territory_components(
    problem: OptimiseProblem, codes: np.ndarray
) -> tuple[int, np.ndarray]:
    """Connected components of the adjacency restricted to same-territory edges."""
    n = problem.n_units
    src, dst = problem.adjacency.edges()
    keep = codes[src] == codes[dst]
    graph = coo_array(
        (np.ones(int(keep.sum()), dtype=np.int8), (src[keep], dst[keep])), shape=(n, n)
    )
    return connected_components(graph, directed=False)


def disruption_values(problem: OptimiseProblem) -> np.ndarray:
    """``(n,)`` what changing each unit's owner costs (1 per unit by default)."""
    if problem.disruption is None:
        return np.ones(problem.n_units)
    return np.asarray(problem.disruption, dtype=float)


def moved(problem: OptimiseProblem, codes: np.ndarray) -> tuple[int, float]:
    """Units that changed owner against the current plan, and their disruption share (%).

    Units without an owner before count as neither moved nor kept: giving them an
    owner disrupts nobody.
    """
    if problem.current is None:
        return 0, 0.0
    had_owner = problem.current >= 0
    changed = had_owner & (codes != problem.current)
    cost = disruption_values(problem)
    base = cost[had_owner].sum()
    share = 100.0 * cost[changed].sum() / base if base > 0 else 0.0
    return int(changed.sum()), float(share)


def island_notes(problem: OptimiseProblem) -> tuple[str, ...]:
    """Messages naming the islands the adjacency linked to their nearest unit."""
    links = problem.adjacency.attached
    if not links:
        return ()
    label = problem.unit_label
    shown = ", ".join(f"{label(a)} → {label(b)}" for a, b in links[:5])
    more = f" and {len(links) - 5} more" if len(links) > 5 else ""
    if len(links) == 1:
        lead = "1 group of units shares no boundary with the rest and was linked"
    else:
        lead = f"{len(links)} groups of units share no boundary with the rest and were linked"
    return (f"{lead} to the nearest unit: {shown}{more}.",)


def meets_tolerance(
    problem: OptimiseProblem,
    codes: np.ndarray,
    params: OptimiseParams,
    proved_bound_pct: float = 0.0,
) -> bool:
    """Whether every metric is within the tolerance, or within the slack of its forced
    bound (what the balance table reports as met; ``proved_bound_pct`` as in `summarise`)."""
    k = params.territories
    targets = territory_targets(problem, k)
    return all(
        _metric_balance(problem, codes, targets, j, k, params.tolerance_pct, proved_bound_pct).met
        for j in range(len(problem.metric_names))
    )


def _metric_balance(
    problem: OptimiseProblem,
    codes: np.ndarray,
    targets: np.ndarray,
    j: int,
    k: int,
    tol: float,
    proved: float,
) -> MetricBalance:
    totals = np.bincount(codes, weights=problem.weights[:, j], minlength=k)
    target = targets[:, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.where(target > 0, 100.0 * (totals - target) / target, 0.0)
    worst = float(np.abs(deviation).max(initial=0.0))
    by_units = float(single_unit_bounds_pct(problem, targets)[j])
    by_counts = float(whole_number_bounds_pct(problem, targets)[j])
    forced = max(by_units, by_counts, proved)
    if forced <= 0:
        cause = ""
    elif proved >= forced:
        cause = FORCED_BY_CONTIGUITY
    else:
        cause = FORCED_BY_WHOLE_NUMBERS if by_counts >= by_units else FORCED_BY_UNIT
    allowed = max(tol, forced + FORCED_BOUND_SLACK_PCT) if forced > 0 else tol
    return MetricBalance(
        metric=problem.metric_names[j],
        totals=totals,
        targets=target.copy(),
        deviation_pct=deviation,
        max_abs_deviation_pct=worst,
        forced_bound_pct=forced,
        met=worst <= allowed + 1e-9,
        forced_by=cause,
    )


def _balance_notes(
    problem: OptimiseProblem, balance: tuple[MetricBalance, ...], tol: float
) -> list[str]:
    notes = []
    for b in balance:
        if b.forced_bound_pct > tol:
            # Name the cause the user can see: a big unit, counts that do not divide,
            # or the shapes of the units.
            if b.forced_by == FORCED_BY_CONTIGUITY:
                cause = "a search of every way to group the units into contiguous territories shows"
                rest = f"no such plan keeps every territory within ±{tol:g} %"
                if len(balance) > 1:
                    rest += " on every metric at once"  # the search bounds them jointly
                best = f"at least {b.forced_bound_pct:.1f} % is needed"
            else:
                if b.forced_by == FORCED_BY_WHOLE_NUMBERS:
                    cause = (
                        f"totals are whole numbers and a territory's target is "
                        f"{b.targets.max():.4g}, so"
                    )
                else:
                    cause = "units cannot be split, so"
                rest = f"no plan can keep every territory within ±{tol:g} %"
                best = f"the best possible is about {b.forced_bound_pct:.1f} %"
            notes.append(f"{b.metric}: {cause} {rest}; {best}.")
        if not b.met:
            worst = _shown_above(b.max_abs_deviation_pct, tol)
            notes.append(
                f"{b.metric}: the worst territory is {worst} % off its "
                f"target, outside the ±{tol:g} % tolerance."
            )
    return notes


def _shown_above(value: float, limit: float) -> str:
    """``value`` with the fewest decimals that still show it above ``limit``: a plan
    3.62004 % off is outside ±3.62 %, which "3.6 %" or "3.620 %" would hide."""
    for digits in range(1, 9):
        if round(value, digits) > limit:
            return f"{value:.{digits}f}"
    return f"{value:.9f}"


def elapsed_since(start: float) -> float:
    """Seconds since ``start`` (a `time.perf_counter` reading)."""
    return time.perf_counter() - start
