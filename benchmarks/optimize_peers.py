"""Peer methods for ``benchmarks/optimize.py``: GerryChain, spopt, weighted k-means.

Every peer gets the same rook adjacency (with island links) that the evaluation uses, the
first weight column as its population / sample weight (peers balance one metric), and returns
a territory code 0..K-1 per unit in instance frame order.

Each peer runs in a child process so that it can be given a wall-clock cap::

    python benchmarks/optimize_peers.py METHOD INSTANCE --seed 0 [--epsilon 0.02] [--start FILE]

prints ``{"codes": [...], "solve_s": ..., "info": {...}}`` as JSON (``solve_s`` excludes loading
the instance).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import networkx as nx
import numpy as np
from optimize_eval import Context, compactness_km, deviations_pct, make_context
from optimize_instances import build_instance

HERE = Path(__file__).resolve().parent

PeerResult = tuple[np.ndarray, dict[str, object]]


# --- weighted k-means ----------------------------------------------------------------------------


def kmeans_plan(context: Context, seed: int, start: np.ndarray | None = None) -> PeerResult:
    """sklearn KMeans on unit points with the first weight as sample weight.

    With ``start`` (rebalance) the centres start at the start plan's weighted centroids and
    cluster ``k`` keeps territory code ``k``.
    """
    from sklearn.cluster import KMeans

    k = context.instance.territories
    weight = context.activity
    if start is None:
        model = KMeans(n_clusters=k, n_init=4, random_state=seed)
    else:
        model = KMeans(n_clusters=k, init=weighted_centres(context, start), n_init=1)
    codes = model.fit_predict(context.xy_km, sample_weight=weight)
    return codes.astype(np.int64), {"note": "ignores contiguity and balance"}


def weighted_centres(context: Context, codes: np.ndarray) -> np.ndarray:
    """``(K, 2)`` activity-weighted centroids of the territories of ``codes``."""
    k = context.instance.territories
    mass = np.bincount(codes, weights=context.activity, minlength=k)
    sums = np.zeros((k, 2))
    np.add.at(sums, codes, context.xy_km * context.activity[:, None])
    return sums / np.maximum(mass, 1e-12)[:, None]


# --- GerryChain ----------------------------------------------------------------------------------


def chain_graph(context: Context) -> object:
    """The evaluation adjacency as a GerryChain graph with node attribute ``pop`` (first weight)."""
    from gerrychain import Graph

    graph = nx.Graph()
    for node, value in enumerate(context.activity):
        graph.add_node(node, pop=float(value))
    graph.add_edges_from(map(tuple, context.graph.edges.tolist()))
    return Graph.from_networkx(graph)


def gerrychain_tree_plan(context: Context, epsilon: float, seed: int) -> np.ndarray:
    """``recursive_tree_part`` into K parts of the first weight within ``epsilon``."""
    from gerrychain.tree import bipartition_tree, recursive_tree_part

    k = context.instance.territories
    target = float(context.activity.sum()) / k
    assignment = recursive_tree_part(
        chain_graph(context),
        list(range(k)),
        pop_target=target,
        pop_col="pop",
        epsilon=epsilon,
        node_repeats=1,
        bipartition_tree_fn=partial(bipartition_tree, max_attempts=2000),
        rng=seed,
    )
    return np.asarray([assignment[i] for i in range(context.graph.n)], dtype=np.int64)


def tree_plan_escalating(
    context: Context, epsilons: list[float], seed: int
) -> tuple[np.ndarray, float]:
    """Recursive tree partition at the first ``epsilon`` that succeeds."""
    failure: Exception | None = None
    for epsilon in epsilons:
        try:
            return gerrychain_tree_plan(context, epsilon, seed), epsilon
        except Exception as error:  # gerrychain raises RuntimeError / BalanceError variants
            failure = error
    raise RuntimeError(f"recursive_tree_part failed for epsilons {epsilons}: {failure}")


def plan_score(context: Context, codes: np.ndarray, goal_pct: float) -> tuple[float, float]:
    """Lower is better: balance first (down to the goal), then compactness."""
    deviation = float(np.abs(deviations_pct(context, codes)[:, 0]).max())
    return max(deviation, goal_pct), compactness_km(context, codes)


def recom_polish(
    context: Context,
    start: np.ndarray,
    epsilon: float,
    seed: int,
    steps: int,
    time_limit_s: float,
    max_moved_pct: float | None = None,
) -> tuple[np.ndarray, dict[str, object]]:
    """A short ReCom chain from ``start``; returns the best state by :func:`plan_score`.

    Carve: states must stay within the start's balance (or ``epsilon`` if looser).
    Rebalance (``max_moved_pct``): states may move at most that share of units from ``start``.
    """
    from gerrychain import MarkovChain, Partition
    from gerrychain.accept import always_accept
    from gerrychain.constraints import within_percent_of_ideal_population
    from gerrychain.proposals import recom
    from gerrychain.updaters import Tally

    k = context.instance.territories
    target = float(context.activity.sum()) / k
    initial = Partition(
        chain_graph(context),
        {i: int(c) for i, c in enumerate(start)},
        updaters={"population": Tally("pop", alias="population")},
    )
    constraints: list[Callable] = []
    if max_moved_pct is None:
        start_dev = float(np.abs(deviations_pct(context, start)[:, 0]).max()) / 100.0
        constraints.append(within_percent_of_ideal_population(initial, max(epsilon, start_dev)))
    else:
        constraints.append(partial(_moved_within, start=start, limit_pct=max_moved_pct))
    chain = MarkovChain(
        partial(recom, pop_col="pop", pop_target=target, epsilon=epsilon, node_repeats=2),
        constraints,
        always_accept,
        initial,
        total_steps=steps,
        rng=seed,
    )
    goal = 100.0 * epsilon
    best, best_score, taken = start.copy(), plan_score(context, start, goal), 0
    began = time.perf_counter()
    for state in chain:
        taken += 1
        codes = partition_codes(state, context.graph.n)
        score = plan_score(context, codes, goal)
        if score < best_score:
            best, best_score = codes, score
        if time.perf_counter() - began > time_limit_s:
            break
    return best, {"recom_steps": taken, "recom_epsilon": epsilon}


def partition_codes(partition: object, n: int) -> np.ndarray:
    """Territory code per node of a GerryChain partition."""
    assignment = partition.assignment  # type: ignore[attr-defined]
    return np.asarray([assignment[i] for i in range(n)], dtype=np.int64)


def _moved_within(partition: object, start: np.ndarray, limit_pct: float) -> bool:
    """Constraint: at most ``limit_pct`` % of the units differ from ``start``."""
    codes = partition_codes(partition, len(start))
    return 100.0 * float(np.mean(codes != start)) <= limit_pct


# --- spopt ---------------------------------------------------------------------------------------


def spopt_plan(context: Context, method: str, seed: int) -> PeerResult:
    """spopt ``RegionKMeansHeuristic`` or ``Skater`` on unit coordinates (km) over our adjacency.

    Neither balances a weight: they are contiguity-constrained clusterings, included as the
    regionalisation baseline.
    """
    import geopandas as gpd
    from libpysal.weights import W

    neighbours: dict[int, list[int]] = {i: [] for i in range(context.graph.n)}
    for a, b in context.graph.edges.tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    weights = W(neighbours, silence_warnings=True)
    k = context.instance.territories
    if method == "spopt_region_kmeans":
        from spopt.region import RegionKMeansHeuristic

        model = RegionKMeansHeuristic(context.xy_km, k, weights, seed=seed)
    else:
        from spopt.region import Skater

        frame = gpd.GeoDataFrame({"x": context.xy_km[:, 0], "y": context.xy_km[:, 1]})
        model = Skater(frame, weights, ["x", "y"], n_clusters=k, floor=1, trace=False)
    model.solve()
    return np.asarray(model.labels_, dtype=np.int64), {"note": "no balance constraint"}


# --- dispatch ------------------------------------------------------------------------------------


def run_method(
    method: str,
    context: Context,
    seed: int,
    epsilon: float,
    start: np.ndarray | None,
    recom_steps: int,
    recom_time_s: float,
) -> PeerResult:
    """Run peer ``method`` on ``context``; returns codes and notes."""
    instance = context.instance
    if method == "kmeans":
        return kmeans_plan(context, seed, start)
    if method.startswith("spopt_"):
        return spopt_plan(context, method, seed)
    if method == "gerrychain_tree":
        codes, used = tree_plan_escalating(context, _epsilons(epsilon), seed)
        return codes, {"epsilon": used}
    if method == "gerrychain_recom":
        if start is None:
            start, used = tree_plan_escalating(context, _epsilons(epsilon), seed)
            epsilon = max(epsilon, used)
        return recom_polish(
            context, start, epsilon, seed, recom_steps, recom_time_s, instance.max_moved_pct
        )
    raise ValueError(f"unknown peer method {method!r}")


def _epsilons(epsilon: float) -> list[float]:
    """``epsilon`` then looser tolerances to fall back to."""
    return [epsilon, *[e for e in (0.05, 0.075, 0.1, 0.15) if e > epsilon]]


def run_in_subprocess(
    method: str,
    instance_name: str,
    seed: int,
    epsilon: float,
    timeout_s: float,
    start: np.ndarray | None = None,
    recom_steps: int = 300,
    recom_time_s: float = 60.0,
) -> dict[str, object]:
    """Run a peer in a child process; ``{"status": "timeout"}`` if it exceeds ``timeout_s``."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            str(HERE / "optimize_peers.py"),
            method,
            instance_name,
            f"--seed={seed}",
            f"--epsilon={epsilon}",
            f"--recom-steps={recom_steps}",
            f"--recom-time={recom_time_s}",
        ]
        if start is not None:
            path = Path(folder) / "start.json"
            path.write_text(json.dumps(start.tolist()))
            command.append(f"--start={path}")
        began = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "timeout_s": timeout_s}
        wall = time.perf_counter() - began
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"status": "error", "error": " | ".join(tail)}
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    answer["status"] = "ok"
    answer["process_s"] = round(wall, 2)
    return answer


