"""A sales territory and the rep who owns it."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from terrmap.core.palette import is_hex_color


@dataclass(frozen=True)
class Territory:
    """One territory of a plan.

    Parameters
    ----------
    id
        Stable identifier (e.g. ``"T01"``), unique within a project.
    name
        Display name of the territory.
    owner
        The rep who owns it; empty for a vacant territory.
    color
        Fill colour as ``#RRGGBB``.
    home
        The rep's home as ``(longitude, latitude)``, if known.
    target
        Target share of the balance metric; ``None`` means an equal share.
    parent
        District or region the territory rolls up to, if any.
    """

    id: str
    name: str
    owner: str = ""
    color: str = "#4477AA"
    home: tuple[float, float] | None = None
    target: float | None = None
    parent: str | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("a territory needs a non-empty id")
        if not is_hex_color(self.color):
            raise ValueError(f"territory {self.id}: colour {self.color!r} is not #RRGGBB")
        if self.home is not None:
            lon, lat = self.home
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"territory {self.id}: home {self.home} is not lon/lat")
        if self.target is not None and (math.isnan(self.target) or self.target < 0):
            raise ValueError(f"territory {self.id}: target must be a number ≥ 0")

    @property
    def vacant(self) -> bool:
        """Whether no rep owns the territory."""
        return not self.owner

    def with_changes(self, **changes: object) -> Territory:
        """Return a copy with some fields changed (validated)."""
        return replace(self, **changes)  # type: ignore[arg-type]


TERRITORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Territory))
