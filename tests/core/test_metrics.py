"""Totals follow edits incrementally and agree with an independent count."""

from __future__ import annotations

import numpy as np
import pytest

from terrmap.core import (
    AddTerritory,
    AssignAccounts,
    AssignUnits,
    RemoveTerritory,
    Territory,
    TerritoryMetrics,
    balance_table,
)
from terrmap.core.testing import assert_metrics_consistent


def expected_revenue(project, territory_id):
    """Count revenue by hand: each account's effective owner from first principles."""
    owners = dict(zip(project.units.ids, project.territory_of_units(), strict=True))
    total = 0.0
    for row in project.accounts.frame.itertuples():
        owner = project.plan.overrides.get(row.account_id, owners.get(row.unit_id))
        if owner == territory_id:
            total += row.revenue
    return total


def test_initial_totals(grid_project):
    metrics = TerritoryMetrics(grid_project)
    frame = metrics.frame()
    assert frame.loc["T1", "units"] == 6
    assert frame.loc["T1", "accounts"] == 12
    assert frame.loc["unassigned", "accounts"] == 7  # 3 units × 2 + the account outside
    assert frame.loc["T1", "revenue"] == expected_revenue(grid_project, "T1")
    assert frame.loc["T1", "households"] == sum(10 * k + 5 for k in (0, 1, 4, 5, 8, 9))
    # 0.5° cells near 38–39.5°N are roughly 55 km × 44 km.
    assert 2200 < frame.loc["T1", "area_km2"] / 6 < 2600


def test_incremental_updates_match_recompute(grid_project):
    metrics = TerritoryMetrics(grid_project)
    edits = [
        AssignUnits(("r0c0", "r2c3"), "T2"),
        AssignAccounts(("A000", "A110"), "T3"),
        AssignUnits(("r0c0",), "T3"),
        AssignAccounts(("A000",), None),
        AddTerritory(Territory("T4", "New", color="#CCBB44"), index=0),
        AssignUnits(("r1c1",), "T4"),
    ]
    for edit in edits:
        edit.apply(grid_project)
        for territory in grid_project.territories:
            assert metrics.frame().loc[territory.id, "revenue"] == pytest.approx(
                expected_revenue(grid_project, territory.id)
            )
        assert_metrics_consistent(metrics)
    RemoveTerritory("T2").apply(grid_project)
    assert_metrics_consistent(metrics)
    # Two of column 3 were still unassigned; T2 held column 2 plus r2c3.
    assert metrics.frame().loc["unassigned", "units"] == 2 + 4


def test_totals_changed_names_affected_rows(grid_project):
    metrics = TerritoryMetrics(grid_project)
    seen = []
    metrics.totals_changed.connect(lambda rows: seen.append(sorted(rows)))
    AssignUnits(("r0c3",), "T1").apply(grid_project)
    assert seen == [[0, 3]]  # T1 and the unassigned row


def test_balance_statistics(grid_project):
    metrics = TerritoryMetrics(grid_project)
    AssignUnits(("r0c3", "r1c3", "r2c3"), "T3").apply(grid_project)
    summary = balance_table(metrics, "units", tolerance_pct=10)
    values = np.array([r.value for r in summary.rows])
    assert list(values) == [6, 3, 3]
    assert summary.rows[0].target == pytest.approx(4)
    assert summary.rows[0].deviation_pct == pytest.approx(50)
    assert summary.max_min_ratio == pytest.approx(2)
    assert summary.coefficient_of_variation == pytest.approx(values.std() / values.mean())
    assert summary.out_of_band == 3


def test_balance_uses_target_weights(grid_project):
    from terrmap.core import UpdateTerritory

    metrics = TerritoryMetrics(grid_project)
    AssignUnits(("r0c3", "r1c3", "r2c3"), "T3").apply(grid_project)
    UpdateTerritory.of("T1", target=2.0).apply(grid_project)
    summary = balance_table(metrics, "units", tolerance_pct=1)
    assert [r.target for r in summary.rows] == [6, 3, 3]
    assert summary.out_of_band == 0
    with pytest.raises(KeyError, match="no metric"):
        balance_table(metrics, "nope")
