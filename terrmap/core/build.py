"""Build plans from plain mappings (alignment files, optimiser output, samples)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from terrmap.core.layers import UnitLayer
from terrmap.core.plan import UNASSIGNED, Plan
from terrmap.core.territory import Territory


def plan_from_assignment(
    units: UnitLayer,
    territories: Sequence[Territory],
    assignment: Mapping[str, str | None],
    name: str = "Current",
) -> tuple[Plan, list[str]]:
    """Make a plan from ``unit id → territory id``.

    Units missing from ``assignment`` stay unassigned. Returns the plan and a list of
    problems (unknown unit or territory ids), each a user-facing sentence.
    """
    index = {t.id: i for i, t in enumerate(territories)}
    codes = np.full(len(units), UNASSIGNED, dtype=np.int32)
    positions = units.frame.index.get_indexer(list(assignment))
    problems: list[str] = []
    for position, (unit_id, territory_id) in zip(positions, assignment.items(), strict=True):
        if position < 0:
            problems.append(f"unknown unit id {unit_id!r}")
        elif territory_id is not None and territory_id not in index:
            problems.append(f"unit {unit_id!r}: unknown territory {territory_id!r}")
        elif territory_id is not None:
            codes[position] = index[territory_id]
    return Plan(name, codes), problems
