"""The content of the printed itinerary: its sections (overview, one per day, Not placed), each
a title, subtitle lines and a table of one-line rows (:mod:`terrmap.render._itinerary_table`).

Nothing here paints: :mod:`terrmap.render._itinerary_pages` splits the sections into pages and
:mod:`terrmap.render._itinerary_paint` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from terrmap.render._itinerary_table import CENTER, RIGHT, Column, Row, Table
from terrmap.render.page import short_date
from terrmap.render.route_layer import day_color
from terrmap.routing._export_text import WEEKDAYS, one_line
from terrmap.routing.model import DayRoute, RoutePlan, clock

if TYPE_CHECKING:
    import datetime as dt


def long_date(date: dt.date) -> str:
    """``"Mon 30 Nov 2026"``, in English whatever the locale (as every export)."""
    return f"{WEEKDAYS[date.weekday()]} {short_date(date)}"


def duration(seconds: float) -> str:
    """``"3 h 05 min"`` or ``"47 min"``."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


@dataclass(frozen=True)
class Section:
    kind: str  # "overview", "day" or "unplaced"
    title: str
    lines: tuple[str, ...]
    table: Table
    day: int | None = None  # index into plan.days for a day section


def day_section(plan: RoutePlan, index: int) -> Section:
    day = plan.days[index]
    totals = [
        _count(len(day.visits), "visit"),
        f"{day.distance_m / 1000:.1f} km",
        f"{duration(day.drive_s)} driving",
        f"leave {clock(day.depart_s)}",
        f"back {clock(day.end_s)}",
    ]
    places = (
        f"Start and end: {one_line(day.start.name)}"
        if day.start == day.end
        else f"Start: {one_line(day.start.name)} · end: {one_line(day.end.name)}"
    )
    if day.lunch is not None:
        places += f" · lunch {clock(day.lunch.start_s)}–{clock(day.lunch.end_s)}"
    lines = (" · ".join(totals), places)
    title = f"{one_line(plan.rep_name)} — {long_date(day.date)}"
    return Section("day", title, lines, Table(DAY_COLUMNS, tuple(_day_rows(day, index))), index)


DAY_COLUMNS = (
    Column("#", align=CENTER),
    Column("Arrive"),
    Column("Start–leave"),
    Column("Account", flex=0.55),  # the name matters most: it elides last
    Column("Address", flex=0.45),
    Column("Leg km", align=RIGHT),
    Column("Leg min", align=RIGHT),
    Column("Wait", align=RIGHT),
    Column("Notes", 150),
)


def _day_rows(day: DayRoute, index: int) -> list[Row]:
    color = day_color(index)
    blank = ("",) * 2
    rows = [
        Row(
            ("", "", f"leave {clock(day.depart_s)}", f"Start: {one_line(day.start.name)}", "")
            + ("",) * 4,
            kind="place",
        )
    ]
    for seq, visit in enumerate(day.visits, 1):
        if day.lunch is not None and day.lunch.after == seq - 1:
            rows.append(_lunch_row(day))
        stop = visit.stop
        notes = []
        if stop.window is not None:
            notes.append(f"window {clock(stop.window[0])}–{clock(stop.window[1])}")
        if visit.locked:
            notes.append("locked")
        wait = f"{round(visit.wait_s / 60)} min" if visit.wait_s >= 30 else ""
        cells = (
            str(seq),
            clock(visit.arrival_s),
            f"{clock(visit.start_s)}–{clock(visit.departure_s)}",
            one_line(stop.name),
            one_line(stop.address),
            f"{visit.leg_m / 1000:.1f}",
            str(round(visit.leg_s / 60)),
            wait,
            " · ".join(notes),
        )
        rows.append(Row(cells, marker=color, locked=visit.locked))
    if day.lunch is not None and day.lunch.after >= len(day.visits):
        rows.append(_lunch_row(day))
    back = (
        "",
        clock(day.end_s),
        "",
        f"Return: {one_line(day.end.name)}",
        "",
        f"{day.return_m / 1000:.1f}",
        str(round(day.return_s / 60)),
    )
    rows.append(Row(back + blank, kind="place"))
    return rows


