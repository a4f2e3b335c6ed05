"""The printable itinerary PDF, read back with poppler (pdfinfo, pdftotext, pdftoppm)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from terrmap.render.itinerary import (
    ensure_gui_application,
    long_date,
    page_capacity,
    write_itinerary_pdf,
)
from terrmap.render.route_layer import day_color
from terrmap.routing.exports import default_stem
from terrmap.routing.model import (
    Break,
    DayRoute,
    Place,
    RoutePlan,
    Stop,
    Unplaced,
    Visit,
    clock,
)

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm")),
    reason="poppler-utils are not installed",
)

MONDAY = dt.date(2026, 11, 30)
HOME = Place("Home – Zoë's", 44.8016, -68.7712)
SPECIAL = ("Zoë & Sons <Ltd>", "Ångström Tools, München", 'Café Δelta "Best" & <Co>')


# -- helpers ----------------------------------------------------------------------------


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def _page_size(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return re.search(r"^Page size:\s+(.*)$", info.stdout, re.MULTILINE).group(1)


def _text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last if last is not None else first)]
    result = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def _png(pdf: Path, tmp_path: Path, page: int = 1, dpi: int = 50) -> np.ndarray:
    from PIL import Image

    prefix = tmp_path / f"page{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    with Image.open(f"{prefix}.png") as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _color_pixels(pixels: np.ndarray, color: str, tolerance: int = 40) -> int:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int((np.abs(pixels - rgb).sum(axis=2) < tolerance).sum())


def _day_rows(day: DayRoute) -> int:
    return len(day.visits) + 2 + (day.lunch is not None)


def _expected_pages(plan: RoutePlan, page: str = "letter") -> int:
    """The page count by the layout rules of the module docstring."""
    cap = page_capacity(page)

    def pages(rows: int, first: int) -> int:
        return 1 + max(0, math.ceil((rows - first) / cap.more))

    total = 1 if len(plan.days) > 1 else 0
    total += sum(pages(_day_rows(day), cap.day) for day in plan.days)
    if plan.unplaced:
        reasons = {u.reason for u in plan.unplaced}
        total += pages(len(plan.unplaced) + len(reasons), cap.unplaced)
    return total


def _synthetic_plan(visits: int, *, names=SPECIAL, unplaced: int = 2, days: int = 1) -> RoutePlan:
    routes = []
    for number in range(days):
        stops, t, legs, previous = [], 8 * 3600, [], (HOME.lat, HOME.lon)
        for i in range(visits):
            angle = 2 * math.pi * i / max(visits, 1)
            lat, lon = HOME.lat + 0.08 * math.sin(angle), HOME.lon + 0.12 * math.cos(angle)
            name = names[i % len(names)] if i < len(names) else f"Account {number}-{i:02d}"
            stop = Stop(
                f"S{number}{i:03d}",
                name,
                lat,
                lon,
                1200,
                window=(9 * 3600, 17 * 3600) if i == 1 else None,
                address=f"{i} Main St, Bangor ME 04401",
            )
            arrival = t + 600
            start = max(arrival, 9 * 3600) if i == 1 else arrival
            stops.append(Visit(stop, arrival, start, start + 1200, 5000.0, 600, locked=i == 2))
            legs.append((previous, (lat, lon)))
            previous, t = (lat, lon), start + 1200
        legs.append((previous, (HOME.lat, HOME.lon)))
        lunch = Break(min(2, visits), 12 * 3600, 12 * 3600 + 1800) if visits else None
        routes.append(
            DayRoute(
                MONDAY + dt.timedelta(days=number),
                HOME,
                HOME,
                8 * 3600,
                tuple(stops),
                4000.0,
                480,
                tuple(legs),
                lunch,
            )
        )
    missing = tuple(
        Unplaced(Stop(f"U{i:03d}", f"Far Away & Co {i}", 45.5, -67.5, 1800), "too far")
        for i in range(unplaced)
    )
    return RoutePlan("T9", "Zoë Ångström", tuple(routes), missing, "straight line × 1.3")


# -- fixtures: real plans of the bundled sample -----------------------------------------


@pytest.fixture(scope="module")
def sample():
    from terrmap.routing.from_project import request_for, working_days
    from terrmap.routing.planner import plan_route
    from terrmap.sample import load_sample_project

    project = load_sample_project()
    week = plan_route(request_for(project, "T03", working_days(MONDAY, 5), time_limit=4))
    day = plan_route(request_for(project, "T03", (MONDAY,), time_limit=4))
    return project, week, day


@pytest.fixture(scope="module")
def week_pdf(sample, tmp_path_factory):
    project, week, _day = sample
    return write_itinerary_pdf(week, tmp_path_factory.mktemp("week"), project=project)


@pytest.fixture(scope="module")
def day_pdf(sample, tmp_path_factory):
    _project, _week, day = sample
    return write_itinerary_pdf(day, tmp_path_factory.mktemp("day"))


# -- tests ------------------------------------------------------------------------------


def test_one_day_plan_pages_and_timetable(sample, day_pdf):
    _project, _week, day = sample
    assert day_pdf.name == f"{default_stem(day)}_itinerary.pdf"
    assert len(day.days) == 1
    assert day.unplaced
    pages = _pages(day_pdf)
    assert pages == _expected_pages(day)
    assert (
        pages
        == 1
        + math.ceil(
            (len(day.unplaced) + len({u.reason for u in day.unplaced}) - page_capacity().unplaced)
            / page_capacity().more
        )
        + 1
    )
    route = day.days[0]
    first = _text(day_pdf, 1)
    assert f"{day.rep_name} — {long_date(route.date)}" in first
    assert "Overview" not in first
    assert "Day 1 of 1" in first
    for visit in route.visits:
        assert visit.stop.name in first
        assert clock(visit.arrival_s) in first
        assert f"{clock(visit.start_s)}–{clock(visit.departure_s)}" in first
    assert "Lunch break" in first
    assert f"Return: {route.end.name}" in first
    assert f"Page 1 of {pages}" in first
    assert day.distances in first


def test_not_placed_section_lists_every_unplaced_stop(sample, day_pdf):
    _project, _week, day = sample
    pages = _pages(day_pdf)
    rest = _text(day_pdf, 2, pages)
    assert rest.startswith("Not placed")
    for unplaced in day.unplaced:
        assert unplaced.stop.id in rest
        assert unplaced.stop.name in rest
    for reason in {u.reason for u in day.unplaced}:
        assert reason[1:] in rest  # the group heading starts with a capital
    assert "Not placed (continued)" in _text(day_pdf, pages)
    assert f"Page {pages} of {pages}" in _text(day_pdf, pages)


def test_week_plan_has_an_overview_then_a_section_per_day(sample, week_pdf):
    _project, week, _day = sample
    pages = _pages(week_pdf)
    assert pages == _expected_pages(week)
    cover = _text(week_pdf, 1)
    assert f"{len(week.days)} days · {week.visit_count} visits" in cover
    for number, route in enumerate(week.days, 1):
        assert f"Day {number} {long_date(route.date)}" in cover  # the table
        section = _text(week_pdf, 1 + number)  # every day fits its first page here
        assert section.startswith(f"{week.rep_name} — {long_date(route.date)}")
        assert f"Day {number} of {len(week.days)}" in section
        for visit in route.visits:
            assert visit.stop.name in section
            assert f"{clock(visit.start_s)}–{clock(visit.departure_s)}" in section
    assert _text(week_pdf, len(week.days) + 2).startswith("Not placed")


def test_first_page_is_drawn_in_the_day_colours(sample, week_pdf, day_pdf, tmp_path):
    for pdf, days in ((week_pdf, 5), (day_pdf, 1)):
        pixels = _png(pdf, tmp_path)
        assert pixels.shape[1] == pytest.approx(8.5 * 50, abs=2)
        assert pixels.std() > 20  # not a blank page
        for index in range(days):
            assert _color_pixels(pixels, day_color(index)) > 50, (pdf.name, index)


def test_special_characters_render_and_long_days_continue(tmp_path):
    plan = _synthetic_plan(60)
    pdf = write_itinerary_pdf(plan, tmp_path, page="a4")
    assert _page_size(pdf).endswith("(A4)")
    pages = _pages(pdf)
    assert pages == _expected_pages(plan, "a4") == 3  # day, its continuation, Not placed
    first = _text(pdf, 1)
    for name in SPECIAL:
        assert name in first
    assert "Zoë Ångström — Mon 30 Nov 2026" in first
    assert "window 09:00–17:00" in first
    assert "locked" in first
    following = _text(pdf, 2)
    assert following.startswith("Zoë Ångström — Mon 30 Nov 2026 (continued)")
    assert "Arrive Start–leave Account Address" in following  # the header is repeated
    assert "Account 0-59" in following
    assert "Return: Home – Zoë's" in following
    assert "Far Away & Co 1" in _text(pdf, 3)


def test_plan_without_visits_or_unplaced_stops(tmp_path):
    plan = _synthetic_plan(0, unplaced=0, days=2)
    pdf = write_itinerary_pdf(plan, tmp_path, stem="empty week")
    assert pdf.name == "empty_week_itinerary.pdf"
    assert _pages(pdf) == 3  # overview and two days
    assert "Not placed" not in _text(pdf)


def test_write_is_atomic_and_replaces_the_file(tmp_path):
    plan = _synthetic_plan(3, unplaced=0)
    target = tmp_path / f"{default_stem(plan)}_itinerary.pdf"
    target.write_bytes(b"old")
    written = write_itinerary_pdf(plan, tmp_path)
    assert written == target
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_unknown_page_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="page size"):
        write_itinerary_pdf(_synthetic_plan(1), tmp_path, page="legal")
    assert not list(tmp_path.iterdir())


def test_uses_the_running_gui_application():
    app = ensure_gui_application()
    assert ensure_gui_application() is app
