"""The selection model and the attribute tables behind select-by-attribute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from terrmap.core.attributes import attribute_table, selection_totals
from terrmap.core.metrics import TerritoryMetrics
from terrmap.core.selection import Selection, mode_for


def test_modes_combine_positions():
    selection = Selection(10, 5)
    events = []
    selection.changed.connect(lambda: events.append(1))
    selection.select("units", np.array([3, 1, 1]))
    assert selection.positions.tolist() == [1, 3]
    selection.select("units", np.array([2]), "add")
    selection.select("units", np.array([3, 4]), "toggle")
    assert selection.positions.tolist() == [1, 2, 4]
    selection.select("units", np.array([1]), "remove")
    assert selection.positions.tolist() == [2, 4]
    assert 4 in selection
    assert 3 not in selection
    assert len(events) == 4


def test_no_event_without_a_change_and_kind_switch_starts_empty():
    selection = Selection(10, 5)
    selection.select("units", np.array([1, 2]))
    events = []
    selection.changed.connect(lambda: events.append(1))
    selection.select("units", np.array([2, 1]))
    assert events == []
    selection.select("accounts", np.array([0]), "add")
    assert selection.kind == "accounts"
    assert selection.positions.tolist() == [0]


def test_out_of_range_is_refused_and_positions_are_read_only():
    selection = Selection(3, 0)
    with pytest.raises(IndexError):
        selection.select("units", np.array([3]))
    with pytest.raises(IndexError):
        selection.select("accounts", np.array([0]))
    selection.select("units", np.array([0]))
    with pytest.raises(ValueError, match="read-only"):
        selection.positions[0] = 2


def test_modifier_modes():
    assert mode_for(shift=False, ctrl=False) == "replace"
    assert mode_for(shift=True, ctrl=False) == "add"
    assert mode_for(shift=False, ctrl=True) == "toggle"


def test_attribute_table_has_territory_owner_and_unit_metrics(grid_project):
    metrics = TerritoryMetrics(grid_project)
    table = attribute_table(grid_project, metrics, "units")
    assert len(table) == len(grid_project.units)
    first = table.iloc[0]
    assert (first["territory"], first["owner"]) == ("West", "Ana")
    assert pd.isna(table["territory"].iloc[3])  # column 3 is unassigned
    # Revenue per unit as an independent sum over the accounts in it.
    accounts = grid_project.accounts.frame
    expected = accounts.groupby("unit_id")["revenue"].sum()
    by_id = table.set_index("unit_id")["revenue"]
    assert by_id.loc[expected.index].tolist() == expected.tolist()
    account_table = attribute_table(grid_project, metrics, "accounts")
    assert len(account_table) == len(accounts)
    assert pd.isna(account_table["territory"].iloc[-1])  # the account outside every unit


def test_selection_totals_sum_units_and_accounts(grid_project):
    metrics = TerritoryMetrics(grid_project)
    totals = selection_totals(grid_project, metrics, "units", np.array([0, 1]))
    assert totals["accounts"] == 4
    assert totals["revenue"] == pytest.approx(100.0 * 1 * 2)  # units 0 and 1: 0 + 2×100
    account_totals = selection_totals(grid_project, metrics, "accounts", np.array([2, 3]))
    assert account_totals == {"accounts": 2.0, "revenue": 200.0, "visits": 2.0}
