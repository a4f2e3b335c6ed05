"""The territory document: units, accounts, territories, plans, edits and metrics.

Pure Python (geopandas, shapely, numpy): nothing here imports Qt. Names are imported
lazily (PEP 562) so that light modules such as `terrmap.core.palette` do not pull in
geopandas: the app shows its window before the heavy libraries have loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "AddTerritory": "commands",
    "AssignAccounts": "commands",
    "AssignUnits": "commands",
    "CompoundEdit": "commands",
    "Edit": "commands",
    "RemoveTerritory": "commands",
    "UpdateTerritory": "commands",
    "AccountLayer": "layers",
    "UnitLayer": "layers",
    "BalanceRow": "metrics",
    "TerritoryMetrics": "metrics",
    "balance_table": "metrics",
    "Plan": "plan",
    "Project": "project",
    "Territory": "territory",
}

__all__ = [
    "AccountLayer",
    "AddTerritory",
    "AssignAccounts",
    "AssignUnits",
    "BalanceRow",
    "CompoundEdit",
    "Edit",
    "Plan",
    "Project",
    "RemoveTerritory",
    "Territory",
    "TerritoryMetrics",
    "UnitLayer",
    "UpdateTerritory",
    "balance_table",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'terrmap.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"terrmap.core.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from terrmap.core.commands import (
        AddTerritory,
        AssignAccounts,
        AssignUnits,
        CompoundEdit,
        Edit,
        RemoveTerritory,
        UpdateTerritory,
    )
    from terrmap.core.layers import AccountLayer, UnitLayer
    from terrmap.core.metrics import BalanceRow, TerritoryMetrics, balance_table
    from terrmap.core.plan import Plan
    from terrmap.core.project import Project
    from terrmap.core.territory import Territory
