"""Territory optimiser: carve territories from scratch or rebalance an existing plan.

Pure numpy/scipy (never Qt), deterministic for a seed, and run on a snapshot
(`OptimiseProblem`) so it can work in a thread while the document stays editable.
"""

from __future__ import annotations

from terrmap.optimize.adjacency import unit_adjacency
from terrmap.optimize.evaluate import evaluate_plan
from terrmap.optimize.from_project import problem_from_frame, problem_from_project
from terrmap.optimize.problem import (
    NEVER,
    NO_PROGRESS,
    Adjacency,
    MetricBalance,
    OptimiseParams,
    OptimiseProblem,
    OptimiseResult,
    Progress,
    Stop,
)
from terrmap.optimize.solver import optimise

__all__ = [
    "NEVER",
    "NO_PROGRESS",
    "Adjacency",
    "MetricBalance",
    "OptimiseParams",
    "OptimiseProblem",
    "OptimiseResult",
    "Progress",
    "Stop",
    "evaluate_plan",
    "optimise",
    "problem_from_frame",
    "problem_from_project",
    "unit_adjacency",
]
