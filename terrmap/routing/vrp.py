"""Routes with time windows, several vehicles or several days: PyVRP, behind plain dataclasses.

PyVRP's iterated local search reaches the best-known distance of Solomon's C101 and R101
within 30 s here, where OR-Tools' guided local search finds no feasible R101 plan at all
with its default start (``benchmarks/routing.py``). Everything PyVRP-specific stays in this
module; callers give integer matrices and get client indices back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from terrmap.errors import InputError

UNLIMITED = 2**62


@dataclass(frozen=True)
class VrpVehicle:
    """``count`` identical vehicles (or days) starting and ending at the depot.

    ``fixed_cost`` is charged for each vehicle used: above any route's cost, it makes the
    solver use as few vehicles as it can first (Solomon's hierarchical objective).
    """

    tw_early: int = 0
    tw_late: int = UNLIMITED
    max_duration: int = UNLIMITED
    capacity: int = 0
    count: int = 1
    fixed_cost: int = 0


@dataclass(frozen=True)
class VrpClient:
    """A visit at ``location``: service time, window on its start, demand, optionality.

    Clients sharing a ``group`` are alternatives: exactly one of them is visited (or at most
    one when the group is optional).
    """

    location: int
    service: int = 0
    tw_early: int = 0
    tw_late: int = UNLIMITED
    demand: int = 0
    prize: int = 0
    required: bool = True
    group: int | None = None


@dataclass(frozen=True)
class VrpProblem:
    """Integer distance and duration matrices over locations, the depot location, and demand."""

    distance: np.ndarray
    duration: np.ndarray
    depot: int
    vehicles: tuple[VrpVehicle, ...]
    clients: tuple[VrpClient, ...]
    distance_cost: int = 1
    duration_cost: int = 0
    optional_groups: frozenset[int] = frozenset()
    end_depot: int | None = None


@dataclass(frozen=True)
class VrpRoute:
    """One vehicle's route: which vehicle type, the clients in order and when each starts."""

    vehicle: int
    clients: tuple[int, ...]
    service_starts: tuple[int, ...]
    start_time: int
    end_time: int


@dataclass(frozen=True)
class VrpSolution:
    routes: tuple[VrpRoute, ...]
    unvisited: tuple[int, ...]
    feasible: bool
    cost: float


def solve_vrp(
    problem: VrpProblem,
    *,
    time_limit: float,
    seed: int = 0,
    stop: Callable[[], bool] = lambda: False,
    no_improvement: int | None = None,
) -> VrpSolution:
    """Best routes PyVRP finds within ``time_limit`` seconds.

    Parameters
    ----------
    no_improvement
        Stop after this many iterations without a better solution. With a limit that is
        reached before the time runs out the result depends only on ``seed``.
    stop
        Asked now and then; return True to stop early and keep the best found.
    """
    # The clock starts now: loading PyVRP and building the model count against the limit too.
    deadline = time.perf_counter() + max(0.01, time_limit)
    import pyvrp
    from pyvrp.stop import NoImprovement

    model = _model(problem, pyvrp)
    stale = NoImprovement(no_improvement) if no_improvement is not None else None

    def done(best_cost: float) -> bool:
        if stop() or time.perf_counter() > deadline:
            return True
        return stale is not None and stale(best_cost)

    result = model.solve(stop=done, seed=seed, display=False)
    return _solution(result, problem)


def _model(problem: VrpProblem, pyvrp) -> object:
    model = pyvrp.Model()
    n = len(problem.distance)
    locations = [model.add_location(x=float(i), y=0.0) for i in range(n)]
    depot = model.add_depot(locations[problem.depot])
    end = depot if problem.end_depot is None else model.add_depot(locations[problem.end_depot])
    for vehicle in problem.vehicles:
        model.add_vehicle_type(
            num_available=vehicle.count,
            capacity=vehicle.capacity,
            start_depot=depot,
            end_depot=end,
            tw_early=vehicle.tw_early,
            tw_late=vehicle.tw_late,
            shift_duration=vehicle.max_duration,
            fixed_cost=vehicle.fixed_cost,
            unit_distance_cost=problem.distance_cost,
            unit_duration_cost=problem.duration_cost,
        )
    groups = {}
    for client in problem.clients:
        group = None
        if client.group is not None:
            if client.group not in groups:
                required = client.group not in problem.optional_groups
                groups[client.group] = model.add_client_group(required=required)
            group = groups[client.group]
        model.add_client(
            locations[client.location],
            delivery=client.demand,
            service_duration=client.service,
            tw_early=client.tw_early,
            tw_late=client.tw_late,
            prize=client.prize,
            required=client.required and group is None,
            group=group,
        )
    _add_edges(model, locations, problem)
    return model


def _add_edges(model, locations: list, problem: VrpProblem) -> None:
    distance, duration = problem.distance, problem.duration
    if (distance < 0).any() or (duration < 0).any():
        raise InputError("travel distances and times must not be negative")
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                model.add_edge(frm, to, distance=int(distance[i, j]), duration=int(duration[i, j]))


def _solution(result, problem: VrpProblem) -> VrpSolution:
    best = result.best
    routes = []
    for route in best.routes():
        visits = [a for a in route.schedule() if a.is_client()]
        routes.append(
            VrpRoute(
                vehicle=int(route.vehicle_type()),
                clients=tuple(int(a.idx) for a in visits),
                service_starts=tuple(int(a.start_time) for a in visits),
                start_time=int(route.start_time()),
                end_time=int(route.end_time()),
            )
        )
    visited = {c for r in routes for c in r.clients}
    unvisited = tuple(i for i in range(len(problem.clients)) if i not in visited)
    return VrpSolution(tuple(routes), unvisited, bool(best.is_feasible()), float(result.cost()))
