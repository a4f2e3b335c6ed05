"""What a route is asked for: the rep, the stops, the days and the working-day rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from terrmap.errors import InputError
from terrmap.routing.distances import DEFAULT_DETOUR, DEFAULT_SPEED_KMH
from terrmap.routing.model import SECONDS_PER_DAY, Place, Stop, clock


def parse_place(text: str, name: str, *, field: str | None = None) -> Place | None:
    """The place ``name`` at ``"lat, lon"`` (degrees); ``None`` for blank text.

    ``field`` names where the text came from in error messages (default ``name``).

    Raises
    ------
    InputError
        The text is not two numbers, or not a latitude/longitude pair.
    """
    if not text.strip():
        return None
    parts = text.replace(";", ",").split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InputError(
            f"{field or name}: {text.strip()!r} is not 'latitude, longitude'"
        ) from None
    return Place(name, lat, lon)


@dataclass(frozen=True)
class Lunch:
    """A break of ``duration_s`` starting between ``earliest_s`` and ``latest_s``."""

    earliest_s: int = 12 * 3600
    latest_s: int = 14 * 3600
    duration_s: int = 30 * 60

    def __post_init__(self) -> None:
        if not 0 <= self.earliest_s <= self.latest_s <= SECONDS_PER_DAY:
            raise InputError(
                f"the lunch window {clock(self.earliest_s)}–{clock(self.latest_s)} "
                "is not a window within one day"
            )
        if self.duration_s < 0:
            raise InputError("the lunch break cannot be negative")


@dataclass(frozen=True)
class DayRules:
    """When the working day starts, how long it may last (home to home) and the lunch break."""

    start_s: int = 8 * 3600
    length_s: int = 9 * 3600
    lunch: Lunch | None = field(default_factory=Lunch)

    def __post_init__(self) -> None:
        if not 0 <= self.start_s < SECONDS_PER_DAY:
            raise InputError(f"the day cannot start at {clock(self.start_s)}")
        if not 0 < self.length_s <= SECONDS_PER_DAY:
            raise InputError("the day length must be between 1 second and 24 hours")
        lunch = self.lunch.duration_s if self.lunch else 0
        if lunch >= self.length_s:
            raise InputError("the lunch break is as long as the whole day")

    @property
    def end_s(self) -> int:
        """Latest time back at the end point."""
        return self.start_s + self.length_s


@dataclass(frozen=True)
class RouteRequest:
    """A rep's stops to route over one day or several.

    Attributes
    ----------
    dates
        The working days: one for a day route, several for a week plan.
    end
        Where each day ends; ``None`` means back at ``start``.
    time_limit
        Seconds the solver may search.
    seed
        Seed of the randomised solver; equal inputs and seed give the same plan.
    """

    rep_id: str
    rep_name: str
    start: Place
    stops: tuple[Stop, ...]
    dates: tuple[dt.date, ...]
    day: DayRules = field(default_factory=DayRules)
    end: Place | None = None
    detour: float = DEFAULT_DETOUR
    speed_kmh: float = DEFAULT_SPEED_KMH
    time_limit: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.dates:
            raise InputError("a route needs at least one working day")
        if len(set(self.dates)) != len(self.dates):
            raise InputError("the same working day is listed twice")
        ids = [s.id for s in self.stops]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise InputError(f"stop {dup} is listed twice")
        if self.time_limit <= 0:
            raise InputError("the time limit must be above 0 seconds")

    @property
    def finish(self) -> Place:
        """Where each day ends."""
        return self.end or self.start
