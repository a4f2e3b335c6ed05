"""Timetable of a day for a given visit order: arrivals, waits, lunch, return home.

The solver decides the order; this module turns any order (the solver's, or one the user
dragged into place) into times, so totals update live as stops are reordered, and says what
the order breaks (a missed time window, a day that runs long).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from terrmap.routing.distances import TravelMatrix
from terrmap.routing.model import Break, DayRoute, Visit, clock
from terrmap.routing.request import RouteRequest


def end_point(request: RouteRequest) -> int:
    """Matrix index of the day's end: a point after the stops, or 0 (home)."""
    return len(request.stops) + 1 if request.end is not None else 0


def schedule_day(
    request: RouteRequest,
    matrix: TravelMatrix,
    date: dt.date,
    order: Sequence[int],
    *,
    locked: frozenset[str] = frozenset(),
) -> DayRoute:
    """Times for visiting ``request.stops[k]`` for ``k`` in ``order`` on ``date``.

    The rep leaves at the day's start, or later when the first stop's window opens later, and
    takes lunch where it ends the day earliest without missing a window (a wait for a window
    counts towards lunch).
    """
    points = [k + 1 for k in order]
    options = range(len(points) + 1) if request.day.lunch and points else [None]
    timings = [_timing(request, matrix, points, after) for after in options]
    best = min(timings, key=lambda t: (t.overrun, t.end_s, t.lunch_delay))
    visits = tuple(
        Visit(
            stop=request.stops[k],
            arrival_s=arrive,
            start_s=begin,
            departure_s=leave,
            leg_m=float(matrix.distance_m[a, b]),
            leg_s=int(matrix.time_s[a, b]),
            locked=request.stops[k].id in locked,
        )
        for k, (arrive, begin, leave), (a, b) in zip(
            order, best.visits, _legs(points, 0), strict=False
        )
    )
    last = points[-1] if points else 0
    finish = end_point(request)
    path = [0, *points, finish]
    return DayRoute(
        date=date,
        start=request.start,
        end=request.finish,
        depart_s=best.depart_s,
        visits=visits,
        return_m=float(matrix.distance_m[last, finish]),
        return_s=int(matrix.time_s[last, finish]),
        legs=tuple(matrix.leg_path(a, b) for a, b in itertools.pairwise(path)),
        lunch=best.lunch,
    )


def day_problems(request: RouteRequest, day: DayRoute) -> list[str]:
    """What the day breaks, in words: missed windows, a late return, a late lunch."""
    problems = []
    for number, visit in enumerate(day.visits, start=1):
        window = visit.stop.window
        if window is not None and visit.start_s > window[1]:
            problems.append(
                f"stop {number} ({visit.stop.name}) starts at {clock(visit.start_s)}, "
                f"after its window closes at {clock(window[1])}"
            )
    rules = request.day
    if day.end_s > rules.end_s:
        problems.append(
            f"the day ends at {clock(day.end_s)}, {round((day.end_s - rules.end_s) / 60)} min "
            f"after the {clock(rules.end_s)} limit"
        )
    if day.lunch is not None and rules.lunch and day.lunch.start_s > rules.lunch.latest_s:
        problems.append(f"lunch starts at {clock(day.lunch.start_s)}, after the latest time")
    return problems


@dataclass(frozen=True)
class _Timing:
    depart_s: int
    visits: tuple[tuple[int, int, int], ...]
    end_s: int
    lunch: Break | None
    overrun: int
    lunch_delay: int


def _timing(
    request: RouteRequest, matrix: TravelMatrix, points: list[int], lunch_after: int | None
) -> _Timing:
    rules, stops, time_s = request.day, request.stops, matrix.time_s
    depart = _departure(request, matrix, points)
    now, overrun, lunch = depart, 0, None
    visits = []
    for position, (a, b) in enumerate(_legs(points, 0)):
        if position == lunch_after:
            lunch, now, late = _lunch(request, now, position)
            overrun += late
        arrive = now + int(time_s[a, b])
        window = stops[b - 1].window
        begin = max(arrive, window[0]) if window else arrive
        overrun += max(0, begin - window[1]) if window else 0
        now = begin + stops[b - 1].service_s
        visits.append((arrive, begin, now))
    if lunch_after == len(points):
        lunch, now, late = _lunch(request, now, len(points))
        overrun += late
    end = now + int(time_s[points[-1] if points else 0, end_point(request)])
    overrun += max(0, end - rules.end_s)
    delay = lunch.start_s - rules.lunch.earliest_s if lunch and rules.lunch else 0
    return _Timing(depart, tuple(visits), end, lunch, overrun, delay)


def _lunch(request: RouteRequest, now: int, after: int) -> tuple[Break, int, int]:
    """The break taken after ``after`` visits, the time it ends, and how late it starts."""
    rules = request.day.lunch
    assert rules is not None
    start = max(now, rules.earliest_s)
    end = start + rules.duration_s
    return Break(after=after, start_s=start, end_s=end), end, max(0, start - rules.latest_s)


def _departure(request: RouteRequest, matrix: TravelMatrix, points: list[int]) -> int:
    # Leave later rather than wait at the door of the first stop.
    start = request.day.start_s
    if not points:
        return start
    window = request.stops[points[0] - 1].window
    if window is None:
        return start
    return max(start, window[0] - int(matrix.time_s[0, points[0]]))


def _legs(points: list[int], home: int) -> list[tuple[int, int]]:
    path = [home, *points]
    return list(itertools.pairwise(path))
