"""What an optimiser result would change in the project, measured as the gauges measure.

`OptimiseOutcome` turns an `OptimiseResult` (territory codes of a snapshot) into what
the preview shows and what Apply does: which units change owner, the totals of every
metric before and after (the same incremental arithmetic as `TerritoryMetrics`, so the
preview's numbers are exactly those the gauges show after applying), the territories
to add, and the single compound edit. No Qt here: the preview widget and the tests read
these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from terrmap.core.commands import AddTerritory, AssignUnits, CompoundEdit
from terrmap.core.metrics import BalanceSummary, balance_of, target_weights
from terrmap.core.palette import next_free_color
from terrmap.core.territory import Territory

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.optimize import OptimiseParams, OptimiseProblem, OptimiseResult

NEW_NAME = "Territory {number}"


@dataclass(frozen=True)
class Move:
    """Units going from one territory to another (``None``: unassigned before)."""

    source: str | None
    target: str
    units: int
    accounts: float


@dataclass(frozen=True)
class OptimiseOutcome:
    """A result read against the project it was computed for.

    Attributes
    ----------
    result
        The optimiser's result; ``result.codes`` index into ``territories``.
    params
        The parameters it ran with (mode, tolerance...).
    metrics
        The balanced metrics, in the order of ``result.balance``.
    territories
        The project's territories followed by the new ones the plan needs.
    new_territories
        Territories Apply adds (carving more than the project has).
    before_codes
        The plan the snapshot was taken from (-1 unassigned).
    columns
        `TerritoryMetrics` columns of ``before`` and ``after``.
    before, after
        ``(len(territories) + 1, len(columns))`` totals, last row unassigned.
    unit_values
        ``(n, len(columns))`` what each unit adds to its territory's totals.
    """

    result: OptimiseResult
    params: OptimiseParams
    metrics: tuple[str, ...]
    unit_ids: np.ndarray
    territories: tuple[Territory, ...]
    new_territories: tuple[Territory, ...]
    before_codes: np.ndarray
    columns: tuple[str, ...]
    before: np.ndarray
    after: np.ndarray
    unit_values: np.ndarray = field(repr=False)

    @property
    def existing(self) -> int:
        """How many of ``territories`` the project has now."""
        return len(self.territories) - len(self.new_territories)

    # -- what changes -------------------------------------------------------------------
    @property
    def codes(self) -> np.ndarray:
        """Territory code of every unit after applying (into ``territories``)."""
        return self.result.codes

    @property
    def changed(self) -> np.ndarray:
        """Positions of the units whose territory would change."""
        return np.flatnonzero(self.codes != self.before_codes)

    @property
    def moved_accounts(self) -> float:
        """Accounts in the units that change territory (named accounts stay put)."""
        return self._moved_total("accounts")

    def moves(self) -> list[Move]:
        """Units changing owner, grouped by (from, to), biggest first."""
        changed = self.changed
        if not len(changed):
            return []
        pairs = np.column_stack([self.before_codes[changed], self.codes[changed]])
        keys, inverse = np.unique(pairs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        units = np.bincount(inverse, minlength=len(keys))
        accounts = np.bincount(
            inverse, weights=self._unit_column("accounts")[changed], minlength=len(keys)
        )
        ids = [t.id for t in self.territories]
        moves = [
            Move(None if a < 0 else ids[a], ids[b], int(n), float(m))
            for (a, b), n, m in zip(keys.tolist(), units, accounts, strict=True)
        ]
        return sorted(moves, key=lambda m: (-m.units, -m.accounts, str(m.source), m.target))

    def emptied(self) -> list[Territory]:
        """Existing territories that would own no unit (carving fewer than there are)."""
        owning = np.zeros(len(self.territories), dtype=bool)
        owning[self.codes] = True
        existing = self.territories[: self.existing]
        return [t for t, owns in zip(existing, owning, strict=False) if not owns]

    def not_contiguous(self) -> list[Territory]:
        """Territories the optimiser reports in several pieces."""
        pieces = ~np.asarray(self.result.contiguous, dtype=bool)
        return [self.territories[i] for i in np.flatnonzero(pieces) if i < len(self.territories)]

    # -- balance --------------------------------------------------------------------------
    def totals(self, metric: str, *, after: bool) -> np.ndarray:
        """Per-territory totals of ``metric`` (unassigned excluded)."""
        table = self.after if after else self.before
        return table[:-1, self.columns.index(metric)]

    def balance(self, metric: str, *, after: bool) -> BalanceSummary:
        """Balance statistics as the Balance panel computes them, at the run's tolerance."""
        # Before: the territories that exist now; new ones only count once added.
        count = len(self.territories) if after else self.existing
        territories = self.territories[:count]
        return balance_of(
            self.totals(metric, after=after)[:count],
            target_weights(territories),
            metric,
            self.params.tolerance_pct,
            territory_ids=[t.id for t in territories],
        )

    def preview_totals(self, metrics: TerritoryMetrics) -> np.ndarray | None:
        """Would-be totals for the gauges' ghost bars (None if territories get added)."""
        if self.new_territories or self.after.shape != metrics.totals.shape:
            return None
        return self.after

    # -- applying ---------------------------------------------------------------------
    def is_current(self, project: Project) -> bool:
        """Whether the project still holds the plan this outcome was computed from."""
        ids = tuple(t.id for t in self.territories[: self.existing])
        same_plan = np.array_equal(project.plan.codes, self.before_codes)
        return same_plan and tuple(t.id for t in project.territories) == ids

    def edit(self, text: str) -> CompoundEdit | None:
        """One edit that adds the new territories and moves the changed units (None if
        nothing would change)."""
        changed = self.changed
        if not len(changed) and not self.new_territories:
            return None
        steps: list = [AddTerritory(t) for t in self.new_territories]
        if len(changed):
            ids = [t.id for t in self.territories]
            targets = tuple(ids[c] for c in self.codes[changed].tolist())
            steps.append(AssignUnits(tuple(self.unit_ids[changed].tolist()), targets))
        return CompoundEdit(tuple(steps), text)

    # -- helpers ------------------------------------------------------------------------
    def _unit_column(self, name: str) -> np.ndarray:
        return self.unit_values[:, self.columns.index(name)]

    def _moved_total(self, name: str) -> float:
        return float(self._unit_column(name)[self.changed].sum())


