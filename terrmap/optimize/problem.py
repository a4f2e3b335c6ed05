"""The optimiser's inputs and outputs: plain frozen dataclasses of numpy arrays.

A problem is a snapshot (no geometry, no project), so the optimiser can run in a worker
thread while the user keeps editing, and tests can build problems by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from terrmap.errors import InputError

Progress = Callable[[float, str], object]
Stop = Callable[[], bool]


def NO_PROGRESS(fraction: float, message: str) -> None:
    """Progress callback that ignores every report."""


def NEVER() -> bool:
    """Stop criterion that never asks to stop."""
    return False


@dataclass(frozen=True)
class Adjacency:
    """Which units neighbour which: symmetric CSR lists without self loops.

    Attributes
    ----------
    indptr, indices
        Neighbours of unit ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    attached
        ``(unit, nearest unit)`` links added so that islands and units without any
        shared boundary still belong to one connected graph.
    """

    indptr: np.ndarray
    indices: np.ndarray
    attached: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "indptr", np.asarray(self.indptr, dtype=np.int64))
        object.__setattr__(self, "indices", np.asarray(self.indices, dtype=np.int64))

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.indptr) - 1

    def neighbours(self, i: int) -> np.ndarray:
        """Positions of the units adjacent to unit ``i``."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every edge as ``(source, target)`` arrays."""
        source = np.repeat(np.arange(self.n), np.diff(self.indptr))
        return source, self.indices

    def matrix(self):  # -> scipy.sparse.csr_array
        """The adjacency as a sparse 0/1 matrix (for scipy.sparse.csgraph)."""
        from scipy.sparse import csr_array

        data = np.ones(len(self.indices), dtype=np.int8)
        return csr_array((data, self.indices, self.indptr), shape=(self.n, self.n))


@dataclass(frozen=True)
class OptimiseProblem:
    """A snapshot of what the optimiser needs: one row per unit, no geometry.

    Attributes
    ----------
    unit_ids
        ``(n,)`` unit ids.
    xy_km
        ``(n, 2)`` representative points in an equal-area projection, km.
    weights
        ``(n, m)`` values of the 1–3 balance metrics per unit (≥ 0).
    metric_names
        Names of the ``m`` balance metrics.
    adjacency
        Unit adjacency (see `unit_adjacency`).
    activity
        ``(n,)`` weight of each unit in the compactness measure (accounts per unit).
    current
        ``(n,)`` territory codes of the existing plan (-1 unassigned), or ``None``.
    territory_ids
        Ids of the existing territories; ``current`` codes index into them.
    target_shares
        Relative target of each existing territory; ``None`` means equal shares.
    homes_km
        ``(K0, 2)`` rep homes projected like ``xy_km``; NaN rows where unknown.
    home_units
        ``(K0,)`` the unit each rep's home lies in; -1 where unknown or outside every
        unit. A carve at the reps' homes keeps each in its rep's territory.
    disruption
        ``(n,)`` cost of changing a unit's owner; ``None`` counts 1 per unit.
    disruption_name
        What ``disruption`` measures, for messages.
    unit_names
        ``(n,)`` display names of the units for messages (``"Dukes, MA"``), or ``()``.
    """

    unit_ids: np.ndarray
    xy_km: np.ndarray
    weights: np.ndarray
    metric_names: tuple[str, ...]
    adjacency: Adjacency
    activity: np.ndarray
    current: np.ndarray | None = None
    territory_ids: tuple[str, ...] = ()
    target_shares: np.ndarray | None = None
    homes_km: np.ndarray | None = None
    home_units: np.ndarray | None = None
    disruption: np.ndarray | None = None
    disruption_name: str = "units"
    unit_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        weights = np.asarray(self.weights, dtype=float)
        if weights.ndim == 1:
            weights = weights[:, None]
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "xy_km", np.asarray(self.xy_km, dtype=float))
        object.__setattr__(self, "activity", np.asarray(self.activity, dtype=float))
        object.__setattr__(self, "metric_names", tuple(self.metric_names))
        object.__setattr__(self, "territory_ids", tuple(self.territory_ids))
        object.__setattr__(self, "unit_names", tuple(self.unit_names))
        n = len(self.unit_ids)
        if self.unit_names and len(self.unit_names) != n:
            raise InputError(f"{n} units need {n} names (or none)")
        if self.xy_km.shape != (n, 2):
            raise InputError(f"{n} units need {n} representative points")
        if weights.shape[0] != n or not 1 <= weights.shape[1] <= 3:
            raise InputError("balance on one to three metrics, with a value for every unit")
        if len(self.metric_names) != weights.shape[1]:
            raise InputError("every balance metric needs a name")
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise InputError("balance metric values must be numbers ≥ 0")
        for name, total in zip(self.metric_names, weights.sum(axis=0), strict=True):
            if n and total <= 0:
                raise InputError(
                    f"{name} is 0 in every unit, so there is nothing to balance on it; "
                    "choose another metric"
                )
        if self.activity.shape != (n,) or (self.activity < 0).any():
            raise InputError("activity must be one number ≥ 0 per unit")
        if self.adjacency.n != n:
            raise InputError("the adjacency does not match the units")
        if self.current is not None:
            current = np.asarray(self.current, dtype=np.int64)
            if current.shape != (n,):
                raise InputError(f"the current plan needs a code for each of the {n} units")
            known = len(self.territory_ids)
            if current.min(initial=-1) < -1 or (known and current.max(initial=-1) >= known):
                raise InputError("the current plan refers to territories that do not exist")
            object.__setattr__(self, "current", current)

    @property
    def n_units(self) -> int:
        """Number of units."""
        return len(self.unit_ids)

    def unit_label(self, unit: int) -> str:
        """How messages name a unit: ``"Dukes, MA (25007)"``, or the id alone."""
        uid = str(self.unit_ids[unit])
        name = str(self.unit_names[unit]) if self.unit_names else ""
        return f"{name} ({uid})" if name and name != uid else uid


