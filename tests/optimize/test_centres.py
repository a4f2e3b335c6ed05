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
