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


def test_balance_of_matches_balance_table(grid_project):
    from terrmap.core.metrics import balance_of, target_weights

    metrics = TerritoryMetrics(grid_project)
    AssignUnits(("r0c3", "r1c3"), "T3").apply(grid_project)
    territories = grid_project.territories
    for metric in ("units", "revenue", "households"):
        live = balance_table(metrics, metric, tolerance_pct=7.5)
        again = balance_of(
            metrics.column(metric),
            target_weights(territories),
            metric,
            7.5,
            territory_ids=[t.id for t in territories],
        )
        assert again == live


def test_balance_of_any_totals():
    from terrmap.core.metrics import balance_of

    summary = balance_of(np.array([10.0, 30.0]), np.array([1.0, 3.0]), "revenue", 1.0)
    assert [r.territory_id for r in summary.rows] == ["0", "1"]
    assert [r.target for r in summary.rows] == [10.0, 30.0]
    assert summary.out_of_band == 0
    with pytest.raises(ValueError, match="weights"):
        balance_of(np.array([1.0, 2.0]), np.array([1.0]), "revenue")


@pytest.fixture(scope="module")
def sample_project_factory():
    """Fresh copies of the bundled sample (loaded once; copies are cheap)."""
    import copy

    from terrmap.sample import load_sample_project

    original = load_sample_project()
    return lambda: copy.deepcopy(original)


def _sample_units_of(project, territory_index: int, count: int) -> np.ndarray:
    return np.flatnonzero(project.plan.codes == territory_index)[:count]


@pytest.mark.parametrize("destination", [4, -1])
def test_preview_unit_move_equals_applied_edit(sample_project_factory, destination):
    from terrmap.core.metrics import preview_unit_move

    project = sample_project_factory()
    metrics = TerritoryMetrics(project)
    # Units of two territories plus one already at the destination (it must not count).
    positions = np.concatenate(
        [
            _sample_units_of(project, 0, 5),
            _sample_units_of(project, 2, 3),
            _sample_units_of(project, max(destination, 0), 1),
        ]
    )
    before = metrics.totals.copy()
    preview = preview_unit_move(metrics, positions, destination)
    np.testing.assert_array_equal(metrics.totals, before)  # nothing changed yet
    target = None if destination < 0 else project.territories[destination].id
    AssignUnits(tuple(project.units.ids[positions]), target).apply(project)
    metrics.recompute()
    np.testing.assert_allclose(preview, metrics.totals, rtol=1e-12, atol=1e-6)


def test_preview_unit_move_rejects_unknown_territory(sample_project_factory):
    from terrmap.core.metrics import preview_unit_move

    metrics = TerritoryMetrics(sample_project_factory())
    with pytest.raises(IndexError):
        preview_unit_move(metrics, np.array([0]), 99)


@pytest.mark.parametrize("destination", ["T05", None])
def test_preview_account_move_equals_applied_edit(sample_project_factory, destination):
    from terrmap.core.metrics import preview_account_move

    project = sample_project_factory()
    metrics = TerritoryMetrics(project)
    ids = project.accounts.ids
    # Some accounts already overridden elsewhere, so the preview must move them from
    # their override's row (or, with None, back to their unit's territory).
    AssignAccounts(tuple(ids[:20]), "T09").apply(project)
    AssignAccounts(tuple(ids[20:25]), "T05").apply(project)
    positions = np.arange(10, 60)
    before = metrics.totals.copy()
    preview = preview_account_move(metrics, positions, destination)
    np.testing.assert_array_equal(metrics.totals, before)
    AssignAccounts(tuple(ids[positions]), destination).apply(project)
    metrics.recompute()
    np.testing.assert_allclose(preview, metrics.totals, rtol=1e-12, atol=1e-6)


def test_preview_account_move_of_an_account_outside_every_unit(grid_project):
    from terrmap.core.metrics import preview_account_move

    metrics = TerritoryMetrics(grid_project)
    positions = grid_project.accounts.positions(["LOST", "A000", "A110"])
    for destination in ("T3", None):
        preview = preview_account_move(metrics, positions, destination)
        AssignAccounts(("LOST", "A000", "A110"), destination).apply(grid_project)
        metrics.recompute()
        np.testing.assert_allclose(preview, metrics.totals)
