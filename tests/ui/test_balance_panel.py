"""The Balance panel draws what the core computes, follows edits and previews moves."""

from __future__ import annotations

import copy
import statistics
import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPointF, QSettings

from terrmap.core import AssignUnits, Plan, Project, Territory, TerritoryMetrics, UpdateTerritory
from terrmap.core.commands import AddTerritory
from terrmap.core.metrics import balance_table, preview_unit_move
from terrmap.core.palette import color_for_index
from terrmap.ui.balance_panel import METRICS_KEY, TOLERANCE_KEY, BalancePanel, default_metrics
from tests.grid import grid_accounts, grid_units

SAMPLE_METRICS = ["accounts", "annual_revenue", "visits_per_year"]


def make_many_territories(territories: int = 60, columns: int = 40, rows: int = 30) -> Project:
    """The core tests' grid, ``columns × rows`` cells, in ``territories`` roughly even bands."""
    units = grid_units(columns, rows)
    rng = np.random.default_rng(3)
    # Bands a few cells longer or shorter than an even share, so some territories are
    # out of band and some are not.
    even = np.linspace(0, len(units), territories + 1)[1:-1]
    cuts = np.round(even + rng.integers(-2, 3, len(even))).astype(int)
    codes = np.searchsorted(cuts, np.arange(len(units)), side="right")
    items = [
        Territory(f"T{i + 1:02d}", f"Territory {i + 1}", f"Rep {i + 1}", color_for_index(i))
        for i in range(territories)
    ]
    return Project(units, grid_accounts(units), items, [Plan("Current", codes)])


@pytest.fixture(scope="module")
def _sample_project() -> Project:
    from terrmap.sample import load_sample_project

    return load_sample_project()


@pytest.fixture
def sample(_sample_project):
    """A fresh copy of the bundled sample and its live metrics."""
    project = copy.deepcopy(_sample_project)
    return project, TerritoryMetrics(project)


