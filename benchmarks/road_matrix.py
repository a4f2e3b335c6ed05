"""Road network from an OSM extract: cold build, cached load, and a 200-stop matrix.

Run ``python benchmarks/road_matrix.py [--runs N] [--stops N] [extract ...]`` from the
repository root; without extracts it uses the two in ``../shared/data/osm``. Prints JSON
with medians in seconds per extract:

- ``build_s``: `RoadNetwork.from_pbf` without a cache (read, compress, components);
- ``cached_load_s``: the same from a warm cache folder;
- ``matrix_s``: `RoadNetwork.travel_matrix` for ``--stops`` deterministic random points
  within the network's bounding box.

Goal (issue): the road matrix for 200 stops on a city extract in < 5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from terrmap.routing.roads import RoadNetwork

OSM_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
DEFAULT_EXTRACTS = [OSM_DIR / "bangor_maine.osm.pbf", OSM_DIR / "felton.osm.pbf"]


def timed(action, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = action(*args, **kwargs)
    return time.perf_counter() - started, result


def measure(extract: Path, runs: int, stops: int) -> dict[str, object]:
    builds, loads, matrices = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            seconds, network = timed(RoadNetwork.from_pbf, extract, cache_dir=Path(cache))
            builds.append(seconds)
            seconds, _ = timed(RoadNetwork.from_pbf, extract, cache_dir=Path(cache))
            loads.append(seconds)
        junctions = network.vertex_positions
        low, high = junctions.min(axis=0), junctions.max(axis=0)
        points = low + np.random.default_rng(200).random((stops, 2)) * (high - low)
        seconds, _ = timed(network.travel_matrix, points)
        matrices.append(seconds)
    return {
        "extract": extract.name,
        "megabytes": round(extract.stat().st_size / 1e6, 2),
        "junctions": network.vertex_count,
        "edges": network.edge_count,
        "dropped_junctions": network.dropped_vertices,
        "build_s": round(statistics.median(builds), 3),
        "cached_load_s": round(statistics.median(loads), 3),
        "stops": stops,
        "matrix_s": round(statistics.median(matrices), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extracts", nargs="*", type=Path, default=DEFAULT_EXTRACTS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stops", type=int, default=200)
    args = parser.parse_args()
    results = [measure(path, args.runs, args.stops) for path in args.extracts]
    print(json.dumps({"runs": args.runs, "results": results}, indent=2))


if __name__ == "__main__":
    main()
