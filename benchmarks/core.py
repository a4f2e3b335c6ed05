"""Core benchmarks: open counties, import 1M accounts, move 1,000 units.

Run ``python benchmarks/core.py [--runs N]``; prints JSON with medians in seconds or ms.
Budgets (DESIGN.md): open counties < 0.5 s, 1M accounts < 10 s, move 1,000 units ≤ 100 ms
(the last one there includes gauges and redraw, measured by the map benchmark).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from terrmap.core import AssignUnits, Project, Territory, TerritoryMetrics
from terrmap.core.layers import UnitLayer
from terrmap.core.palette import color_for_index
from terrmap.core.plan import Plan
from terrmap.io.accounts import import_accounts
from terrmap.io.boundaries import read_boundaries
from terrmap.resources import resource_path


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def open_counties() -> UnitLayer:
    imported = read_boundaries(resource_path("boundaries", "us_counties.parquet"))
    return UnitLayer(imported.frame, imported.kind, "counties")


def write_accounts_csv(path: Path, count: int, seed: int = 7) -> None:
    """Accounts at random ZIP points of the lower 48, jittered by up to ~1 km."""
    zips = pd.read_csv(resource_path("geocode", "zip_points.csv"), dtype={"zip": str})
    zips = zips[
        (zips["lon"] > -125) & (zips["lon"] < -66) & (zips["lat"] > 24) & (zips["lat"] < 50)
    ]
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(zips), count)
    frame = pd.DataFrame(
        {
            "account_id": [f"B{i:07d}" for i in range(count)],
            "name": [f"Company {i}" for i in range(count)],
            "zip": zips["zip"].to_numpy()[pick],
            "lat": np.round(zips["lat"].to_numpy()[pick] + rng.normal(0, 0.005, count), 6),
            "lon": np.round(zips["lon"].to_numpy()[pick] + rng.normal(0, 0.005, count), 6),
            "revenue": rng.integers(1_000, 5_000_000, count),
        }
    )
    frame.to_csv(path, index=False)


def move_units_ms(units: UnitLayer, runs: int) -> float:
    territories = [
        Territory(f"T{i:02d}", f"Territory {i}", color=color_for_index(i)) for i in range(60)
    ]
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 60, len(units)).astype(np.int32)
    project = Project(units, territories=territories, plans=[Plan("Current", codes)])
    metrics = TerritoryMetrics(project)
    times = []
    for run in range(runs):
        ids = tuple(rng.choice(units.ids, 1000, replace=False))
        edit = AssignUnits(ids, territories[run % 60].id)
        start = time.perf_counter()
        edit.apply(project)
        metrics.frame()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    open_s, units = timed(open_counties, args.runs)
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "accounts.csv"
        write_accounts_csv(csv_path, args.accounts)
        import_s, imported = timed(
            lambda: import_accounts(csv_path, units.frame), max(3, args.runs // 2)
        )
    result = {
        "open_counties_s": round(open_s, 4),
        "import_1m_accounts_s": round(import_s, 3),
        "import_accounts_count": args.accounts,
        "import_accounts_placed": len(imported.frame),
        "move_1000_units_ms": round(move_units_ms(units, args.runs * 4), 3),
        "runs": args.runs,
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
