"""Per-territory totals kept up to date incrementally, and balance statistics.

Every unit carries a row of values (its own attributes plus the sums of the accounts
inside it that follow it); a territory's totals are the sum of its units' rows plus
its named-account overrides. Moving units adds and subtracts those rows, so a move of
ten units costs ten rows, not a recompute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from psygnal import Signal

from terrmap.core.plan import UNASSIGNED
from terrmap.core.project import Project
from terrmap.core.territory import Territory
from terrmap.errors import TerrmapError

UNASSIGNED_ROW = "unassigned"


class TerritoryMetrics:
    """Live per-territory totals of a project.

    Columns: ``units``, ``accounts``, ``area_km2``, every numeric account column and
    every numeric unit column (prefixed ``unit:`` when the name clashes). The last
    row holds what is unassigned.

    Parameters
    ----------
    project
        The project to follow; the metrics connect to its signals.
    """

    totals_changed = Signal(object)  # array of changed row positions (last = unassigned)

    def __init__(self, project: Project) -> None:
        self.project = project
        self.columns = _metric_columns(project)
        self._account_values = _account_values(project, self.columns)
        self._own_unit_values = _unit_values(project, self.columns)
        self.recompute()
        project.units_reassigned.connect(self._on_units_reassigned)
        project.accounts_reassigned.connect(self._on_accounts_reassigned)
        project.territory_inserted.connect(self._on_territory_inserted)
        project.territory_removed.connect(self._on_territory_removed)
        project.plan_switched.connect(self._on_plan_switched)

    def disconnect(self) -> None:
        """Stop following the project."""
        self.project.units_reassigned.disconnect(self._on_units_reassigned)
        self.project.accounts_reassigned.disconnect(self._on_accounts_reassigned)
        self.project.territory_inserted.disconnect(self._on_territory_inserted)
        self.project.territory_removed.disconnect(self._on_territory_removed)
        self.project.plan_switched.disconnect(self._on_plan_switched)

    # -- reading -----------------------------------------------------------
    @property
    def totals(self) -> np.ndarray:
        """Array ``[n_territories + 1, n_columns]``; the last row is unassigned."""
        return self._totals

    def column(self, name: str) -> np.ndarray:
        """Totals of one metric for each territory (unassigned excluded)."""
        return self._totals[:-1, self.columns.index(name)]

    def unassigned(self, name: str) -> float:
        """The unassigned total of one metric."""
        return float(self._totals[-1, self.columns.index(name)])

    def unit_values(self, name: str) -> np.ndarray:
        """Per-unit values of one metric as the plan currently counts them."""
        return self._unit_values[:, self.columns.index(name)]

    def frame(self) -> pd.DataFrame:
        """Totals as a DataFrame indexed by territory id, plus an ``unassigned`` row."""
        index = [t.id for t in self.project.territories] + [UNASSIGNED_ROW]
        return pd.DataFrame(
            self._totals, index=pd.Index(index, name="territory"), columns=self.columns
        )

    def recompute(self) -> None:
        """Rebuild every total from scratch (load, plan switch, tests)."""
        self._unit_values = self._own_unit_values.copy()
        rows = self._rows(self.project.plan.codes)
        totals = np.zeros((len(self.project.territories) + 1, len(self.columns)))
        account_codes = self.project.account_codes()
        unit_pos = self.project.accounts.unit_pos
        overridden = self._overridden_mask()
        follow = (unit_pos >= 0) & ~overridden
        np.add.at(self._unit_values, unit_pos[follow], self._account_values[follow])
        np.add.at(totals, rows, self._unit_values)
        np.add.at(totals, self._rows(account_codes[overridden]), self._account_values[overridden])
        lost = (unit_pos < 0) & ~overridden
        totals[-1] += self._account_values[lost].sum(axis=0)
        self._totals = totals
        self.totals_changed.emit(np.arange(len(totals)))

    # -- incremental updates -----------------------------------------------
    def _on_units_reassigned(self, positions: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        values = self._unit_values[positions]
        np.subtract.at(self._totals, self._rows(old), values)
        np.add.at(self._totals, self._rows(new), values)
        self.totals_changed.emit(np.unique(np.concatenate([self._rows(old), self._rows(new)])))

    def _on_accounts_reassigned(
        self, account_ids: Sequence[str], old: Sequence[str | None], new: Sequence[str | None]
    ) -> None:
        project = self.project
        positions = project.accounts.positions(list(account_ids))
        unit_pos = project.accounts.unit_pos[positions]
        unit_rows = np.where(unit_pos >= 0, self._rows(project.plan.codes[unit_pos]), self._n)
        old_rows = np.array(
            [self._row_of(t, r) for t, r in zip(old, unit_rows, strict=True)], dtype=np.intp
        )
        new_rows = np.array(
            [self._row_of(t, r) for t, r in zip(new, unit_rows, strict=True)], dtype=np.intp
        )
        values = self._account_values[positions]
        np.subtract.at(self._totals, old_rows, values)
        np.add.at(self._totals, new_rows, values)
        # An account that starts or stops overriding leaves or rejoins its unit's values.
        joined = np.array([t is None for t in new]) & (unit_pos >= 0)
        left = np.array([t is None for t in old]) & (unit_pos >= 0)
        np.add.at(self._unit_values, unit_pos[joined], values[joined])
        np.subtract.at(self._unit_values, unit_pos[left], values[left])
        self.totals_changed.emit(np.unique(np.concatenate([old_rows, new_rows])))

    def _on_territory_inserted(self, index: int) -> None:
        self._totals = np.insert(self._totals, index, 0.0, axis=0)
        self.totals_changed.emit(np.arange(index, len(self._totals)))

    def _on_territory_removed(self, index: int, _territory: object) -> None:
        self._totals = np.delete(self._totals, index, axis=0)
        self.totals_changed.emit(np.arange(index, len(self._totals)))

    def _on_plan_switched(self, _index: int) -> None:
        self.recompute()

    # -- helpers -----------------------------------------------------------
    @property
    def _n(self) -> int:
        return len(self.project.territories)

    def _rows(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.intp)
        return np.where(codes == UNASSIGNED, self._n, codes)

    def _row_of(self, territory_id: str | None, unit_row: int) -> int:
        return unit_row if territory_id is None else self.project.territory_index(territory_id)

    def _overridden_mask(self) -> np.ndarray:
        mask = np.zeros(len(self.project.accounts), dtype=bool)
        if self.project.plan.overrides:
            mask[self.project.accounts.positions(list(self.project.plan.overrides))] = True
        return mask


def report_metrics(
    project: Project, metrics: Sequence[str] | None
) -> tuple[TerritoryMetrics, list[str]]:
    """One-off totals of ``project`` and the metric columns a report or page shows.

    ``metrics`` are `TerritoryMetrics.columns` names (duplicates count once); by default
    every numeric account column. The totals do not follow later edits.

    Raises
    ------
    TerrmapError
        A metric is not a column of the project.
    """
    live = TerritoryMetrics(project)
    live.disconnect()  # a snapshot: no need to follow edits
    chosen = list(dict.fromkeys(metrics)) if metrics else list(project.accounts.numeric_columns)
    unknown = [m for m in chosen if m not in live.columns]
    if unknown:
        raise TerrmapError(f"no metric named {unknown[0]!r}; choose from {', '.join(live.columns)}")
    return live, chosen


def _metric_columns(project: Project) -> list[str]:
    columns = ["units", "accounts", "area_km2", *project.accounts.numeric_columns]
    for name in project.units.numeric_columns:
        columns.append(f"unit:{name}" if name in columns else name)
    return columns


def _account_values(project: Project, columns: list[str]) -> np.ndarray:
    values = np.zeros((len(project.accounts), len(columns)))
    values[:, columns.index("accounts")] = 1.0
    for name in project.accounts.numeric_columns:
        values[:, columns.index(name)] = _as_float(project.accounts.frame[name])
    return values


def _unit_values(project: Project, columns: list[str]) -> np.ndarray:
    values = np.zeros((len(project.units), len(columns)))
    values[:, columns.index("units")] = 1.0
    values[:, columns.index("area_km2")] = project.units.area_km2
    account_columns = set(project.accounts.numeric_columns)
    for name in project.units.numeric_columns:
        key = (
            f"unit:{name}"
            if name in account_columns or name in {"units", "accounts", "area_km2"}
            else name
        )
        values[:, columns.index(key)] = _as_float(project.units.frame[name])
    return values


def _as_float(series: pd.Series) -> np.ndarray:
    # Missing values count as zero in a sum, as a spreadsheet would.
    return pd.to_numeric(series, errors="coerce").fillna(0.0).to_numpy(dtype=float)


@dataclass(frozen=True)
class BalanceRow:
    """Balance of one territory on one metric."""

    territory_id: str
    value: float
    target: float
    deviation_pct: float  # from target
    deviation_from_mean_pct: float
    in_band: bool


@dataclass(frozen=True)
class BalanceSummary:
    """Balance statistics over all territories for one metric."""

    metric: str
    tolerance_pct: float
    rows: tuple[BalanceRow, ...]
    mean: float
    max_abs_deviation_pct: float
    max_min_ratio: float
    coefficient_of_variation: float
    out_of_band: int


def balance_table(
    metrics: TerritoryMetrics, metric: str, tolerance_pct: float = 5.0
) -> BalanceSummary:
    """Balance of every territory on ``metric`` against its target.

    A territory's target is its share of the assigned total, in proportion to its
    ``target`` weight (default 1: equal shares).

    Parameters
    ----------
    metrics
        Live totals of the project.
    metric
        Column of ``metrics.columns``.
    tolerance_pct
        Half-width of the tolerance band around each target, in percent.
    """
    if metric not in metrics.columns:
        raise KeyError(f"no metric named {metric!r}; choose from {', '.join(metrics.columns)}")
    territories = metrics.project.territories
    return balance_of(
        metrics.column(metric),
        target_weights(territories),
        metric,
        tolerance_pct,
        territory_ids=[t.id for t in territories],
    )


def balance_of(
    values: np.ndarray,
    weights: np.ndarray,
    metric: str,
    tolerance_pct: float = 5.0,
    *,
    territory_ids: Sequence[str] | None = None,
) -> BalanceSummary:
    """Balance statistics of any per-territory totals (live, previewed or planned).

    Parameters
    ----------
    values
        One total per territory (the unassigned row excluded).
    weights
        Target weight of each territory (see `target_weights`); each target is the
        assigned total shared in proportion to these.
    metric
        Name of the metric, carried into the summary.
    tolerance_pct
        Half-width of the tolerance band around each target, in percent.
    territory_ids
        Ids for the rows of the summary; row positions (``"0"``, ``"1"``...) if omitted.

    Returns
    -------
    BalanceSummary
        The same statistics `balance_table` gives for the live totals.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if values.ndim != 1 or values.shape != weights.shape:
        raise ValueError(f"{len(values)} values need as many weights, got {weights.shape}")
    ids = [str(i) for i in range(len(values))] if territory_ids is None else list(territory_ids)
    if len(ids) != len(values):
        raise ValueError(f"{len(values)} values need as many territory ids, got {len(ids)}")
    total_weight = weights.sum()
    targets = values.sum() * weights / total_weight if total_weight > 0 else np.zeros_like(values)
    mean = float(values.mean()) if len(values) else 0.0
    deviation = _percent(values - targets, targets)
    from_mean = _percent(values - mean, np.full_like(values, mean))
    in_band = np.abs(deviation) <= tolerance_pct
    # map over lists of Python scalars: views call this on every edit and drag-move.
    rows = tuple(
        map(
            BalanceRow,
            ids,
            values.tolist(),
            targets.tolist(),
            deviation.tolist(),
            from_mean.tolist(),
            in_band.tolist(),
        )
    )
    return BalanceSummary(
        metric=metric,
        tolerance_pct=tolerance_pct,
        rows=rows,
        mean=mean,
        max_abs_deviation_pct=float(np.abs(deviation).max(initial=0.0)),
        max_min_ratio=_max_min_ratio(values),
        coefficient_of_variation=float(values.std() / mean) if mean else 0.0,
        out_of_band=int((~in_band).sum()),
    )


