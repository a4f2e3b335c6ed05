"""Plan a rep's day or week: choose the engine, solve, time every visit, explain what is left.

A single day without time windows is a plain tour, solved by fast-tsp (`tour.py`) and kept
if it fits the day. Anything else (time windows, a day too short for every stop, several
days, stops visited more than once a week) goes to PyVRP (`vrp.py`) as a prize-collecting
problem: each day is one vehicle on a week-long clock, each visit a group of alternative
clients (one per day it may fall on), so visits that cannot fit are left out and reported.
"""

from __future__ import annotations

import time

import numpy as np

from terrmap.optimize.problem import NEVER, NO_PROGRESS, Progress
from terrmap.optimize.problem import Stop as StopAsked
from terrmap.routing.distances import TravelMatrix, straight_line
from terrmap.routing.model import SECONDS_PER_DAY, DayRoute, RoutePlan, Stop, Unplaced, clock
from terrmap.routing.request import DayRules, RouteRequest
from terrmap.routing.schedule import day_problems, end_point, schedule_day
from terrmap.routing.tour import solve_tour
from terrmap.routing.vrp import VrpClient, VrpProblem, VrpVehicle, solve_vrp

# Iterations without improvement after which PyVRP stops: reached well inside the time
# limit on a rep's day or week, which makes the plan depend on the seed only.
NO_IMPROVEMENT = 400
# fast-tsp's search time for a plain day: it finds the optimum of 100 stops in ~0.1 s when
# the machine is idle; this leaves it several times that.
TOUR_NODES_PER_S = 150
TIE_BREAK_S_PER_M = 1e-4


def route_points(request: RouteRequest) -> np.ndarray:
    """(lat, lon) of the matrix points: start, every stop, then the end if it differs."""
    places = [request.start, *request.stops, *([request.end] if request.end else [])]
    return np.array([(p.lat, p.lon) for p in places], dtype=float)


def plan_route(
    request: RouteRequest,
    *,
    matrix: TravelMatrix | None = None,
    progress: Progress = NO_PROGRESS,
    stop: StopAsked = NEVER,
) -> RoutePlan:
    """Visit order, timetable and unplaced stops for ``request``.

    Parameters
    ----------
    matrix
        Travel between `route_points`; straight line with the request's detour factor and
        speed when not given (pass a road matrix from `terrmap.routing.roads`).
    progress, stop
        Progress reports and an early stop (the best plan so far is kept).
    """
    if matrix is None:
        matrix = straight_line(
            route_points(request), detour=request.detour, speed_kmh=request.speed_kmh
        )
    started = time.perf_counter()
    progress(0.05, "Ordering the stops")
    if _is_plain_day(request) and _may_fit(request):
        day = _tour_day(request, matrix)
        if not day_problems(request, day):
            progress(1.0, "Done")
            return _plan(request, matrix, (day,), ())
    progress(0.1, f"Fitting {len(request.stops)} stops into {len(request.dates)} day(s)")
    left = request.time_limit - (time.perf_counter() - started)
    days, unplaced = _vrp_days(request, matrix, stop, max(0.1, left))
    progress(1.0, "Done")
    return _plan(request, matrix, days, unplaced)


def _is_plain_day(request: RouteRequest) -> bool:
    return len(request.dates) == 1 and all(s.window is None for s in request.stops)


def _may_fit(request: RouteRequest) -> bool:
    """False when the visits alone outlast the day, so no tour can fit."""
    rules = request.day
    work = sum(s.service_s for s in request.stops) + (rules.lunch.duration_s if rules.lunch else 0)
    return work <= rules.length_s


def _tour_day(request: RouteRequest, matrix: TravelMatrix) -> DayRoute:
    n = len(request.stops)
    if n == 0:
        return schedule_day(request, matrix, request.dates[0], [])
    end = end_point(request)
    budget = min(request.time_limit, max(0.2, n / TOUR_NODES_PER_S))
    # Whole seconds tie often on short legs; a metre of distance breaks the tie, so the
    # same stops always give the same order.
    cost = matrix.time_s + matrix.distance_m * TIE_BREAK_S_PER_M
    order = solve_tour(cost, time_limit=budget, end=end or None)
    stops = [k - 1 for k in order if 1 <= k <= n]
    return schedule_day(request, matrix, request.dates[0], stops)


def _vrp_days(
    request: RouteRequest, matrix: TravelMatrix, stop: StopAsked, time_limit: float
) -> tuple[tuple[DayRoute, ...], tuple[Unplaced, ...]]:
    problem, visit_of = _vrp_problem(request, matrix)
    solution = solve_vrp(
        problem,
        time_limit=time_limit,
        seed=request.seed,
        stop=stop,
        no_improvement=NO_IMPROVEMENT,
    )
    orders: list[list[int]] = [[] for _ in request.dates]
    for route in solution.routes:
        orders[route.vehicle] = [visit_of[c][0] for c in route.clients]
    days, dropped = [], []
    for date, order in zip(request.dates, orders, strict=True):
        day, left_out = _fit_lunch(request, matrix, date, order)
        days.append(day)
        dropped.extend(left_out)
    placed = {(v.stop.id, d) for d, day in enumerate(days) for v in day.visits}
    unplaced = _unplaced(request, matrix, solution.unvisited, visit_of, placed)
    reasons = [Unplaced(request.stops[k], "no room left once lunch is taken") for k in dropped]
    return tuple(days), tuple(unplaced + reasons)


