"""The Routes dock on the bundled sample: plan in the worker, the stop list against
`schedule_day`, the route on the map, reordering by a drop, locks and Re-optimise, export,
Stop, and errors."""

from __future__ import annotations

import datetime as dt
import html
import time

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from terrmap.routing.exports import EXPORT_FORMATS
from terrmap.routing.reorder import day_order, moved
from terrmap.routing.schedule import schedule_day
from terrmap.ui.route_action import SHORTCUT
from terrmap.ui.route_panel import RoutePanel, next_monday, next_working_day
from terrmap.ui.route_stops import ARRIVE, LOCK, NUMBER, VISIT
from terrmap.ui.route_text import Text

RUN_TIMEOUT_MS = 60_000
LEFT = Qt.MouseButton.LeftButton
MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def routes(window):
    """The route controller with its dock shown, rep T03, one day, a short search."""
    controller = window.routes
    controller.action.trigger()
    panel = controller.panel
    panel.rep.setCurrentIndex(panel.rep.findData("T03"))
    panel.day.setChecked(True)
    panel.date.setDate(MONDAY)
    panel.params.time_limit.setValue(1.0)
    return controller


def plan(qtbot, routes):
    with qtbot.waitSignal(routes.runner.finished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(routes.panel.plan_button, LEFT)
    return routes.result


def column(panel, col: int) -> list[str]:
    model = panel.model
    return [model.index(row, col).data() for row in range(model.rowCount())]


def expected_times(result, day_index: int = 0) -> tuple[list[str], list[str]]:
    """Arrive and visit columns recomputed independently with `schedule_day`."""
    from terrmap.routing.model import clock

    request, day = result.request, result.plan.days[day_index]
    again = schedule_day(request, result.matrix, day.date, day_order(request, day))
    arrive = [clock(v.arrival_s) for v in again.visits]
    visit = [f"{clock(v.start_s)}–{clock(v.departure_s)}" for v in again.visits]
    return arrive, visit


def row_centre(view, row: int, col: int = NUMBER) -> QPoint:
    return view.visualRect(view.model().index(row, col)).center()


# -- the dock and the form ----------------------------------------------------------------
def test_action_shows_the_dock_with_every_rep(window, routes):
    assert routes.action.shortcut().toString() == SHORTCUT
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert routes.action in tools.actions()
    assert routes.dock.isVisible()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert routes.dock.toggleViewAction() in view.actions()
    panel = routes.panel
    assert panel.rep.count() == len(window.project.territories)
    assert panel.rep.currentData() == "T03"
    names = [
        "rep",
        "day",
        "week",
        "date",
        "days",
        "source",
        "toggle",
        "plan_button",
        "reoptimise",
        "export",
        "clear",
        "day_combo",
        "table",
    ]
    params = [
        "start",
        "length",
        "lunch",
        "lunch_from",
        "lunch_to",
        "lunch_min",
        "service",
        "speed",
        "detour",
        "roads",
        "choose_roads",
        "clear_roads",
        "time_limit",
        "seed",
    ]
    for name in params:
        assert getattr(panel.params, name).toolTip(), name
    for name in names:
        assert getattr(panel, name).toolTip(), name


def test_default_dates_are_the_next_working_day_and_monday():
    friday = dt.date(2026, 11, 27)
    assert next_working_day(friday) == MONDAY
    assert next_working_day(MONDAY) == MONDAY + dt.timedelta(days=1)
    assert next_monday(friday) == MONDAY
    assert next_monday(MONDAY) == MONDAY + dt.timedelta(days=7)


def test_choices_are_remembered(qtbot, routes):
    panel = routes.panel
    panel.week.setChecked(True)
    panel.days.setValue(4)
    panel.params.service.setValue(45)
    panel.params.lunch.setChecked(False)
    panel.params.seed.setValue(7)
    panel.remember()
    again = RoutePanel()
    qtbot.addWidget(again)
    choices = again.choices()
    assert (choices.week, choices.days, choices.service_min) == (True, 4, 45.0)
    assert choices.lunch is None
    assert choices.seed == 7
    assert choices.date.weekday() == 0  # a week starts on the next Monday


# -- planning -------------------------------------------------------------------------------
def test_plan_lists_times_and_draws_the_route(qtbot, window, routes):
    before = window.canvas.viewport
    result = plan(qtbot, routes)
    panel, day = routes.panel, result.plan.days[0]
    assert len(day.visits) > 3
    assert panel.model.rowCount() == len(day.visits)
    names = [panel.model.visit(r)[1].stop.id for r in range(panel.model.rowCount())]
    assert names == [v.stop.id for v in day.visits]
    assert column(panel, NUMBER) == [str(i) for i in range(1, len(day.visits) + 1)]
    arrive, visit = expected_times(result)
    assert column(panel, ARRIVE) == arrive
    assert column(panel, VISIT) == visit
    overlay = window.canvas.renderer.route
    assert overlay is not None
    assert overlay.plan is result.plan
    assert window.canvas.viewport != before  # zoomed to the route
    assert f"{len(day.visits)} visits" in panel.totals.text()
    assert panel.unplaced.count() == len(result.plan.unplaced)


def test_selecting_a_row_highlights_its_stop(qtbot, window, routes):
    plan(qtbot, routes)
    table = routes.panel.table
    qtbot.mouseClick(table.viewport(), LEFT, pos=row_centre(table, 2))
    stop = routes.panel.model.visit(2)[1].stop.id
    assert window.canvas.renderer.route.highlight == stop


def test_a_dropped_row_retimes_the_day_and_redraws(qtbot, window, routes):
    result = plan(qtbot, routes)
    panel, table = routes.panel, routes.panel.table
    ids = [v.stop.id for v in result.plan.days[0].visits]
    km_before = result.plan.days[0].distance_m
    # A real press and drag on the viewport starts the view's QDrag, but the offscreen
    # platform ends every QDrag at once without delivering anything. So the events the
    # platform would deliver to the viewport (enter, move, drop at the same point) are sent
    # by hand: the view itself works out the target row from the position and calls the
    # model's dropMimeData, as for a drop with a mouse.
    viewport = table.viewport()
    start = row_centre(table, 0)
    qtbot.mousePress(viewport, LEFT, pos=start)
    far = start + QPoint(0, 3 * QApplication.startDragDistance())
    qtbot.mouseMove(viewport, far)
    qtbot.mouseRelease(viewport, LEFT, pos=far)
    target = table.visualRect(panel.model.index(4, NUMBER))
    at = QPoint(target.center().x(), target.top() + target.height() // 3)  # above row 4
    data = panel.model.mimeData([panel.model.index(0, NUMBER)])
    args = (Qt.DropAction.MoveAction, data, LEFT, Qt.KeyboardModifier.NoModifier)
    for event in (QDragEnterEvent(at, *args), QDragMoveEvent(at, *args)):
        QApplication.sendEvent(viewport, event)
        assert event.isAccepted()
    drop = QDropEvent(QPointF(at), *args)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted()
    new = routes.result
    moved = [v.stop.id for v in new.plan.days[0].visits]
    assert moved == [*ids[1:4], ids[0], *ids[4:]]
    assert column(panel, ARRIVE) == expected_times(new)[0]
    assert column(panel, VISIT) == expected_times(new)[1]
    assert new.plan.days[0].distance_m != km_before
    assert f"{new.plan.days[0].distance_m / 1000:,.1f} km" in panel.totals.text()
    assert window.canvas.renderer.route.plan is new.plan  # redrawn with the new order
    assert table.currentIndex().row() == 3  # the moved stop stays selected


def test_keyboard_moves_a_stop(qtbot, routes):
    result = plan(qtbot, routes)
    ids = [v.stop.id for v in result.plan.days[0].visits]
    table = routes.panel.table
    table.setFocus()
    table.setCurrentIndex(routes.panel.model.index(1, NUMBER))
    qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    moved = [v.stop.id for v in routes.result.plan.days[0].visits]
    assert moved == [ids[1], ids[0], *ids[2:]]


def worst_move(result) -> tuple[int, int]:
    """The single move of a stop (row, before row) that lengthens the day's drive most."""
    request, day = result.request, result.plan.days[0]
    order = day_order(request, day)
    n = len(order)

    def drive(first: int, to: int) -> int:
        again = schedule_day(request, result.matrix, day.date, moved(order, first, 1, to))
        return again.drive_s

    return max(((f, t) for f in range(n) for t in range(n + 1)), key=lambda m: drive(*m))


def test_locked_stop_keeps_its_place_when_reoptimised(qtbot, window, routes):
    result = plan(qtbot, routes)
    panel, table, model = routes.panel, routes.panel.table, routes.panel.model
    first, to = worst_move(result)
    model.moveRows(QModelIndex(), first, 1, QModelIndex(), to)  # spoil the order
    spoiled = routes.result.plan.days[0]
    assert spoiled.drive_s > result.plan.days[0].drive_s
    new_row = to - 1 if to > first else to
    lock_row = next(r for r in range(model.rowCount()) if r not in (first, new_row))
    lock_cell = table.visualRect(model.index(lock_row, LOCK)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=lock_cell)  # tick the lock box
    locked = model.visit(lock_row)[1]
    assert locked.locked
    check = model.index(lock_row, LOCK).data(Qt.ItemDataRole.CheckStateRole)
    assert check == Qt.CheckState.Checked
    assert window.canvas.renderer.route.plan.days[0].visits[lock_row].locked  # square marker
    with qtbot.waitSignal(routes.runner.finished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(panel.reoptimise, LEFT)
    day = routes.result.plan.days[0]
    assert day.visits[lock_row].stop.id == locked.stop.id
    assert day.visits[lock_row].locked
    assert sorted(v.stop.id for v in day.visits) == sorted(v.stop.id for v in spoiled.visits)
    assert (day.end_s, day.drive_s) < (spoiled.end_s, spoiled.drive_s)
    assert column(panel, ARRIVE) == expected_times(routes.result)[0]


def test_export_writes_every_file(qtbot, window, routes, tmp_path, monkeypatch):
    plan(qtbot, routes)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    qtbot.mouseClick(routes.panel.export, LEFT)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == len(EXPORT_FORMATS) + 2  # and the web map and itinerary PDF
    for fmt in EXPORT_FORMATS.values():
        assert any(name.endswith(fmt.suffix) for name in written)
    pdf = next(tmp_path.glob("*_itinerary.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "L.polyline" in next(tmp_path.glob("*_map.html")).read_text(encoding="utf-8")
    message = window.statusBar().currentMessage()
    assert all(name in message for name in written)


def test_week_plan_stops_early_and_filters_days(qtbot, window, routes):
    panel = routes.panel
    panel.week.setChecked(True)
    panel.date.setDate(MONDAY)
    panel.days.setValue(5)
    panel.params.time_limit.setValue(120.0)
    started = time.perf_counter()
    with qtbot.waitSignal(routes.runner.finished, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(panel.plan_button, LEFT)
        progress = routes._progress
        stop = next(b for b in progress.findChildren(QPushButton) if b.text() == Text.STOP)
        qtbot.waitUntil(lambda: progress.value() >= 100, timeout=RUN_TIMEOUT_MS)  # solving
        qtbot.wait(300)
        qtbot.mouseClick(stop, LEFT)
    assert time.perf_counter() - started < 30  # far inside the 120 s limit
    result = routes.result
    assert len(result.plan.days) == 5
    assert result.stopped_early
    assert result.plan.visit_count > 0  # the best route so far is kept
    assert window.statusBar().currentMessage() == Text.STOPPED_EARLY
    assert panel.day_combo.count() == 6  # All days and five days
    assert window.canvas.renderer.route.day is None
    assert not panel.model.movable
    panel.day_combo.setCurrentIndex(2)
    assert window.canvas.renderer.route.day == 1
    assert panel.model.rowCount() == len(result.plan.days[1].visits)
    assert panel.model.movable


def test_selected_accounts_are_the_stops(qtbot, window, routes):
    project = window.project
    owned = np.flatnonzero(project.account_codes() == project.territory_index("T03"))[:6]
    window.selection.select("accounts", owned)
    routes.panel.source.setCurrentIndex(routes.panel.source.findData("selected"))
    result = plan(qtbot, routes)
    wanted = {str(a) for a in project.accounts.ids[owned]}
    assert {s.id for s in result.request.stops} == wanted


# -- errors -------------------------------------------------------------------------------
@pytest.fixture
def shown(monkeypatch) -> list[tuple[str, str]]:
    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text, *a: boxes.append((title, text))
    )
    return boxes


def test_rep_without_home_is_disabled_and_reported(qtbot, window, routes, shown):
    project = window.project
    index = project.territory_index("T03")
    project.replace_territory(index, project.territories[index].with_changes(home=None))
    panel = routes.panel
    item = panel.rep.model().item(panel.rep.findData("T03"))
    assert not item.isEnabled()
    assert item.toolTip() == Text.WHY_NO_HOME
    # Chosen anyway (the list was open while the home was cleared): a clear message.
    panel.rep.setCurrentIndex(panel.rep.findData("T03"))
    qtbot.mouseClick(panel.plan_button, LEFT)
    assert len(shown) == 1
    title, text = shown[0]
    assert title == Text.FAILED
    assert "no home location" in text
    assert routes.result is None
    assert not routes.running


def test_no_selection_is_reported(qtbot, routes, shown):
    routes.panel.source.setCurrentIndex(routes.panel.source.findData("selected"))
    qtbot.mouseClick(routes.panel.plan_button, LEFT)
    assert shown
    assert "select accounts" in shown[0][1]


def test_bad_road_file_is_reported_and_the_route_kept(qtbot, window, routes, shown, tmp_path):
    result = plan(qtbot, routes)
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"not a pbf")
    routes.panel.params.set_roads(str(bad))
    with qtbot.waitSignal(routes.runner.failed, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(routes.panel.plan_button, LEFT)
    assert shown
    assert shown[0][0] == Text.FAILED
    assert routes.result is result  # nothing lost
    assert window.canvas.renderer.route.plan is result.plan


def test_clear_removes_the_route(qtbot, window, routes):
    plan(qtbot, routes)
    qtbot.mouseClick(routes.panel.clear, LEFT)
    assert window.canvas.renderer.route is None
    assert routes.panel.model.rowCount() == 0


def test_day_ends_at_another_point(qtbot, window, routes):
    params = routes.panel.params
    qtbot.keyClicks(params.end_at, "42.9, -73.6")
    day = plan(qtbot, routes).plan.days[0]
    assert (day.end.lat, day.end.lon) == (42.9, -73.6)
    assert day.start.name == "Marcus Hollis"  # still leaves from home
    assert day.legs[-1][-1] == (42.9, -73.6)


def test_bad_start_point_is_explained(qtbot, window, routes, shown):
    qtbot.keyClicks(routes.panel.params.start_at, "Albany")
    qtbot.mouseClick(routes.panel.plan_button, LEFT)
    assert len(shown) == 1
    assert "Start point: 'Albany' is not 'latitude, longitude'" in html.unescape(shown[0][1])
    assert routes.result is None
