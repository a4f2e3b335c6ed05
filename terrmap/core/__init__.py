"""The territory document: units, accounts, territories, plans, edits and metrics.

Pure Python (geopandas, shapely, numpy): nothing here imports Qt.
"""

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