def _vrp_problem(
    request: RouteRequest, matrix: TravelMatrix
) -> tuple[VrpProblem, list[tuple[int, int]]]:
    rules, n_days = request.day, len(request.dates)
    lunch = rules.lunch.duration_s if rules.lunch else 0
    vehicles = tuple(
        VrpVehicle(
            tw_early=d * SECONDS_PER_DAY + rules.start_s,
            tw_late=d * SECONDS_PER_DAY + rules.end_s,
            max_duration=rules.length_s - lunch,
        )
        for d in range(n_days)
    )
    prize = rules.length_s * n_days + 1  # one more visit beats any saving in driving
    clients: list[VrpClient] = []
    visit_of: list[tuple[int, int]] = []
    groups = 0
    for k, stop in enumerate(request.stops):
        for visit_days in np.array_split(np.arange(n_days), min(stop.visits, n_days)):
            windows = _windows(stop, rules, visit_days)
            group, groups = groups, groups + 1
            for early, late in windows:
                clients.append(
                    VrpClient(
                        location=k + 1,
                        service=stop.service_s,
                        tw_early=early,
                        tw_late=late,
                        prize=prize * (1 + stop.priority),
                        required=False,
                        group=group if len(windows) > 1 else None,
                    )
                )
                visit_of.append((k, group))
    end = end_point(request)
    problem = VrpProblem(
        distance=np.rint(matrix.distance_m).astype(np.int64),
        duration=matrix.time_s.astype(np.int64),
        depot=0,
        end_depot=end or None,
        vehicles=vehicles,
        clients=tuple(clients),
        distance_cost=0,
        duration_cost=1,
        optional_groups=frozenset(range(groups)),
    )
    return problem, visit_of


def _windows(stop: Stop, rules: DayRules, days: np.ndarray) -> list[tuple[int, int]]:
    """Week-clock windows in which a visit may start: one per day, or one for all the days.

    A visit without a window of its own gets a single window over its days (each day's
    vehicle keeps it inside that day); a stop's daily window needs one alternative per day.
    """
    first, last = int(days[0]) * SECONDS_PER_DAY, int(days[-1]) * SECONDS_PER_DAY
    if stop.window is None:
        return [(first + rules.start_s, last + rules.end_s)]
    early, late = stop.window
    return [(int(d) * SECONDS_PER_DAY + early, int(d) * SECONDS_PER_DAY + late) for d in days]


def _fit_lunch(
    request: RouteRequest, matrix: TravelMatrix, date, order: list[int]
) -> tuple[DayRoute, list[int]]:
    """The day's timetable, dropping stops from the end while lunch breaks a window."""
    dropped: list[int] = []
    day = schedule_day(request, matrix, date, order)
    while order and day_problems(request, day):
        dropped.append(order.pop())
        day = schedule_day(request, matrix, date, order)
    return day, dropped


def _unplaced(
    request: RouteRequest,
    matrix: TravelMatrix,
    unvisited: tuple[int, ...],
    visit_of: list[tuple[int, int]],
    placed: set,
) -> list[Unplaced]:
    groups_done = {g for c, (_, g) in enumerate(visit_of) if c not in set(unvisited)}
    missing = sorted({visit_of[c] for c in unvisited if visit_of[c][1] not in groups_done})
    return [Unplaced(request.stops[k], _why(request, matrix, k)) for k, _ in missing]


def _why(request: RouteRequest, matrix: TravelMatrix, k: int) -> str:
    rules, stop = request.day, request.stops[k]
    there, back = int(matrix.time_s[0, k + 1]), int(matrix.time_s[k + 1, end_point(request)])
    lunch = rules.lunch.duration_s if rules.lunch else 0
    alone = there + stop.service_s + back
    if alone > rules.length_s - lunch:
        return (
            f"too far: the visit alone takes {alone / 3600:.1f} h from home and back, "
            f"longer than the {rules.length_s / 3600:g} h day"
        )
    if stop.window and rules.start_s + there > stop.window[1]:
        return f"its window closes at {clock(stop.window[1])}, before the rep can get there"
    days = "the day" if len(request.dates) == 1 else f"the {len(request.dates)} days"
    return f"no room left in {days}"


def _plan(
    request: RouteRequest,
    matrix: TravelMatrix,
    days: tuple[DayRoute, ...],
    unplaced: tuple[Unplaced, ...],
) -> RoutePlan:
    return RoutePlan(
        rep_id=request.rep_id,
        rep_name=request.rep_name,
        days=days,
        unplaced=unplaced,
        distances=matrix.describe,
    )
