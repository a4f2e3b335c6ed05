"""Lumpy layers: settle whether the tolerance can be met at all (see `split_search`).

Runs when the ordinary starts have missed the tolerance on a layer with few units per
territory. Either the exhaustive search finds a contiguous plan within the tolerance
(a start the local search then polishes), or it proves that none exists and bounds how
close one can come, which the balance table then reports as the layer's forced bound.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from terrmap.optimize.evaluate import forced_bounds_pct, territory_targets
from terrmap.optimize.problem import OptimiseParams, OptimiseProblem, Stop
from terrmap.optimize.split_search import (
    SplitBound,
    SplitLayer,
    least_tolerance,
    max_deviation_pct,
    search_split,
)

# The search's work: steps per second of the time limit, and at most. A step takes
# 20-40 µs on this 2-core machine, so this is at most about half the limit; Delaware's
# bound takes 80,000 steps (1.4-2.2 s), a split of Rhode Island within ±2 % a few hundred.
STEPS_PER_SECOND = 15_000
MAX_STEPS = 1_000_000
# Larger layers are left to the starts: a step's cost grows with the layer, and with
# many territories the groups to enumerate explode anyway.
MAX_UNITS = 150
# Before searching the whole layer: splits kept within these many radii of the starts'
# best territories' centres (see `SplitLayer.reach`), with this many steps each.
REACHES = (1.5, 2.0, 3.0)
NEAR_STEPS = 20_000


def settle_tolerance(
    problem: OptimiseProblem, params: OptimiseParams, codes: np.ndarray, stop: Stop
) -> SplitBound | None:
    """Search for a contiguous plan within the tolerance, or for the least tolerance one
    can meet, guided by the best plan ``codes`` the ordinary starts found.

    Returns None where the search does not apply: more than MAX_UNITS units, targets
    that are not equal shares, or a plan already within the tolerance (or a bound the
    units force).
    """
    k = params.territories
    targets = territory_targets(problem, k)
    if problem.n_units > MAX_UNITS or k < 2:
        return None
    if (targets[0] <= 0).any() or not np.allclose(targets, targets[0]):
        return None
    layer = SplitLayer(problem.weights / targets[0], problem.adjacency, problem.xy_km, k)
    # Start where the bounds big units and whole numbers force leave off.
    tolerance = max(params.tolerance_pct, float(forced_bounds_pct(problem, targets).max()))
    achieved = max_deviation_pct(layer, codes)
    if achieved <= tolerance:
        return None
    steps = int(min(STEPS_PER_SECOND * params.time_limit_s, MAX_STEPS))
    spent = 0
    for reach in REACHES:
        # Near the starts' best plan first: its territories are compact, and a split
        # kept within reach of them is too (Rhode Island seed 2: 8.6 km against 9.4 km
        # for the first split found anywhere).
        near_layer = replace(layer, guide=codes, reach=reach)
        near = search_split(near_layer, tolerance, min(NEAR_STEPS, steps // 2 - spent), stop=stop)
        spent += near.steps
        if near.codes is not None:
            return SplitBound(0.0, near.codes, max_deviation_pct(layer, near.codes), spent)
    return least_tolerance(layer, tolerance, achieved, steps - spent, stop=stop)
