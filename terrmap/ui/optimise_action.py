"""Optimise Territories: the action, the job, the preview and the one undoable edit.

The flow is action → dialog (settings) → job on a worker thread with a progress dialog
→ preview (the project is untouched; the map selects the units that would move and the
gauges show ghost bars) → Apply pushes one "Optimise territories" edit, or Discard
drops it. Stopping a run early keeps the best plan found so far and previews it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from terrmap.errors import Cancelled, TerrmapError
from terrmap.ui.icons import icon
from terrmap.ui.optimise_text import Text
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.workers import JobRunner

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.core.selection import Selection
    from terrmap.optimize import (
        OptimiseParams,
        OptimiseProblem,
        OptimiseResult,
        Progress,
        Stop,
    )
    from terrmap.ui.main_window import MainWindow
    from terrmap.ui.optimise_dialog import OptimiseDialog
    from terrmap.ui.optimise_form import OptimiseChoices
    from terrmap.ui.optimise_outcome import OptimiseOutcome

SHORTCUT = "Ctrl+Shift+O"
PREPARE_SHARE = 0.05  # of the progress bar at least: snapshot and adjacency before the search


def optimise_job(
    project: Project,
    choices: OptimiseChoices,
    params: OptimiseParams,
    finish_early: threading.Event,
    *,
    progress: Progress,
    stop: Stop,
) -> tuple[OptimiseProblem, OptimiseParams, OptimiseResult]:
    """Snapshot ``project`` and optimise it (runs on the worker thread).

    ``stop`` (the runner's cancel) drops the run; ``finish_early`` ends the search and
    keeps its best plan, which is what the progress dialog's Stop button asks for. Before
    the search has begun there is no plan to keep, so either raises `Cancelled`.
    """
    from terrmap.optimize import optimise, problem_from_project
    from terrmap.optimize.from_project import preparation_s

    def halt() -> bool:
        return stop() or finish_early.is_set()

    progress(0.0, Text.PREPARING)
    # The first adjacency of a national ZCTA layer takes as long as a search: its share of
    # the bar follows the estimate, so the bar moves evenly.
    expected_s = preparation_s(project)
    share = max(PREPARE_SHARE, expected_s / (expected_s + max(params.time_limit_s, 1.0)))
    problem = problem_from_project(
        project,
        choices.metrics,
        disruption=choices.disruption,
        progress=lambda fraction: progress(share * fraction, Text.PREPARING),
        stop=halt,
    )

    def scaled(fraction: float, message: str) -> None:
        progress(share + (1.0 - share) * fraction, message)

    result = optimise(problem, params, progress=scaled, stop=halt)
    return problem, params, result


def make_params(project: Project, choices: OptimiseChoices, selection: Selection | None):
    """Optimiser parameters for ``choices`` on the current plan (raises InputError)."""
    from terrmap.optimize import OptimiseParams

    locked_units = None
    if choices.keep_selected and selection is not None and selection.kind == "units":
        locked_units = np.zeros(len(project.units), dtype=bool)
        locked_units[selection.positions] = True
    # Rebalancing keeps every territory the project has now (the form may be older).
    count = len(project.territories) if choices.mode == "rebalance" else choices.territories
    return OptimiseParams(
        territories=count,
        mode=choices.mode,
        tolerance_pct=choices.tolerance_pct,
        anchor_homes=choices.anchor_homes,
        max_moved_pct=choices.max_moved_pct,
        locked_units=locked_units,
        locked_territories=tuple(project.territory_index(t) for t in choices.locked_territories),
        seed=choices.seed,
        time_limit_s=choices.time_limit_s,
    )


class OptimiseController(QObject):
    """Optimise Territories for one main window.

    Attributes
    ----------
    action
        The menu and toolbar action that opens the dialog.
    dialog
        The open dialog, if any.
    outcome
        The result being previewed, if any.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction(icon("optimise"), Text.ACTION, window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(Text.ACTION_TIP)
        self.action.setToolTip(Text.ACTION_TOOLTIP)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.open_dialog)
        self.dialog: OptimiseDialog | None = None
        self.outcome: OptimiseOutcome | None = None
        self._metrics: TerritoryMetrics | None = None  # followed while a preview is open
        self._kept_selection: tuple[str, np.ndarray] | None = None
        self._progress: JobProgressDialog | None = None
        self._finish_early = threading.Event()
        self._runner = JobRunner(self)
        self._runner.progressed.connect(self._progressed)
        self._runner.finished.connect(self._finished)
        self._runner.failed.connect(self._failed)

    @property
    def running(self) -> bool:
        """Whether an optimisation is running."""
        return self._runner.busy

    # -- the dialog -----------------------------------------------------------------------
    def open_dialog(self) -> None:
        """Show the dialog (a new one for each project, with the current selection)."""
        window = self.window
        if window.project is None or window.metrics is None:
            return
        if self.dialog is None:
            from terrmap.ui.optimise_dialog import OptimiseDialog
            from terrmap.ui.optimise_form import OptimiseForm

            selection = window.selection
            selected = len(selection) if selection is not None and selection.kind == "units" else 0
            form = OptimiseForm(
                window.project.territories,
                window.metrics.columns,
                selected,
                window.balance.tolerance,
            )
            self.dialog = OptimiseDialog(form, window)
            self.dialog.run_requested.connect(self.run)
            self.dialog.apply_requested.connect(self.apply)
            self.dialog.back_requested.connect(self._back)
            self.dialog.closed.connect(self._dialog_closed)
            self.dialog.preview.zoom_requested.connect(self._zoom_to_changes)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def close(self) -> None:
        """Close the dialog and drop any run or preview (e.g. the document is replaced)."""
        self._runner.cancel()
        self._close_progress()
        self._kept_selection = None  # the selection may belong to another document now
        if self.dialog is not None:
            self.dialog.close()
        self._drop_preview()
        self._dispose_dialog()

    def shutdown(self) -> None:
        """Stop the worker thread (the window is closing)."""
        self.close()
        self._runner.shutdown()

    # -- running --------------------------------------------------------------------------
    def run(self) -> None:
        """Start the optimiser with the form's choices."""
        window, dialog = self.window, self.dialog
        if dialog is None or window.project is None or self.running:
            return
        choices = dialog.form.choices()
        dialog.form.remember()
        try:
            params = make_params(window.project, choices, window.selection)
        except TerrmapError as error:
            window.jobs.show_error(Text.FAILED, error)
            return
        self._finish_early = threading.Event()
        progress = JobProgressDialog(dialog, cancellable=True, label=Text.PREPARING)
        progress.setCancelButtonText(Text.STOP)
        progress.canceled.connect(self._finish_early.set)
        progress.show()  # at once: the window must not take edits while the job reads it
        self._progress = progress
        self._runner.start(
            "optimise", optimise_job, window.project, choices, params, self._finish_early
        )

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            hint = Text.PREPARING_HINT if message == Text.PREPARING else Text.STOP_HINT
            self._progress.set_progress(fraction, f"{message}\n{hint}")

    def _finished(self, _tag: object, value: Any) -> None:
        self._close_progress()
        window = self.window
        if self.dialog is None or window.project is None or window.metrics is None:
            return
        from terrmap.ui.optimise_outcome import build_outcome

        problem, params, result = value
        self.outcome = build_outcome(window.project, window.metrics, problem, params, result)
        self._follow(window.metrics)
        self.dialog.show_preview(self.outcome, applicable=self._applicable())
        self._show_on_map()

    def _failed(self, _tag: object, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, Cancelled):  # Stop before the search began: back to the form
            self.window.statusBar().showMessage(Text.CANCELLED, 5000)
            return
        self.window.jobs.show_error(Text.FAILED, error)

    # -- preview --------------------------------------------------------------------------
    def _show_on_map(self) -> None:
        """Ghost bars in the gauges; the units that would move selected on the map."""
        window, outcome = self.window, self.outcome
        if outcome is None or window.metrics is None:
            return
        window.balance.set_preview(outcome.preview_totals(window.metrics))
        selection = window.selection
        if selection is not None:
            if self._kept_selection is None:
                self._kept_selection = (selection.kind, selection.positions.copy())
            selection.select("units", outcome.changed)

    def _zoom_to_changes(self) -> None:
        if self.outcome is not None and len(self.outcome.changed):
            self.window.canvas.zoom_to_units(self.outcome.changed)

    def _applicable(self) -> bool:
        project = self.window.project
        return self.outcome is not None and project is not None and self.outcome.is_current(project)

    def _plan_changed(self, _rows: object = None) -> None:
        # Edits made while looking at the preview (undo, a drag on the map) make it stale.
        if self.dialog is not None and self.outcome is not None:
            applicable = self._applicable()
            self.dialog.set_applicable(applicable)
            if not applicable:
                self.window.balance.set_preview(None)  # ghost bars of a plan that is gone

    def apply(self) -> None:
        """Apply the preview as one undoable edit and close the dialog."""
        window, outcome = self.window, self.outcome
        if outcome is None or window.editing is None or not self._applicable():
            return
        edit = outcome.edit(Text.EDIT_NAME)
        if edit is None or not window.editing.push(edit, Text.EDIT_NAME):
            return  # a refused edit was reported by the editing layer; the preview stays
        self._kept_selection = None  # keep the moved units selected: they show what changed
        self._drop_preview()
        if self.dialog is not None:
            self.dialog.close()

    def _back(self) -> None:
        self._restore_selection()
        self._drop_preview()
        if self.dialog is not None:
            self.dialog.show_form()

    def _dialog_closed(self) -> None:
        self._runner.cancel()
        self._restore_selection()
        self._drop_preview()
        self._dispose_dialog()
        # Back to the map, so Ctrl+Z undoes an applied plan straight away.
        self.window.activateWindow()

    def _drop_preview(self) -> None:
        self.outcome = None
        self._follow(None)
        self.window.balance.set_preview(None)

    def _restore_selection(self) -> None:
        kept, self._kept_selection = self._kept_selection, None
        if kept is not None and self.window.selection is not None:
            self.window.selection.select(kept[0], kept[1])

    def _follow(self, metrics: TerritoryMetrics | None) -> None:
        if self._metrics is not None:
            self._metrics.totals_changed.disconnect(self._plan_changed)
        self._metrics = metrics
        if metrics is not None:
            metrics.totals_changed.connect(self._plan_changed)

    def _dispose_dialog(self) -> None:
        # A fresh dialog next time: territories, metrics and the selection count change.
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.deleteLater()

    def _close_progress(self) -> None:
        if self._progress is not None:
            dialog, self._progress = self._progress, None
            dialog.dismiss()
