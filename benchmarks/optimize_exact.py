"""The most compact contiguous plan within a band, proved, on small layers.

`optimize.py` asks terrmap for plans within 5 % of weighted k-means' compactness at the
balance the goal allows. Whether any contiguous plan gets there is a question about the
layer, not about the optimiser, and on layers of a few units a territory it can be settled
exactly. Every connected group of units that weighs within the band is enumerated (each
group once); the plan is the K groups that cover every unit once at the least total
distance, a set-partitioning programme:

- column generation solves its linear relaxation over all the groups: a lower bound on the
  compactness of *every* contiguous plan within the band;
- a MIP over the groups whose reduced cost leaves room to beat the best plan known
  (reduced-cost fixing) then finds the optimum.

A group's cost is the evaluation's own: activity-weighted distance of its units to their
weighted centroid. Adjacency is the evaluation's too (shared boundaries, islands linked).

Units without weight or activity (Rhode Island's ZCTAs without sample accounts) only
connect; they are handled as connectors (see `exact_plan`), which relaxes contiguity, so
there the optimum is a bound unless its plan comes out contiguous. Layers with many tiny
but weighted units (Rhode Island by land area) have too many groups to enumerate.

    .venv/bin/python benchmarks/optimize_exact.py [--instances de_zcta_8 ...] [--band PCT]

prints JSON: per instance the band, the number of groups, the bound, the optimum and its
plan's evaluation, weighted k-means' compactness (as in `optimize.py`) and whether the 5 %
line is reachable at all, beside terrmap's plan (seed 0), which also narrows the MIP.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from dataclasses import dataclass

import numpy as np
from optimize import terrmap_plan
from optimize_eval import (
    Context,
    Graph,
    compactness_km,
    contiguity_bound_pct,
    deviations_pct,
    evaluate,
    make_context,
    tolerance_goal_pct,
)
from optimize_instances import build_instance
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csc_array, hstack

DEFAULT_INSTANCES = ("de_zcta_8", "ri_zcta_8_accounts")
# The balance goal (%), and the tolerance terrmap is asked for, as in `optimize.py`.
GOAL_PCT = 2.0
# The goal: within this factor of weighted k-means' compactness.
KMEANS_FACTOR = 1.05
# Enumeration work allowed (groups tried); layers with many tiny units exceed it.
MAX_STEPS = 60_000_000
# Column generation adds this many of the most negative reduced-cost groups per round.
COLUMNS_PER_ROUND = 1_000
# Without a plan to start from, reduced-cost fixing first allows this share of the bound.
FIRST_GAP = 0.02
# scipy.optimize.milp's status codes.
MILP_OPTIMAL, MILP_INFEASIBLE = 0, 2
# Relative slack on reduced costs and on comparing objective values.
_EPS = 1e-9


@dataclass(frozen=True)
class Groups:
    """Connected groups as a ragged array: group ``g`` is ``members[ptr[g]:ptr[g + 1]]``."""

    ptr: np.ndarray
    members: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.cost)

    def sizes(self) -> np.ndarray:
        """Units in each group."""
        return np.diff(self.ptr)

    def column_sums(self, values: np.ndarray) -> np.ndarray:
        """Per group: the sum of ``values`` over its units."""
        return np.add.reduceat(values[self.members], self.ptr[:-1])

    def matrix(self, chosen: np.ndarray, n: int) -> csc_array:
        """Cover matrix of the ``chosen`` groups over ``n`` units, plus a row counting groups."""
        sizes = self.sizes()[chosen]
        rows = np.concatenate([self.members[self.ptr[g] : self.ptr[g + 1]] for g in chosen])
        cols = np.repeat(np.arange(len(chosen)), sizes)
        rows = np.concatenate([rows, np.full(len(chosen), n)])
        cols = np.concatenate([cols, np.arange(len(chosen))])
        return csc_array((np.ones(len(rows)), (rows, cols)), shape=(n + 1, len(chosen)))


def log(message: str) -> None:
    """Progress on stderr (stdout carries the JSON)."""
    print(message, file=sys.stderr, flush=True)


def neighbour_lists(graph: Graph) -> list[list[int]]:
    """Each unit's neighbours, from the evaluation's edge list."""
    neighbours: list[list[int]] = [[] for _ in range(graph.n)]
    for a, b in graph.edges.tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    return neighbours


def connected_groups(
    neighbours: list[list[int]],
    shares: np.ndarray,
    low: float,
    high: float,
    max_steps: int = MAX_STEPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Every connected set of units whose ``shares`` sum within ``[low, high]``.

    Wernicke's ESU enumeration: a set grows from its lowest unit by units of higher index
    taken from its exclusive neighbourhood, which reaches each connected set exactly once;
    shares are non-negative, so a set already above ``high`` is not grown. Returns
    ``(ptr, members)``. Raises ``RuntimeError`` past ``max_steps`` sets tried.
    """
    members = array("i")
    sizes = array("q")
    steps = 0

    def grow(
        group: list[int], closed: set[int], extension: list[int], root: int, weight: float
    ) -> None:
        nonlocal steps
        steps += 1
        if steps > max_steps:
            raise RuntimeError(f"more than {max_steps:,} groups to try")
        if weight >= low:
            members.extend(group)
            sizes.append(len(group))
        extension = list(extension)
        while extension:
            unit = extension.pop()
            grown = weight + shares[unit]
            if grown > high:
                continue
            fresh = [u for u in neighbours[unit] if u > root and u not in closed]
            group.append(unit)
            grow(group, closed.union(fresh), extension + fresh, root, grown)
            group.pop()

    for root in range(len(shares)):
        if shares[root] <= high:
            closed = {root, *neighbours[root]}
            grow([root], closed, [u for u in neighbours[root] if u > root], root, shares[root])
    ptr = np.concatenate([[0], np.cumsum(np.frombuffer(sizes, dtype=np.int64))])
    return ptr, np.frombuffer(members, dtype=np.int32).astype(np.int64)


