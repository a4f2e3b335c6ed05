"""A route plan as an itinerary table (CSV), for spreadsheets and CRM imports.

One header row, then per day in order: a ``start`` row, one ``visit`` row per visit with the
lunch ``break`` row where the rep takes it, and an ``end`` row for the drive back; then one
``unplaced`` row per stop the plan could not fit. Columns:

==============  ===========================================================================
``kind``        ``start``, ``visit``, ``break``, ``end`` or ``unplaced``
``day``         1-based day number (empty for unplaced rows)
``date``        ISO date, ``2026-11-30`` (empty for unplaced rows)
``seq``         the visit's 1-based order in its day (visit rows only)
``account_id``  the stop's id (visit and unplaced rows)
``name``        account name, start/end place name, or ``Lunch break``
``address``     postal address as given (visit and unplaced rows)
``lat, lon``    WGS 84 degrees (not on break rows)
``window``      the stop's time window ``HH:MM-HH:MM``, empty for any time
``arrive``      ``HH:MM`` arrival (visit rows; the end row: back at the end place)
``start``       ``HH:MM`` the visit or break starts (after any wait for the window)
``depart``      ``HH:MM`` leaving (visit rows, the start row, the break's end)
``wait_min``    whole minutes waiting for the window to open (visit rows)
``service_min`` whole minutes at the stop (visit and unplaced rows)
``leg_km``      kilometres driven to reach this row's place, one decimal (visit and end rows)
``leg_min``     whole minutes driven to reach it (visit and end rows)
``note``        why a stop is unplaced; ``locked`` for a visit the user pinned
==============  ===========================================================================

Times past midnight keep counting (``24:30``). The text uses CRLF row ends (RFC 4180); cells
holding line breaks are quoted. Text from account data that starts with ``=``, ``+``, ``-``,
``@``, tab or carriage return gets a leading apostrophe, so that a spreadsheet shows it rather
than running it as a formula (CSV injection); numbers written by terrmap are never altered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from terrmap.io.csv_safety import safe
from terrmap.routing._export_text import coord
from terrmap.routing.model import Break, DayRoute, RoutePlan, Stop, Visit, clock

COLUMNS = (
    "kind",
    "day",
    "date",
    "seq",
    "account_id",
    "name",
    "address",
    "lat",
    "lon",
    "window",
    "arrive",
    "start",
    "depart",
    "wait_min",
    "service_min",
    "leg_km",
    "leg_min",
    "note",
)

Row = dict[str, str]


def itinerary_csv_text(plan: RoutePlan) -> str:
    """The plan as CSV text: a header, then rows ended with ``\\r\\n`` (columns above)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for number, day in enumerate(plan.days, 1):
        writer.writerows(_day_rows(number, day))
    for unplaced in plan.unplaced:
        row = _stop_cells(unplaced.stop) | {"kind": "unplaced", "note": safe(unplaced.reason)}
        row["service_min"] = _minutes(unplaced.stop.service_s)
        writer.writerow(row)
    return buffer.getvalue()


def _day_rows(number: int, day: DayRoute) -> Iterator[Row]:
    base = {"day": str(number), "date": day.date.isoformat()}
    yield (
        base
        | _place_cells(day.start.name, day.start.lat, day.start.lon)
        | {
            "kind": "start",
            "depart": clock(day.depart_s),
        }
    )
    for seq, visit in enumerate(day.visits, 1):
        if day.lunch is not None and day.lunch.after == seq - 1:
            yield base | _break_cells(day.lunch)
        yield base | _visit_cells(seq, visit)
    if day.lunch is not None and day.lunch.after >= len(day.visits):
        yield base | _break_cells(day.lunch)
    yield (
        base
        | _place_cells(day.end.name, day.end.lat, day.end.lon)
        | {
            "kind": "end",
            "arrive": clock(day.end_s),
            "leg_km": _km(day.return_m),
            "leg_min": _minutes(day.return_s),
        }
    )


def _visit_cells(seq: int, visit: Visit) -> Row:
    return _stop_cells(visit.stop) | {
        "kind": "visit",
        "seq": str(seq),
        "arrive": clock(visit.arrival_s),
        "start": clock(visit.start_s),
        "depart": clock(visit.departure_s),
        "wait_min": _minutes(visit.wait_s),
        "service_min": _minutes(visit.departure_s - visit.start_s),
        "leg_km": _km(visit.leg_m),
        "leg_min": _minutes(visit.leg_s),
        "note": "locked" if visit.locked else "",
    }


def _break_cells(lunch: Break) -> Row:
    return {
        "kind": "break",
        "name": "Lunch break",
        "start": clock(lunch.start_s),
        "depart": clock(lunch.end_s),
    }


def _stop_cells(stop: Stop) -> Row:
    window = f"{clock(stop.window[0])}-{clock(stop.window[1])}" if stop.window else ""
    cells = _place_cells(stop.name, stop.lat, stop.lon)
    return cells | {"account_id": safe(stop.id), "address": safe(stop.address), "window": window}


def _place_cells(name: str, lat: float, lon: float) -> Row:
    return {"name": safe(name), "lat": coord(lat), "lon": coord(lon)}


def _minutes(seconds: float) -> str:
    return str(round(seconds / 60))


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}"
