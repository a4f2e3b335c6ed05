"""The project document: layers, territories and plans, with change signals.

Views and metrics listen to the signals; only edits (`terrmap.core.commands`) call the
mutating primitives, so every change is undoable and announced once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
from psygnal import Signal

from terrmap.core.plan import UNASSIGNED, Plan
from terrmap.core.territory import Territory
from terrmap.errors import EditError

if TYPE_CHECKING:
    # Only for annotations: edits and panels import this module, and the window shows
    # before geopandas has loaded.
    import geopandas as gpd

    from terrmap.core.layers import AccountLayer, UnitLayer

# Shown wherever made-up data could pass for real (the bundled sample is made up).
SYNTHETIC_NOTICE = "Synthetic sample data: accounts and reps are made up."


class Project:
    """A territory-mapping document.

    Parameters
    ----------
    units
        The boundary units territories are made of.
    accounts
        Accounts joined to ``units``; empty if omitted.
    territories
        Territories in display order.
    plans
        Scenarios; one unassigned plan named "Current" if omitted.
    context
        Extra display-only layers, e.g. ``{"states": GeoDataFrame}``.
    metadata
        Free key → value notes (title, sources, ``synthetic``...).
    """

    # Signals describe facts that happened; each fires only for a real change.
    units_reassigned = Signal(object, object, object)  # positions, old codes, new codes
    accounts_reassigned = Signal(object, object, object)  # account ids, old owner ids, new
    territory_inserted = Signal(int)
    territory_removed = Signal(int, object)  # index, the removed Territory
    territory_updated = Signal(int)
    plan_switched = Signal(int)

    def __init__(
        self,
        units: UnitLayer,
        accounts: AccountLayer | None = None,
        territories: Iterable[Territory] = (),
        plans: Iterable[Plan] | None = None,
        context: Mapping[str, gpd.GeoDataFrame] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.units = units
        if accounts is None:
            from terrmap.core.layers import AccountLayer

            accounts = AccountLayer.empty(units)
        self.accounts = accounts
        self._territories: list[Territory] = []
        self._index: dict[str, int] = {}
        for territory in territories:
            self._territories.append(territory)
            self._reindex()
        self.plans: list[Plan] = list(plans) if plans else [Plan.unassigned("Current", len(units))]
        for plan in self.plans:
            self._check_plan(plan)
        self._active = 0
        self.context: dict[str, gpd.GeoDataFrame] = dict(context or {})
        self.metadata: dict[str, str] = dict(metadata or {})

    @property
    def synthetic_notice(self) -> str | None:
        """The notice every view and output shows when the data are made up, else None."""
        if self.metadata.get("synthetic") != "true":
            return None
        return self.metadata.get("notice") or SYNTHETIC_NOTICE

    # -- territories -------------------------------------------------------
    @property
    def territories(self) -> tuple[Territory, ...]:
        """Territories in display order."""
        return tuple(self._territories)

    def territory(self, territory_id: str) -> Territory:
        """The territory with this id."""
        return self._territories[self.territory_index(territory_id)]

    def territory_index(self, territory_id: str) -> int:
        """Position of a territory in the list; `EditError` if unknown."""
        try:
            return self._index[territory_id]
        except KeyError:
            raise EditError(f"unknown territory {territory_id!r}") from None

    def has_territory(self, territory_id: str) -> bool:
        """Whether a territory with this id exists."""
        return territory_id in self._index

    def codes_for(self, territory_ids: Iterable[str | None]) -> np.ndarray:
        """Territory codes for ids (``None`` → unassigned)."""
        return np.array(
            [UNASSIGNED if t is None else self.territory_index(t) for t in territory_ids],
            dtype=np.int32,
        )

    def ids_for(self, codes: np.ndarray) -> list[str | None]:
        """Territory ids for codes (unassigned → ``None``)."""
        return [None if c == UNASSIGNED else self._territories[c].id for c in codes]

    # -- plans -------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The active plan."""
        return self.plans[self._active]

    @property
    def active_plan_index(self) -> int:
        """Position of the active plan in `plans`."""
        return self._active

    def switch_plan(self, index: int) -> None:
        """Make another plan the active one."""
        if not 0 <= index < len(self.plans):
            raise EditError(f"there is no plan number {index + 1}")
        if index != self._active:
            self._active = index
            self.plan_switched.emit(index)

    def territory_of_units(self) -> list[str | None]:
        """For each unit (layer order), its territory id in the active plan."""
        return self.ids_for(self.plan.codes)

    def account_codes(self) -> np.ndarray:
        """Effective territory code of every account: its override, else its unit's."""
        unit_pos = self.accounts.unit_pos
        codes = np.full(len(unit_pos), UNASSIGNED, dtype=np.int32)
        placed = unit_pos >= 0
        codes[placed] = self.plan.codes[unit_pos[placed]]
        if self.plan.overrides:
            pos = self.accounts.positions(list(self.plan.overrides))
            codes[pos] = self.codes_for(self.plan.overrides.values())
        return codes

    # -- primitives called by edits only -----------------------------------
    def set_unit_codes(self, positions: np.ndarray, codes: np.ndarray) -> None:
        """Set unit territory codes and announce the units that really changed."""
        old = self.plan.codes[positions]
        changed = old != codes
        if not changed.any():
            return
        positions, old, new = positions[changed], old[changed], codes[changed]
        self.plan.codes[positions] = new
        self.units_reassigned.emit(positions, old, new)

    def set_account_overrides(
        self, account_ids: list[str], territory_ids: list[str | None]
    ) -> None:
        """Set (or, with ``None``, clear) named-account overrides in the active plan."""
        overrides = self.plan.overrides
        changed_ids, old_ids, new_ids = [], [], []
        for account_id, territory_id in zip(account_ids, territory_ids, strict=True):
            before = overrides.get(account_id)
            if before == territory_id:
                continue
            if territory_id is None:
                del overrides[account_id]
            else:
                overrides[account_id] = territory_id
            changed_ids.append(account_id)
            old_ids.append(before)
            new_ids.append(territory_id)
        if changed_ids:
            self.accounts_reassigned.emit(changed_ids, old_ids, new_ids)

    def insert_territory(self, index: int, territory: Territory) -> None:
        """Insert a territory; codes at and after ``index`` shift up in every plan."""
        if territory.id in self._index:
            raise EditError(f"a territory with id {territory.id!r} already exists")
        index = max(0, min(index, len(self._territories)))
        for plan in self.plans:
            plan.codes[plan.codes >= index] += 1
        self._territories.insert(index, territory)
        self._reindex()
        self.territory_inserted.emit(index)

    def delete_territory(self, index: int) -> Territory:
        """Remove a territory that owns nothing in any plan."""
        territory = self._territories[index]
        for plan in self.plans:
            if (plan.codes == index).any() or territory.id in plan.overrides.values():
                raise EditError(f"territory {territory.id!r} still owns units in {plan.name!r}")
        for plan in self.plans:
            plan.codes[plan.codes > index] -= 1
        del self._territories[index]
        self._reindex()
        self.territory_removed.emit(index, territory)
        return territory

    def replace_territory(self, index: int, territory: Territory) -> None:
        """Replace a territory's attributes (the id must stay the same)."""
        if self._territories[index].id != territory.id:
            raise EditError("a territory's id cannot change")
        if self._territories[index] != territory:
            self._territories[index] = territory
            self.territory_updated.emit(index)

    # -- helpers -----------------------------------------------------------
    def _reindex(self) -> None:
        self._index = {t.id: i for i, t in enumerate(self._territories)}
        if len(self._index) != len(self._territories):
            raise EditError("territory ids must be unique")

    def _check_plan(self, plan: Plan) -> None:
        if len(plan.codes) != len(self.units):
            raise ValueError(
                f"plan {plan.name!r} has {len(plan.codes)} codes for {len(self.units)} units"
            )
        if len(plan.codes) and (
            plan.codes.max(initial=-1) >= len(self._territories) or plan.codes.min() < -1
        ):
            raise ValueError(f"plan {plan.name!r} refers to a territory that does not exist")
