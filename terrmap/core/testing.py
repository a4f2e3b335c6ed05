"""Assertions for tests of code that changes projects."""

from __future__ import annotations

import numpy as np

from terrmap.core.project import Project


def assert_plan_equal(left: Project, right: Project) -> None:
    """Assert two projects have the same territories and the same active plan.

    Compares territory attributes, each unit's territory id and the account overrides,
    so plans match even when territory order (and so the integer codes) differ.
    """
    assert set(left.units.ids) == set(right.units.ids), "the projects have different units"
    assert sorted(left.territories, key=lambda t: t.id) == sorted(
        right.territories, key=lambda t: t.id
    ), "territories differ"
    left_map = dict(zip(left.units.ids, left.territory_of_units(), strict=True))
    right_map = dict(zip(right.units.ids, right.territory_of_units(), strict=True))
    diff = [u for u in left_map if left_map[u] != right_map[u]]
    assert not diff, (
        f"{len(diff)} units differ, e.g. {diff[0]!r}: {left_map[diff[0]]} vs {right_map[diff[0]]}"
    )
    assert left.plan.overrides == right.plan.overrides, "account overrides differ"


def assert_metrics_consistent(metrics: object) -> None:
    """Assert incrementally updated totals equal a full recompute."""
    live = metrics.totals.copy()  # type: ignore[attr-defined]
    metrics.recompute()  # type: ignore[attr-defined]
    np.testing.assert_allclose(live, metrics.totals, rtol=1e-9, atol=1e-6)  # type: ignore[attr-defined]
