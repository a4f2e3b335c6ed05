"""``terrmap route`` end to end on the sample project: files written, stops listed, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import gpxpy
import pytest

from tests.cli.run import run_cli

OSM = Path(__file__).resolve().parents[3] / "shared" / "data" / "osm"


def test_day_route_of_due_accounts_writes_every_export(sample, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, stderr = run_cli(
        capsys, "route", sample, "--rep", "T03", "--day", "2026-11-30", "--out", out,
        "--time-limit", "2", "--no-pdf",
    )  # fmt: skip
    assert status == 0, stderr
    names = sorted(p.name for p in out.iterdir())
    stem = "T03_2026-11-30"
    assert names == sorted(
        f"{stem}_{kind}"
        for kind in (
            "route.gpx", "route.kml", "itinerary.csv", "visits.ics", "links.txt", "map.html"
        )
    )  # fmt: skip
    assert stdout.startswith("Marcus Hollis (T03), distances by straight line × 1.3 at 50 km/h")
    assert "Mon 2026-11-30:" in stdout
    # Far more accounts are due than fit in one day: each left-over is named with a reason.
    assert "not placed:" in stderr
    with (out / f"{stem}_itinerary.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    visits = [r for r in rows if r["kind"] == "visit"]
    gpx = gpxpy.parse((out / f"{stem}_route.gpx").read_text(encoding="utf-8"))
    assert len(gpx.routes) == 1
    assert len(gpx.routes[0].points) == len(visits) + 2  # home, the stops, home
    assert f"{len(visits)} visits" in stdout
    # The route's web map works offline and has the day as a layer.
    page = (out / f"{stem}_map.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in page
    assert "Route Marcus Hollis: Day 1 Mon 2026-11-30" in page


def test_itinerary_pdf_comes_with_the_exports(sample, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, stderr = run_cli(
        capsys, "route", sample, "--rep", "T05", "--day", "2026-12-01", "--out", out,
        "--time-limit", "2",
    )  # fmt: skip
    assert status == 0, stderr
    pdf = next(out.glob("*_itinerary.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.name in stdout


def test_stops_file_and_week(sample, tmp_path, capsys):
    stops = tmp_path / "stops.csv"
    stops.write_text("account_id\nA000033\nA000034\nA000072\n\n", encoding="utf-8")
    status, stdout, stderr = run_cli(
        capsys, "route", sample, "--rep", "Marcus Hollis", "--week", "2026-11-30", "--days", "2",
        "--stops", stops, "--out", tmp_path / "o", "--no-pdf", "--lunch", "none",
    )  # fmt: skip
    assert status == 0, stderr
    assert "total: 3 visits" in stdout
    assert "Tue 2026-12-01:" in stdout
    assert "not placed" not in stderr


def test_start_and_end_elsewhere(sample, tmp_path, capsys):
    out = tmp_path / "o"
    status, _, stderr = run_cli(
        capsys, "route", sample, "--rep", "T03", "--day", "2026-11-30", "--out", out,
        "--from", "42.70, -73.80", "--to", "42.9,-73.6", "--no-pdf", "--time-limit", "2",
    )  # fmt: skip
    assert status == 0, stderr
    gpx = gpxpy.parse(next(out.glob("*_route.gpx")).read_text(encoding="utf-8"))
    points = gpx.routes[0].points
    assert (points[0].latitude, points[0].longitude) == (42.70, -73.80)
    assert (points[-1].latitude, points[-1].longitude) == (42.9, -73.6)


def test_unknown_account_in_stops_file_names_the_line(sample, tmp_path, capsys):
    stops = tmp_path / "stops.csv"
    stops.write_text("account_id\nA000033\nNOPE\n", encoding="utf-8")
    status, _, stderr = run_cli(
        capsys, "route", sample, "--rep", "T03", "--stops", stops, "--out", tmp_path / "o"
    )
    assert status == 2
    assert "stops.csv, line 3: account 'NOPE' is not in the project" in stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rep", "T99"], "no territory or rep called 'T99'"),
        (["--rep", "T03", "--lunch", "noon"], "--lunch 'noon': write it as HH:MM-HH:MM/MINUTES"),
        (["--rep", "T03", "--hours", "0"], "the day length must be between 1 second and 24 hours"),
        (["--rep", "T03", "--to", "north"], "--to: 'north' is not 'latitude, longitude'"),
    ],
)
def test_bad_options_are_explained(sample, tmp_path, capsys, args, message):
    status, _, stderr = run_cli(capsys, "route", sample, *args, "--out", tmp_path / "o")
    assert status == 2
    assert message in stderr


def test_road_distances_from_an_osm_extract(tmp_path, capsys, monkeypatch):
    """A project near Bangor, Maine, routed on the roads of the real extract."""
    pbf = OSM / "bangor_maine.osm.pbf"
    if not pbf.exists():
        pytest.skip("the shared OSM extracts are not beside the repository")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = tmp_path / "bangor.terrmap.gpkg"
    _bangor_project(project)
    stops = tmp_path / "stops.csv"
    stops.write_text("\n".join(f"B{i}" for i in range(8)), encoding="utf-8")
    status, stdout, stderr = run_cli(
        capsys, "route", project, "--rep", "T01", "--day", "2026-11-30", "--osm", pbf,
        "--stops", stops, "--out", tmp_path / "o", "--no-pdf",
    )  # fmt: skip
    assert status == 0, stderr
    assert "distances by roads of bangor_maine.osm.pbf" in stdout
    gpx = gpxpy.parse(next((tmp_path / "o").glob("*_route.gpx")).read_text(encoding="utf-8"))
    # The drawn track follows the roads: many more points than stops.
    assert sum(len(s.points) for t in gpx.tracks for s in t.segments) > 5 * len(gpx.waypoints)


def _bangor_project(path: Path) -> None:
    """Maine's counties, Penobscot in territory T01, with accounts in downtown Bangor."""
    import geopandas as gpd
    import numpy as np

    from terrmap.core.layers import AccountLayer
    from terrmap.core.plan import Plan
    from terrmap.core.project import Project
    from terrmap.core.territory import Territory
    from terrmap.io.projectfile import save_project
    from terrmap.sample import load_counties

    units = load_counties(("ME",))
    rng = np.random.default_rng(1)
    lat = 44.80 + rng.uniform(-0.015, 0.015, 8)
    lon = -68.77 + rng.uniform(-0.02, 0.02, 8)
    frame = gpd.GeoDataFrame(
        {
            "account_id": [f"B{i}" for i in range(8)],
            "name": [f"Bangor account {i}" for i in range(8)],
            "unit_id": "23019",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    codes = np.where(units.frame.index == "23019", 0, -1).astype(np.int32)
    plan = Plan.unassigned("Current", len(units))
    plan.codes[:] = codes
    territory = Territory("T01", "Bangor", "Pat Rep", home=(-68.7778, 44.8012))
    project = Project(units, AccountLayer(frame, units), [territory], [plan])
    save_project(project, path)
