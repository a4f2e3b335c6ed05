"""Rebalancing the sample project: caps, locks, disruption."""

from __future__ import annotations

import numpy as np
import pytest

from terrmap.optimize import OptimiseParams, optimise
from tests.optimize.conftest import check_plan


def _params(problem, **changes) -> OptimiseParams:
    base = {
        "territories": len(problem.territory_ids),
        "mode": "rebalance",
        "tolerance_pct": 5.0,
        "time_limit_s": 4.0,
    }
    base.update(changes)
    return OptimiseParams(**base)


def test_problem_from_project(sample_project, sample_problem):
    assert sample_problem.n_units == len(sample_project.units)
    assert sample_problem.metric_names == ("accounts",)
    assert sample_problem.weights[:, 0].sum() == pytest.approx(
        (sample_project.accounts.unit_pos >= 0).sum()
    )
    np.testing.assert_array_equal(sample_problem.current, sample_project.plan.codes)
    assert sample_problem.territory_ids == tuple(t.id for t in sample_project.territories)
    assert sample_problem.homes_km.shape == (len(sample_problem.territory_ids), 2)


def test_move_cap_is_respected(sample_problem):
    result = optimise(sample_problem, _params(sample_problem, max_moved_pct=10.0))
    k = len(sample_problem.territory_ids)
    assert result.codes.min() >= 0
    assert result.codes.max() < k
    assert result.moved_share_pct <= 10.0 + 1e-9
    changed = (sample_problem.current >= 0) & (result.codes != sample_problem.current)
    assert result.moved_units == int(changed.sum())


def test_rebalance_improves_balance(sample_problem):
    result = optimise(sample_problem, _params(sample_problem))
    check_plan(sample_problem, result, len(sample_problem.territory_ids))
    from terrmap.optimize import evaluate_plan

    before = evaluate_plan(
        sample_problem, np.maximum(sample_problem.current, 0), _params(sample_problem)
    )
    assert result.balance[0].max_abs_deviation_pct <= before.balance[0].max_abs_deviation_pct


def test_locked_units_and_territories_stay(sample_problem):
    rng = np.random.default_rng(3)
    locked = rng.random(sample_problem.n_units) < 0.2
    params = _params(sample_problem, locked_units=locked, locked_territories=(0, 3))
    result = optimise(sample_problem, params)
    current = sample_problem.current
    keep = locked & (current >= 0)
    np.testing.assert_array_equal(result.codes[keep], current[keep])
    for code in (0, 3):
        np.testing.assert_array_equal(result.codes == code, current == code)


def test_heavy_disruption_weight_moves_less(sample_problem):
    light = optimise(sample_problem, _params(sample_problem, disruption_weight=0.0))
    heavy = optimise(sample_problem, _params(sample_problem, disruption_weight=50.0))
    assert heavy.moved_share_pct <= light.moved_share_pct