def warm_imports(method: str) -> None:
    """Import a peer's library before the clock starts (import time is not solve time)."""
    import importlib

    modules = {
        "kmeans": ["sklearn.cluster"],
        "spopt_region_kmeans": ["spopt.region", "libpysal.weights"],
        "spopt_skater": ["spopt.region", "libpysal.weights"],
        "gerrychain_tree": ["gerrychain", "gerrychain.tree"],
        "gerrychain_recom": ["gerrychain", "gerrychain.tree", "gerrychain.proposals"],
    }
    for module in modules.get(method, []):
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> None:
    """Child-process entry: run one peer and print its plan as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method")
    parser.add_argument("instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epsilon", type=float, default=0.02)
    parser.add_argument("--start", type=Path)
    parser.add_argument("--recom-steps", type=int, default=300)
    parser.add_argument("--recom-time", type=float, default=60.0)
    args = parser.parse_args(argv)
    context = make_context(build_instance(args.instance))
    start = None
    if args.start is not None:
        start = np.asarray(json.loads(args.start.read_text()), dtype=np.int64)
    warm_imports(args.method)
    began = time.perf_counter()
    codes, info = run_method(
        args.method, context, args.seed, args.epsilon, start, args.recom_steps, args.recom_time
    )
    solve_s = time.perf_counter() - began
    print(json.dumps({"codes": codes.tolist(), "solve_s": round(solve_s, 3), "info": info}))


if __name__ == "__main__":
    main()
