"""``terrmap route``: a rep's day or week route from a project, written as files for the road.

A thin shell over `terrmap.routing`: it picks the stops (a file of account ids, or the rep's
accounts due for a visit), measures travel (straight line, or the roads of an OSM extract),
solves with the stderr progress line and a Ctrl-C stop, prints each day and every stop that
did not fit, and writes GPX, KML, CSV, ICS, map links and the printable itinerary PDF.

Exit status: 0 (also when some stops do not fit: each is listed with its reason), 2 bad
input, 130 stopped with Ctrl-C (the best plan so far is still written).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from terrmap.cli import EXIT_INTERRUPTED, EXIT_OK, load, out, progress_printer, warn
from terrmap.errors import InputError

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.routing.model import RoutePlan
    from terrmap.routing.request import RouteRequest

_MAX_UNPLACED_SHOWN = 10


def register_route(sub: argparse._SubParsersAction) -> None:
    """Add ``terrmap route``."""
    p = sub.add_parser(
        "route",
        help="plan a rep's day or week of visits and export it (GPX, KML, CSV, ICS, PDF)",
        description="Plan a rep's visits for one day (--day) or a working week (--week): "
        "visit order, arrival times, lunch, and the stops that do not fit. Stops come from "
        "--stops (a CSV of account ids) or are the rep's accounts due for a visit "
        "(visits_per_year and last_visit). Writes every export into --out.",
    )
    p.add_argument("project", help="project file (.gpkg)")
    p.add_argument("--rep", required=True, help="territory id, rep name or territory name")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--day", type=_date, help="plan this day, YYYY-MM-DD (default today)")
    when.add_argument("--week", type=_date, help="plan the working week from this day")
    p.add_argument("--days", type=int, default=5, help="working days in a week plan (default 5)")
    p.add_argument("--stops", type=Path, help="CSV with an account_id column (or one id a line)")
    p.add_argument("--osm", type=Path, help="OpenStreetMap extract (.osm.pbf) for road distances")
    p.add_argument("--from", dest="start_at", default="", help="start at LAT,LON, not home")
    p.add_argument("--to", dest="end_at", default="", help="end at LAT,LON (default: the start)")
    p.add_argument("--start", type=_clock, default="08:00", help="day start, HH:MM (08:00)")
    p.add_argument("--hours", type=float, default=9.0, help="day length home to home (9)")
    p.add_argument("--lunch", default="12:00-14:00/30", help="window/minutes, or 'none'")
    p.add_argument("--service", type=float, default=30.0, help="minutes per visit (30)")
    p.add_argument("--speed", type=float, default=50.0, help="straight-line km/h (50)")
    p.add_argument("--detour", type=float, default=1.3, help="straight-line detour (1.3)")
    p.add_argument("--time-limit", type=float, default=5.0, help="solver seconds (5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="folder for the exports")
    p.add_argument("--no-pdf", action="store_true", help="skip the itinerary PDF")
    p.set_defaults(run=run_route)


def run_route(args: argparse.Namespace) -> int:
    from terrmap._cli_optimize import ctrl_c_sets
    from terrmap.routing.planner import plan_route

    project = load(args.project)
    request = _request(project, args)
    matrix = _road_matrix(args.osm, request) if args.osm else None
    cancel = threading.Event()
    progress = progress_printer() or (lambda fraction, message: None)
    with ctrl_c_sets(cancel):
        plan = plan_route(request, matrix=matrix, progress=progress, stop=cancel.is_set)
    _print_plan(plan)
    written = _write(plan, args, project)
    out(f"wrote {len(written)} files to {args.out}: " + ", ".join(p.name for p in written))
    return EXIT_INTERRUPTED if cancel.is_set() else EXIT_OK


def _request(project: Project, args: argparse.Namespace) -> RouteRequest:
    from terrmap.routing.from_project import request_for, working_days
    from terrmap.routing.request import DayRules, parse_place

    first = args.week or args.day or dt.date.today()
    dates = working_days(first, args.days) if args.week else (first,)
    positions = _stop_positions(project, args.stops) if args.stops else None
    rules = DayRules(
        start_s=args.start, length_s=round(args.hours * 3600), lunch=_lunch(args.lunch)
    )
    return request_for(
        project,
        args.rep,
        dates,
        positions=positions,
        service_min=args.service,
        start=parse_place(args.start_at, "Start point", field="--from"),
        end=parse_place(args.end_at, "End point", field="--to"),
        day=rules,
        detour=args.detour,
        speed_kmh=args.speed,
        time_limit=args.time_limit,
        seed=args.seed,
    )


def _stop_positions(project: Project, path: Path) -> list[int]:
    """Account positions named in ``path``: an ``account_id`` column, or one id per line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=path) from None
    header = [c.strip().lower() for c in rows[0]] if rows else []
    column = header.index("account_id") if "account_id" in header else 0
    body = rows[1:] if "account_id" in header else rows
    index = {str(a): k for k, a in enumerate(project.accounts.ids)}
    positions = []
    for line, row in enumerate(body, start=2 if "account_id" in header else 1):
        account = row[column].strip() if len(row) > column else ""
        if not account:
            continue
        if account not in index:
            raise InputError(f"account {account!r} is not in the project", file=path, line=line)
        positions.append(index[account])
    if not positions:
        raise InputError("no account ids in the file", file=path)
    return list(dict.fromkeys(positions))


