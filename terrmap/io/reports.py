"""Reports to share: the per-territory summary and the account → owner list, as CSV.

One builder per table, and writers that only lay them out, so the CSV files and the
workbook (`terrmap.io.report_workbook`) hold the same columns and values:

- `territory_summary`: one row per territory (id, name, owner, parent, units, accounts,
  area, the total of each metric, and the balance of the first metric: target, deviation
  from it in percent, in band), then the unassigned row. `write_summary_csv` writes it.
- `account_owner_rows`: account id, name, owner (the rep's name), territory id and name, in
  the layout CRMs import (id, name, owner first). `write_accounts_csv` writes it.
- `alignment_rows`: what ``terrmap export-alignment`` writes (``unit_id,territory,...``).

CSV files are UTF-8 with a byte-order mark (Excel then reads accents right) and text from
data goes through `terrmap.io.csv_safety.safe`. Every file is written whole or not at all
(`terrmap.io.atomic`). No Qt here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from terrmap.core.plan import UNASSIGNED
from terrmap.io.atomic import write_bytes_atomic
from terrmap.io.csv_safety import safe

if TYPE_CHECKING:
    from terrmap.core.metrics import BalanceSummary
    from terrmap.core.project import Project

__all__ = [
    "ACCOUNT_COLUMNS",
    "TerritorySummary",
    "account_owner_rows",
    "alignment_rows",
    "territory_summary",
    "write_accounts_csv",
    "write_summary_csv",
]

Cell = str | int | float | bool
"""A table cell as the CSV and workbook writers take it."""

ACCOUNT_COLUMNS = ("account_id", "name", "owner", "territory_id", "territory_name")
"""The account → owner list: the CRM import layout, id, name and owner first."""

SUMMARY_LEAD_COLUMNS = ("territory_id", "name", "owner", "parent", "units", "accounts", "area_km2")
SUMMARY_BALANCE_COLUMNS = ("target", "deviation_pct", "in_band")
UNASSIGNED_LABEL = "unassigned"
TOTAL_LABEL = "Total"


@dataclass(frozen=True)
class TerritorySummary:
    """Per-territory totals of chosen metrics and the balance of the first one.

    Attributes
    ----------
    project
        The project summarised (its active plan).
    metrics
        The metric columns summed, in order; the balance is on the first (or on the
        account count when there is none).
    totals
        `TerritoryMetrics.frame`: one row per territory id, then ``"unassigned"``.
    balance
        Target, deviation and band of each territory on the balance metric.
    """

    project: Project
    metrics: tuple[str, ...]
    totals: pd.DataFrame
    balance: BalanceSummary

    @property
    def columns(self) -> tuple[str, ...]:
        """Header of the summary table (CSV and the "Territories" sheet)."""
        return (*SUMMARY_LEAD_COLUMNS, *self.metrics, *SUMMARY_BALANCE_COLUMNS)

    def rows(self) -> list[list[Cell]]:
        """One row per territory in display order, then the unassigned row.

        Counts are ints, areas km² to 0.01, metric totals and targets floats, the deviation
        a percentage (``+12.5``) to 4 decimals, ``in_band`` a bool. The unassigned row has
        an empty id, ``"unassigned"`` as its name and no balance cells.
        """
        rows: list[list[Cell]] = []
        territories = self.project.territories
        for territory, balance in zip(territories, self.balance.rows, strict=True):
            totals = self.totals.loc[territory.id]
            rows.append(
                [
                    territory.id,
                    territory.name,
                    territory.owner,
                    territory.parent or "",
                    *self._numbers(totals),
                    float(balance.target),
                    round(float(balance.deviation_pct), 4),
                    bool(balance.in_band),
                ]
            )
        unassigned = self.totals.iloc[-1]
        rows.append(["", UNASSIGNED_LABEL, "", "", *self._numbers(unassigned), "", "", ""])
        return rows

    def total_row(self) -> list[Cell]:
        """Column sums of `rows` (territories and unassigned): the whole project.

        The deviation and band cells are empty; the target total is the assigned total of
        the balance metric.
        """
        rows = self.rows()
        total: list[Cell] = ["", TOTAL_LABEL, "", ""]
        # units ... target: every column but the text lead and the deviation and band.
        for column in range(SUMMARY_LEAD_COLUMNS.index("units"), len(self.columns) - 2):
            values = [row[column] for row in rows if row[column] != ""]
            summed = sum(values)
            total.append(int(summed) if all(isinstance(v, int) for v in values) else summed)
        return [*total, "", ""]

    def _numbers(self, totals: pd.Series) -> list[Cell]:
        return [
            round(float(totals["units"])),
            round(float(totals["accounts"])),
            round(float(totals["area_km2"]), 2),
            *(float(totals[m]) for m in self.metrics),
        ]


def territory_summary(
    project: Project, metrics: Sequence[str] | None = None, tolerance_pct: float = 5.0
) -> TerritorySummary:
    """Totals per territory for ``metrics`` (default: every numeric account column).

    Parameters
    ----------
    project
        The project; its active plan decides who owns what.
    metrics
        Metric columns to sum (see `TerritoryMetrics.columns`); duplicates count once.
    tolerance_pct
        Half-width of the balance band around each target, in percent.

    Raises
    ------
    TerrmapError
        A metric is not a column of the project.
    """
    from terrmap.core.metrics import balance_table, report_metrics

    live, chosen = report_metrics(project, metrics)
    balance = balance_table(live, chosen[0] if chosen else "accounts", tolerance_pct)
    return TerritorySummary(project, tuple(chosen), live.frame(), balance)


def account_owner_rows(project: Project) -> list[list[str]]:
    """``account_id, name, owner, territory_id, territory_name`` for every account.

    Accounts are in layer order; the territory is the effective one (a named-account
    override, else the unit's). The owner is the territory's rep, empty when the territory
    is vacant; all three territory cells are empty for an unassigned account.
    """
    territories = project.territories
    names = project.accounts.frame["name"]
    names = names.astype(object).where(names.notna(), "").astype(str).to_numpy()
    rows = []
    for account_id, name, code in zip(
        project.accounts.ids, names, project.account_codes(), strict=True
    ):
        if code == UNASSIGNED:
            rows.append([str(account_id), name, "", "", ""])
        else:
            t = territories[code]
            rows.append([str(account_id), name, t.owner, t.id, t.name])
    return rows


def alignment_rows(project: Project) -> list[list[str]]:
    """``unit_id, territory, territory_name, owner`` per unit, as ``export-alignment`` writes."""
    territories = project.territories
    rows = []
    for unit_id, code in zip(project.units.ids, project.plan.codes, strict=True):
        if code == UNASSIGNED:
            rows.append([str(unit_id), "", "", ""])
        else:
            t = territories[code]
            rows.append([str(unit_id), t.id, t.name, t.owner])
    return rows


# -- CSV ---------------------------------------------------------------------
def write_summary_csv(summary: TerritorySummary, out_path: str | Path) -> None:
    """Write the summary table as CSV: header, territories, the unassigned row.

    No totals row: a CSV is data for other tools, where a sum row would count twice.
    """
    _write_csv(out_path, summary.columns, summary.rows())


def write_accounts_csv(project: Project, out_path: str | Path) -> int:
    """Write the account → owner list (`ACCOUNT_COLUMNS`) as CSV; return the row count."""
    rows = account_owner_rows(project)
    _write_csv(out_path, ACCOUNT_COLUMNS, rows)
    return len(rows)


def _write_csv(out_path: str | Path, header: Sequence[str], rows: list[list[Cell]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe(c) if isinstance(c, str) else c for c in row] for row in rows)
    write_bytes_atomic(out_path, buffer.getvalue().encode("utf-8-sig"))
