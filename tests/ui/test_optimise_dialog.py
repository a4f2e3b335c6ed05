"""Optimise Territories in the app: the form, a real run on the sample in the worker, the
preview's numbers against an independent count, Apply as one undoable edit, Discard,
Stop and the job function on its own."""

from __future__ import annotations

import html
import threading
import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from terrmap.core.commands import AssignUnits
from terrmap.ui.optimise_action import SHORTCUT, make_params, optimise_job
from terrmap.ui.optimise_form import OptimiseChoices
from terrmap.ui.optimise_text import Text

# The dialog is raised when opened; the offscreen platform cannot do that. (A marker on
# each test: pytest-qt reads only the closest one, and conftest adds one to every test.)
RAISES = pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")

RUN_TIMEOUT_MS = 60_000
LEFT = Qt.MouseButton.LeftButton


def _open(window):
    window.optimiser.action.trigger()
    dialog = window.optimiser.dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def _run(qtbot, window, dialog, *, tolerance=5.0, seconds=2.0):
    dialog.form.tolerance.setValue(tolerance)
    dialog.form.time_limit.setValue(seconds)
    qtbot.mouseClick(dialog.run_button, LEFT)
    qtbot.waitUntil(lambda: dialog.showing_preview, timeout=RUN_TIMEOUT_MS)
    return window.optimiser.outcome


def _accounts_by_territory(project, codes: np.ndarray) -> pd.Series:
    """Accounts per territory id for unit ``codes``: a plain groupby of the account book."""
    ids = [t.id for t in project.territories]
    owner = pd.Series([ids[c] for c in codes], index=project.units.ids)
    counts = project.accounts.frame["unit_id"].map(owner).value_counts()
    return counts.reindex(ids).fillna(0)


def _gauge_accounts(window) -> np.ndarray:
    """Accounts per territory as the gauge draws them (bars are % of an equal share)."""
    plot = next(p for p in window.balance.plots if p.metric == "accounts")
    count = len(window.project.territories)
    return plot.displayed_percent() / 100 * len(window.project.accounts) / count


