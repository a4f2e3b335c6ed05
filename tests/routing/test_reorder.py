"""Hand edits of a day: moving rows, locked stops staying put, deterministic improvement."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from terrmap.routing.distances import straight_line
from terrmap.routing.model import Place, Stop
from terrmap.routing.planner import plan_route, route_points
from terrmap.routing.reorder import (
    day_order,
    improve_order,
    locked_ids,
    moved,
    problem_keys,
    with_day,
)
from terrmap.routing.request import DayRules, RouteRequest
from terrmap.routing.schedule import day_problems, schedule_day

HOME = Place("Home", 42.36, -71.06)
MONDAY = dt.date(2026, 11, 30)


def line_request(n: int = 6, **kw) -> RouteRequest:
    """Stops on a line east of home: the best tour goes out and back along it."""
    stops = tuple(
        Stop(f"S{i}", f"Stop {i}", HOME.lat, HOME.lon + 0.05 * (i + 1), service_s=900)
        for i in range(n)
    )
    return RouteRequest("T1", "Rep", HOME, stops, (MONDAY,), **kw)


def matrix_of(request: RouteRequest):
    return straight_line(route_points(request), detour=request.detour, speed_kmh=request.speed_kmh)


@pytest.mark.parametrize(
    ("first", "count", "to", "expected"),
    [
        (0, 1, 3, [1, 2, 0, 3]),
        (3, 1, 0, [3, 0, 1, 2]),
        (1, 2, 4, [0, 3, 1, 2]),
        (2, 1, 2, [0, 1, 2, 3]),
        (2, 1, 3, [0, 1, 2, 3]),
    ],
)
def test_moved_follows_qt_move_rows(first, count, to, expected):
    assert moved([0, 1, 2, 3], first, count, to) == expected


def test_moved_rejects_rows_out_of_range():
    with pytest.raises(IndexError):
        moved([0, 1], 1, 2, 0)


def test_day_order_and_locks_round_trip():
    request = line_request()
    matrix = matrix_of(request)
    day = schedule_day(request, matrix, MONDAY, [2, 0, 1], locked=frozenset({"S0"}))
    assert day_order(request, day) == [2, 0, 1]
    assert locked_ids(day) == {"S0"}


def test_improvement_untangles_a_shuffled_line():
    request = line_request(day=DayRules(lunch=None))
    matrix = matrix_of(request)
    shuffled = [3, 0, 5, 1, 4, 2]
    before = schedule_day(request, matrix, MONDAY, shuffled)
    after = improve_order(request, matrix, MONDAY, shuffled)
    assert after.drive_s < before.drive_s
    best = min(
        (schedule_day(request, matrix, MONDAY, list(p)) for p in itertools.permutations(range(6))),
        key=lambda d: (d.end_s, d.drive_s),
    )
    assert after.end_s == best.end_s  # relocations reach the optimum on a line
    assert improve_order(request, matrix, MONDAY, shuffled) == after  # deterministic


def test_locked_stops_keep_their_positions():
    request = line_request(day=DayRules(lunch=None))
    matrix = matrix_of(request)
    shuffled = [3, 0, 5, 1, 4, 2]
    locked = frozenset({"S5", "S2"})  # positions 2 and 5
    day = improve_order(request, matrix, MONDAY, shuffled, locked=locked)
    ids = [v.stop.id for v in day.visits]
    assert ids[2] == "S5"
    assert ids[5] == "S2"
    assert sorted(ids) == sorted(s.id for s in request.stops)
    assert [v.locked for v in day.visits] == [i in (2, 5) for i in range(6)]
    start = schedule_day(request, matrix, MONDAY, shuffled, locked=locked)
    assert (day.end_s, day.drive_s) <= (start.end_s, start.drive_s)


def test_improvement_adds_no_problem():
    # A window that only the current order keeps: no relocation may break it.
    stops = list(line_request().stops)
    stops[4] = Stop("S4", "Stop 4", stops[4].lat, stops[4].lon, 900, window=(8 * 3600, 9 * 3600))
    request = RouteRequest("T1", "Rep", HOME, tuple(stops), (MONDAY,))
    matrix = matrix_of(request)
    order = [4, 0, 1, 2, 3, 5]
    start = schedule_day(request, matrix, MONDAY, order)
    assert not day_problems(request, start)
    day = improve_order(request, matrix, MONDAY, order)
    assert problem_keys(request, day) <= problem_keys(request, start)
    assert not day_problems(request, day)


def test_stop_returns_the_order_at_once():
    request = line_request()
    matrix = matrix_of(request)
    order = [3, 0, 5, 1, 4, 2]
    day = improve_order(request, matrix, MONDAY, order, stop=lambda: True)
    assert day_order(request, day) == order


def test_with_day_replaces_one_day_of_a_plan():
    request = line_request()
    plan = plan_route(request)
    matrix = matrix_of(request)
    other = schedule_day(request, matrix, MONDAY, [0])
    changed = with_day(plan, 0, other)
    assert changed.days == (other,)
    assert changed.rep_id == plan.rep_id
