"""Plan Route: the action, the job, the route on the map, hand edits and the exports.

The flow is action → Routes dock (choices) → request built from the project on the GUI
thread → job on the worker thread (road network if chosen, travel matrix, `plan_route`) with
a progress dialog whose Stop keeps the best route so far → the route listed in the dock and
drawn on the map. Dragging a stop or ticking a lock re-times that day with `schedule_day` at
once; Re-optimise improves the shown day(s) around the locks in the worker
(`terrmap.routing.reorder`). A route is view state, not part of the document: no undo.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from terrmap.errors import Cancelled, TerrmapError
from terrmap.ui.icons import icon
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.route_jobs import RouteResult, reorder_job, request_from, route_job
from terrmap.ui.route_text import Text
from terrmap.ui.workers import JobRunner

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.routing.model import RoutePlan
    from terrmap.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+R"
MIN_SPAN_M = 4_000.0  # a route's zoom shows at least this much around a single stop
EXPORT_KEY = "route/exportFolder"
# Room the dock takes when asked for: the stop list needs width, the gauges below can shrink.
DOCK_WIDTH = 540
DOCK_HEIGHT_SHARE = 0.75


def route_icon() -> QIcon:
    """The Routes icon."""
    return icon("route")


class RouteController(QObject):
    """Route planning for one main window: the Routes dock, the action and the map overlay.

    Attributes
    ----------
    action
        Tools ▸ Plan Route…: shows the Routes dock and puts the focus in it.
    result
        The route shown, with its request and travel matrix (``None``: no route).
    day
        The day shown (``None``: every day).
    runner
        The worker that plans and re-optimises (``runner.finished`` fires when one is done).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = window.docks.routes
        self.dock = window.docks.docks["routes"]
        self.action = QAction(route_icon(), Text.ACTION, window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(Text.ACTION_TIP)
        self.action.setToolTip(Text.ACTION_TIP)
        self.action.triggered.connect(self.focus)
        self.result: RouteResult | None = None
        self.day: int | None = None
        self.highlight: str | None = None
        self._project: Project | None = None
        self._progress: JobProgressDialog | None = None
        self._finish_early = threading.Event()
        self.runner = JobRunner(self)
        self.runner.progressed.connect(self._progressed)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        panel = self.panel
        panel.plan_requested.connect(self.plan)
        panel.reoptimise_requested.connect(self.reoptimise)
        panel.export_requested.connect(self.export)
        panel.clear_requested.connect(self.clear)
        panel.day_chosen.connect(self.show_day)
        panel.model.order_changed.connect(self._reordered)
        panel.model.lock_toggled.connect(self._lock_toggled)
        panel.table.stop_selected.connect(self._stop_selected)
        window.document_installed.connect(self._document_installed)
        self._document_installed()

    @property
    def running(self) -> bool:
        """Whether a plan or re-optimisation is running."""
        return self.runner.busy

    # -- the dock ---------------------------------------------------------------------------
    def focus(self) -> None:
        """Show the Routes dock in front, with the keyboard in its rep list."""
        shown = self.dock.isVisible()
        self.dock.show()
        self.dock.raise_()
        if not shown:
            self._make_room()
        self.panel.rep.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _make_room(self) -> None:
        window, dock = self.window, self.dock
        if dock.isFloating():
            return
        width = min(DOCK_WIDTH, round(window.width() * 0.45))
        if dock.width() < width:
            window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        below = window.docks.docks["balance"]
        if below.isVisible() and not below.isFloating():
            column = dock.height() + below.height()
            height = round(column * DOCK_HEIGHT_SHARE)
            window.resizeDocks([dock, below], [height, column - height], Qt.Orientation.Vertical)

    def _document_installed(self) -> None:
        if self._project is not None:
            for signal in self._territory_signals(self._project):
                signal.disconnect(self._territories_changed)
        self._project = self.window.project
        if self._project is not None:
            for signal in self._territory_signals(self._project):
                signal.connect(self._territories_changed)
        self.clear()
        self._territories_changed()

    @staticmethod
    def _territory_signals(project: Project) -> list:
        return [project.territory_inserted, project.territory_removed, project.territory_updated]

    def _territories_changed(self, *_args: object) -> None:
        project = self._project
        self.panel.set_territories(project.territories if project is not None else ())
        self.panel.setEnabled(project is not None)

    # -- planning ---------------------------------------------------------------------------
    def plan(self) -> None:
        """Plan with the panel's choices in the worker."""
        project = self.window.project
        if project is None or self.running:
            return
        choices = self.panel.choices()
        self.panel.remember()
        try:
            request = request_from(project, choices, self.window.selection)
        except TerrmapError as error:
            self.window.jobs.show_error(Text.FAILED, error)
            return
        self._start("route", route_job, request, choices.roads)

    def reoptimise(self) -> None:
        """Improve the shown day(s) around their locked stops, in the worker."""
        if self.result is None or self.running:
            return
        days = list(range(len(self.result.plan.days))) if self.day is None else [self.day]
        self._start("reorder", reorder_job, self.result, days)

    def _start(self, tag: str, job, *args: Any) -> None:
        self._finish_early = threading.Event()
        progress = JobProgressDialog(self.window, cancellable=True, label=Text.PREPARING)
        progress.setCancelButtonText(Text.STOP)
        progress.canceled.connect(self._finish_early.set)
        progress.show()  # at once: the project must not change while the job reads it
        self._progress = progress
        self.runner.start(tag, job, *args, self._finish_early)

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress.set_progress(fraction, f"{message}\n{Text.STOP_HINT}")

    def _finished(self, tag: object, value: Any) -> None:
        self._close_progress()
        if tag == "route":
            self.result = value
            single = len(value.plan.days) == 1
            self.panel.toggle.setChecked(False)  # the stop list needs the room now
            self._show(value.plan, 0 if single else None, zoom=True)
            if value.stopped_early:
                self.window.statusBar().showMessage(Text.STOPPED_EARLY, 8000)
        elif tag == "reorder" and self.result is not None:
            self._replace(value)

    def _failed(self, _tag: object, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, Cancelled):  # Stop while reading roads
            self.window.statusBar().showMessage(Text.CANCELLED, 5000)
            return
        self.window.jobs.show_error(Text.FAILED, error)

    def _close_progress(self) -> None:
        if self._progress is not None:
            dialog, self._progress = self._progress, None
            dialog.dismiss()

    # -- showing --------------------------------------------------------------------------
    def show_day(self, day: int | None) -> None:
        """List and draw day ``day`` (``None``: every day) and zoom to it."""
        if self.result is not None:
            self._show(self.result.plan, day, zoom=True)

    def _show(self, plan: RoutePlan, day: int | None, *, zoom: bool) -> None:
        self.day, self.highlight = day, None
        self.panel.show_plan(plan, day)
        self._summarise()
        self._draw()
        if zoom:
            self._zoom()

    def _replace(self, plan: RoutePlan) -> None:
        """Show new times of the same route: the list keeps its rows and selection."""
        assert self.result is not None
        from dataclasses import replace

        self.result = replace(self.result, plan=plan)
        self.panel.model.update_plan(plan)
        self._summarise()
        self._draw()

    def _summarise(self) -> None:
        from terrmap.routing.model import clock
        from terrmap.routing.schedule import day_problems

        result = self.result
        assert result is not None
        plan, request = result.plan, result.request
        days = plan.days if self.day is None else (plan.days[self.day],)
        if self.day is None and len(plan.days) > 1:
            totals = Text.TOTALS_PLAN.format(
                days=len(days),
                visits=plan.visit_count,
                km=plan.distance_m / 1000,
                drive=_hours(plan.drive_s),
            )
        else:
            day = days[0]
            totals = Text.TOTALS_DAY.format(
                visits=len(day.visits),
                km=day.distance_m / 1000,
                drive=_hours(day.drive_s),
                end=clock(day.end_s),
            )
        several = len(days) > 1
        problems = [
            f"{d.date:%a}: {p}" if several else p for d in days for p in day_problems(request, d)
        ]
        notes = [Text.DISTANCES.format(how=plan.distances), *plan.notes]
        far = getattr(result.matrix, "far_points", ())
        if far:
            from terrmap.routing.roads import FAR_SNAP_M

            notes.append(Text.FAR_POINTS.format(count=len(far), km=FAR_SNAP_M / 1000))
        if not self.panel.model.movable:
            notes.append(Text.ALL_DAYS_HINT)
        self.panel.show_summary(totals, problems, notes)

    def _draw(self) -> None:
        from terrmap.render.route_layer import RouteOverlay

        overlay = None
        if self.result is not None:
            overlay = RouteOverlay(self.result.plan, day=self.day, highlight=self.highlight)
        self.window.canvas.set_route(overlay)

    def _zoom(self) -> None:
        from terrmap.render.route_layer import route_bounds

        canvas = self.window.canvas
        if self.result is None or canvas.renderer is None:
            return
        projection = canvas.renderer.scene.projection
        left, bottom, right, top = route_bounds(self.result.plan, projection, self.day)
        x, y = (left + right) / 2, (bottom + top) / 2
        half_w = max(right - left, MIN_SPAN_M) / 2
        half_h = max(top - bottom, MIN_SPAN_M) / 2
        canvas.zoom_to_bounds((x - half_w, y - half_h, x + half_w, y + half_h))

    # -- hand edits ---------------------------------------------------------------------------
    def _reordered(self, day: int, stop_ids: list) -> None:
        self._retime(day, stop_ids, None)

    def _lock_toggled(self, day: int, stop_id: str, locked: bool) -> None:
        if self.result is None:
            return
        route = self.result.plan.days[day]
        ids = [v.stop.id for v in route.visits]
        keep = {v.stop.id for v in route.visits if v.locked} - {stop_id}
        self._retime(day, ids, frozenset(keep | {stop_id} if locked else keep))

    def _retime(self, day: int, stop_ids: list, locked: frozenset[str] | None) -> None:
        """Time day ``day`` for the order ``stop_ids`` and show it at once."""
        from terrmap.routing.reorder import locked_ids, with_day
        from terrmap.routing.schedule import schedule_day

        if self.result is None:
            return
        request, route = self.result.request, self.result.plan.days[day]
        index = {stop.id: k for k, stop in enumerate(request.stops)}
        locked = locked_ids(route) if locked is None else locked
        new = schedule_day(
            request, self.result.matrix, route.date, [index[i] for i in stop_ids], locked=locked
        )
        self._replace(with_day(self.result.plan, day, new))

    def _stop_selected(self, stop_id: str | None) -> None:
        if stop_id != self.highlight and self.result is not None:
            self.highlight = stop_id
            self._draw()

    # -- exporting and clearing ----------------------------------------------------------------
    def export(self) -> None:
        """Ask for a folder and write every export of the route there."""
        from terrmap.render.itinerary import write_itinerary_pdf
        from terrmap.routing.exports import write_exports
        from terrmap.ui import settings
        from terrmap.web.webmap import write_route_web_map

        if self.result is None:
            return
        start = QSettings().value(EXPORT_KEY, "") or settings.last_directory()
        folder = QFileDialog.getExistingDirectory(self.window, Text.EXPORT_TITLE, str(start))
        if not folder:
            return
        QSettings().setValue(EXPORT_KEY, folder)
        plan = self.result.plan
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = write_exports(plan, folder)
            written.append(write_route_web_map(self.window.project, plan, folder))
            written.append(write_itinerary_pdf(plan, folder, project=self.window.project))
        except (TerrmapError, OSError) as error:
            self.window.jobs.show_error(Text.EXPORT_FAILED, error)
            return
        finally:
            QApplication.restoreOverrideCursor()
        names = ", ".join(p.name for p in written)
        message = Text.EXPORTED.format(count=len(written), folder=Path(folder).name, names=names)
        self.window.statusBar().showMessage(message, 15000)

    def clear(self) -> None:
        """Drop the route from the dock and the map."""
        self.runner.cancel()
        self._close_progress()
        self.result, self.day, self.highlight = None, None, None
        self.panel.show_plan(None)
        self.window.canvas.set_route(None)

    def shutdown(self) -> None:
        """Stop the worker thread (the window is closing)."""
        self.clear()
        self.runner.shutdown()


def _hours(seconds: int) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
