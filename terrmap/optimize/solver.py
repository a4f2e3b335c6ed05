"""`optimise`: allocation (carve) or the current plan (rebalance), contiguity repair,
then local search for balance and compactness."""

from __future__ import annotations

import time

import numpy as np

from terrmap.optimize.allocation import allocate, initial_centres
from terrmap.optimize.contiguity import repair_contiguity
from terrmap.optimize.evaluate import summarise
from terrmap.optimize.local_search import LocalSearch
from terrmap.optimize.model import Model, build_model
from terrmap.optimize.problem import (
    NEVER,
    NO_PROGRESS,
    OptimiseParams,
    OptimiseProblem,
    OptimiseResult,
    Progress,
    Stop,
)

LLOYD_ROUNDS = 6
# Share of the progress bar each stage fills (allocation dominates a carve's start).
_ALLOCATION_END = 0.35
_REPAIR_END = 0.4
# Spread weight while reaching the bands, then while polishing compactness: a strong
# pull to the target lets weight flow through chains of territories; once every band
# is met it mostly gets in the way of compactness.
_SPREAD_BALANCING = 0.5
_SPREAD_POLISHING = 0.05
_MAX_WALKS = 50
TABU_TENURE_BASE = 8
# A tabu walk takes this many moves per unit (at least WALK_MIN_STEPS) before it
# returns to the best plan it saw.
WALK_STEPS_PER_UNIT = 0.1
WALK_MIN_STEPS = 60


def optimise(
    problem: OptimiseProblem,
    params: OptimiseParams,
    *,
    progress: Progress = NO_PROGRESS,
    stop: Stop = NEVER,
) -> OptimiseResult:
    """Carve or rebalance territories: balanced, contiguous, compact.

    Parameters
    ----------
    problem
        The snapshot to plan (never modified).
    params
        Number of territories, mode, tolerance, locks, seed and time limit.
    progress
        Called as ``progress(fraction, message)`` along the way.
    stop
        Polled often; when it returns True the best plan so far is returned.

    Returns
    -------
    OptimiseResult
        The plan and its statistics; ``messages`` says what could not be met and why.
    """
    started = time.perf_counter()
    deadline = started + params.time_limit_s
    model = build_model(problem, params)

    def should_stop() -> bool:
        return time.perf_counter() > deadline or bool(stop())

    progress(0.0, "Preparing")
    codes = _initial_plan(problem, params, model, should_stop, progress)
    progress(_ALLOCATION_END, "Making territories contiguous")
    codes = repair_contiguity(model, problem.adjacency, codes)
    progress(_REPAIR_END, "Balancing territories")
    codes, stopped = _search(problem, params, model, codes, deadline, stop, progress)
    progress(1.0, "Done")
    return summarise(
        problem,
        codes,
        params,
        elapsed_s=time.perf_counter() - started,
        stopped_early=stopped,
        notes=tuple(model.notes),
    )


def _initial_plan(
    problem: OptimiseProblem, params: OptimiseParams, model: Model, should_stop, progress
) -> np.ndarray:
    if params.mode == "rebalance":
        return model.start.copy()
    progress(0.05, "Placing territory centres")
    rng = np.random.default_rng(params.seed)
    centres = initial_centres(model, rng)
    progress(0.1, "Allocating units to centres")
    codes, _ = allocate(
        model, centres, LLOYD_ROUNDS, should_stop, milp_time=min(1.0, 0.2 * params.time_limit_s)
    )
    return codes


def _search(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    codes: np.ndarray,
    deadline: float,
    stop: Stop,
    progress: Progress,
) -> tuple[np.ndarray, bool]:
    """Reach the bands (strong pull to target), then polish compactness (weak pull).

    Each phase alternates greedy descent with tabu walks that restart from the best
    plan seen, until a walk finds nothing better or the time is up.
    """
    search = LocalSearch(
        model,
        problem.adjacency,
        codes,
        disruption_weight=params.disruption_weight,
        deadline=deadline,
        stop=stop,
    )
    search.tenure = TABU_TENURE_BASE + int(np.random.default_rng(params.seed).integers(0, 4))
    start = time.perf_counter()
    budget = max(deadline - start, 1e-9)
    walk = max(WALK_MIN_STEPS, int(WALK_STEPS_PER_UNIT * model.n))

    def report(message: str) -> None:
        fraction = min((time.perf_counter() - start) / budget, 1.0)
        progress(_REPAIR_END + (1 - _REPAIR_END) * fraction, message)

    converged = True
    best_codes, best_key = search.codes.copy(), _key(search, _SPREAD_POLISHING)
    for spread, message in (
        (_SPREAD_BALANCING, "Balancing"),
        (_SPREAD_POLISHING, "Improving compactness"),
    ):
        search.spread_weight = spread
        converged = _descend(search, walk, report, message)
        key = _key(search, _SPREAD_POLISHING)
        if key < best_key:
            best_codes, best_key = search.codes.copy(), key
        if search.out_of_time():
            break
    return best_codes, not converged or search.stopped


def _descend(search: LocalSearch, walk: int, report, message: str) -> bool:
    """Greedy descent + tabu walks from the best plan; True when a walk stops helping."""
    balancing = search.spread_weight > _SPREAD_POLISHING
    search.improve()
    best_key = _key(search)
    for _ in range(_MAX_WALKS):
        if search.out_of_time():
            return False
        report(message)
        best = search.tabu_walk(walk)
        search.reset(best)
        search.improve()
        if balancing and search.violation() == 0:
            return True  # bands met: compactness is the next phase's job
        key = _key(search)
        if not key < best_key:
            return True
        best_key = key
    return True


def _key(search: LocalSearch, spread: float | None = None) -> tuple[float, float]:
    """Best-plan order: the smallest band violation, then the lowest objective."""
    return round(search.violation(), 9), search.objective(spread)