def _road_matrix(path: Path, request: RouteRequest):
    from terrmap.routing.planner import route_points
    from terrmap.routing.roads import RoadNetwork

    progress = progress_printer() or (lambda fraction, message: None)
    network = RoadNetwork.from_pbf(path, cache_dir=cache_dir(), progress=progress)
    matrix = network.travel_matrix(route_points(request))
    for index, metres in getattr(network, "far_points", ()) or ():
        warn(f"route point {index} is {metres / 1000:.1f} km from the nearest road of {path.name}")
    return matrix


def cache_dir() -> Path:
    """Where road graphs built from OSM extracts are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "terrmap" / "roads"


def _print_plan(plan: RoutePlan) -> None:
    from terrmap.routing.model import clock

    out(f"{plan.rep_name} ({plan.rep_id}), distances by {plan.distances}")
    for day in plan.days:
        out(
            f"{day.date:%a %Y-%m-%d}: {len(day.visits)} visits, {day.distance_m / 1000:.1f} km, "
            f"{day.drive_s / 3600:.1f} h driving, {clock(day.depart_s)}–{clock(day.end_s)}"
        )
        for number, visit in enumerate(day.visits, start=1):
            out(
                f"  {number:2d}. {clock(visit.start_s)}–{clock(visit.departure_s)} "
                f"{visit.stop.name}"
            )
    out(f"total: {plan.visit_count} visits, {plan.distance_m / 1000:.1f} km")
    for item in plan.unplaced[:_MAX_UNPLACED_SHOWN]:
        warn(f"not placed: {item.stop.name} ({item.stop.id}): {item.reason}")
    if len(plan.unplaced) > _MAX_UNPLACED_SHOWN:
        warn(f"… and {len(plan.unplaced) - _MAX_UNPLACED_SHOWN} more not placed (see the CSV)")


def _write(plan: RoutePlan, args: argparse.Namespace, project: Project) -> list[Path]:
    from terrmap.routing.exports import write_exports
    from terrmap.web.webmap import write_route_web_map

    written = write_exports(plan, args.out)
    written.append(write_route_web_map(project, plan, args.out))
    if not args.no_pdf:
        # Qt draws the PDF (offscreen when there is no display); loaded only when asked.
        from terrmap.render.itinerary import write_itinerary_pdf

        written.append(write_itinerary_pdf(plan, args.out, project=project))
    return written


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _clock(text: str) -> int:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time (HH:MM)") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise argparse.ArgumentTypeError(f"{text!r} is not a time (HH:MM)")
    return hours * 3600 + minutes * 60


def _lunch(text: str):
    from terrmap.routing.request import Lunch

    if text.strip().lower() in ("none", "no", "off", ""):
        return None
    try:
        window, minutes = text.split("/")
        early, late = window.split("-")
        return Lunch(_clock(early), _clock(late), round(float(minutes) * 60))
    except (ValueError, argparse.ArgumentTypeError):
        raise InputError(f"--lunch {text!r}: write it as HH:MM-HH:MM/MINUTES, or none") from None