def _column(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").replace("+", ""))


# -- the action and the form ------------------------------------------------------------
def test_action_sits_in_the_tools_menu_and_toolbar(window):
    action = window.optimiser.action
    assert action.isEnabled()
    assert action.shortcut().toString() == SHORTCUT
    assert not action.icon().isNull()
    assert "preview" in action.toolTip()
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert action in tools.actions()
    assert action in window.toolbar.actions()


@RAISES
def test_form_defaults_and_fields_follow_the_mode(window):
    window.balance.set_tolerance(3.5)
    form = _open(window).form
    assert form.mode == "rebalance"
    assert form.territory_count.value() == 12
    assert not form.territory_count.isEnabled()
    assert not form.anchor.isEnabled()
    assert form.checked_metrics() == ("accounts",)
    assert form.tolerance.value() == 3.5  # the Balance panel's band
    assert form.limit_moves.isEnabled()
    assert not form.keep_selected.isEnabled()  # nothing selected
    form.carve.setChecked(True)
    assert form.territory_count.isEnabled()
    assert form.anchor.isEnabled()
    assert not form.limit_moves.isEnabled()
    assert not form.max_moved.isEnabled()
    form.territory_count.setValue(15)
    assert form.choices().territories == 15
    assert form.choices().max_moved_pct is None


@RAISES
def test_at_most_three_metrics_and_at_least_one(window):
    dialog = _open(window)
    metrics = dialog.form.metrics
    items = [metrics.item(i) for i in range(metrics.count())]
    assert "area_km2" not in [i.data(Qt.ItemDataRole.UserRole) for i in items]
    for item in items[:3]:
        item.setCheckState(Qt.CheckState.Checked)
    assert len(dialog.form.checked_metrics()) == 3
    assert not items[3].flags() & Qt.ItemFlag.ItemIsEnabled  # a fourth cannot be ticked
    for item in items:
        item.setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.run_button.isEnabled()
    assert dialog.form.metric_hint.isVisibleTo(dialog.form)


@RAISES
def test_choices_are_remembered(window):
    dialog = _open(window)
    form = dialog.form
    form.carve.setChecked(True)
    form.tolerance.setValue(4.0)
    form.seed.setValue(7)
    form.time_limit.setValue(3)
    form.metrics.item(3).setCheckState(Qt.CheckState.Checked)  # potential
    form.remember()
    dialog.close()
    again = _open(window).form
    assert again.mode == "carve"
    assert (again.tolerance.value(), again.seed.value(), again.time_limit.value()) == (4.0, 7, 3)
    assert again.checked_metrics() == ("accounts", "potential")
    assert QSettings().value("optimise/mode") == "carve"


@RAISES
def test_locks_and_selected_units_become_parameters(window):
    window.selection.select("units", np.array([0, 5, 9]))
    form = _open(window).form
    assert form.keep_selected.isEnabled()
    assert "3 selected" in form.keep_selected.text()
    form.keep_selected.setChecked(True)
    form.locks.item(2).setCheckState(Qt.CheckState.Checked)
    choices = form.choices()
    assert choices.locked_territories == ("T03",)
    params = make_params(window.project, choices, window.selection)
    assert params.locked_territories == (2,)
    assert np.flatnonzero(params.locked_units).tolist() == [0, 5, 9]


# -- running, previewing, applying ----------------------------------------------------------
@RAISES
def test_rebalance_preview_matches_an_independent_count_then_apply_and_undo(qtbot, window):
    project = window.project
    original = project.plan.codes.copy()
    dialog = _open(window)
    outcome = _run(qtbot, window, dialog)
    codes = outcome.codes
    assert np.array_equal(project.plan.codes, original)  # a preview changes nothing

    # Territory table: before/after accounts equal a groupby of the account book.
    preview = dialog.preview
    assert preview.metric.currentData() == "accounts"
    table = preview.territory_table
    before = _accounts_by_territory(project, original)
    after = _accounts_by_territory(project, codes)
    assert [_number(t) for t in _column(table, 1)] == before.tolist()
    assert [_number(t) for t in _column(table, 2)] == after.tolist()
    assert [_number(t) for t in _column(table, 3)] == (after - before).tolist()
    mean = after.mean()
    deviations = [_number(t.removesuffix(" %")) for t in _column(table, 5)]
    np.testing.assert_allclose(deviations, (100 * (after - mean) / mean).round(1), atol=0.051)

    # Changes: units and accounts per (from, to) pair, and the summary line.
    changed = np.flatnonzero(codes != original)
    names = [t.name for t in project.territories]
    moved = pd.DataFrame(
        {"from": [names[c] for c in original[changed]], "to": [names[c] for c in codes[changed]]}
    )
    expected = moved.value_counts().to_dict()
    moves = preview.moves_table
    if len(changed):
        shown = {
            (moves.item(r, 0).text(), moves.item(r, 1).text()): int(
                _number(moves.item(r, 2).text())
            )
            for r in range(moves.rowCount())
        }
        assert shown == expected
    assert preview.moved.text().startswith(f"<b>{len(changed):,}</b> of 217 units")
    worst = np.abs(100 * (after - mean) / mean).max()
    assert f"→ {worst:.1f} %" in preview.balance_table.item(0, 1).text()
    for message in outcome.result.messages:
        assert html.escape(message) in preview.notes.text()

    # On the map: the units that would move are selected, the gauges show ghost bars.
    assert window.selection.positions.tolist() == changed.tolist()
    assert window.balance.preview is not None
    assert not dialog.apply_button.isHidden()
    assert not dialog.discard_button.isHidden()

    if not len(changed):
        pytest.skip("the sample was already balanced at this tolerance")  # pragma: no cover
    qtbot.mouseClick(dialog.apply_button, LEFT)
    assert np.array_equal(project.plan.codes, codes)
    assert not dialog.isVisible()
    assert window.optimiser.dialog is None
    assert window.balance.preview is None
    assert window.undo_stack.count() == 1
    assert window.undo_stack.text(0) == Text.EDIT_NAME
    np.testing.assert_allclose(_gauge_accounts(window), after.to_numpy(), atol=1e-6)
    assert window.isWindowModified()

    qtbot.waitUntil(window.isActiveWindow)  # the dialog handed the focus back
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(project.plan.codes, original)
    np.testing.assert_allclose(_gauge_accounts(window), before.to_numpy(), atol=1e-6)


@RAISES
def test_discard_changes_nothing_and_restores_the_selection(qtbot, window):
    project = window.project
    original = project.plan.codes.copy()
    window.selection.select("units", np.array([3, 4]))
    dialog = _open(window)
    _run(qtbot, window, dialog)
    qtbot.mouseClick(dialog.discard_button, LEFT)
    assert not dialog.isVisible()
    assert np.array_equal(project.plan.codes, original)
    assert window.undo_stack.count() == 0
    assert window.balance.preview is None
    assert window.selection.positions.tolist() == [3, 4]
    assert not window.isWindowModified()


@RAISES
def test_stop_during_a_run_previews_the_best_plan_so_far_and_changes_nothing(qtbot, window):
    project = window.project
    original = project.plan.codes.copy()
    dialog = _open(window)
    dialog.form.time_limit.setValue(120)
    dialog.form.tolerance.setValue(0.5)  # hard enough that the search keeps going
    qtbot.mouseClick(dialog.run_button, LEFT)
    controller = window.optimiser
    progress = controller._progress
    assert progress is not None
    assert progress.isVisible()
    stop = next(b for b in progress.findChildren(QPushButton) if b.text() == Text.STOP)
    # Once the search has begun (Stop while preparing cancels: see below).
    qtbot.waitUntil(lambda: Text.STOP_HINT in progress.labelText(), timeout=RUN_TIMEOUT_MS)
    assert progress.value() > 0
    qtbot.mouseClick(stop, LEFT)
    qtbot.waitUntil(lambda: dialog.showing_preview, timeout=RUN_TIMEOUT_MS)
    outcome = controller.outcome
    assert outcome.result.elapsed_s < 60
    if outcome.result.stopped_early:
        assert Text.STOPPED_EARLY in dialog.preview.status.text()
    assert np.array_equal(project.plan.codes, original)
    assert window.undo_stack.count() == 0


@RAISES
def test_stop_while_preparing_cancels_and_returns_to_the_form(qtbot, window, monkeypatch):
    # The sample's adjacency takes a blink; here it waits for Stop first, as a national
    # ZCTA layer's 20 s would, then runs for real and must notice it.
    from terrmap.optimize import from_project

    real = from_project.unit_adjacency

    def slow_adjacency(geometries, crs=None, *, progress=None, stop=None):
        progress(0.0)
        deadline = time.monotonic() + 30
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(geometries, crs, progress=progress, stop=stop)

    monkeypatch.setattr(from_project, "unit_adjacency", slow_adjacency)
    project = window.project
    original = project.plan.codes.copy()
    dialog = _open(window)
    qtbot.mouseClick(dialog.run_button, LEFT)
    controller = window.optimiser
    progress = controller._progress
    qtbot.waitUntil(lambda: Text.PREPARING_HINT in progress.labelText(), timeout=RUN_TIMEOUT_MS)
    stop = next(b for b in progress.findChildren(QPushButton) if b.text() == Text.STOP)
    qtbot.mouseClick(stop, LEFT)
    qtbot.waitUntil(lambda: not controller.running, timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: controller._progress is None, timeout=RUN_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == Text.CANCELLED
    assert not dialog.showing_preview
    assert not dialog.run_button.isHidden()
    assert controller.outcome is None
    assert np.array_equal(project.plan.codes, original)
    assert window.undo_stack.count() == 0
    monkeypatch.setattr(from_project, "unit_adjacency", real)
    outcome = _run(qtbot, window, dialog)  # nothing half-made was kept: a new run works
    assert outcome.codes.shape == original.shape


@RAISES
def test_carving_more_territories_adds_vacant_ones_in_the_same_edit(qtbot, window):
    project = window.project
    original = project.plan.codes.copy()
    dialog = _open(window)
    dialog.form.carve.setChecked(True)
    dialog.form.territory_count.setValue(14)
    outcome = _run(qtbot, window, dialog, tolerance=10.0)
    assert [t.name for t in outcome.new_territories] == ["Territory 13", "Territory 14"]
    assert "Territory 13" in dialog.preview.shape.text()
    assert window.balance.preview is None  # the gauges cannot show territories not yet made
    assert dialog.preview.territory_table.rowCount() == 14
    qtbot.mouseClick(dialog.apply_button, LEFT)
    added = project.territories[12:]
    assert [(t.id, t.name, t.vacant) for t in added] == [
        ("T13", "Territory 13", True),
        ("T14", "Territory 14", True),
    ]
    assert len({t.color for t in project.territories}) == 14
    assert np.array_equal(project.plan.codes, outcome.codes)
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert len(project.territories) == 12
    assert np.array_equal(project.plan.codes, original)


@RAISES
def test_an_edit_after_the_run_makes_the_preview_stale(qtbot, window):
    dialog = _open(window)
    _run(qtbot, window, dialog)
    project = window.project
    target = project.territories[0].id
    unit = next(i for i in range(len(project.units)) if project.plan.codes[i] != 0)
    window.editing.push(AssignUnits((project.units.ids[unit],), target))
    assert not dialog.apply_button.isEnabled()
    assert Text.STALE in dialog.preview.status.text()
    assert window.balance.preview is None  # no ghost bars of a plan that no longer fits
    qtbot.mouseClick(dialog.back_button, LEFT)
    assert not dialog.showing_preview
    assert not dialog.run_button.isHidden()


@RAISES
def test_opening_another_document_closes_the_dialog(qtbot, window, sample_document):
    dialog = _open(window)
    window.install_document(sample_document)
    assert not dialog.isVisible()
    assert window.optimiser.dialog is None


# -- the job alone (no window) --------------------------------------------------------------
def _rebalance_choices(*, tolerance_pct: float, time_limit_s: float) -> OptimiseChoices:
    return OptimiseChoices(
        mode="rebalance",
        territories=12,
        metrics=("accounts",),
        tolerance_pct=tolerance_pct,
        max_moved_pct=None,
        disruption="units",
        anchor_homes=False,
        locked_territories=(),
        keep_selected=False,
        seed=0,
        time_limit_s=time_limit_s,
    )


def test_job_reports_progress_and_stops_early_with_the_best_plan(sample_document):
    project = sample_document.project
    choices = _rebalance_choices(tolerance_pct=0.5, time_limit_s=60.0)
    params = make_params(project, choices, None)
    finish = threading.Event()
    reports: list[float] = []

    def progress(fraction: float, _message: str) -> None:
        reports.append(fraction)
        if fraction > 0.1:
            finish.set()  # like the Stop button, half-way through

    problem, _params, result = optimise_job(
        project, choices, params, finish, progress=progress, stop=lambda: False
    )
    assert reports[0] == 0.0
    assert all(0 <= f <= 1 for f in reports)
    assert result.codes.shape == (217,)
    assert result.codes.min() >= 0
    assert result.elapsed_s < 30
    assert problem.metric_names == ("accounts",)


def test_job_stopped_before_the_search_raises_cancelled(sample_document):
    from terrmap.errors import Cancelled

    project = sample_document.project
    choices = _rebalance_choices(tolerance_pct=5.0, time_limit_s=5.0)
    params = make_params(project, choices, None)
    finish = threading.Event()
    finish.set()  # Stop pressed while the units' neighbours were still being found
    with pytest.raises(Cancelled):
        optimise_job(project, choices, params, finish, progress=lambda *_: None, stop=lambda: False)
    # Nothing half-made is cached: the next run finds the neighbours and searches.
    problem, _params, result = optimise_job(
        project, choices, params, threading.Event(), progress=lambda *_: None, stop=lambda: False
    )
    assert problem.adjacency.indptr[-1] > 0
    assert result.codes.shape == (217,)
