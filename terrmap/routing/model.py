"""Route plans as plain frozen dataclasses: what the solver returns and every export reads.

Times are whole seconds since midnight of the route's own day (local time, no time zone:
a rep's day is planned in the rep's wall-clock time). Distances are metres. Positions are
WGS 84 latitude/longitude in degrees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from terrmap.errors import InputError

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True)
class Place:
    """A named point: a rep's home, an office, a hotel."""

    name: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        _check_position(self.name, self.lat, self.lon)


@dataclass(frozen=True)
class Stop:
    """A place to visit, with how long the visit takes and when it may start.

    Attributes
    ----------
    id, name, address
        The account's id, display name and postal address (address may be empty).
    service_s
        Time spent at the stop, seconds.
    window
        ``(earliest, latest)`` service start, seconds since midnight, or ``None`` for any time.
    visits
        How many visits the stop needs in a week plan, each on a different day.
    priority
        0 normally; higher keeps the stop ahead of lower ones when not all stops fit
        (e.g. accounts long overdue).
    """

    id: str
    name: str
    lat: float
    lon: float
    service_s: int = 0
    window: tuple[int, int] | None = None
    address: str = ""
    visits: int = 1
    priority: int = 0

    def __post_init__(self) -> None:
        _check_position(f"stop {self.id}", self.lat, self.lon)
        if self.service_s < 0:
            raise InputError(f"stop {self.id}: the service time is negative")
        if self.window is not None:
            early, late = self.window
            if not 0 <= early <= late <= SECONDS_PER_DAY:
                raise InputError(
                    f"stop {self.id}: the time window {clock(early)}–{clock(late)} is not "
                    "a window within one day"
                )
        if self.visits < 1:
            raise InputError(f"stop {self.id}: it needs at least one visit")
        if self.priority < 0:
            raise InputError(f"stop {self.id}: the priority cannot be negative")


@dataclass(frozen=True)
class Visit:
    """One stop on a day route, with its timetable and the leg that leads to it.

    ``arrival_s`` is when the rep gets there, ``start_s`` when the visit starts (later than
    arrival when the rep waits for the stop's window to open) and ``departure_s`` when the
    rep leaves. The leg is the drive from the previous point of the route (home or the
    previous stop).
    """

    stop: Stop
    arrival_s: int
    start_s: int
    departure_s: int
    leg_m: float
    leg_s: int
    locked: bool = False

    @property
    def wait_s(self) -> int:
        """Seconds spent waiting for the stop's time window to open."""
        return self.start_s - self.arrival_s


@dataclass(frozen=True)
class Break:
    """A break (lunch) taken after ``after`` visits of the day (0: before the first)."""

    after: int
    start_s: int
    end_s: int


@dataclass(frozen=True)
class DayRoute:
    """One day: from ``start`` through the visits to ``end``.

    ``legs`` holds the drawn path of each leg, one more than there are visits (the last leg
    returns to ``end``); a straight-line leg is just its two end points.
    """

    date: dt.date
    start: Place
    end: Place
    depart_s: int
    visits: tuple[Visit, ...]
    return_m: float
    return_s: int
    legs: tuple[tuple[tuple[float, float], ...], ...] = ()
    lunch: Break | None = None

    @property
    def end_s(self) -> int:
        """When the rep is back at the end point."""
        last = self.visits[-1].departure_s if self.visits else self.depart_s
        if self.lunch is not None and self.lunch.after == len(self.visits):
            last = max(last, self.lunch.end_s)
        return last + self.return_s

    @property
    def distance_m(self) -> float:
        """Total driving distance of the day."""
        return sum(v.leg_m for v in self.visits) + self.return_m

    @property
    def drive_s(self) -> int:
        """Total driving time of the day."""
        return sum(v.leg_s for v in self.visits) + self.return_s

    @property
    def service_s(self) -> int:
        """Total time spent at stops."""
        return sum(v.departure_s - v.start_s for v in self.visits)


@dataclass(frozen=True)
class Unplaced:
    """A stop (or one of its visits) the plan could not fit, and why."""

    stop: Stop
    reason: str


@dataclass(frozen=True)
class RoutePlan:
    """A rep's routes for one day or one week, and the stops that did not fit.

    Attributes
    ----------
    distances
        How leg distances were measured, for the user: ``"straight line × 1.3 at 50 km/h"``
        or ``"roads of bangor_maine.osm.pbf"``.
    """

    rep_id: str
    rep_name: str
    days: tuple[DayRoute, ...]
    unplaced: tuple[Unplaced, ...] = ()
    distances: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def distance_m(self) -> float:
        return sum(day.distance_m for day in self.days)

    @property
    def drive_s(self) -> int:
        return sum(day.drive_s for day in self.days)

    @property
    def visit_count(self) -> int:
        return sum(len(day.visits) for day in self.days)


def clock(seconds: int) -> str:
    """``HH:MM`` for seconds since midnight (``24:00`` and beyond allowed)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def at(date: dt.date, seconds: int) -> dt.datetime:
    """The naive local date-time ``seconds`` after midnight of ``date``."""
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=int(seconds))


def _check_position(what: str, lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InputError(f"{what}: ({lat}, {lon}) is not a latitude/longitude position")
