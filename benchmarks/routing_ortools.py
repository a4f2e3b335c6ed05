"""OR-Tools on a TSPLIB or Solomon instance: the peer of ``benchmarks/routing.py``.

``python benchmarks/routing_ortools.py INSTANCE --time-limit S`` prints
``{"instance", "kind", "routes", "time_s", "status"}`` in the layout of
``python -m terrmap.routing.bench``: node 0 is the depot, ``routes`` lists the other nodes in
visit order, one list per used vehicle. It runs as its own process so that loading OR-Tools
counts against it as loading fast-tsp / PyVRP counts against terrmap.

Models: a TSP on terrmap's own TSPLIB integer matrix, started by PATH_CHEAPEST_ARC; a VRPTW
with capacity and a time dimension on distances scaled by ``SCALE`` (rounded to the nearest
integer for the cost, up for travel times, so an integer-feasible plan is feasible on the real
distances), started by PARALLEL_CHEAPEST_INSERTION (the default start finds no feasible
R101/RC101 plan). Both improve with guided local search until the time limit; as in terrmap,
the clock starts before OR-Tools is imported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from terrmap.routing.solomon import SolomonInstance, read_solomon
from terrmap.routing.tsplib import read_tsplib

SCALE = 100


def search_parameters(first_solution: str, time_limit: float, started: float):
    """GLS from ``first_solution`` for what is left of ``time_limit`` since ``started``."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = getattr(strategy, first_solution)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    left = max(0.05, time_limit - (time.perf_counter() - started))
    params.time_limit.FromMilliseconds(int(left * 1000))
    return params


def solve_tsp(path: Path, time_limit: float, started: float) -> list[list[int]] | None:
    """One closed tour through every node of a TSPLIB instance."""
    from ortools.constraint_solver import pywrapcp

    matrix = read_tsplib(path).matrix()
    manager = pywrapcp.RoutingIndexManager(len(matrix), 1, 0)
    model = pywrapcp.RoutingModel(manager)
    arc = model.RegisterTransitMatrix(matrix.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    params = search_parameters("PATH_CHEAPEST_ARC", time_limit, started)
    return routes_of(model, manager, model.SolveWithParameters(params))


def solve_vrptw(path: Path, time_limit: float, started: float) -> list[list[int]] | None:
    """Routes of at most the instance's fleet, within capacity and time windows."""
    from ortools.constraint_solver import pywrapcp

    instance = read_solomon(path)
    scaled = instance.euclidean() * SCALE
    manager = pywrapcp.RoutingIndexManager(len(scaled), instance.vehicles, 0)
    model = pywrapcp.RoutingModel(manager)
    arc = model.RegisterTransitMatrix(np.rint(scaled).astype(np.int64).tolist())
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    add_capacity(model, instance)
    add_time_windows(model, manager, instance, scaled)
    params = search_parameters("PARALLEL_CHEAPEST_INSERTION", time_limit, started)
    return routes_of(model, manager, model.SolveWithParameters(params))


def add_capacity(model, instance: SolomonInstance) -> None:
    """Load per vehicle at most the instance's capacity."""
    demand = np.rint(instance.demand).astype(np.int64).tolist()
    load = model.RegisterUnaryTransitVector(demand)
    model.AddDimension(load, 0, instance.capacity, True, "load")


def add_time_windows(model, manager, instance: SolomonInstance, scaled: np.ndarray) -> None:
    """Service starts within each window; travel time rounded up, service added on leaving."""
    travel = np.ceil(scaled - 1e-9).astype(np.int64)
    service = np.ceil(instance.service * SCALE - 1e-9).astype(np.int64)
    ready = np.floor(instance.ready * SCALE + 1e-9).astype(np.int64)
    due = np.floor(instance.due * SCALE + 1e-9).astype(np.int64)
    transit = model.RegisterTransitMatrix((travel + service[:, None]).tolist())
    horizon = int(due[0])
    model.AddDimension(transit, horizon, horizon, False, "time")
    time_dim = model.GetDimensionOrDie("time")
    for node in range(1, len(travel)):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(ready[node]), int(due[node]))
    for vehicle in range(instance.vehicles):
        for index in (model.Start(vehicle), model.End(vehicle)):
            time_dim.CumulVar(index).SetRange(int(ready[0]), horizon)


def routes_of(model, manager, assignment) -> list[list[int]] | None:
    """Non-empty routes as node lists without the depot (None without a solution)."""
    if assignment is None:
        return None
    routes = []
    for vehicle in range(model.vehicles()):
        index = assignment.Value(model.NextVar(model.Start(vehicle)))
        route = []
        while not model.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(model.NextVar(index))
        if route:
            routes.append(route)
    return routes


def main(argv: list[str] | None = None) -> int:
    """Solve the instance and print the JSON answer."""
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path, help="TSPLIB .tsp or Solomon .txt file")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds")
    args = parser.parse_args(argv)
    is_tsp = args.instance.suffix.lower() == ".tsp"
    solve = solve_tsp if is_tsp else solve_vrptw
    routes = solve(args.instance, args.time_limit, started)
    answer = {
        "instance": args.instance.stem,
        "kind": "tsp" if is_tsp else "vrptw",
        "routes": routes,
        "status": "ok" if routes is not None else "no_solution",
        "time_s": round(time.perf_counter() - started, 3),
        "engine": "OR-Tools GLS",
    }
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
