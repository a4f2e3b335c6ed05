"""`benchmarks/optimize_exact.py`, the proved most compact contiguous plan: its enumeration
of connected groups and its optimum checked against brute force on small grids."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from optimize_eval import Context, Graph, compactness_km
from optimize_exact import connected_groups, exact_plan, neighbour_lists
from optimize_instances import Instance

ROWS, COLS = 3, 4


def grid_context(weights: np.ndarray, k: int) -> Context:
    """A ROWS × COLS grid of 10 km squares weighted by ``weights``, to be split into ``k``."""
    xy = np.array([(10.0 * c, 10.0 * r) for r in range(ROWS) for c in range(COLS)])
    index = np.arange(ROWS * COLS).reshape(ROWS, COLS)
    edges = [(index[r, c], index[r, c + 1]) for r in range(ROWS) for c in range(COLS - 1)]
    edges += [(index[r, c], index[r + 1, c]) for r in range(ROWS - 1) for c in range(COLS)]
    frame = gpd.GeoDataFrame(
        {"id": [str(i) for i in range(len(xy))], "w": weights},
        geometry=shapely.box(xy[:, 0] - 5, xy[:, 1] - 5, xy[:, 0] + 5, xy[:, 1] + 5),
    )
    instance = Instance("grid", frame, "id", ("w",), k)
    graph = Graph(len(xy), np.asarray(edges, dtype=np.int64), ())
    return Context(instance, graph, xy, weights[:, None], weights)


def weights_of(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 1.5, ROWS * COLS)


def test_every_connected_group_within_the_band_is_listed_once():
    context = grid_context(weights_of(0), 3)
    shares = context.weights[:, 0] / context.targets[0]
    ptr, members = connected_groups(neighbour_lists(context.graph), shares, 0.8, 1.2)
    listed = [tuple(sorted(members[ptr[g] : ptr[g + 1]])) for g in range(len(ptr) - 1)]

    graph = nx.Graph(context.graph.edges.tolist())
    expected = [
        group
        for size in range(1, context.graph.n + 1)
        for group in itertools.combinations(range(context.graph.n), size)
        if 0.8 <= shares[list(group)].sum() <= 1.2 and nx.is_connected(graph.subgraph(group))
    ]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(expected)
    assert len(expected) > 20


def brute_force(context: Context, band: float) -> tuple[float, np.ndarray]:
    """The most compact contiguous plan within ``band`` and its km, trying every assignment."""
    k, n = context.instance.territories, context.graph.n
    codes = np.array(list(itertools.product(range(k), repeat=n)), dtype=np.int8)
    loads = np.stack([(codes == t) @ context.weights[:, 0] for t in range(k)], axis=1)
    balanced = np.all(np.abs(loads / context.targets[0] - 1.0) <= band, axis=1)
    graph = nx.Graph(context.graph.edges.tolist())

    def contiguous(plan: np.ndarray) -> bool:
        return all(nx.is_connected(graph.subgraph(np.flatnonzero(plan == t))) for t in range(k))

    plans = [p.astype(np.int64) for p in codes[balanced] if contiguous(p)]
    scores = [compactness_km(context, p) for p in plans]
    return min(scores), plans[int(np.argmin(scores))]


@pytest.mark.parametrize(("seed", "given_the_best"), [(1, False), (2, False), (2, True)])
def test_optimum_is_the_most_compact_contiguous_plan_within_the_band(seed, given_the_best):
    band = 0.12
    context = grid_context(weights_of(seed), 3)
    best, plan = brute_force(context, band)

    known = plan if given_the_best else None
    row = exact_plan(context, 100.0 * band, time_limit_s=60.0, known=known)
    assert row["optimum_proved"]
    assert row["optimum_km"] == pytest.approx(best, abs=1e-3)
    assert row["lp_bound_km"] <= row["optimum_km"] + 1e-9
    assert row["plan"]["compactness_km"] == pytest.approx(best, abs=0.01)
    assert row["plan"]["max_dev_pct"] <= 100.0 * band + 0.01


def test_units_without_weight_connect_territories_and_the_bound_holds():
    band = 0.15
    weights = weights_of(3)
    weights[[1, 5, 6]] = 0.0  # a connector path through the grid's upper middle
    context = grid_context(weights, 3)
    best, _ = brute_force(context, band)

    row = exact_plan(context, 100.0 * band, time_limit_s=60.0)
    assert row["connectors"] == 3
    assert row["lp_bound_km"] <= best + 1e-3  # rounded to metres
    assert row["optimum_proved"]
    assert row["optimum_km"] <= best + 1e-3  # contiguity is relaxed: never above the truth
    if row["plan_contiguous"]:
        assert row["optimum_km"] == pytest.approx(best, abs=1e-3)


def test_enumeration_gives_up_past_its_work_limit():
    context = grid_context(np.full(ROWS * COLS, 1.0), 1)
    shares = np.full(context.graph.n, 0.01)
    with pytest.raises(RuntimeError, match="more than 100 groups"):
        connected_groups(neighbour_lists(context.graph), shares, 0.0, 1.0, max_steps=100)