@pytest.fixture
def panel(qtbot):
    widget = BalancePanel()
    qtbot.addWidget(widget)
    widget.resize(420, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def expected_by_territory(project: Project, column: str) -> pd.Series:
    """Per-territory totals counted independently of the metrics: pandas group-by."""
    accounts = project.accounts.frame
    owner_of_unit = pd.Series(project.territory_of_units(), index=project.units.ids)
    follows_unit = accounts["unit_id"].map(owner_of_unit).astype(object)
    overridden = accounts["account_id"].map(project.plan.overrides).astype(object)
    owners = overridden.where(overridden.notna(), follows_unit)
    values = pd.Series(1.0, index=accounts.index) if column == "accounts" else accounts[column]
    ids = [t.id for t in project.territories]
    return values.groupby(owners).sum().reindex(ids, fill_value=0.0)


def test_default_metrics_pick_accounts_revenue_and_workload():
    columns = ["units", "accounts", "area_km2", "annual_revenue", "potential", "visits_per_year"]
    assert default_metrics(columns) == SAMPLE_METRICS
    assert default_metrics(["units", "accounts", "area_km2"]) == ["accounts"]


def test_bars_match_an_independent_count_after_an_edit(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    assert panel.metric_names == SAMPLE_METRICS
    moved = project.units.ids[project.plan.codes == 5][:4]
    AssignUnits(tuple(moved), "T09").apply(project)
    for plot in panel.plots:
        expected = expected_by_territory(project, plot.metric)
        np.testing.assert_allclose([r.value for r in plot.summary.rows], expected.to_numpy())
        targets = expected.sum() / len(expected)
        np.testing.assert_allclose(plot.displayed_percent(), 100 * expected / targets)


def test_out_of_band_flags_match_balance_table(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    for plot in panel.plots:
        summary = balance_table(metrics, plot.metric, panel.tolerance)
        outside = [i for i, r in enumerate(summary.rows) if not r.in_band]
        assert list(plot.flagged) == outside
        assert list(plot.outlined_rows()) == outside
        assert len(plot.markers) == len(outside)
        assert f"{summary.out_of_band} out of band" in plot.header.text()


def test_tolerance_moves_the_band_and_the_flags(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.set_tolerance(40.0)
    first = panel.plots[0]
    assert first.band.getRegion() == pytest.approx((60.0, 140.0))
    summary = balance_table(metrics, first.metric, 40.0)
    assert list(first.flagged) == [i for i, r in enumerate(summary.rows) if not r.in_band]
    assert float(QSettings().value(TOLERANCE_KEY)) == 40.0
    assert BalancePanel().tolerance == 40.0


def test_preview_draws_ghost_bars_and_removes_them(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    positions = np.flatnonzero(project.plan.codes == 5)[:3]
    preview = preview_unit_move(metrics, positions, 8)
    panel.set_preview(preview)
    for plot in panel.plots:
        assert plot.ghosts.isVisible()
        column = metrics.columns.index(plot.metric)
        changed = np.flatnonzero(preview[:-1, column] != metrics.totals[:-1, column])
        assert set(changed) <= set(plot.preview_rows)
        assert set(plot.preview_rows) == {5, 8}  # a move between territories keeps targets
        assert "After the move" in plot.tooltip(5, project.territories[5])
    panel.set_preview(None)
    assert not any(plot.ghosts.isVisible() for plot in panel.plots)
    assert "After the move" not in panel.plots[0].tooltip(5, project.territories[5])


def test_tooltip_names_territory_rep_value_target_and_deviation(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    row = panel.plots[0].summary.rows[0]
    text = panel.plots[0].tooltip(0, project.territories[0])
    for part in ("Boston", "Keisha Ashworth", f"{row.value:,.0f}", f"{row.deviation_pct:+.1f} %"):
        assert part in text


def test_metric_choice_is_remembered(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.metric_action("visits_per_year").trigger()  # untick
    panel.metric_action("potential").trigger()  # tick
    assert panel.metric_names == ["accounts", "annual_revenue", "potential"]
    assert not panel.metric_action("area_km2").isEnabled()  # three already shown
    assert QSettings().value(METRICS_KEY) == ["accounts", "annual_revenue", "potential"]
    again = BalancePanel()
    again.set_source(project, metrics)
    assert again.metric_names == ["accounts", "annual_revenue", "potential"]
    again.set_source(None, None)


def test_new_gauges_fill_the_panel(panel, sample, qtbot):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.choose_metrics(["potential", "units"])
    qtbot.wait(10)
    heights = [plot.view.geometry().height() for plot in panel.plots]
    # The 720 px panel shared by two gauges (regression: a rebuilt layout stayed collapsed).
    assert min(heights) > 200


def test_territory_changes_refresh_rows(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    UpdateTerritory.of("T01", name="Greater Boston", target=2.0).apply(project)
    assert panel.plots[0].axis._names[0] == "Greater Boston"
    assert panel.plots[0].summary.rows[0].target == pytest.approx(
        balance_table(metrics, "accounts").rows[0].target
    )
    AddTerritory(Territory("T13", "Scranton", color="#882255")).apply(project)
    assert len(panel.plots[0].summary.rows) == 13
    assert len(panel.plots[0].displayed_percent()) == 13


def test_set_source_none_disconnects(panel, sample):
    project, metrics = sample
    before = len(metrics.totals_changed), len(project.territory_updated)
    panel.set_source(project, metrics)
    assert len(metrics.totals_changed) == before[0] + 1
    panel.set_source(None, None)
    assert (len(metrics.totals_changed), len(project.territory_updated)) == before
    assert panel._stack.currentWidget() is panel._placeholder
    AssignUnits(tuple(project.units.ids[:3]), "T02").apply(project)  # nothing to update


def test_close_disconnects(panel, sample):
    project, metrics = sample
    before = len(metrics.totals_changed)
    panel.set_source(project, metrics)
    panel.close()
    assert len(metrics.totals_changed) == before


def test_sixty_territories_update_fast(panel):
    """A 1,000-unit move costs the panel a few ms (the budget for all views is 100)."""
    project = make_many_territories()
    metrics = TerritoryMetrics(project)
    panel.set_source(project, metrics)
    assert len(panel.plots[0].summary.rows) == 60
    times: list[float] = []

    def timed_update(rows):
        start = time.perf_counter()
        panel._on_totals_changed(rows)
        times.append(time.perf_counter() - start)

    # Time the panel's slot where the edit calls it, not after the fact.
    metrics.totals_changed.disconnect(panel._on_totals_changed)
    metrics.totals_changed.connect(timed_update)
    ids = project.units.ids
    for i in range(7):
        edit = AssignUnits(tuple(ids[i * 20 : i * 20 + 1000]), project.territories[i].id)
        edit.apply(project).apply(project)  # the move and its undo: two updates
    assert len(times) == 14
    # Generous for a busy test machine; benchmarks/balance_panel.py reports the real cost.
    assert statistics.median(times) < 0.025
    edit.apply(project)
    expected = expected_by_territory(project, "accounts")
    np.testing.assert_allclose([r.value for r in panel.plots[0].summary.rows], expected)


# The offscreen platform cannot raise the tooltip window; a limit of the test platform.
# (This marker replaces the conftest's one, so it repeats its pattern.)
@pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")
def test_hovering_a_bar_shows_its_tooltip(panel, sample, qtbot):
    from PySide6.QtWidgets import QToolTip

    project, metrics = sample
    panel.set_source(project, metrics)
    qtbot.wait(10)  # let the layout give the gauges their size
    plot = panel.plots[1]
    panel._on_mouse_moved(plot.view.mapViewToScene(QPointF(100.0, 6.1)))
    assert "Newark" in QToolTip.text()
    assert "Annual revenue" in QToolTip.text()
    panel._on_mouse_moved(QPointF(-50.0, -50.0))  # off every gauge
    qtbot.waitUntil(lambda: not QToolTip.isVisible())  # Qt hides it after a short delay


def test_a_project_without_territories_shows_a_hint(panel):
    project = Project(grid_units())
    metrics = TerritoryMetrics(project)
    panel.set_source(project, metrics)
    assert panel._stack.currentWidget() is panel._placeholder
    assert panel.metric_names == ["accounts"]
    AddTerritory(Territory("T1", "North", color="#4477AA")).apply(project)
    assert panel._stack.currentWidget() is not panel._placeholder
    assert len(panel.plots[0].summary.rows) == 1


def test_a_stale_preview_is_ignored(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.set_preview(np.zeros((5, len(metrics.columns))))
    assert not any(plot.ghosts.isVisible() for plot in panel.plots)


def test_a_preview_made_before_a_new_territory_is_dropped(panel, sample):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.set_preview(preview_unit_move(metrics, np.array([0, 1]), 3))
    AddTerritory(Territory("T13", "Scranton", color="#882255")).apply(project)
    assert not any(plot.ghosts.isVisible() for plot in panel.plots)


def test_compact_numbers_for_narrow_headers():
    from terrmap.ui.balance_plot import compact_number

    assert [compact_number(v) for v in (1234, 525_607, 12_345_678, 2.5e9)] == [
        "1,234",
        "526k",
        "12.3M",
        "2.5B",
    ]


def test_low_rows_drop_outlines_but_keep_the_flags(panel, sample, qtbot):
    project, metrics = sample
    panel.set_source(project, metrics)
    panel.resize(360, 420)  # three gauges of 12 rows: about 6 px a row
    qtbot.waitUntil(lambda: len(panel.plots[0].outlined_rows()) == 0)
    assert len(panel.plots[0].flagged) == len(panel.plots[0].markers) > 0
    panel.resize(420, 900)
    qtbot.waitUntil(lambda: len(panel.plots[0].outlined_rows()) > 0)
