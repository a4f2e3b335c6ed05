"""The jobs behind Plan Route, without widgets: the request from the panel's choices, then
planning and re-optimising on the worker thread (`terrmap.ui.workers.JobRunner`).

Each job is a plain function ``job(..., *, progress, stop)``; ``finish_early`` is the
progress dialog's Stop, which ends the search and keeps the best route found so far.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from terrmap.errors import InputError
from terrmap.ui.route_text import Text

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.core.selection import Selection
    from terrmap.routing.distances import TravelMatrix
    from terrmap.routing.model import RoutePlan
    from terrmap.routing.request import RouteRequest
    from terrmap.ui.route_panel import RouteChoices

ROADS_SHARE = 0.45  # of the progress bar: reading the roads and the matrix before solving


@dataclass(frozen=True)
class RouteResult:
    """A planned route with what re-timing it needs."""

    request: RouteRequest
    matrix: TravelMatrix
    plan: RoutePlan
    stopped_early: bool = False


def selected_accounts(project: Project, selection: Selection | None) -> np.ndarray:
    """Account positions selected, or inside the selected units."""
    if selection is None or not len(selection):
        return np.empty(0, dtype=np.intp)
    if selection.kind == "accounts":
        return np.asarray(selection.positions)
    return np.flatnonzero(np.isin(project.accounts.unit_pos, selection.positions))


def request_from(
    project: Project, choices: RouteChoices, selection: Selection | None
) -> RouteRequest:
    """The route request for ``choices`` (raises InputError with words for the user)."""
    from terrmap.routing.from_project import request_for, working_days
    from terrmap.routing.request import DayRules, Lunch, parse_place

    positions = None
    if choices.source == "selected":
        positions = selected_accounts(project, selection)
        if not len(positions):
            raise InputError(Text.NO_STOPS.format(why=Text.NO_SELECTION))
    dates = working_days(choices.date, choices.days) if choices.week else (choices.date,)
    lunch = Lunch(*choices.lunch) if choices.lunch else None
    request = request_for(
        project,
        choices.rep_id,
        dates,
        positions=None if positions is None else positions.tolist(),
        service_min=choices.service_min,
        start=parse_place(choices.start_at, Text.START_POINT),
        end=parse_place(choices.end_at, Text.END_POINT),
        day=DayRules(start_s=choices.start_s, length_s=choices.length_s, lunch=lunch),
        detour=choices.detour,
        speed_kmh=choices.speed_kmh,
        time_limit=choices.time_limit,
        seed=choices.seed,
    )
    if not request.stops:
        raise InputError(Text.NO_STOPS.format(why=Text.NONE_DUE))
    return request


def route_job(
    request: RouteRequest, roads: str, finish_early: threading.Event, *, progress, stop
) -> RouteResult:
    """Measure travel and plan (runs on the worker thread).

    ``stop`` (the runner's cancel) drops the run; ``finish_early`` (the dialog's Stop) ends
    the search and keeps its best route, or abandons reading the roads.
    """
    from terrmap.routing.distances import straight_line
    from terrmap.routing.planner import plan_route, route_points

    def asked() -> bool:
        return stop() or finish_early.is_set()

    progress(0.0, Text.PREPARING)
    share = 0.0
    if roads:
        from terrmap._cli_route import cache_dir
        from terrmap.routing.roads import RoadNetwork

        network = RoadNetwork.from_pbf(
            roads,
            cache_dir=cache_dir(),
            progress=lambda f, m: progress(0.9 * ROADS_SHARE * f, m),
            stop=asked,
        )
        matrix = network.travel_matrix(route_points(request), stop=asked)
        share = ROADS_SHARE
    else:
        matrix = straight_line(
            route_points(request), detour=request.detour, speed_kmh=request.speed_kmh
        )
    plan = plan_route(
        request,
        matrix=matrix,
        progress=lambda f, m: progress(share + (1 - share) * f, m),
        stop=asked,
    )
    return RouteResult(request, matrix, plan, stopped_early=finish_early.is_set())


def reorder_job(
    result: RouteResult, days: list[int], finish_early: threading.Event, *, progress, stop
) -> RoutePlan:
    """Improve the order of ``days`` around their locked stops (worker thread)."""
    from terrmap.routing.reorder import day_order, improve_order, locked_ids, with_day

    plan, request = result.plan, result.request
    for done, index in enumerate(days):
        progress(done / len(days), Text.REOPTIMISE_TIP)
        day = plan.days[index]
        better = improve_order(
            request,
            result.matrix,
            day.date,
            day_order(request, day),
            locked=locked_ids(day),
            stop=lambda: stop() or finish_early.is_set(),
        )
        plan = with_day(plan, index, better)
    return plan
