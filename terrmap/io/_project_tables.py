"""Project parts as plain tables: territories, plans, assignments and account overrides.

These are the attribute tables of a project file; each ``*_table`` function builds one
from a project and the ``*_from_*`` functions rebuild the core objects from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from terrmap.core.layers import UnitLayer
from terrmap.core.plan import UNASSIGNED, Plan
from terrmap.core.project import Project
from terrmap.core.territory import Territory


def territory_table(project: Project) -> pd.DataFrame:
    rows = project.territories
    homes = [t.home or (np.nan, np.nan) for t in rows]
    return pd.DataFrame(
        {
            "id": pd.Series([t.id for t in rows], dtype="str"),
            "name": pd.Series([t.name for t in rows], dtype="str"),
            "owner": pd.Series([t.owner for t in rows], dtype="str"),
            "color": pd.Series([t.color for t in rows], dtype="str"),
            "home_lon": pd.Series([h[0] for h in homes], dtype=float),
            "home_lat": pd.Series([h[1] for h in homes], dtype=float),
            "target": pd.Series(
                [np.nan if t.target is None else t.target for t in rows], dtype=float
            ),
            "parent": pd.Series([t.parent for t in rows], dtype="str"),
            "position": pd.Series(range(len(rows)), dtype="int64"),
        }
    )


def plan_table(project: Project) -> pd.DataFrame:
    plans = project.plans
    return pd.DataFrame(
        {
            "name": pd.Series([p.name for p in plans], dtype="str"),
            "position": pd.Series(range(len(plans)), dtype="int64"),
            "active": pd.Series([i == project.active_plan_index for i in range(len(plans))]),
        }
    )


def assignment_table(project: Project) -> pd.DataFrame:
    # Only assigned units get a row: an absent unit is unassigned, which keeps the
    # table small for a national layer mostly left unassigned.
    territory_ids = np.array([t.id for t in project.territories] or [""], dtype=object)
    parts = []
    for plan in project.plans:
        assigned = plan.codes != UNASSIGNED
        parts.append(
            pd.DataFrame(
                {
                    "plan": plan.name,
                    "unit_id": project.units.ids[assigned],
                    "territory_id": territory_ids[plan.codes[assigned]],
                }
            )
        )
    return _string_table(parts, ["plan", "unit_id", "territory_id"])


def override_table(project: Project) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "plan": plan.name,
                "account_id": list(plan.overrides),
                "territory_id": list(plan.overrides.values()),
            }
        )
        for plan in project.plans
        if plan.overrides
    ]
    return _string_table(parts, ["plan", "account_id", "territory_id"])


def _string_table(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    frame = pd.concat([empty, *parts], ignore_index=True) if parts else empty
    return frame.astype("str")


def territories_from_table(table: pd.DataFrame) -> list[Territory]:
    """Territories in saved order from the ``territories`` table."""
    territories = []
    for row in table.sort_values("position", kind="stable").itertuples(index=False):
        has_home = not (pd.isna(row.home_lon) or pd.isna(row.home_lat))
        territories.append(
            Territory(
                id=str(row.id),
                name=_text(row.name),
                owner=_text(row.owner),
                color=str(row.color),
                home=(float(row.home_lon), float(row.home_lat)) if has_home else None,
                target=None if pd.isna(row.target) else float(row.target),
                parent=None if pd.isna(row.parent) else str(row.parent),
            )
        )
    return territories


def plans_from_tables(
    table: pd.DataFrame,
    assignments: pd.DataFrame,
    overrides: pd.DataFrame,
    units: UnitLayer,
    territories: list[Territory],
) -> tuple[list[Plan], int]:
    """Plans in saved order and the position of the active one.

    Raises ``ValueError`` when an assignment names a unit or territory the file lacks.
    """
    table = table.sort_values("position", kind="stable")
    territory_index = pd.Index([t.id for t in territories])
    plans = []
    for name in table["name"].astype(str):
        rows = assignments[assignments["plan"] == name]
        codes = np.full(len(units), UNASSIGNED, dtype=np.int32)
        positions = units.frame.index.get_indexer(rows["unit_id"].astype(object))
        targets = territory_index.get_indexer(rows["territory_id"].astype(object))
        if (positions < 0).any() or (targets < 0).any():
            raise ValueError(f"plan {name!r} assigns an unknown unit or territory")
        codes[positions] = targets
        chosen = overrides[overrides["plan"] == name]
        named = dict(
            zip(chosen["account_id"].astype(str), chosen["territory_id"].astype(str), strict=True)
        )
        plans.append(Plan(name, codes, named))
    active = np.flatnonzero(table["active"].fillna(False).astype(bool).to_numpy())
    return plans, int(active[0]) if len(active) else 0


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)
