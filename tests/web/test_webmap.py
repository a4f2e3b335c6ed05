"""The web map page: one feature per unit in the app's colours, escaped text, offline page."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from terrmap.core import Plan, Project, Territory, UnitLayer
from terrmap.core.palette import (
    ROUTE_CASING,
    ROUTE_CASING_WIDTH,
    ROUTE_DAY_COLORS,
    ROUTE_FADE,
    ROUTE_LINE_WIDTH,
    UNASSIGNED_COLOR,
)
from terrmap.errors import TerrmapError
from terrmap.routing.model import DayRoute, Place, RoutePlan, Stop, Unplaced, Visit
from terrmap.sample import SYNTHETIC_NOTICE, load_sample_project
from terrmap.web import web_map_html, write_web_map
from terrmap.web.offline import LEAFLET_VERSION, network_references
from terrmap.web.style import BACKGROUND, UNIT_FILL_OPACITY_OFFLINE, UNIT_FILL_OPACITY_ONLINE
from terrmap.web.webmap import html_text
from tests.grid import grid_accounts, grid_units, make_grid_project
from tests.web import (
    cluster_rows,
    layer_features,
    layer_names,
    layer_variables,
    polylines,
    remote_fetches,
    territory_table,
    unit_fill_opacity,
)

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# Template-literal and Jinja syntax: branca compiles rendered scripts as Jinja templates.
TEMPLATE = "`${alert(1)}` {{ 7*7 }} {% raw %} {{ cycler.__init__.__globals__.os.getpid() }} \\"
PAYLOADS = (SCRIPT, ATTRIBUTE, "<img src=x onerror=alert(1)>", "${alert(1)}")


@pytest.fixture(scope="module")
def sample() -> Project:
    return load_sample_project()


@pytest.fixture(scope="module")
def sample_offline(sample: Project) -> str:
    return web_map_html(sample, offline=True)


def _hostile_project() -> Project:
    """The grid project with markup in unit, account, territory and rep names."""
    units = grid_units()
    frame = units.frame.copy()
    frame.loc["r0c0", "name"] = SCRIPT
    units = UnitLayer(frame, kind="custom", source=ATTRIBUTE)
    accounts = grid_accounts(units)
    names = accounts.frame["name"].copy()
    names.iloc[0], names.iloc[1], names.iloc[2] = SCRIPT, ATTRIBUTE, TEMPLATE
    accounts.frame["name"] = names
    territories = [
        Territory("T1", SCRIPT, owner=ATTRIBUTE, color="#4477AA", home=(-99.8, 38.2)),
        Territory("T2", TEMPLATE, owner=TEMPLATE, color="#EE6677", home=(-98.8, 38.2)),
        Territory("T3", "East", color="#228833"),
    ]
    base = make_grid_project()
    return Project(
        units,
        accounts,
        territories,
        [Plan("Current", base.plan.codes.copy())],
        metadata={"title": SCRIPT},
    )


def _plan(name: str = "Ana") -> RoutePlan:
    home = Place("Home", 38.2, -99.8)
    stops = [Stop(f"S{i}", n, 38.3 + 0.1 * i, -99.6 + 0.2 * i) for i, n in enumerate(PAYLOADS)]

    def day(date: dt.date, visits: list[Stop]) -> DayRoute:
        return DayRoute(
            date=date,
            start=home,
            end=home,
            depart_s=8 * 3600,
            visits=tuple(
                Visit(
                    s,
                    9 * 3600 + k * 3600,
                    9 * 3600 + k * 3600,
                    9 * 3600 + k * 3600 + 1800,
                    1000.0,
                    600,
                )
                for k, s in enumerate(visits)
            ),
            return_m=1000.0,
            return_s=600,
        )

    return RoutePlan(
        rep_id="T1",
        rep_name=name,
        days=(day(dt.date(2026, 11, 30), stops[:2]), day(dt.date(2026, 12, 1), stops[2:3])),
        unplaced=(Unplaced(stops[3], ATTRIBUTE),),
    )


# -- features and colours ---------------------------------------------------------
def test_one_feature_per_unit_in_layer_order(sample: Project, sample_offline: str) -> None:
    features = layer_features(sample_offline)
    assert len(features) == len(sample.units) == 217
    assert [f["id"] for f in features] == list(sample.units.ids)
    assert [f["properties"]["unit_id"] for f in features] == list(sample.units.ids)
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)


def test_units_carry_their_territory_and_its_colour(sample: Project, sample_offline: str) -> None:
    features = layer_features(sample_offline)
    owners = sample.territory_of_units()
    colors = {t.id: t.color for t in sample.territories}
    for feature, owner in zip(features, owners, strict=True):
        assert feature["properties"]["territory"] == owner
        assert feature["properties"]["fill"] == colors[owner]
    # The layer's style paints each unit with that colour.
    assert "fillColor: feature.properties.fill" in sample_offline
    table = territory_table(sample_offline)
    assert [row["color"] for row in table] == [UNASSIGNED_COLOR, *colors.values()]


def test_unassigned_units_are_grey_and_listed() -> None:
    project = make_grid_project()
    page = web_map_html(project, offline=True)
    features = layer_features(page)
    unassigned = [f for f in features if f["properties"]["territory"] is None]
    assert len(unassigned) == 3  # column 3
    assert {f["properties"]["fill"] for f in unassigned} == {UNASSIGNED_COLOR}
    assert "<i>Unassigned</i>" in page  # in the legend


def test_popups_hold_rep_and_totals() -> None:
    project = make_grid_project()
    table = territory_table(web_map_html(project, metrics=["revenue", "households"]))
    west = table[1]["popup"]
    # T1 = columns 0–1: units k = 0,1,4,5,8,9, each with accounts of revenue 100·k.
    revenue = 2 * 100 * (0 + 1 + 4 + 5 + 8 + 9)
    households = sum(10 * k + 5 for k in (0, 1, 4, 5, 8, 9))
    for label, value in [("Rep", "Ana"), ("Units", "6"), ("Accounts", "12")]:
        assert f'{label}</th><td style="text-align:right">{value}<' in west
    assert f"{revenue:,}" in west
    assert f"{households:,}" in west
    assert "revenue" in west
    assert "households" in west
    assert "Unassigned" in table[0]["popup"]


def test_unknown_metric_is_an_error() -> None:
    with pytest.raises(TerrmapError, match="no metric named 'nope'"):
        web_map_html(make_grid_project(), metrics=["nope"])


def test_accounts_are_clustered_in_their_territory_colour() -> None:
    project = make_grid_project()
    page = web_map_html(project, offline=True)
    rows = cluster_rows(page)
    assert len(rows) == len(project.accounts)
    assert "L.markerClusterGroup(" in page
    table = territory_table(page)
    codes = project.account_codes()
    assert [r[2] for r in rows] == [int(c) + 1 for c in codes]
    assert table[rows[0][2]]["color"] == "#4477AA"
    lat, lon = rows[0][:2]
    point = project.accounts.frame.geometry.iloc[0]
    assert (lat, lon) == pytest.approx((point.y, point.x))


def test_synthetic_notice_only_when_it_applies(sample_offline: str) -> None:
    assert html_text(SYNTHETIC_NOTICE) in sample_offline
    assert "Synthetic" not in web_map_html(make_grid_project())


def test_layer_control_lists_the_layers(sample_offline: str) -> None:
    assert layer_names(sample_offline) == [
        "Context: states",
        "Territories (units)",
        "Territory borders",
        "Accounts (5,000)",
        "Rep homes",
    ]


# -- simplification -------------------------------------------------------------------
def test_detailed_units_are_simplified_but_none_is_lost() -> None:
    # 40 detailed round units (2,049 vertices each) and a speck far below the tolerance.
    centres = [(-100 + 0.5 * i, 40.0) for i in range(40)]
    shapes = [shapely.Point(x, y).buffer(0.2, quad_segs=512) for x, y in centres]
    shapes.append(shapely.box(-90.0, 40.0, -90.00001, 40.00001))
    ids = [f"U{i}" for i in range(len(shapes))]
    frame = gpd.GeoDataFrame({"name": ids}, geometry=shapes, index=ids, crs="EPSG:4326")
    project = Project(UnitLayer(frame))
    features = layer_features(web_map_html(project, offline=True))
    assert [f["id"] for f in features] == ids
    vertices = [len(f["geometry"]["coordinates"][0]) for f in features]
    assert max(vertices[:-1]) < 2049 / 10
    assert vertices[-1] >= 4  # the speck is still a polygon
    coords = np.array([c for f in features for c in f["geometry"]["coordinates"][0]])
    assert np.allclose(coords, np.round(coords, 5))


# -- escaping -----------------------------------------------------------------------
@pytest.mark.parametrize("offline", [False, True])
def test_markup_in_data_appears_only_as_text(offline: bool) -> None:
    page = web_map_html(_hostile_project(), offline=offline, routes=_plan(ATTRIBUTE))
    for payload in PAYLOADS:
        assert payload not in page
    # What the browser will insert as HTML (tooltips, popups, legend) carries escaped text.
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    escaped_attribute = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    table = territory_table(page)
    assert escaped_script in table[1]["label"]
    assert escaped_attribute in table[1]["label"]
    assert escaped_script in table[1]["popup"]
    assert escaped_attribute in table[1]["popup"]
    assert "&#96;&#36;&#123;alert(1)}&#96;" in table[2]["label"]
    units = layer_features(page)
    assert units[0]["properties"]["html"].startswith(escaped_script)
    labels = [row[3] for row in cluster_rows(page)]
    assert labels[0].startswith(escaped_script)
    assert labels[1].startswith(escaped_attribute)
    assert labels[2].startswith(
        "&#96;&#36;&#123;alert(1)}&#96; &#123;&#123; 7*7 }} &#123;% raw %} "
        "&#123;&#123; cycler.__init__.__globals__.os.getpid() }} &#92;"
    )
    assert f"<title>{escaped_script}</title>" in page
    legend = re.search(r'<div class="terrmap-box terrmap-legend">.*?</div></div>', page)
    assert legend
    assert escaped_script in legend.group(0)
    assert "&#123;&#123; 7*7 }}" in legend.group(0)
    assert f"Boundaries: {escaped_attribute}" in page
    # Route day layers are named after the rep; Leaflet's layer control sets names as HTML.
    assert f"Route {escaped_attribute}: Day 1 Mon 2026-11-30" in layer_names(page)


def test_jinja_syntax_in_data_is_not_evaluated() -> None:
    # folium.Tooltip("{{ 7*7 }}") renders "49": branca compiles each rendered script again,
    # so "{% raw %}" would raise and "{{ cycler... }}" would run Python while the page is made.
    page = web_map_html(_hostile_project(), routes=_plan(TEMPLATE))
    assert "&#123;&#123; cycler.__init__.__globals__.os.getpid() }}" in page
    assert str(os.getpid()) not in page
    assert re.findall(r"\{\{|\{%|\{#", page) == []  # no Jinja opener survives in the page


def test_html_text_escapes_for_html_template_literals_and_jinja() -> None:
    assert html_text("a<b>&\"'`${x}\\") == "a&lt;b&gt;&amp;&quot;&#x27;&#96;&#36;&#123;x}&#92;"
    assert html_text(None) == ""


# -- routes -------------------------------------------------------------------------
def test_routes_are_one_line_per_day() -> None:
    page = web_map_html(make_grid_project(), offline=True, routes=_plan())
    assert page.count("L.polyline(") == 4  # each day: its casing and its coloured line
    assert layer_names(page)[-3:] == [
        "Route Ana: Day 1 Mon 2026-11-30",
        "Route Ana: Day 2 Tue 2026-12-01",
        "Route Ana: not placed",
    ]
    assert network_references(page) == []


def test_each_day_line_is_cased_white_underneath() -> None:
    # Day 1's blue must stay visible on a blue territory: a wider white line goes first.
    page = web_map_html(make_grid_project(), offline=True, routes=_plan())
    lines = polylines(page)
    groups = layer_variables(page)
    days = ["Route Ana: Day 1 Mon 2026-11-30", "Route Ana: Day 2 Tue 2026-12-01"]
    home = [38.2, -99.8]
    for index, name in enumerate(days):
        casing, line = [x for x in lines if x["layer"] == groups[name]]  # in page order
        assert casing["options"]["color"] == ROUTE_CASING == "#FFFFFF"
        assert line["options"]["color"] == ROUTE_DAY_COLORS[index]
        assert casing["options"]["weight"] == ROUTE_CASING_WIDTH
        assert line["options"]["weight"] == ROUTE_LINE_WIDTH
        assert casing["options"]["weight"] > line["options"]["weight"]
        assert casing["options"]["opacity"] == line["options"]["opacity"] == 1.0
        assert casing["options"]["interactive"] is False  # the line and units keep the mouse
        assert casing["path"] == line["path"]
        assert casing["path"][0] == casing["path"][-1] == home
    # Page order is drawing order: each day's casing just before its line, day after day.
    assert [x["options"]["color"] for x in lines] == [
        ROUTE_CASING,
        ROUTE_DAY_COLORS[0],
        ROUTE_CASING,
        ROUTE_DAY_COLORS[1],
    ]


@pytest.mark.parametrize(
    ("offline", "normal"),
    [(True, UNIT_FILL_OPACITY_OFFLINE), (False, UNIT_FILL_OPACITY_ONLINE)],
)
def test_territory_fills_fade_only_under_a_route(offline: bool, normal: float) -> None:
    project = make_grid_project()
    assert unit_fill_opacity(web_map_html(project, offline=offline)) == normal
    faded = unit_fill_opacity(web_map_html(project, offline=offline, routes=_plan()))
    assert faded == pytest.approx(normal * ROUTE_FADE, abs=1e-4)  # the app's rule
    assert faded < normal / 2


# -- offline / online ---------------------------------------------------------------
def test_offline_page_fetches_nothing(sample_offline: str) -> None:
    assert remote_fetches(sample_offline) == []
    assert network_references(sample_offline) == []
    assert "<script src" not in sample_offline
    assert "<link" not in sample_offline
    assert "L.tileLayer(" not in sample_offline
    # Leaflet and markercluster are inlined, their CSS images as data URIs.
    assert f"Leaflet {LEAFLET_VERSION}" in sample_offline
    assert "L.MarkerClusterGroup" in sample_offline
    assert 'url("data:image/png;base64,' in sample_offline
    assert "sourceMappingURL" not in sample_offline
    # No jQuery, Bootstrap or awesome-markers: nothing on the page uses them.
    assert "$(" not in re.sub(r"<script>/\* leaflet.*?</script>", "", sample_offline, flags=re.S)
    # Attribution links are plain <a href> text, not fetches.
    assert 'href="https://leafletjs.com"' in sample_offline


def test_online_page_uses_cdn_and_tiles() -> None:
    page = web_map_html(make_grid_project())
    assert "L.tileLayer(" in page
    assert "tile.openstreetmap.org" in page
    assert any("leaflet" in url for url in remote_fetches(page))
    assert f"Leaflet {LEAFLET_VERSION}" not in page  # not inlined


def test_write_web_map_writes_the_file(tmp_path: Path) -> None:
    path = write_web_map(make_grid_project(), tmp_path / "map.html", offline=True)
    assert path == tmp_path / "map.html"
    assert len(layer_features(path.read_text(encoding="utf-8"))) == 12
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temporary left over
    with pytest.raises(TerrmapError, match="cannot write"):
        write_web_map(make_grid_project(), tmp_path / "missing" / "map.html")


def test_web_package_does_not_import_qt() -> None:
    code = (
        "import sys, terrmap.web, terrmap._cli_web\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'pyqtgraph', 'shiboken6'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- in a real browser ------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Every request outside file:// fails: the page must render from what it carries.
NO_NETWORK = ["--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]
# After the page has loaded: put every tooltip and popup of every layer into the page as
# Leaflet would (innerHTML), so the DOM shows whether any of it became markup.
PROBE = """<script>
window.addEventListener('load', function () { setTimeout(function () {
    var parts = [], seen = new Set();
    function grab(layer) {
        if (seen.has(layer)) { return; }
        seen.add(layer);
        if (layer.getTooltip && layer.getTooltip()) { parts.push(layer.getTooltip()._content); }
        if (layer.getPopup && layer.getPopup()) { parts.push(layer.getPopup()._content); }
        if (layer.getLayers) { layer.getLayers().forEach(grab); }
    }
    MAP.eachLayer(grab);
    var box = document.createElement('div');
    box.id = 'probe';
    box.setAttribute('data-count', String(parts.length));
    box.innerHTML = parts.join('<hr>');
    document.body.appendChild(box);
}, 1500); });
</script>"""


def _chromium(args: list[str], page: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", *NO_NETWORK,
         *args, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium to render the page with")
def test_offline_page_renders_without_network_and_runs_no_injected_markup(
    tmp_path: Path,
) -> None:
    image_module = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot")

    project = _hostile_project()
    page = web_map_html(project, offline=True, routes=_plan(ATTRIBUTE))
    map_name = re.search(r"var (map_[0-9a-f]+) = L\.map\(", page).group(1)
    path = tmp_path / "map.html"
    path.write_text(page.replace("</body>", PROBE.replace("MAP", map_name) + "</body>"))
    dom = _chromium(["--dump-dom"], path)
    assert "Uncaught" not in dom.stderr, dom.stderr
    probe = re.search(r'<div id="probe" data-count="(\d+)">(.*?)</div></body>', dom.stdout, re.S)
    assert probe, dom.stdout[-2000:]
    assert int(probe.group(1)) > len(project.units) + len(project.accounts)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in probe.group(2)
    assert "<img" not in probe.group(2)
    assert "<script" not in probe.group(2)
    assert "marker-cluster" in dom.stdout  # the clusters were drawn

    shot = tmp_path / "map.png"
    _chromium(["--window-size=800,600", f"--screenshot={shot}"], path)
    image = np.asarray(image_module.open(shot).convert("RGB"))
    colors = {tuple(int(v) for v in px) for px in image.reshape(-1, 3)[::7]}
    assert len(colors) > 50  # not a blank page
    # T1's fill, faded under the route, over the page background.
    alpha = UNIT_FILL_OPACITY_OFFLINE * ROUTE_FADE
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)])
    west = alpha * np.array([0x44, 0x77, 0xAA]) + (1 - alpha) * background
    near = np.abs(image.astype(int) - west).sum(axis=2) < 20
    assert near.mean() > 0.01
    unfaded = 0.9 * np.array([0x44, 0x77, 0xAA]) + 0.1 * background
    assert (np.abs(image.astype(int) - unfaded).sum(axis=2) < 20).mean() < 0.001
