"""A route plan as an iCalendar file (RFC 5545), one event per visit, for the rep's calendar.

Written by hand rather than with a library, to keep the runtime dependencies as they are.
Each ``VEVENT`` runs from the visit's start (after any wait for the window) to the departure,
in *floating* local time (no ``TZID``, no ``Z``): plans are made in the rep's wall-clock time
and the calendar shows them at that clock time wherever the rep is. A visit with no service
time has no ``DTEND``, which RFC 5545 reads as an event that ends when it starts.

``UID`` is a hash of the rep id, the date, the stop id and which visit of that stop on that day
it is (nearly always the first), not of the visit's position in the day: importing a
re-optimised plan then updates the events a calendar already has instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from terrmap.routing._export_text import clean_text, coord, visit_sentence
from terrmap.routing.model import DayRoute, RoutePlan, Visit, at, clock

PRODID = "-//terrmap//Route export//EN"
_MAX_OCTETS = 75


def ics_text(plan: RoutePlan, *, stamp: dt.datetime | None = None) -> str:
    """The plan's visits as an iCalendar document.

    Parameters
    ----------
    plan
        The rep's routes.
    stamp
        The ``DTSTAMP`` of every event (when the file was made); now by default. A naive value
        is taken as UTC.

    Returns
    -------
    str
        The calendar, lines folded at 75 octets and ended with ``\\r\\n``.
    """
    stamp = dt.datetime.now(dt.UTC) if stamp is None else stamp
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'Route {plan.rep_id} {plan.rep_name}'.strip())}",
    ]
    for number, day in enumerate(plan.days, 1):
        seen: Counter[str] = Counter()
        for seq, visit in enumerate(day.visits, 1):
            occurrence = seen[visit.stop.id]
            seen[visit.stop.id] += 1
            uid = event_uid(plan.rep_id, day, visit.stop.id, occurrence)
            lines += _event(uid, stamp, number, day, seq, visit)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def event_uid(rep_id: str, day: DayRoute, stop_id: str, occurrence: int) -> str:
    """A globally unique, repeatable ``UID`` for one visit of a stop on one day."""
    key = "\x1f".join((rep_id, day.date.isoformat(), stop_id, str(occurrence)))
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@terrmap"


def _event(
    uid: str, stamp: dt.datetime, number: int, day: DayRoute, seq: int, visit: Visit
) -> list[str]:
    stop = visit.stop
    location = stop.address or f"{coord(stop.lat)},{coord(stop.lon)}"
    description = "\n".join(
        (
            f"Account: {stop.id}",
            f"Planned arrival: {clock(visit.arrival_s)}",
            visit_sentence(number, day, seq, visit),
        )
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{_local(at(day.date, visit.start_s))}",
    ]
    if visit.departure_s > visit.start_s:
        lines.append(f"DTEND:{_local(at(day.date, visit.departure_s))}")
    lines += [
        f"SUMMARY:{escape_text(f'Visit: {stop.name}')}",
        f"LOCATION:{escape_text(location)}",
        f"GEO:{coord(stop.lat)};{coord(stop.lon)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def _local(moment: dt.datetime) -> str:
    """A floating DATE-TIME: local wall-clock time with no zone."""
    return f"{moment:%Y%m%dT%H%M%S}"


def escape_text(text: str) -> str:
    """``text`` as an RFC 5545 TEXT value (section 3.3.11).

    Backslash first, so the backslashes added for ``;``, ``,`` and line breaks stay single.
    Control characters, which TEXT does not allow, are dropped.
    """
    text = clean_text(text).replace("\\", "\\\\")
    return text.replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded into physical lines of at most 75 octets (RFC 5545 section 3.1).

    Breaks fall between characters, never inside a UTF-8 sequence; each continuation starts
    with one space, which counts towards its 75 octets. Lines are joined with ``\\r\\n``.
    """
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, _MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)
