"""``python -m terrmap.routing.bench``: JSON on real TSPLIB and Solomon instances."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from terrmap.routing.solomon import read_solomon
from terrmap.routing.tsplib import read_tsplib


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terrmap.routing.bench", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_tsplib_instance_reaches_the_optimum_in_a_second(bench_dir):
    path = bench_dir / "tsp" / "att48.tsp"
    result = _bench(str(path), "--time-limit", "1")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"instance", "kind", "objective", "routes", "time_s"}
    assert (data["instance"], data["kind"]) == ("att48", "tsp")
    (route,) = data["routes"]
    assert sorted(route) == list(range(1, 48))  # node 0 is the depot, excluded
    instance = read_tsplib(path)
    assert instance.tour_length([0, *route]) == data["objective"] == 10628  # TSPLIB optimum
    assert data["time_limit_s"] == 1.0  # speed itself is measured in benchmarks/routing.py


def test_solomon_instance_is_feasible_and_near_best_known(bench_dir):
    path = bench_dir / "solomon" / "C101.txt"
    result = _bench(str(path), "--time-limit", "8", "--seed", "1")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "vrptw"
    instance = read_solomon(path)
    routes = data["routes"]
    assert sorted(c for r in routes for c in r) == list(range(1, 101))
    assert len(routes) <= instance.vehicles
    distance = instance.euclidean()
    for route in routes:
        assert instance.demand[route].sum() <= instance.capacity
        now, here = 0.0, 0
        for customer in route:
            now = max(now + distance[here, customer], instance.ready[customer])
            assert now <= instance.due[customer] + 1e-6
            now += instance.service[customer]
            here = customer
        assert now + distance[here, 0] <= instance.due[0] + 1e-6
    total = sum(distance[np.array([0, *r]), np.array([*r, 0])].sum() for r in routes)
    assert abs(total - data["objective"]) < 0.01
    assert data["objective"] <= 828.94 * 1.01  # best-known distance


def test_unreadable_instance_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.tsp"
    path.write_text("NAME : broken\nEDGE_WEIGHT_TYPE : EUC_2D\n", encoding="utf-8")
    result = _bench(str(path))
    assert result.returncode == 2
    assert "broken.tsp: no NODE_COORD_SECTION" in result.stderr
