"""Day route of 100 stops from the bundled sample: time and distance above the optimum.

``python benchmarks/day_route.py [--runs 5] [--stops 100]`` plans a day for rep T03 through
the accounts nearest home (no lunch, a day long enough for all of them, so the route is a
plain tour), the way the app and ``terrmap route`` do (straight-line matrix, `plan_route`).
The reference is the best of three 20 s fast-tsp searches on the same matrix followed by the
same polish; prints JSON with the median wall time and the gap to that reference.
DESIGN.md's budget: < 1 s, ≤ 1 % above the optimum.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

import numpy as np

from terrmap.routing.distances import straight_line
from terrmap.routing.from_project import find_territory, rep_home, stops_for
from terrmap.routing.planner import plan_route, route_points
from terrmap.routing.request import DayRules, RouteRequest
from terrmap.routing.tour import route_cost, solve_tour
from terrmap.sample import load_sample_project


def request(stops: int) -> RouteRequest:
    project = load_sample_project()
    territory = find_territory(project, "T03")
    home = rep_home(territory)
    points = np.column_stack([project.accounts.frame.geometry.y, project.accounts.frame.geometry.x])
    nearest = np.argsort(np.hypot(points[:, 0] - home.lat, points[:, 1] - home.lon))[:stops]
    rules = DayRules(start_s=0, length_s=24 * 3600, lunch=None)
    return RouteRequest(
        "T03",
        home.name,
        home,
        stops_for(project, nearest.tolist(), service_min=0),
        (dt.date(2026, 11, 30),),
        day=rules,
        time_limit=1.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stops", type=int, default=100)
    args = parser.parse_args()
    req = request(args.stops)
    times, drives = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        plan = plan_route(req)
        times.append(time.perf_counter() - started)
        drives.append(plan.drive_s)
        assert len(plan.days[0].visits) == args.stops
        assert not plan.unplaced
    matrix = straight_line(route_points(req))
    reference = min(
        route_cost(solve_tour(matrix.time_s, time_limit=20.0), matrix.time_s) for _ in range(3)
    )
    gaps = [100.0 * (d / reference - 1.0) for d in drives]
    result = {
        "stops": args.stops,
        "runs": args.runs,
        "plan_route_s_median": round(statistics.median(times), 3),
        "plan_route_s_max": round(max(times), 3),
        "drive_h_median": round(statistics.median(drives) / 3600, 3),
        "reference_drive_h": round(reference / 3600, 3),
        "gap_pct_median": round(statistics.median(gaps), 3),
        "gap_pct_max": round(max(gaps), 3),
        "budget": {"time_s": 1.0, "gap_pct": 1.0},
    }
    result["meets_budget"] = result["plan_route_s_max"] < 1.0 and result["gap_pct_max"] <= 1.0
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
