"""The route exports, each read back with an independent reader (gpxpy, icalendar, GDAL, csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import gpxpy
import icalendar
import pyogrio
import pytest

from terrmap.routing.export_csv import COLUMNS, itinerary_csv_text
from terrmap.routing.export_gpx import gpx_text
from terrmap.routing.export_ics import escape_text, fold, ics_text
from terrmap.routing.export_kml import kml_text
from terrmap.routing.exports import EXPORT_FORMATS, safe_stem, write_exports
from terrmap.routing.maplinks import (
    APPLE_MAX_WAYPOINTS,
    GOOGLE_MAX_WAYPOINTS,
    GOOGLE_MAX_WAYPOINTS_DESKTOP,
    apple_maps_links,
    google_maps_links,
)
from terrmap.routing.model import Break, DayRoute, Place, RoutePlan, Stop, Unplaced, Visit, at

TRICKY = 'Zoë\'s Café, Inc.; "Best"\nBranch'
FORMULA = '=HYPERLINK("http://evil.example/x?a=1","Click me")'
SCRIPT = "<script>alert('x')</script> Supply & Co"
LONG_ADDRESS = (
    "Straße der Großhändler 123, Gebäude Ü, 3. Obergeschoß, Zimmer 45 – Eingang über den Hof, "
    "Bangor, ME 04401 — 東京都"
)

HOME = Place("Home", 44.8016, -68.7712)
HOTEL = Place("Hotel Brewer", 44.7967, -68.7614)


def _visit(stop, arrival, start, departure, leg_m, leg_s):
    return Visit(stop, arrival, start, departure, leg_m, leg_s)


@pytest.fixture(scope="module")
def plan() -> RoutePlan:
    cafe = Stop("A100", TRICKY, 44.8120, -68.7560, 1800, address="12 Main St, Bangor, ME 04401")
    formula = Stop("A200", FORMULA, 44.78, -68.82, 1800, (36000, 39600), "-5 Odd Rd; Unit 2")
    script = Stop("A300", SCRIPT, 44.84, -68.74, 2700, address="7 Elm St\r\nBangor")
    tools = Stop("A400", "Ångström Tools, München", 44.9, -68.67, 3600, address=LONG_ADDRESS)
    plain = Stop("@A500", "Plain Account", 1e-05, -68.7, 1200)
    day1 = DayRoute(
        date=dt.date(2026, 11, 30),
        start=HOME,
        end=HOME,
        depart_s=8 * 3600,
        visits=(
            _visit(cafe, 29100, 29100, 30900, 2100.0, 300),
            _visit(formula, 31500, 36000, 37800, 6200.0, 600),
            _visit(script, 42120, 42120, 44820, 7000.0, 720),
        ),
        return_m=5000.0,
        return_s=540,
        legs=(
            ((44.8016, -68.7712), (44.806, -68.765), (44.8120, -68.7560)),
            ((44.8120, -68.7560), (44.79, -68.80), (44.78, -68.82)),
            ((44.78, -68.82), (44.84, -68.74)),
            ((44.84, -68.74), (44.82, -68.76), (44.8016, -68.7712)),
        ),
        lunch=Break(after=2, start_s=37800, end_s=41400),
    )
    day2 = DayRoute(
        date=dt.date(2026, 12, 1),
        start=HOME,
        end=HOTEL,
        depart_s=30600,
        visits=(
            _visit(tools, 31680, 31680, 35280, 15000.0, 1080),
            _visit(plain, 35700, 35700, 36900, 4500.0, 420),
        ),
        return_m=12000.0,
        return_s=900,
    )
    far = Stop("A600", "+Far Away Farm", 45.5, -69.5, 1800, address="1 Remote Rd")
    return RoutePlan(
        rep_id="T03",
        rep_name="Dana Rep",
        days=(day1, day2),
        unplaced=(Unplaced(far, "does not fit in any day's working hours"),),
        distances="straight line × 1.3 at 50 km/h",
    )


def _all_visits(plan):
    return [(day, seq, visit) for day in plan.days for seq, visit in enumerate(day.visits, 1)]


def _label(seq, name):
    return f"{seq:02d} {' '.join(name.split())}"


# GPX, read with gpxpy


def test_gpx_has_a_waypoint_per_visit_and_per_distinct_place(plan):
    gpx = gpxpy.parse(gpx_text(plan))
    assert gpx.version == "1.1"
    assert gpx.creator == "terrmap"
    visits = [w for w in gpx.waypoints if w.type == "visit"]
    places = [w for w in gpx.waypoints if w.type == "place"]
    assert [p.name for p in places] == ["Home", "Hotel Brewer"]
    assert len(visits) == plan.visit_count == 5
    for waypoint, (_day, seq, visit) in zip(visits, _all_visits(plan), strict=True):
        assert waypoint.name == _label(seq, visit.stop.name)
        assert (waypoint.latitude, waypoint.longitude) == (visit.stop.lat, visit.stop.lon)
        assert waypoint.comment == (visit.stop.address.replace("\r\n", "\n") or None)
        # Plans have no time zone, so no UTC <time> is invented.
        assert waypoint.time is None
    assert visits[0].name == '01 Zoë\'s Café, Inc.; "Best" Branch'
    assert visits[1].description == (
        "Day 1 Mon 2026-11-30, stop 2: arrive 08:45, wait until 10:00, leave 10:30"
    )
    assert visits[4].latitude == 1e-05


def test_gpx_routes_run_start_stops_end_in_order(plan):
    gpx = gpxpy.parse(gpx_text(plan))
    assert [r.name for r in gpx.routes] == ["Day 1 Mon 2026-11-30", "Day 2 Tue 2026-12-01"]
    for route, day in zip(gpx.routes, plan.days, strict=True):
        names = [p.name for p in route.points]
        expected = [_label(seq, v.stop.name) for seq, v in enumerate(day.visits, 1)]
        assert names == [day.start.name, *expected, day.end.name]
        coordinates = [(p.latitude, p.longitude) for p in route.points]
        stops = [(v.stop.lat, v.stop.lon) for v in day.visits]
        assert coordinates == [(day.start.lat, day.start.lon), *stops, (day.end.lat, day.end.lon)]


def test_gpx_track_follows_the_drawn_legs_of_days_that_have_them(plan):
    gpx = gpxpy.parse(gpx_text(plan))
    assert len(gpx.tracks) == 1  # day 2 has no drawn legs
    points = gpx.tracks[0].segments[0].points
    expected = [(44.8016, -68.7712), (44.806, -68.765), (44.8120, -68.7560), (44.79, -68.80)]
    expected += [(44.78, -68.82), (44.84, -68.74), (44.82, -68.76), (44.8016, -68.7712)]
    assert [(p.latitude, p.longitude) for p in points] == expected


def test_gpx_escapes_markup_in_names(plan):
    text = gpx_text(plan)
    assert "<script>" not in text
    names = [w.name for w in gpxpy.parse(text).waypoints]
    assert _label(3, SCRIPT) in names


# iCalendar, read with icalendar


def _events(plan, **kwargs):
    return icalendar.Calendar.from_ical(ics_text(plan, **kwargs)).walk("VEVENT")


def test_ics_has_one_event_per_visit_at_the_planned_times(plan):
    events = _events(plan)
    assert len(events) == 5
    for event, (day, _seq, visit) in zip(events, _all_visits(plan), strict=True):
        assert event.decoded("DTSTART") == at(day.date, visit.start_s)
        assert event.decoded("DTEND") == at(day.date, visit.departure_s)
        assert event.decoded("DTSTART").tzinfo is None  # floating local time
        assert str(event["SUMMARY"]) == f"Visit: {visit.stop.name}"
        geo = event["GEO"]
        assert (geo.latitude, geo.longitude) == (visit.stop.lat, visit.stop.lon)
    assert events[1].decoded("DTSTART") == dt.datetime(2026, 11, 30, 10, 0)


def test_ics_text_round_trips_special_characters(plan):
    events = _events(plan)
    assert str(events[0]["SUMMARY"]) == f"Visit: {TRICKY}"
    assert str(events[1]["SUMMARY"]) == f"Visit: {FORMULA}"
    assert str(events[1]["LOCATION"]) == "-5 Odd Rd; Unit 2"
    assert str(events[2]["LOCATION"]) == "7 Elm St\nBangor"
    assert str(events[3]["LOCATION"]) == LONG_ADDRESS
    assert str(events[4]["LOCATION"]) == "0.00001,-68.7"  # no address: the position
    description = str(events[1]["DESCRIPTION"])
    assert "Account: A200" in description
    assert "Planned arrival: 08:45" in description


def test_ics_lines_are_crlf_and_at_most_75_octets(plan):
    text = ics_text(plan)
    assert text.endswith("\r\n")
    assert text.count("\n") == text.count("\r\n")
    lines = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # the long address was folded


def test_fold_never_splits_a_multibyte_character():
    line = "LOCATION:" + "é東😀a" * 40
    physical = fold(line).split("\r\n")
    assert len(physical) > 1
    for part in physical:
        assert len(part.encode("utf-8")) <= 75
    assert all(part.startswith(" ") for part in physical[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(physical)) == line


def test_escape_text_escapes_backslash_first():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_ics_uids_are_stable_and_unique(plan):
    first = _events(plan, stamp=dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))
    again = _events(plan, stamp=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC))
    uids = [str(event["UID"]) for event in first]
    assert len(set(uids)) == len(uids)
    assert uids == [str(event["UID"]) for event in again]
    assert all(uid.endswith("@terrmap") for uid in uids)
    assert first[0].decoded("DTSTAMP") == dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def test_ics_visit_without_service_time_has_no_end(plan):
    day = plan.days[1]
    quick = Visit(Stop("Q1", "Quick", 44.85, -68.7), 35000, 35000, 35000, 100.0, 60)
    plan_b = RoutePlan("T03", "Dana", (DayRoute(day.date, HOME, HOME, 30600, (quick,), 0.0, 0),))
    (event,) = _events(plan_b)
    assert "DTEND" not in event
    assert event.decoded("DTSTART") == at(day.date, 35000)


# KML, read with GDAL (pyogrio)


@pytest.fixture
def kml_path(plan, tmp_path) -> Path:
    path = tmp_path / "route.kml"
    path.write_text(kml_text(plan), encoding="utf-8")
    return path


def test_kml_has_a_folder_layer_per_day(kml_path):
    layers = [name for name, _geometry in pyogrio.list_layers(kml_path)]
    assert layers == ["Day 1 Mon 2026-11-30", "Day 2 Tue 2026-12-01"]


def test_kml_points_are_the_visits_at_lon_lat(plan, kml_path):
    for day in plan.days:
        frame = pyogrio.read_dataframe(kml_path, layer=_title(plan, day))
        points = frame[frame.geometry.geom_type == "Point"]
        expected = [_label(seq, v.stop.name) for seq, v in enumerate(day.visits, 1)]
        assert list(points["Name"]) == expected
        xy = [(p.x, p.y) for p in points.geometry]
        assert xy == [(v.stop.lon, v.stop.lat) for v in day.visits]


def test_kml_line_follows_legs_or_straight_stops(plan, kml_path):
    day1, day2 = plan.days
    line1 = _line(kml_path, _title(plan, day1))
    assert line1[0] == (day1.start.lon, day1.start.lat)
    assert len(line1) == 8  # 11 leg points, three shared joints written once
    assert (-68.8, 44.79) in line1
    line2 = _line(kml_path, _title(plan, day2))
    stops = [(v.stop.lon, v.stop.lat) for v in day2.visits]
    assert line2 == [(HOME.lon, HOME.lat), *stops, (HOTEL.lon, HOTEL.lat)]


def test_kml_description_shows_markup_as_text(plan, kml_path):
    frame = pyogrio.read_dataframe(kml_path, layer=_title(plan, plan.days[0]))
    # GDAL's LIBKML driver calls the field "description", its older KML driver "Description".
    (column,) = [name for name in frame.columns if name.lower() == "description"]
    script = frame[frame["Name"] == _label(3, SCRIPT)][column].iloc[0]
    assert "<script>" not in script
    assert "&lt;script&gt;" in script
    assert "arrive 11:42, leave 12:27" in script
    assert "7 Elm St<br/>Bangor" in script


def _title(plan, day):
    number = plan.days.index(day) + 1
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.date.weekday()]
    return f"Day {number} {weekday} {day.date.isoformat()}"


def _line(path, layer):
    frame = pyogrio.read_dataframe(path, layer=layer)
    (line,) = frame[frame.geometry.geom_type == "LineString"].geometry
    return [(x, y) for x, y, *_ in line.coords]


# CSV, read with the csv module


def _rows(plan):
    return list(csv.DictReader(io.StringIO(itinerary_csv_text(plan), newline="")))


def test_csv_rows_cover_every_visit_break_return_and_unplaced_stop(plan):
    rows = _rows(plan)
    assert tuple(rows[0]) == COLUMNS
    kinds = [row["kind"] for row in rows]
    day1 = ["start", "visit", "visit", "break", "visit", "end"]
    assert kinds == [*day1, "start", "visit", "visit", "end", "unplaced"]
    visits = [row for row in rows if row["kind"] == "visit"]
    for row, (day, seq, visit) in zip(visits, _all_visits(plan), strict=True):
        assert row["date"] == day.date.isoformat()
        assert row["seq"] == str(seq)
        assert float(row["lat"]) == visit.stop.lat
        assert float(row["lon"]) == visit.stop.lon
    assert visits[1]["arrive"] == "08:45"
    assert visits[1]["start"] == "10:00"
    assert visits[1]["depart"] == "10:30"
    assert visits[1]["wait_min"] == "75"
    assert visits[1]["window"] == "10:00-11:00"
    assert visits[1]["leg_km"] == "6.2"
    assert rows[3]["start"] == "10:30"
    assert rows[3]["depart"] == "11:30"
    assert rows[5]["arrive"] == "12:36"
    assert rows[5]["leg_km"] == "5.0"
    assert rows[5]["leg_min"] == "9"


def test_csv_keeps_names_exact_and_guards_formulas(plan):
    rows = _rows(plan)
    names = {row["name"] for row in rows}
    assert TRICKY in names
    assert SCRIPT in names
    formula = next(row for row in rows if row["account_id"] == "A200")
    assert formula["name"] == f"'{FORMULA}"
    assert formula["address"] == "'-5 Odd Rd; Unit 2"
    assert formula["lon"] == "-68.82"  # numbers written by terrmap are left alone
    assert next(row for row in rows if row["name"] == "Plain Account")["account_id"] == "'@A500"
    unplaced = rows[-1]
    assert unplaced["seq"] == ""
    assert unplaced["name"] == "'+Far Away Farm"
    assert unplaced["note"] == "does not fit in any day's working hours"
    assert unplaced["service_min"] == "30"


def test_csv_rows_end_with_crlf(plan):
    text = itinerary_csv_text(plan)
    assert text.splitlines(keepends=True)[0].endswith("\r\n")


# Map links


def _long_day(count: int) -> DayRoute:
    visits = []
    for index in range(count):
        stop = Stop(f"S{index}", f"Stop {index}", 44.0 + index / 100, -68.0 - index / 1000)
        visits.append(Visit(stop, 30000 + index, 30000 + index, 30000 + index, 1000.0, 60))
    return DayRoute(dt.date(2026, 11, 30), HOME, HOTEL, 28800, tuple(visits), 1000.0, 60)


def _points(value):
    lat, lon = value.split(",")
    return (float(lat), float(lon))


def _google_parts(link):
    query = parse_qs(urlsplit(link).query)
    waypoints = query["waypoints"][0].split("|") if "waypoints" in query else []
    return query["origin"][0], [*waypoints], query["destination"][0]


def _apple_parts(link):
    pairs = parse_qsl(urlsplit(link).query)
    get = dict(pairs)
    return get["source"], [v for k, v in pairs if k == "waypoint"], get["destination"]


@pytest.mark.parametrize(
    ("build", "parts", "limit"),
    [
        (google_maps_links, _google_parts, GOOGLE_MAX_WAYPOINTS),
        (apple_maps_links, _apple_parts, APPLE_MAX_WAYPOINTS),
    ],
)
def test_map_links_chain_the_whole_day_in_order(build, parts, limit):
    day = _long_day(30)
    links = build(day)
    assert len(links) == math.ceil(31 / (limit + 1))  # 31 legs, limit + 1 legs per link
    decoded = [parts(link) for link in links]
    for _origin, waypoints, _destination in decoded:
        assert len(waypoints) <= limit
    for (_, _, destination), (origin, _, _) in itertools.pairwise(decoded):
        assert origin == destination
    route = [_points(decoded[0][0])]
    for _origin, waypoints, destination in decoded:
        route += [_points(w) for w in waypoints] + [_points(destination)]
    stops = [(v.stop.lat, v.stop.lon) for v in day.visits]
    assert route == [(HOME.lat, HOME.lon), *stops, (HOTEL.lat, HOTEL.lon)]


def test_map_link_counts_for_a_30_stop_day():
    day = _long_day(30)
    assert len(google_maps_links(day)) == 8
    assert len(google_maps_links(day, max_waypoints=GOOGLE_MAX_WAYPOINTS_DESKTOP)) == 4
    assert len(apple_maps_links(day)) == 3
    with pytest.raises(ValueError, match="max_waypoints"):
        google_maps_links(day, max_waypoints=10)


def test_map_links_are_encoded_driving_directions(plan):
    (google,) = google_maps_links(plan.days[0])
    assert google.startswith("https://www.google.com/maps/dir/?api=1&origin=44.8016%2C-68.7712&")
    assert google.endswith("&travelmode=driving")
    assert "|" not in google
    assert "%7C" in google
    (apple,) = apple_maps_links(plan.days[1])
    assert apple.startswith("https://maps.apple.com/directions?source=44.8016%2C-68.7712&")
    assert "waypoint=0.00001%2C-68.7&destination=44.7967%2C-68.7614&mode=driving" in apple


def test_a_day_without_visits_has_no_links():
    day = _long_day(0)
    assert google_maps_links(day) == []
    assert apple_maps_links(day) == []


# Writing the files


def test_write_exports_writes_every_format_atomically(plan, tmp_path):
    out_dir = tmp_path / "exports" / "week 48"
    paths = write_exports(plan, out_dir)
    assert [p.name for p in paths] == [
        "T03_2026-11-30_route.gpx",
        "T03_2026-11-30_route.kml",
        "T03_2026-11-30_itinerary.csv",
        "T03_2026-11-30_visits.ics",
        "T03_2026-11-30_links.txt",
    ]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in paths)
    assert len(EXPORT_FORMATS) == len(paths)
    assert all(p.stat().st_size > 0 for p in paths)
    csv_bytes = paths[2].read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline="")))
    assert rows[1]["name"] == TRICKY
    assert b"\r\n" in paths[3].read_bytes()
    assert gpxpy.parse(paths[0].read_text(encoding="utf-8")).routes
    links = paths[4].read_text(encoding="utf-8")
    assert links.count("https://www.google.com/maps/dir/") == 2
    assert "Day 2 Tue 2026-12-01" in links


def test_write_exports_subset_and_sanitised_stem(plan, tmp_path):
    paths = write_exports(plan, tmp_path, formats=["ics", "gpx"], stem="Zoë / week:48")
    assert [p.name for p in paths] == ["Zoe_week_48_visits.ics", "Zoe_week_48_route.gpx"]
    with pytest.raises(ValueError, match="pdf"):
        write_exports(plan, tmp_path, formats=["pdf"])


def test_safe_stem():
    assert safe_stem("T 03/../x") == "T_03_x"
    assert safe_stem("...") == "route"