def group_costs(
    ptr: np.ndarray, members: np.ndarray, xy: np.ndarray, activity: np.ndarray
) -> np.ndarray:
    """Per group: activity-weighted distance of its units to its weighted centroid."""
    starts = ptr[:-1]
    group = np.repeat(np.arange(len(starts)), np.diff(ptr))
    weight = activity[members]
    mass = np.maximum(np.add.reduceat(weight, starts), 1e-300)
    centre = np.column_stack(
        [np.add.reduceat(weight * xy[members, axis], starts) / mass for axis in (0, 1)]
    )
    distance = np.linalg.norm(xy[members] - centre[group], axis=1)
    return np.add.reduceat(weight * distance, starts)


def lp_bound(groups: Groups, n: int, k: int) -> tuple[float, np.ndarray]:
    """Column generation over all ``groups``: ``(LP value, reduced costs)``.

    Rows: each unit covered once, ``k`` groups. Artificial columns at a prohibitive price
    keep the first restricted programmes feasible.
    """
    penalty = 10.0 * float(groups.cost.max()) + 1.0
    per_unit = groups.cost / groups.sizes()
    active = np.unique(np.argsort(per_unit, kind="stable")[: 2 * COLUMNS_PER_ROUND])
    while True:
        cover = groups.matrix(active, n)
        # Artificials: one per unit, and one each way on the count row.
        extra = csc_array(
            (np.r_[np.ones(n + 1), -1.0], (np.r_[np.arange(n + 1), n], np.arange(n + 2))),
            shape=(n + 1, n + 2),
        )
        matrix = hstack([cover, extra], format="csc")
        price = np.concatenate([groups.cost[active], np.full(n + 2, penalty)])
        rhs = np.r_[np.ones(n), float(k)]
        result = linprog(price, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
        if result.status != 0:
            raise RuntimeError(f"restricted master: {result.message}")
        duals = result.eqlin.marginals
        reduced = groups.cost - groups.column_sums(duals[:n]) - duals[n]
        fresh = np.argsort(reduced, kind="stable")[:COLUMNS_PER_ROUND]
        fresh = fresh[reduced[fresh] < -_EPS * max(1.0, abs(result.fun))]
        if fresh.size == 0:
            return float(result.fun), reduced
        active = np.union1d(active, fresh)


def best_plan(
    groups: Groups, n: int, k: int, chosen: np.ndarray, time_limit_s: float
) -> tuple[np.ndarray | None, float, bool]:
    """MIP over the ``chosen`` groups: ``(codes or None, value, settled)``; settled: the
    plan is optimal, or there is none (the MIP stopped on neither at its time limit)."""
    matrix = groups.matrix(chosen, n)
    rhs = np.r_[np.ones(n), float(k)]
    result = milp(
        groups.cost[chosen],
        constraints=LinearConstraint(matrix, rhs, rhs),
        integrality=np.ones(len(chosen)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit_s},
    )
    settled = result.status in (MILP_OPTIMAL, MILP_INFEASIBLE)
    if result.x is None:
        return None, float("inf"), settled
    codes = np.empty(n, dtype=np.int64)
    for territory, g in enumerate(chosen[result.x > 0.5]):
        codes[groups.members[groups.ptr[g] : groups.ptr[g + 1]]] = territory
    return codes, float(result.fun), settled


def connector_links(neighbours: list[list[int]], connector: np.ndarray) -> list[list[int]]:
    """Adjacency among the units that are not connectors, where a path through connectors
    counts as a shared boundary (positions among the non-connectors)."""
    position = np.cumsum(~connector) - 1
    links: list[list[int]] = []
    for unit in np.flatnonzero(~connector).tolist():
        reached, seen, queue = set(), {unit}, [unit]
        while queue:
            for other in neighbours[queue.pop()]:
                if other in seen:
                    continue
                seen.add(other)
                if connector[other]:
                    queue.append(other)
                else:
                    reached.add(int(position[other]))
        links.append(sorted(reached))
    return links


def complete_with_connectors(
    neighbours: list[list[int]], connector: np.ndarray, kept_codes: np.ndarray
) -> np.ndarray:
    """A full plan from one over the non-connectors: each connector joins the territory
    that reaches it first, breadth first from every territory at once."""
    codes = np.full(len(connector), -1, dtype=np.int64)
    codes[~connector] = kept_codes
    frontier = np.flatnonzero(~connector).tolist()
    while frontier:
        following = []
        for unit in frontier:
            for other in neighbours[unit]:
                if codes[other] < 0:
                    codes[other] = codes[unit]
                    following.append(other)
        frontier = following
    return codes


def optimum(
    groups: Groups,
    n: int,
    k: int,
    bound: float,
    reduced: np.ndarray,
    known_km: float | None,
    time_limit_s: float,
) -> tuple[np.ndarray | None, float, bool]:
    """Reduced-cost fixing: a plan worth ``v`` uses only groups of reduced cost at most
    ``v - bound``, so the MIP over those groups is exact once its plan is worth no more than
    the gap it was given. The first gap is what a known plan (``known_km``) leaves, else a
    small share of the bound, widened until the MIP's plan fits it."""
    gap = known_km - bound if known_km is not None else FIRST_GAP * bound
    while True:
        candidates = np.flatnonzero(reduced <= gap + _EPS * max(1.0, bound))
        log(f"MIP over the {len(candidates):,} groups within {gap:.3f} km of the bound")
        codes, value, settled = best_plan(groups, n, k, candidates, time_limit_s)
        if codes is not None and value <= bound + gap + _EPS * max(1.0, bound):
            return codes, value, settled
        if not settled or len(candidates) == len(groups):
            return codes, value, False
        gap = value - bound if codes is not None else 2.0 * gap


def exact_plan(
    context: Context, band_pct: float, time_limit_s: float, known: np.ndarray | None = None
) -> dict[str, object]:
    """Bound and optimum of the compactness of contiguous plans within ``band_pct`` of the
    target; plans are scored as in the evaluation (activity-weighted km).

    Units without weight or activity (RI ZCTAs without accounts) change neither balance nor
    compactness, only connectivity: they become connectors, and groups are enumerated over
    the other units, linked where a path of connectors joins them. That relaxes contiguity
    (two territories may count on one connector), so the result is a bound, and an optimum
    only if its connectors can be shared out keeping every territory contiguous.

    ``known``: a plan within the band (codes per unit) whose compactness narrows the MIP.
    """
    k = context.instance.territories
    shares = context.weights / context.targets
    if shares.shape[1] != 1:
        raise ValueError("one metric only: the band is enumerated on the first")
    started = time.perf_counter()
    neighbours = neighbour_lists(context.graph)
    connector = (shares[:, 0] == 0) & (context.activity == 0)
    kept = np.flatnonzero(~connector)
    band = band_pct / 100.0
    ptr, members = connected_groups(
        connector_links(neighbours, connector) if connector.any() else neighbours,
        shares[kept, 0],
        1.0 - band - _EPS,
        1.0 + band + _EPS,
    )
    # Costs as shares of the plan's km (activity weights such as m² of land are ~1e9).
    activity = context.activity / context.activity.sum()
    cost = group_costs(ptr, kept[members], context.xy_km, activity)
    groups = Groups(ptr, members, cost)
    enumerated_s = time.perf_counter() - started
    log(f"{len(groups):,} connected groups within ±{band_pct:.2f} % in {enumerated_s:.0f} s")
    bound, reduced = lp_bound(groups, len(kept), k)
    log(f"LP bound {bound:.3f} km")
    known_km = None
    if known is not None and np.all(np.abs(deviations_pct(context, known)) <= band_pct + 1e-6):
        known_km = compactness_km(context, known)
        log(f"known plan: {known_km:.3f} km")
    kept_codes, value, proved = optimum(
        groups, len(kept), k, bound, reduced, known_km, time_limit_s
    )
    row: dict[str, object] = {
        "band_pct": round(band_pct, 2),
        "groups": len(groups),
        "connectors": int(connector.sum()),
        "lp_bound_km": round(bound, 3),
        "optimum_km": round(value, 3) if kept_codes is not None else None,
        "optimum_proved": proved,
        "enumerate_s": round(enumerated_s, 1),
        "time_s": round(time.perf_counter() - started, 1),
    }
    if kept_codes is not None:
        codes = complete_with_connectors(neighbours, connector, kept_codes)
        row["plan"] = evaluate(context, codes)
        row["plan_contiguous"] = row["plan"]["non_contiguous"] == 0
    return row


def kmeans_km(context: Context, seed: int = 0) -> float:
    """Weighted k-means' compactness, as `optimize.py` measures it (its peers run seed 0)."""
    from optimize_peers import kmeans_plan

    return compactness_km(context, kmeans_plan(context, seed)[0])


def goal_band_pct(context: Context) -> float:
    """The balance the goal allows: ±2 %, or 0.5 points beyond what single units or
    contiguity force."""
    tolerance = tolerance_goal_pct(context, GOAL_PCT)
    return max(tolerance, contiguity_bound_pct(context, GOAL_PCT) + 0.5)


def reachable(row: dict[str, object]) -> bool | None:
    """Whether some contiguous plan within the band meets the k-means line: settled by the
    bound (above the line) or by a proved optimum; None when neither settles it."""
    best = row["optimum_km"] if row["optimum_proved"] else None
    floor = max(row["lp_bound_km"], best if best is not None else 0.0)
    if floor > row["goal_line_km"]:
        return False
    if best is not None and row.get("plan_contiguous"):
        return best <= row["goal_line_km"]
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES))
    parser.add_argument("--band", type=float, help="tolerance in %% (default: the goal's)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="per MIP, seconds")
    args = parser.parse_args(argv)
    rows = []
    for name in args.instances:
        context = make_context(build_instance(name))
        band = args.band if args.band is not None else goal_band_pct(context)
        known = terrmap_plan(context.instance, tolerance=GOAL_PCT)
        row = {"instance": name, **exact_plan(context, band, args.time_limit, known)}
        row["terrmap"] = evaluate(context, known)
        reference = kmeans_km(context)
        row["kmeans_km"] = round(reference, 3)
        row["goal_line_km"] = round(KMEANS_FACTOR * reference, 3)
        row["goal_reachable"] = reachable(row)
        log(json.dumps(row))
        rows.append(row)
    print(json.dumps({"exact": rows}, indent=1))


if __name__ == "__main__":
    main()