def build_outcome(
    project: Project,
    metrics: TerritoryMetrics,
    problem: OptimiseProblem,
    params: OptimiseParams,
    result: OptimiseResult,
) -> OptimiseOutcome:
    """Read ``result`` against ``project`` (GUI thread: uses the live ``metrics``).

    A carve comes out of `optimise` labelled after the existing territories; with
    fewer territories than before, codes are mapped onto the territories they match.
    """
    result = _labelled(result, problem, params)
    existing = tuple(project.territories)
    new = _new_territories(existing, int(result.codes.max(initial=-1)) + 1 - len(existing))
    territories = existing + new
    columns = tuple(metrics.columns)
    values = np.column_stack([metrics.unit_values(c) for c in columns])
    before_codes = np.asarray(problem.current, dtype=np.intp).copy()
    before = np.insert(metrics.totals, [len(existing)] * len(new), 0.0, axis=0)
    after = before.copy()
    rows_before = np.where(before_codes < 0, len(territories), before_codes)
    # Same arithmetic as TerritoryMetrics._on_units_reassigned: named-account overrides
    # stay with their territory, so the after totals are what the gauges will show.
    np.subtract.at(after, rows_before, values)
    np.add.at(after, np.asarray(result.codes, dtype=np.intp), values)
    return OptimiseOutcome(
        result=result,
        params=params,
        metrics=tuple(problem.metric_names),
        unit_ids=np.asarray(problem.unit_ids),
        territories=territories,
        new_territories=new,
        before_codes=before_codes,
        columns=columns,
        before=before,
        after=after,
        unit_values=values,
    )


def _labelled(
    result: OptimiseResult, problem: OptimiseProblem, params: OptimiseParams
) -> OptimiseResult:
    """``result`` with each code replaced by the territory it is labelled after.

    `optimise` already labels a carve after the existing territories it overlaps; only
    with fewer territories than before are the labels not simply the codes (they
    are the matched existing territories, in order).
    """
    from terrmap.optimize.labels import existing_labels

    codes, labels = existing_labels(problem, params, result.codes)
    renumber = np.arange(len(labels))
    renumber[result.codes] = codes
    final = labels[renumber]  # the territory each of the optimiser's codes becomes
    if np.array_equal(final, np.arange(len(final))):
        return result
    # Territories no code maps to stay empty, and an empty territory counts as one piece.
    contiguous = np.ones(max(int(final.max()) + 1, len(final)), dtype=bool)
    contiguous[final] = np.asarray(result.contiguous, dtype=bool)
    return replace(result, codes=final[result.codes], contiguous=contiguous)


def _new_territories(existing: tuple[Territory, ...], count: int) -> tuple[Territory, ...]:
    """``count`` vacant territories named "Territory N", with free palette colours."""
    from terrmap.ui.territory_panel import next_territory_id

    ids = [t.id for t in existing]
    names = {t.name for t in existing}
    colours = {t.color for t in existing}
    number = len(existing)
    made: list[Territory] = []
    for _ in range(max(count, 0)):
        number += 1
        while NEW_NAME.format(number=number) in names:
            number += 1
        territory = Territory(
            next_territory_id(ids), NEW_NAME.format(number=number), color=next_free_color(colours)
        )
        made.append(territory)
        ids.append(territory.id)
        names.add(territory.name)
        colours.add(territory.color)
    return tuple(made)
