"""Hand edits of a planned day: moving stops, locking them, and re-optimising around locks.

The route panel lets the user drag stops into another order and pin ("lock") some of them.
Everything here is plain data over `schedule_day`, so the app and tests share one meaning.

Re-optimising a day keeps every locked stop at its position (1st, 5th, ...) and improves the
order of the others by **relocation**: take one unlocked stop out and put it back at another
unlocked position, timed with `schedule_day`. A move is accepted when it

1. adds no problem the day did not already have (`day_problems`: a missed window, a late
   return, a late lunch), and
2. makes ``(number of problems, end of day, driving time)`` smaller, compared in that order.

Moves are tried in a fixed order (stop by stop, position by position) and the first accepted
one is applied, then the scan starts again, until no move is accepted: the result depends
only on the input, never on timing or chance. Each scan is O(n²) schedules of O(n²) each, so
this suits a day's dozen or two stops, not a solver's hundreds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from terrmap.optimize.problem import NEVER, Stop
from terrmap.routing.distances import TravelMatrix
from terrmap.routing.model import DayRoute, RoutePlan
from terrmap.routing.request import RouteRequest
from terrmap.routing.schedule import schedule_day

Score = tuple[int, int, int]


def day_order(request: RouteRequest, day: DayRoute) -> list[int]:
    """Indices into ``request.stops`` of the day's visits, in visiting order."""
    index = {stop.id: k for k, stop in enumerate(request.stops)}
    return [index[visit.stop.id] for visit in day.visits]


def locked_ids(day: DayRoute) -> frozenset[str]:
    """Ids of the day's locked stops."""
    return frozenset(visit.stop.id for visit in day.visits if visit.locked)


def moved(items: Sequence, first: int, count: int, to: int) -> list:
    """``items`` with ``count`` items from ``first`` moved before position ``to``.

    ``to`` counts positions in the original sequence (as Qt's ``moveRows`` does), so
    moving row 0 to 3 puts it after the items that were at 1 and 2.
    """
    items = list(items)
    if not (first >= 0 and count >= 0 and first + count <= len(items) and 0 <= to <= len(items)):
        raise IndexError(f"cannot move {count} items from {first} to {to} of {len(items)}")
    block = items[first : first + count]
    rest = items[:first] + items[first + count :]
    at = to - count if to > first else to
    return rest[:at] + block + rest[at:]


def with_day(plan: RoutePlan, index: int, day: DayRoute) -> RoutePlan:
    """``plan`` with day ``index`` replaced by ``day``."""
    days = list(plan.days)
    days[index] = day
    return replace(plan, days=tuple(days))


def problem_keys(request: RouteRequest, day: DayRoute) -> frozenset[str]:
    """What the day breaks, as keys that do not depend on the order: stop ids whose window
    is missed, ``"late return"`` and ``"late lunch"`` (see `day_problems`)."""
    keys = {
        visit.stop.id
        for visit in day.visits
        if visit.stop.window is not None and visit.start_s > visit.stop.window[1]
    }
    rules = request.day
    if day.end_s > rules.end_s:
        keys.add("late return")
    if day.lunch is not None and rules.lunch and day.lunch.start_s > rules.lunch.latest_s:
        keys.add("late lunch")
    return frozenset(keys)


def improve_order(
    request: RouteRequest,
    matrix: TravelMatrix,
    date: dt.date,
    order: Sequence[int],
    *,
    locked: frozenset[str] = frozenset(),
    stop: Stop = NEVER,
) -> DayRoute:
    """The day with its unlocked stops relocated until no move helps (see the module doc).

    Parameters
    ----------
    order
        Indices into ``request.stops`` in the current visiting order.
    locked
        Ids of stops that keep their position.
    stop
        Asked before each scan; True returns the best order found so far.
    """
    order = list(order)
    slots = [i for i, k in enumerate(order) if request.stops[k].id not in locked]
    free = [order[i] for i in slots]

    def timed(sequence: list[int]) -> DayRoute:
        full = list(order)
        for slot, k in zip(slots, sequence, strict=True):
            full[slot] = k
        return schedule_day(request, matrix, date, full, locked=locked)

    best = timed(free)
    best_keys, best_score = problem_keys(request, best), _score(request, best)
    while not stop():
        found = _first_better(request, free, timed, best_keys, best_score)
        if found is None:
            break
        free, best = found
        best_keys, best_score = problem_keys(request, best), _score(request, best)
    return best


def _first_better(
    request: RouteRequest,
    free: list[int],
    timed: Callable[[list[int]], DayRoute],
    keys: frozenset[str],
    score: Score,
) -> tuple[list[int], DayRoute] | None:
    """The first relocation of ``free`` that is accepted, with its day; None if none is."""
    for source in range(len(free)):
        rest = free[:source] + free[source + 1 :]
        for target in range(len(free)):
            if target == source:
                continue
            candidate = [*rest[:target], free[source], *rest[target:]]
            day = timed(candidate)
            if problem_keys(request, day) <= keys and _score(request, day) < score:
                return candidate, day
    return None


def _score(request: RouteRequest, day: DayRoute) -> Score:
    return len(problem_keys(request, day)), day.end_s, day.drive_s
