"""Edits of a project as reversible values.

Each edit is a frozen dataclass whose ``apply(project)`` changes the project and returns
the edit that undoes it. The UI wraps edits in one generic QUndoCommand; the CLI and the
optimiser apply the same edits, so every change follows one path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from terrmap.core.plan import UNASSIGNED
from terrmap.core.project import Project
from terrmap.core.territory import TERRITORY_FIELDS, Territory
from terrmap.errors import EditError


class Edit(Protocol):
    """What every edit provides."""

    def apply(self, project: Project) -> Edit:
        """Change ``project`` and return the edit that reverses the change."""
        ...

    def describe(self) -> str:
        """A short phrase for the undo history, e.g. "Assign 12 units to T03"."""
        ...


def _broadcast(ids: Sequence[str], targets: str | Sequence[str | None] | None) -> list[str | None]:
    if targets is None or isinstance(targets, str):
        return [targets] * len(ids)
    if len(targets) != len(ids):
        raise EditError("each id needs exactly one territory")
    return list(targets)


@dataclass(frozen=True)
class AssignUnits:
    """Assign units to territories (``None`` = unassigned).

    ``territory_ids`` is one id for all units, or one per unit.
    """

    unit_ids: tuple[str, ...]
    territory_ids: str | tuple[str | None, ...] | None

    def apply(self, project: Project) -> AssignUnits:
        positions = project.units.positions(list(self.unit_ids))
        targets = _broadcast(self.unit_ids, self.territory_ids)
        old_ids = project.ids_for(project.plan.codes[positions])
        project.set_unit_codes(positions, project.codes_for(targets))
        return AssignUnits(self.unit_ids, tuple(old_ids))

    def describe(self) -> str:
        count = len(self.unit_ids)
        noun = "unit" if count == 1 else "units"
        if isinstance(self.territory_ids, tuple):
            return f"Reassign {count} {noun}"
        if self.territory_ids is None:
            return f"Unassign {count} {noun}"
        return f"Assign {count} {noun} to {self.territory_ids}"


@dataclass(frozen=True)
class AssignAccounts:
    """Assign named accounts to territories, overriding their unit's owner.

    ``None`` clears the override so the account follows its unit again.
    """

    account_ids: tuple[str, ...]
    territory_ids: str | tuple[str | None, ...] | None

    def apply(self, project: Project) -> AssignAccounts:
        project.accounts.positions(list(self.account_ids))  # validates ids
        targets = _broadcast(self.account_ids, self.territory_ids)
        for target in targets:
            if target is not None:
                project.territory_index(target)
        old = tuple(project.plan.overrides.get(a) for a in self.account_ids)
        project.set_account_overrides(list(self.account_ids), targets)
        return AssignAccounts(self.account_ids, old)

    def describe(self) -> str:
        count = len(self.account_ids)
        noun = "account" if count == 1 else "accounts"
        if isinstance(self.territory_ids, str):
            return f"Assign {count} {noun} to {self.territory_ids}"
        return f"Reassign {count} {noun}"


@dataclass(frozen=True)
class AddTerritory:
    """Add a territory at ``index`` (the end if ``None``)."""

    territory: Territory
    index: int | None = None

    def apply(self, project: Project) -> Edit:
        index = len(project.territories) if self.index is None else self.index
        project.insert_territory(index, self.territory)
        return RemoveTerritory(self.territory.id)

    def describe(self) -> str:
        return f"Add territory {self.territory.name}"


@dataclass(frozen=True)
class RemoveTerritory:
    """Delete a territory: its units become unassigned and its overrides are cleared."""

    territory_id: str

    def apply(self, project: Project) -> Edit:
        index = project.territory_index(self.territory_id)
        steps: list[Edit] = []
        owning = _plans_owning(project, index)
        for plan_index in owning:
            plan = project.plans[plan_index]
            units = tuple(project.units.ids[plan.codes == index])
            accounts = tuple(a for a, t in plan.overrides.items() if t == self.territory_id)
            steps += [
                _SwitchPlan(plan_index),
                AssignUnits(units, None),
                AssignAccounts(accounts, None),
            ]
        if owning:
            steps.append(_SwitchPlan(project.active_plan_index))
        steps.append(_DeleteTerritory(self.territory_id))
        return CompoundEdit(tuple(steps), self.describe()).apply(project)

    def describe(self) -> str:
        return f"Delete territory {self.territory_id}"


@dataclass(frozen=True)
class UpdateTerritory:
    """Change attributes (name, owner, colour, home, target, parent) of a territory."""

    territory_id: str
    changes: tuple[tuple[str, object], ...]

    @classmethod
    def of(cls, territory_id: str, **changes: object) -> UpdateTerritory:
        """Build an update from keywords: ``UpdateTerritory.of("T1", name="East")``."""
        return cls(territory_id, tuple(sorted(changes.items())))

    def __post_init__(self) -> None:
        for name, _ in self.changes:
            if name not in TERRITORY_FIELDS or name == "id":
                raise EditError(f"a territory has no editable field {name!r}")

    def apply(self, project: Project) -> UpdateTerritory:
        index = project.territory_index(self.territory_id)
        before = project.territories[index]
        try:
            after = before.with_changes(**dict(self.changes))
        except ValueError as error:
            raise EditError(str(error)) from None
        project.replace_territory(index, after)
        return UpdateTerritory(
            self.territory_id, tuple((k, getattr(before, k)) for k, _ in self.changes)
        )

    def describe(self) -> str:
        fields_changed = ", ".join(k for k, _ in self.changes)
        return f"Change {fields_changed} of {self.territory_id}"


@dataclass(frozen=True)
class CompoundEdit:
    """Several edits applied in order as one undo step."""

    edits: tuple[Edit, ...]
    text: str = field(default="Edit")

    def apply(self, project: Project) -> CompoundEdit:
        reverses: list[Edit] = []
        try:
            for edit in self.edits:
                reverses.append(edit.apply(project))
        except Exception:
            # Leave the project as it was: undo what this compound already did.
            for reverse in reversed(reverses):
                reverse.apply(project)
            raise
        return CompoundEdit(tuple(reversed(reverses)), f"Undo {self.text}")

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class _DeleteTerritory:
    """Internal: delete a territory that owns nothing any more."""

    territory_id: str

    def apply(self, project: Project) -> AddTerritory:
        index = project.territory_index(self.territory_id)
        return AddTerritory(project.delete_territory(index), index)

    def describe(self) -> str:
        return f"Delete territory {self.territory_id}"


@dataclass(frozen=True)
class _SwitchPlan:
    """Internal: make another plan active (used inside multi-plan edits)."""

    plan_index: int

    def apply(self, project: Project) -> _SwitchPlan:
        before = project.active_plan_index
        project.switch_plan(self.plan_index)
        return _SwitchPlan(before)

    def describe(self) -> str:
        return "Switch plan"


def _plans_owning(project: Project, index: int) -> list[int]:
    territory_id = project.territories[index].id
    return [
        i
        for i, plan in enumerate(project.plans)
        if (plan.codes == index).any() or territory_id in plan.overrides.values()
    ]


def assign_all_units(project: Project, mapping: dict[str, str | None], text: str) -> CompoundEdit:
    """An edit that sets the territory of every unit named in ``mapping`` (one undo step)."""
    unit_ids = tuple(mapping)
    targets = tuple(mapping[u] for u in unit_ids)
    for target in set(targets) - {None}:
        project.territory_index(target)  # type: ignore[arg-type]
    return CompoundEdit((AssignUnits(unit_ids, targets),), text)


__all__ = [
    "UNASSIGNED",
    "AddTerritory",
    "AssignAccounts",
    "AssignUnits",
    "CompoundEdit",
    "Edit",
    "RemoveTerritory",
    "UpdateTerritory",
    "assign_all_units",
]
