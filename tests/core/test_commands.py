"""Edits change the project, announce the change, and reverse exactly."""

from __future__ import annotations

import copy

import pytest

from terrmap.core import (
    AddTerritory,
    AssignAccounts,
    AssignUnits,
    CompoundEdit,
    RemoveTerritory,
    Territory,
    UpdateTerritory,
)
from terrmap.core.plan import Plan
from terrmap.core.testing import assert_plan_equal
from terrmap.errors import EditError


def snapshot(project):
    clone = copy.copy(project)
    clone._territories = list(project._territories)
    clone.plans = [p.copy() for p in project.plans]
    return clone


def round_trip(project, edit):
    before = snapshot(project)
    reverse = edit.apply(project)
    after = snapshot(project)
    redo = reverse.apply(project)
    assert_plan_equal(project, before)
    redo.apply(project)
    assert_plan_equal(project, after)
    return after


def test_assign_units_moves_units_and_reverses(grid_project):
    after = round_trip(grid_project, AssignUnits(("r0c0", "r1c3"), "T2"))
    owners = dict(zip(after.units.ids, after.territory_of_units(), strict=True))
    assert owners["r0c0"] == "T2"
    assert owners["r1c3"] == "T2"
    assert owners["r0c1"] == "T1"


def test_assign_units_signal_reports_only_real_changes(grid_project):
    seen = []
    grid_project.units_reassigned.connect(lambda pos, old, new: seen.append((list(pos), old, new)))
    AssignUnits(("r0c0", "r0c2"), "T2").apply(grid_project)  # r0c2 already T2
    assert len(seen) == 1
    positions, old, new = seen[0]
    assert [grid_project.units.ids[p] for p in positions] == ["r0c0"]
    assert list(old) == [0]
    assert list(new) == [1]


def test_unknown_ids_raise_and_change_nothing(grid_project):
    before = snapshot(grid_project)
    with pytest.raises(EditError, match="unknown unit"):
        AssignUnits(("r0c0", "nope"), "T2").apply(grid_project)
    with pytest.raises(EditError, match="unknown territory"):
        AssignUnits(("r0c0",), "T9").apply(grid_project)
    assert_plan_equal(grid_project, before)


def test_account_override_round_trip(grid_project):
    after = round_trip(grid_project, AssignAccounts(("A000", "A001"), "T3"))
    assert after.plan.overrides == {"A000": "T3", "A001": "T3"}


def test_add_update_remove_territory_round_trip(grid_project):
    round_trip(grid_project, AddTerritory(Territory("T4", "North", color="#CCBB44"), index=1))
    assert [t.id for t in grid_project.territories] == ["T1", "T4", "T2", "T3"]
    # Codes shifted: units of T2 still belong to T2.
    assert grid_project.territory_of_units()[2] == "T2"
    round_trip(grid_project, UpdateTerritory.of("T4", name="Northern", owner="Cy"))
    assert grid_project.territory("T4").owner == "Cy"


def test_remove_territory_unassigns_units_in_every_plan(grid_project):
    grid_project.plans.append(grid_project.plan.copy("Scenario B"))
    AssignAccounts(("A100",), "T1").apply(grid_project)
    before = snapshot(grid_project)
    reverse = RemoveTerritory("T1").apply(grid_project)
    assert not grid_project.has_territory("T1")
    for plan in grid_project.plans:
        assert (plan.codes == -1).sum() == 9  # 6 of T1 plus 3 already unassigned
    assert grid_project.plan.overrides == {}
    reverse.apply(grid_project)
    assert_plan_equal(grid_project, before)
    grid_project.switch_plan(1)
    assert grid_project.territory_of_units()[0] == "T1"


def test_update_rejects_bad_values(grid_project):
    with pytest.raises(EditError, match="colour"):
        UpdateTerritory.of("T1", color="blue").apply(grid_project)
    with pytest.raises(EditError, match="no editable field"):
        UpdateTerritory.of("T1", id="X")


def test_compound_edit_is_atomic(grid_project):
    before = snapshot(grid_project)
    edit = CompoundEdit((AssignUnits(("r0c0",), "T2"), AssignUnits(("bad",), "T2")), "Broken")
    with pytest.raises(EditError):
        edit.apply(grid_project)
    assert_plan_equal(grid_project, before)


def test_plan_validates_codes(grid_project):
    with pytest.raises(ValueError, match="codes"):
        type(grid_project)(grid_project.units, plans=[Plan("bad", [0, 1])])