@dataclass(frozen=True)
class OptimiseParams:
    """What to optimise and how hard.

    Attributes
    ----------
    territories
        Number of territories ``K``.
    mode
        ``"carve"`` builds territories from scratch; ``"rebalance"`` improves the
        current plan while limiting what changes owner.
    tolerance_pct
        Half-width of the balance band around each target, for every metric.
    anchor_homes
        Carve: territory centres sit at the reps' homes where known.
    max_moved_pct
        Rebalance: cap on the share of disruption that may change owner.
    disruption_weight
        Rebalance: 1 % of disruption costs as much as 1 % worse compactness × this.
    locked_units
        ``(n,)`` bool: units that keep their current owner.
    locked_territories
        Territory codes whose units stay exactly as they are.
    seed
        Seed of every random choice; the same seed gives the same plan.
    time_limit_s
        Wall-clock budget; the best plan so far is returned when it runs out.
    """

    territories: int
    mode: Literal["carve", "rebalance"] = "carve"
    tolerance_pct: float = 2.0
    anchor_homes: bool = False
    max_moved_pct: float | None = None
    disruption_weight: float = 1.0
    locked_units: np.ndarray | None = None
    locked_territories: tuple[int, ...] = ()
    seed: int = 0
    time_limit_s: float = 10.0

    def __post_init__(self) -> None:
        if int(self.territories) != self.territories or self.territories < 1:
            raise InputError(
                f"the number of territories must be at least 1, not {self.territories}"
            )
        if self.mode not in ("carve", "rebalance"):
            raise InputError(f"mode must be 'carve' or 'rebalance', not {self.mode!r}")
        if not self.tolerance_pct > 0:
            raise InputError(f"the balance tolerance must be above 0 %, not {self.tolerance_pct}")
        if self.max_moved_pct is not None and not 0 <= self.max_moved_pct <= 100:
            raise InputError(f"the move cap must be between 0 and 100 %, not {self.max_moved_pct}")
        if not self.disruption_weight >= 0:
            raise InputError("the disruption weight must be ≥ 0")
        if not self.time_limit_s > 0:
            raise InputError("the time limit must be above 0 seconds")
        object.__setattr__(
            self, "locked_territories", tuple(int(c) for c in self.locked_territories)
        )


@dataclass(frozen=True)
class MetricBalance:
    """Balance of a plan on one metric.

    Attributes
    ----------
    forced_bound_pct
        Lower bound on the max |deviation| that no plan can beat (0 if none).
    met
        Whether max |deviation| ≤ max(tolerance, forced bound + 0.5).
    forced_by
        What forces the bound (see `terrmap.optimize.evaluate`): ``"unit"`` (a unit
        bigger than a target cannot be split), ``"whole numbers"`` (whole totals miss a
        fractional target), ``"contiguity"`` (an exhaustive search found no contiguous
        plan within it), or ``""`` when there is none.
    """

    metric: str
    totals: np.ndarray
    targets: np.ndarray
    deviation_pct: np.ndarray
    max_abs_deviation_pct: float
    forced_bound_pct: float
    met: bool
    forced_by: str = ""


@dataclass(frozen=True)
class OptimiseResult:
    """A plan and how good it is.

    Attributes
    ----------
    codes
        ``(n,)`` territory code 0..K-1 of every unit. A carve with an existing
        plan (and no anchored homes) is labelled to match it: each code is the
        existing territory it overlaps most, among equal target shares (with fewer
        territories than before, codes follow the matched territories' order; see
        `terrmap.optimize.labels.existing_labels` for each code's label).
    contiguous
        ``(K,)`` whether each territory is connected (attached links count).
    compactness_km
        Activity-weighted mean distance of units to their territory's centre.
    moved_units, moved_share_pct
        Units that changed owner against ``problem.current``, and their share of
        the disruption measure.
    messages
        Plain-language notes: islands attached, forced bounds, shortfalls.
    """

    codes: np.ndarray
    balance: tuple[MetricBalance, ...]
    contiguous: np.ndarray
    compactness_km: float
    moved_units: int
    moved_share_pct: float
    elapsed_s: float
    stopped_early: bool
    messages: tuple[str, ...] = field(default=())

    @property
    def tolerance_met(self) -> bool:
        """Whether every metric is within tolerance (or within reach of a forced bound)."""
        return all(b.met for b in self.balance)
