"""Labels of carved territories: match them to the existing territories they overlap.

A carve's territory codes are arbitrary; without matching, the territory called
"Buffalo" could come out around New York and nearly every unit would seem to move.
The codes are permuted (scipy's ``linear_sum_assignment``) to keep as much of the
current plan's disruption measure with its current owner as possible. Labels are
only exchanged between territories with the same target share, so the balance is
unchanged, and a territory holding locked units keeps its own label.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from terrmap.optimize.problem import OptimiseParams, OptimiseProblem


def relabels(problem: OptimiseProblem, params: OptimiseParams) -> bool:
    """Whether a plan's codes are matched to the existing territories: a carve with an
    existing plan and centres not anchored at the reps' homes (those fix the labels)."""
    current = problem.current
    return (
        params.mode == "carve"
        and not params.anchor_homes
        and current is not None
        and bool((np.asarray(current) >= 0).any())
    )


def existing_labels(
    problem: OptimiseProblem,
    params: OptimiseParams,
    codes: np.ndarray,
    pinned: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Renumber ``codes`` after the existing territories they overlap most.

    Parameters
    ----------
    problem, params
        The snapshot (``current``, ``territory_ids``, ``target_shares``, ``disruption``)
        and the run's parameters (``territories``; see `relabels`).
    codes
        ``(n,)`` territory code per unit, 0..K-1.
    pinned
        ``(K,)`` bool: more codes that must keep their label, besides the locked
        territories and those holding locked units (which are always pinned).

    Returns
    -------
    codes, labels
        The codes renumbered in label order, and the label of each code: an existing
        territory's position (``< len(problem.territory_ids)``) or a new territory's
        (the positions after them), ascending. When K ≥ the existing territories the
        labels are ``0..K-1`` and the codes are the labels; without matching
        (`relabels` False) both are returned unchanged.
    """
    codes = np.asarray(codes, dtype=np.int64)
    k = params.territories
    if not relabels(problem, params):
        return codes, np.arange(k)
    current = np.asarray(problem.current, dtype=np.int64)
    pinned = _pinned(params, current, pinned)
    cost = np.ones(len(current)) if problem.disruption is None else problem.disruption
    held = current >= 0
    overlap = np.zeros((k, max(k, len(problem.territory_ids), int(current.max()) + 1)))
    np.add.at(overlap, (codes[held], current[held]), cost[held] + 1e-9)
    penalty = -overlap
    shares = problem.target_shares
    if shares is not None and len(shares) == k == overlap.shape[1]:
        penalty[~np.isclose(shares[:, None], shares[None, :])] = np.inf
    if pinned.any():
        for code in np.flatnonzero(pinned):
            keep = penalty[code, code]
            penalty[code, :] = np.inf
            penalty[:, code] = np.inf
            penalty[code, code] = keep
    _, columns = linear_sum_assignment(penalty)
    order = np.argsort(columns)
    renumber = np.empty(k, dtype=np.int64)
    renumber[order] = np.arange(k)
    if (renumber[np.flatnonzero(pinned)] != np.flatnonzero(pinned)).any():
        # Fewer territories than before put a pinned one elsewhere in label order;
        # locked units must keep their codes, so keep the plan as it is.
        return codes, np.arange(k)
    return renumber[codes], columns[order]


def _pinned(params: OptimiseParams, current: np.ndarray, extra: np.ndarray | None) -> np.ndarray:
    """Codes whose label is fixed: locked territories and owners of locked units."""
    k = params.territories
    pinned = np.zeros(k, dtype=bool) if extra is None else np.asarray(extra, dtype=bool).copy()
    pinned[[c for c in params.locked_territories if 0 <= c < k]] = True
    if params.locked_units is not None:
        locked = np.asarray(params.locked_units, dtype=bool) & (current >= 0) & (current < k)
        pinned[current[locked]] = True
    return pinned
