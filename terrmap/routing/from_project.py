"""Stops and homes from a project: a rep's accounts, the ones due for a visit, their columns.

Account columns used when present (case-insensitive): ``visit_minutes`` / ``service_minutes``
/ ``service_min`` (time at the account), ``window_start`` + ``window_end`` or ``opens`` +
``closes`` (``HH:MM``; when a visit may start), ``visits_per_year`` and ``last_visit``
(``YYYY-MM-DD``; which accounts are due), and ``street``, ``city``, ``state``, ``zip`` for
the address shown in exports.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from terrmap.errors import InputError
from terrmap.routing.model import Place, Stop
from terrmap.routing.request import RouteRequest

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.core.territory import Territory

SERVICE_COLUMNS = ("visit_minutes", "service_minutes", "service_min")
WINDOW_COLUMNS = (("window_start", "window_end"), ("opens", "closes"))
ADDRESS_COLUMNS = ("street", "city", "state", "zip")
DEFAULT_SERVICE_MIN = 30.0
# Accounts this many days past due (or never visited) come before merely overdue ones.
OVERDUE_DAYS = 30


def find_territory(project: Project, rep: str) -> Territory:
    """The territory whose id, rep (owner) or name is ``rep`` (case-insensitive)."""
    wanted = rep.strip().casefold()
    for field in ("id", "owner", "name"):
        for territory in project.territories:
            if str(getattr(territory, field)).casefold() == wanted:
                return territory
    known = ", ".join(t.id for t in project.territories)
    raise InputError(f"no territory or rep called {rep!r}; the project has {known}")


def rep_home(territory: Territory) -> Place:
    """The rep's home; an error telling how to set one when the territory has none."""
    if territory.home is None:
        raise InputError(
            f"territory {territory.id} ({territory.owner or 'vacant'}) has no home location; "
            "set the rep's home first"
        )
    lon, lat = territory.home
    return Place(territory.owner or territory.name, lat, lon)


def rep_account_positions(project: Project, territory: Territory) -> np.ndarray:
    """Layer positions of the accounts the territory owns."""
    codes = project.account_codes()
    return np.flatnonzero(codes == project.territory_index(territory.id))


def due_visits(
    project: Project, positions: np.ndarray, week_start: dt.date, days: int = 5
) -> dict[int, int]:
    """Accounts due in the week from ``week_start``, and how many visits each needs that week.

    An account is due when its last visit plus the interval (365 / ``visits_per_year``) falls
    on or before the week's last working day, or when it has never been visited. Accounts
    visited more often than weekly get several visits (on different days).
    """
    frame = project.accounts.frame.iloc[positions]
    per_year = _column(frame, "visits_per_year")
    if per_year is None:
        raise InputError(
            "the accounts have no visits_per_year column to tell which are due; "
            "choose the stops instead"
        )
    per_year = pd.to_numeric(per_year, errors="coerce").to_numpy(dtype=float)
    last = _column(frame, "last_visit")
    last_dates = (
        pd.to_datetime(last, errors="coerce")
        if last is not None
        else pd.Series(pd.NaT, index=frame.index)
    )
    week_end = pd.Timestamp(week_start + dt.timedelta(days=days - 1))
    due: dict[int, int] = {}
    for position, rate, seen in zip(positions, per_year, last_dates, strict=True):
        if not rate > 0:
            continue
        next_due = seen + pd.Timedelta(days=365.0 / rate) if pd.notna(seen) else None
        if next_due is None or next_due <= week_end:
            due[int(position)] = max(1, min(days, math.floor(rate / 52 + 0.5)))
    return due


def overdue_days(project: Project, position: int, on: dt.date) -> float:
    """Days since the account fell due (negative: not yet due; inf: never visited)."""
    row = project.accounts.frame.iloc[position]
    rate = pd.to_numeric(row.get("visits_per_year"), errors="coerce")
    seen = pd.to_datetime(row.get("last_visit"), errors="coerce")
    if pd.isna(seen):
        return math.inf
    if not rate > 0:
        return -math.inf
    return (pd.Timestamp(on) - seen).days - 365.0 / float(rate)