def _lunch_row(day: DayRoute) -> Row:
    lunch = day.lunch
    assert lunch is not None
    times = f"{clock(lunch.start_s)}–{clock(lunch.end_s)}"
    return Row(("", "", times, "Lunch break", "", "", "", "", ""), kind="break")


UNPLACED_COLUMNS = (
    Column("Account ID", 100),
    Column("Account", flex=0.45),
    Column("Address", flex=0.55),
    Column("Visit min", align=RIGHT),
)


def unplaced_section(plan: RoutePlan) -> Section:
    # Grouped under their reason, a line across the table: reasons are sentences too long
    # for a column ("too far: the visit alone takes 13.2 h from home and back, …").
    groups: dict[str, list[Row]] = {}
    for u in plan.unplaced:
        cells = (
            one_line(u.stop.id),
            one_line(u.stop.name),
            one_line(u.stop.address),
            str(round(u.stop.service_s / 60)),
        )
        groups.setdefault(one_line(u.reason), []).append(Row(cells, kind="plain"))
    rows: list[Row] = []
    for reason, members in groups.items():
        heading = f"{reason[:1].upper()}{reason[1:]} ({_count(len(members), 'stop')})"
        rows.append(Row((heading, "", "", ""), kind="group"))
        rows += members
    count = _count(len(plan.unplaced), "stop")
    line = f"{count} did not fit in this plan, listed under the reason."
    return Section("unplaced", "Not placed", (line,), Table(UNPLACED_COLUMNS, tuple(rows)))


OVERVIEW_COLUMNS = (
    Column("Day", 90),
    Column("Date", flex=1.0),
    Column("Visits", align=RIGHT),
    Column("Distance", flex=0.5, align=RIGHT),
    Column("Driving", flex=0.5, align=RIGHT),
    Column("Leave", flex=0.3, align=RIGHT),
    Column("Back", flex=0.3, align=RIGHT),
    Column("Lunch", flex=0.5, align=RIGHT),
    Column("Page", flex=0.3, align=RIGHT),
)


def overview_section(plan: RoutePlan, starts: list[int]) -> Section:
    rows = []
    for index, (day, start) in enumerate(zip(plan.days, starts, strict=True)):
        lunch = "" if day.lunch is None else f"{clock(day.lunch.start_s)}–{clock(day.lunch.end_s)}"
        cells = (
            f"Day {index + 1}",
            long_date(day.date),
            str(len(day.visits)),
            f"{day.distance_m / 1000:.1f} km",
            duration(day.drive_s),
            clock(day.depart_s),
            clock(day.end_s),
            lunch,
            str(start),
        )
        rows.append(Row(cells, kind="plain", swatch=day_color(index)))
    total = (
        "Total",
        "",
        str(plan.visit_count),
        f"{plan.distance_m / 1000:.1f} km",
        duration(plan.drive_s),
        "",
        "",
        "",
        "",
    )
    rows.append(Row(total, kind="total"))
    first, last = plan.days[0].date, plan.days[-1].date
    title = f"{one_line(plan.rep_name)} — {long_date(first)} to {long_date(last)}"
    parts = [
        _count(len(plan.days), "day"),
        _count(plan.visit_count, "visit"),
        f"{plan.distance_m / 1000:.1f} km",
        f"{duration(plan.drive_s)} driving",
    ]
    if plan.unplaced:
        parts.append(f"{_count(len(plan.unplaced), 'stop')} not placed")
    notes = tuple(one_line(n) for n in plan.notes)
    return Section(
        "overview", title, (" · ".join(parts), *notes), Table(OVERVIEW_COLUMNS, tuple(rows))
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
