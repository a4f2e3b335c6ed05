"""Attribute tables of units and accounts as the user sees them: own columns plus the
territory each belongs to and the metrics the plan counts for it. They feed "select by
attribute" and the selection summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.core.selection import Kind

TERRITORY_COLUMN = "territory"
OWNER_COLUMN = "owner"


def attribute_table(project: Project, metrics: TerritoryMetrics, kind: Kind) -> pd.DataFrame:
    """One row per unit (or account) in layer order, with its territory name and owner.

    Units also get every metric as the plan counts it (accounts, revenue... per unit).
    """
    if kind == "units":
        frame = pd.DataFrame(project.units.frame.drop(columns=project.units.frame.geometry.name))
        frame.insert(0, "unit_id", project.units.ids)
        codes = project.plan.codes
        for column in metrics.columns:
            if column not in frame.columns:
                frame[column] = metrics.unit_values(column)
    else:
        accounts = project.accounts.frame
        frame = pd.DataFrame(accounts.drop(columns=accounts.geometry.name))
        codes = project.account_codes()
    names = np.array([t.name for t in project.territories] + [None], dtype=object)
    owners = np.array([t.owner for t in project.territories] + [None], dtype=object)
    frame[TERRITORY_COLUMN] = names[codes]  # code -1 picks the trailing None
    frame[OWNER_COLUMN] = owners[codes]
    return frame.reset_index(drop=True)


def selection_totals(
    project: Project, metrics: TerritoryMetrics, kind: Kind, positions: np.ndarray
) -> dict[str, float]:
    """Totals of every metric over the selected units (or accounts)."""
    if kind == "units":
        return {c: float(metrics.unit_values(c)[positions].sum()) for c in metrics.columns}
    frame = project.accounts.frame
    totals = {"accounts": float(len(positions))}
    for column in project.accounts.numeric_columns:
        totals[column] = float(pd.to_numeric(frame[column].iloc[positions], errors="coerce").sum())
    return totals
