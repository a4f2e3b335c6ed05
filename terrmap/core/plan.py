"""A plan (scenario): which territory each unit belongs to, plus named-account overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNASSIGNED = -1


@dataclass
class Plan:
    """One alignment of units to territories.

    Parameters
    ----------
    name
        Scenario name shown to the user.
    codes
        For each unit (in unit-layer order), the position of its territory in the
        project's territory list, or ``UNASSIGNED`` (-1).
    overrides
        Named accounts assigned to a territory other than their unit's:
        account id → territory id.
    """

    name: str
    codes: np.ndarray
    overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.codes = np.asarray(self.codes, dtype=np.int32)
        if self.codes.ndim != 1:
            raise ValueError("plan codes must be one-dimensional")

    @classmethod
    def unassigned(cls, name: str, n_units: int) -> Plan:
        """A plan with every unit unassigned."""
        return cls(name, np.full(n_units, UNASSIGNED, dtype=np.int32))

    def copy(self, name: str | None = None) -> Plan:
        """An independent copy, optionally renamed."""
        return Plan(name or self.name, self.codes.copy(), dict(self.overrides))