def stops_for(
    project: Project,
    positions: Sequence[int],
    *,
    service_min: float = DEFAULT_SERVICE_MIN,
    visits: dict[int, int] | None = None,
    due_on: dt.date | None = None,
) -> tuple[Stop, ...]:
    """One stop per account position, with service time, window and address from columns.

    With ``due_on``, accounts further overdue on that day get a higher priority, so they are
    the ones kept when not every stop fits.
    """
    frame = project.accounts.frame
    service = _first_column(frame, SERVICE_COLUMNS)
    window = next(((a, b) for a, b in WINDOW_COLUMNS if _has(frame, a) and _has(frame, b)), None)
    stops = []
    for position in positions:
        row = frame.iloc[int(position)]
        point = row.geometry
        if point is None or point.is_empty:
            raise InputError(f"account {row['account_id']} has no location", line=int(position) + 2)
        stops.append(
            Stop(
                id=str(row["account_id"]),
                name=str(row.get("name") or row["account_id"]),
                lat=float(point.y),
                lon=float(point.x),
                service_s=_service_s(row, service, service_min),
                window=_window(row, window),
                address=_address(row),
                visits=(visits or {}).get(int(position), 1),
                priority=_priority(project, int(position), due_on) if due_on else 0,
            )
        )
    return tuple(stops)


def _priority(project: Project, position: int, on: dt.date) -> int:
    late = overdue_days(project, position, on)
    return 0 if late <= 0 else 1 if late <= OVERDUE_DAYS else 2


def _service_s(row: pd.Series, column: str | None, default_min: float) -> int:
    value = pd.to_numeric(row.get(column), errors="coerce") if column else float("nan")
    minutes = float(value) if pd.notna(value) and value >= 0 else default_min
    return round(minutes * 60)


def _window(row: pd.Series, columns: tuple[str, str] | None) -> tuple[int, int] | None:
    if columns is None:
        return None
    early, late = (_clock_s(row.get(_name(row, c))) for c in columns)
    if early is None or late is None:
        return None
    if late < early:
        raise InputError(
            f"account {row['account_id']}: its window {row.get(columns[0])}–"
            f"{row.get(columns[1])} closes before it opens"
        )
    return early, late


def _clock_s(value: object) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        hours, minutes = text.split(":")[:2]
        seconds = int(hours) * 3600 + int(minutes) * 60
    except ValueError:
        raise InputError(f"{text!r} is not a time of day (HH:MM)") from None
    if not 0 <= seconds <= 24 * 3600:
        raise InputError(f"{text!r} is not a time of day (HH:MM)")
    return seconds


def _address(row: pd.Series) -> str:
    parts = [str(row[c]).strip() for c in ADDRESS_COLUMNS if c in row.index and pd.notna(row[c])]
    street, rest = (parts[0], parts[1:]) if parts else ("", [])
    return ", ".join(p for p in (street, " ".join(rest)) if p)


def _column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    found = _first_column(frame, (name,))
    return frame[found] if found else None


def _first_column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    lower = {str(c).lower(): c for c in frame.columns}
    return next((lower[n] for n in names if n in lower), None)


def _has(frame: pd.DataFrame, name: str) -> bool:
    return _first_column(frame, (name,)) is not None


def _name(row: pd.Series, name: str) -> str:
    return next((c for c in row.index if str(c).lower() == name), name)


def request_for(
    project: Project,
    rep: str,
    dates: Sequence[dt.date],
    *,
    positions: Sequence[int] | None = None,
    service_min: float = DEFAULT_SERVICE_MIN,
    start: Place | None = None,
    **options: object,
) -> RouteRequest:
    """A route request for a rep's accounts at ``positions``, or the ones due on ``dates``.

    Days start at ``start`` (default the rep's home). ``options`` go to `RouteRequest`
    (``day``, ``end``, ``detour``, ``speed_kmh``, ``time_limit``, ``seed``).
    """
    territory = find_territory(project, rep)
    home = start or rep_home(territory)
    if positions is None:
        owned = rep_account_positions(project, territory)
        visits = due_visits(project, owned, dates[0], days=len(dates))
        positions = sorted(visits, key=lambda p: -overdue_days(project, p, dates[0]))
        stops = stops_for(
            project, positions, service_min=service_min, visits=visits, due_on=dates[0]
        )
    else:
        stops = stops_for(project, positions, service_min=service_min)
    return RouteRequest(
        rep_id=territory.id,
        rep_name=territory.owner or territory.name,
        start=home,
        stops=stops,
        dates=tuple(dates),
        **options,  # type: ignore[arg-type]
    )


def working_days(first: dt.date, count: int) -> tuple[dt.date, ...]:
    """``count`` working days (Monday–Friday) from ``first`` on."""
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return tuple(days)
