"""Starting centres: greedy k-means++ on a real layer."""

from __future__ import annotations

import numpy as np

from terrmap.optimize import OptimiseParams
from terrmap.optimize.centres import _kmeans_pp, plan_centres
from terrmap.optimize.model import build_model


def _potential(model, centres: np.ndarray) -> float:
    """Weighted squared distance of the units to their nearest centre (k-means' cost)."""
    d2 = ((model.xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    return float((model.cost * d2).sum())


def test_greedy_seeding_leaves_less_to_cover(northeast):
    """Each centre the best of several k-means++ draws: over ten seeds the starting
    centres leave the units less weighted squared distance than single draws do."""
    model = build_model(northeast, OptimiseParams(territories=10))

    def mean_potential(trials: int) -> float:
        values = []
        for seed in range(10):
            centres = np.full((model.k, 2), np.nan)
            seeded = np.zeros(model.k, dtype=bool)
            _kmeans_pp(centres, seeded, model.xy, model.cost, np.random.default_rng(seed), trials)
            values.append(_potential(model, centres))
        return float(np.mean(values))

    assert mean_potential(6) < 0.9 * mean_potential(1)


def test_plan_centres_are_weighted_centroids_and_keep_empty_territories(northeast):
    model = build_model(northeast, OptimiseParams(territories=3))
    codes = np.where(model.xy[:, 0] < np.median(model.xy[:, 0]), 0, 1)
    fallback = np.array([[0.0, 0.0], [0.0, 0.0], [7.0, 8.0]])
    centres = plan_centres(model, codes, fallback)
    west = codes == 0
    np.testing.assert_allclose(
        centres[0], np.average(model.xy[west], axis=0, weights=model.cost[west])
    )
    np.testing.assert_allclose(
        centres[1], np.average(model.xy[~west], axis=0, weights=model.cost[~west])
    )
    np.testing.assert_array_equal(centres[2], [7.0, 8.0])  # empty: its fallback


def test_allocation_reports_each_round_done(northeast):
    """The allocation tells its progress round by round, up to all of it."""
    from terrmap.optimize.allocation import allocate, initial_centres

    model = build_model(northeast, OptimiseParams(territories=6))
    centres = initial_centres(model, np.random.default_rng(0))
    seen: list[float] = []
    codes, _ = allocate(model, centres, (4, 2), lambda: False, seen.append)
    assert (codes >= 0).all()
    assert seen == sorted(seen)
    assert 0 < seen[0] < 1
    assert seen[-1] <= 1.0
    assert len(seen) >= 2


def test_a_reallocation_round_that_cannot_finish_in_time_is_not_started(northeast):
    """With less time left than an allocation takes, the start's plan is kept and the
    start counts as cut short, instead of running past the deadline."""
    import time

    from terrmap.optimize import solver

    params = OptimiseParams(territories=4, time_limit_s=5.0)
    model = build_model(northeast, params)
    carved = solver.optimise(northeast, params)
    assert carved.tolerance_met  # else reallocation would not be tried at all
    codes = np.asarray(carved.codes)
    now = time.perf_counter()
    kept, stopped = solver._reallocate(
        northeast, params, model, codes, now + 0.5, lambda: False, lambda *_: None, (now, 60.0)
    )
    assert stopped
    assert kept is codes