def target_weights(territories: Sequence[Territory]) -> np.ndarray:
    """Target weight of each territory: its ``target``, or 1 (an equal share) if unset.

    Parameters
    ----------
    territories
        Territories in display order.

    Returns
    -------
    numpy.ndarray
        One float weight per territory.
    """
    return np.array([1.0 if t.target is None else t.target for t in territories], dtype=float)


def preview_unit_move(metrics: TerritoryMetrics, positions: np.ndarray, code: int) -> np.ndarray:
    """Totals as they would be if the units at ``positions`` moved to territory ``code``.

    Nothing changes: this is what views draw while the user drags a selection over a
    territory, so it costs as much as the real incremental update.

    Parameters
    ----------
    metrics
        Live totals of the project.
    positions
        Unit positions (layer order); duplicates count once.
    code
        Position of the destination territory, or ``UNASSIGNED`` (-1).

    Returns
    -------
    numpy.ndarray
        A new array shaped like ``metrics.totals`` (last row: unassigned).
    """
    if not UNASSIGNED <= code < metrics._n:
        raise IndexError(f"there is no territory number {code + 1}")
    positions = np.unique(np.asarray(positions, dtype=np.intp))
    old = metrics.project.plan.codes[positions]
    moving = positions[old != code]
    totals = metrics.totals.copy()
    values = metrics._unit_values[moving]
    # Same arithmetic as TerritoryMetrics._on_units_reassigned, on a copy.
    np.subtract.at(totals, metrics._rows(old[old != code]), values)
    totals[metrics._rows(np.array([code]))[0]] += values.sum(axis=0)
    return totals


