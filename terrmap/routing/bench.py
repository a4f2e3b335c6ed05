"""Solve a TSPLIB or Solomon instance with terrmap's route solver and print JSON.

``python -m terrmap.routing.bench INSTANCE [--time-limit S] [--seed N]`` prints
``{"instance", "kind", "objective", "routes", "time_s", ...}``. Node 0 is the depot (a TSP's
first node); ``routes`` lists the other node indices (0-based rows of the file; for Solomon
that is the customer number) in visit order, one list per vehicle. The objective is the
TSPLIB integer tour length, or Solomon's real-valued total distance.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from terrmap.errors import TerrmapError
from terrmap.routing.solomon import read_solomon
from terrmap.routing.tour import solve_tour
from terrmap.routing.tsplib import read_tsplib
from terrmap.routing.vrp import solve_vrp

SMALL_TSP = 200


def solve_instance(
    path: str | Path,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    fleet_first: bool = False,
) -> dict:
    """Solve the instance at ``path`` (``.tsp`` or Solomon ``.txt``) and describe the result.

    ``fleet_first`` (Solomon only) minimises vehicles before distance, as the best-known
    solutions do; the default minimises distance, as a rep's routes do.
    """
    path = Path(path)
    started = time.perf_counter()
    if path.suffix.lower() == ".tsp":
        return _tsp(path, time_limit, started)
    return _vrptw(path, time_limit, seed, started, fleet_first)


def _tsp(path: Path, time_limit: float | None, started: float) -> dict:
    instance = read_tsplib(path)
    n = len(instance.coords)
    limit = time_limit if time_limit is not None else (1.0 if n <= SMALL_TSP else 10.0)
    matrix = instance.matrix()
    # fast-tsp's budget counts from its own start; keep the whole call inside the limit.
    budget = max(0.05, 0.97 * limit - (time.perf_counter() - started))
    tour = solve_tour(matrix, time_limit=budget)
    elapsed = time.perf_counter() - started
    return {
        "instance": instance.name,
        "kind": "tsp",
        "objective": instance.tour_length(tour),
        "routes": [tour[1:]],
        "time_s": round(elapsed, 3),
        "time_limit_s": limit,
        "engine": "fast-tsp + Or-opt",
    }


def _vrptw(
    path: Path, time_limit: float | None, seed: int, started: float, fleet_first: bool
) -> dict:
    instance = read_solomon(path)
    limit = time_limit if time_limit is not None else 30.0
    problem = instance.vrp(fleet_first=fleet_first)
    budget = max(0.05, 0.97 * limit - (time.perf_counter() - started))
    solution = solve_vrp(problem, time_limit=budget, seed=seed)
    routes = [[c + 1 for c in route.clients] for route in solution.routes if route.clients]
    return {
        "instance": instance.name,
        "kind": "vrptw",
        "objective": round(instance.distance(routes), 2),
        "routes": routes,
        "vehicles": len(routes),
        "feasible": solution.feasible and not solution.unvisited,
        "time_s": round(time.perf_counter() - started, 3),
        "time_limit_s": limit,
        "engine": "PyVRP",
        "objective_kind": "vehicles, then distance" if fleet_first else "distance",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m terrmap.routing.bench", description=__doc__)
    parser.add_argument("instance", help="TSPLIB .tsp or Solomon .txt file")
    parser.add_argument("--time-limit", type=float, help="seconds (default 1 / 10 / 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--fleet-first",
        action="store_true",
        help="Solomon: fewest vehicles first, then distance (how best-known solutions rank)",
    )
    args = parser.parse_args(argv)
    try:
        result = solve_instance(
            args.instance, time_limit=args.time_limit, seed=args.seed, fleet_first=args.fleet_first
        )
    except TerrmapError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