def preview_account_move(
    metrics: TerritoryMetrics, account_positions: np.ndarray, territory_id: str | None
) -> np.ndarray:
    """Totals as they would be if these accounts were assigned to ``territory_id``.

    Assigning a named account overrides its unit's territory; ``None`` clears the
    override, so the account follows its unit again. Nothing changes.

    Parameters
    ----------
    metrics
        Live totals of the project.
    account_positions
        Account positions (layer order); duplicates count once.
    territory_id
        The new owner, or ``None`` to clear the overrides.

    Returns
    -------
    numpy.ndarray
        A new array shaped like ``metrics.totals`` (last row: unassigned).
    """
    project = metrics.project
    positions = np.unique(np.asarray(account_positions, dtype=np.intp))
    unit_pos = project.accounts.unit_pos[positions]
    unit_rows = np.where(
        unit_pos >= 0, metrics._rows(project.plan.codes[np.maximum(unit_pos, 0)]), metrics._n
    )
    overrides = project.plan.overrides
    current = [overrides.get(a) for a in project.accounts.ids[positions]]
    old_rows = np.array(
        [metrics._row_of(t, r) for t, r in zip(current, unit_rows, strict=True)], dtype=np.intp
    )
    new_rows = (
        unit_rows
        if territory_id is None
        else np.full(len(positions), project.territory_index(territory_id), dtype=np.intp)
    )
    totals = metrics.totals.copy()
    values = metrics._account_values[positions]
    np.subtract.at(totals, old_rows, values)
    np.add.at(totals, new_rows, values)
    return totals


def _percent(diff: np.ndarray, base: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base != 0, 100.0 * diff / np.where(base == 0, 1.0, base), 0.0)
    return pct


def _max_min_ratio(values: np.ndarray) -> float:
    if len(values) == 0:
        return 1.0
    low = values.min()
    return float(values.max() / low) if low > 0 else float("inf")
