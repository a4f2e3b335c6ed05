"""The project as an interactive web page (folium / Leaflet) to open in any browser.

One GeoJSON feature per unit, filled with its territory's colour as in the app (unassigned
grey), with territory borders drawn over them; a tooltip names the unit, territory and rep,
and a click opens the territory's totals. Accounts are clustered markers in their
territory's colour, rep homes and optional route days are layers of their own, and a layer
control switches them. The synthetic-data notice shows when the project carries it.

Every piece of text from the data is HTML-escaped here (`html_text`): folium puts tooltip
text into the page as markup (inside a JavaScript template literal) without escaping it,
Leaflet sets tooltips, popups and layer names as ``innerHTML``, and branca compiles each
element's rendered script as a Jinja template again, so ``{{ ... }}`` in a name would run
while the page is made. The page's own data tables go in as JSON with ``<``, ``>``, ``&``,
``'`` and Jinja's openers written as ``\\u`` escapes (`js_json`), so nothing can close a
``<script>``; the unit GeoJSON sits in a data block that is never templated.

``offline=True`` writes a page that needs no network at all: no tile layer (a plain
background with the project's context outlines instead) and Leaflet's files inlined from
``resources/web`` (`terrmap.web.offline`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster
from jinja2 import Template
from shapely.errors import GEOSException

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.errors import TerrmapError
from terrmap.io.atomic import write_text_atomic
from terrmap.web.offline import RawElement, make_offline, network_references

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.project import Project
    from terrmap.routing.model import DayRoute, RoutePlan

# Looks shared with the app's map (terrmap.render.style.MapStyle) so the page reads the same.
BACKGROUND = "#EEF2F6"
UNIT_BORDER = "#FFFFFF"
TERRITORY_BORDER = "#3A4450"
CONTEXT_BORDER = "#9AA5B1"
ACCOUNT_BORDER = "#1F2933"
HOME_COLOR = "#1F2933"
# Paul Tol's "bright" scheme, as terrmap.render.route_layer colours route days.
DAY_COLORS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")

# Simplification tolerance as a fraction of the layer's larger span, clamped to these
# degrees: ~20 m at the fine end, ~550 m (the bundled counties' own detail) at the coarse.
SPAN_FRACTION = 1 / 20_000
MIN_TOLERANCE_DEG, MAX_TOLERANCE_DEG = 0.0002, 0.005
COORD_DECIMALS = 5  # ~1 m
# The page opens on all units unless outliers stretch an axis this much (see _bounds).
FIT_QUANTILE, FIT_OUTLIER_RATIO = 0.005, 1.5
# Above this many vertices GEOS's coverage simplifier is slow (minutes); plain simplify then.
COVERAGE_SIMPLIFY_LIMIT = 2_000_000


def write_web_map(
    project: Project,
    path: str | Path,
    *,
    offline: bool = False,
    routes: RoutePlan | None = None,
    metrics: Sequence[str] | None = None,
) -> Path:
    """Write the project as a standalone HTML web map, atomically.

    Parameters
    ----------
    project
        The project; its active plan is drawn.
    path
        The ``.html`` file to write (replaced whole or not at all).
    offline
        Write a page that needs no network: no online tiles, Leaflet inlined.
    routes
        A rep's route plan to draw, one line per day.
    metrics
        Metric columns (`terrmap.core.metrics.TerritoryMetrics.columns`) whose territory
        sums the popups show; default every numeric account column.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TerrmapError
        An unknown metric, or the file cannot be written.
    """
    page = web_map_html(project, offline=offline, routes=routes, metrics=metrics)
    path = Path(path)
    write_text_atomic(path, page)
    return path


def web_map_html(
    project: Project,
    *,
    offline: bool = False,
    routes: RoutePlan | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """The web map page as HTML text (see `write_web_map`)."""
    totals, chosen = _totals(project, metrics)
    units = _unit_geometry(project)
    west, south, east, north = _bounds(units)
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=6,
        tiles=None if offline else "OpenStreetMap",
        prefer_canvas=True,
        control_scale=True,
        maxZoom=18,  # Leaflet takes it from the tile layer; markercluster needs one offline
    )
    figure = fmap.get_root()
    title = project.metadata.get("title") or "Territory map"
    figure.header.add_child(
        RawElement(f"<title>{html_text(title)}</title>\n<style>{_page_css()}</style>"),
        name="terrmap_head",
    )
    table = _territory_table(project, totals, chosen)
    info = _Script(table, "terrmap_territories")
    fmap.add_child(info)
    if project.context:
        _add_context(fmap, project, (west, south, east, north), show=offline)
    _add_units(fmap, project, units, info.get_name(), offline)
    _add_borders(fmap, project, units)
    _add_accounts(fmap, project, info.get_name())
    _add_homes(fmap, project)
    if routes is not None:
        _add_routes(fmap, routes)
    folium.LayerControl(collapsed=False).add_to(fmap)
    figure.html.add_child(RawElement(_legend_html(project)), name="terrmap_legend")
    figure.html.add_child(RawElement(_info_html(project, title)), name="terrmap_info")
    fmap.fit_bounds([[south, west], [north, east]])
    if offline:
        make_offline(figure)
    page = figure.render()
    if offline:
        remote = network_references(page)
        if remote:  # a folium element this module does not know linked a CDN
            raise TerrmapError(f"the offline web map would still fetch {remote[0]}")
    return page


def html_text(value: object) -> str:
    """``value`` as text that is safe in HTML, in a JavaScript template literal and in Jinja.

    ``html.escape`` covers ``& < > " '``. Backticks, ``$`` and backslashes are escaped too
    because folium writes tooltip text into a JavaScript template literal, and ``{`` because branca
    compiles every element's rendered script as a Jinja template once more: a name holding
    ``{{ ... }}`` would be evaluated (with access to Python objects) while the page is made.
    """
    text = html.escape("" if value is None else str(value), quote=True)
    for char, entity in _EXTRA_ENTITIES:
        text = text.replace(char, entity)
    return text


_EXTRA_ENTITIES = (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("{", "&#123;"))


def js_json(data: object) -> str:
    """``data`` as JSON that cannot end the ``<script>`` it is in nor open a Jinja tag."""
    return _script_safe(json.dumps(data, ensure_ascii=True, separators=(",", ":")))


# -- totals -------------------------------------------------------------------
def _totals(project: Project, metrics: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    from terrmap.core.metrics import TerritoryMetrics

    live = TerritoryMetrics(project)
    live.disconnect()  # a one-off page; no need to follow edits
    chosen = list(dict.fromkeys(metrics)) if metrics else list(project.accounts.numeric_columns)
    unknown = [m for m in chosen if m not in live.columns]
    if unknown:
        raise TerrmapError(f"no metric named {unknown[0]!r}; choose from {', '.join(live.columns)}")
    return live.frame(), chosen


def _territory_table(project: Project, totals: pd.DataFrame, metrics: list[str]) -> list[dict]:
    """Row 0 unassigned, row i + 1 territory i: colour and ready-escaped HTML snippets."""
    rows = [
        {
            "color": UNASSIGNED_COLOR,
            "label": "<i>Unassigned</i>",
            "popup": _popup_html("Unassigned", "", totals.iloc[-1], metrics),
        }
    ]
    for territory in project.territories:
        rep = territory.owner or "vacant"
        rows.append(
            {
                "color": territory.color,
                "label": f"<b>{html_text(territory.name)}</b> · {html_text(rep)}",
                "popup": _popup_html(
                    territory.name,
                    territory.owner or "(vacant)",
                    totals.loc[territory.id],
                    metrics,
                    territory.id,
                ),
            }
        )
    return rows


def _popup_html(
    name: str, rep: str, row: pd.Series, metrics: list[str], territory_id: str = ""
) -> str:
    lines = [("Rep", html_text(rep))] if rep else []
    if territory_id:
        lines.append(("Territory id", html_text(territory_id)))
    lines += [
        ("Units", _number(row["units"])),
        ("Accounts", _number(row["accounts"])),
        ("Area", f"{float(row['area_km2']):,.0f} km²"),
    ]
    lines += [(html_text(m), _number(row[m])) for m in metrics]
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:10px">{k}</th>'
        f'<td style="text-align:right">{v}</td></tr>'
        for k, v in lines
    )
    return f'<div class="terrmap-popup"><b>{html_text(name)}</b><table>{cells}</table></div>'


def _number(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


# -- geometry -------------------------------------------------------------------
def _unit_geometry(project: Project) -> np.ndarray:
    """Unit polygons simplified for the web (one per unit, none lost) and rounded."""
    geometry = np.asarray(project.units.geometry)
    if not len(geometry):
        return geometry
    return _round(_simplify(geometry, _tolerance(geometry), coverage=True))


def _tolerance(geometry: np.ndarray) -> float:
    west, south, east, north = shapely.total_bounds(geometry)
    span = max(east - west, north - south)
    return float(np.clip(span * SPAN_FRACTION, MIN_TOLERANCE_DEG, MAX_TOLERANCE_DEG))


def _simplify(geometry: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    vertices = int(shapely.get_num_coordinates(geometry).sum())
    if not vertices:
        return geometry
    # Already coarser than the tolerance (the bundled counties): simplifying drops nothing.
    mean_segment = float(np.nansum(shapely.length(geometry))) / vertices
    if tolerance < mean_segment / 2:
        return geometry
    try:
        if coverage and vertices <= COVERAGE_SIMPLIFY_LIMIT:
            # Simplifies each shared edge once, so neighbours still meet without slivers.
            simplified = shapely.coverage_simplify(geometry, tolerance)
        else:
            simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    except GEOSException:  # not a clean coverage (overlaps)
        simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    lost = shapely.is_empty(simplified) | shapely.is_missing(simplified)
    return np.where(lost, geometry, simplified)  # never let a small unit vanish


def _round(geometry: np.ndarray) -> np.ndarray:
    return shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))


def _bounds(geometry: np.ndarray) -> tuple[float, float, float, float]:
    """The extent to open on: all units, unless a few far-out ones would dwarf the rest.

    A national layer has a county that crosses the antimeridian (the Aleutians) and would
    otherwise open on the whole globe; on an axis where the full extent is more than
    `FIT_OUTLIER_RATIO` times the middle 99% of unit edges, the page opens on the middle.
    """
    present = geometry[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
    if not len(present):
        return -125.0, 24.0, -66.0, 50.0  # the contiguous US
    bounds = shapely.bounds(present)
    low, high = bounds.min(axis=0), bounds.max(axis=0)
    q_low = np.quantile(bounds, FIT_QUANTILE, axis=0)
    q_high = np.quantile(bounds, 1 - FIT_QUANTILE, axis=0)
    extent = [float(low[0]), float(low[1]), float(high[2]), float(high[3])]
    for axis in (0, 1):  # x, then y
        full = high[axis + 2] - low[axis]
        middle = q_high[axis + 2] - q_low[axis]
        if middle > 0 and full > FIT_OUTLIER_RATIO * middle:
            extent[axis], extent[axis + 2] = float(q_low[axis]), float(q_high[axis + 2])
    west, south, east, north = extent
    return west, south, east, north


def _geojson_text(
    geometry: np.ndarray, properties: list[dict[str, Any]], ids: Sequence[str] | None = None
) -> str:
    """A FeatureCollection as script-safe JSON text, built without a decode/encode trip."""
    shapes = shapely.to_geojson(geometry)
    features = []
    for i, (shape, props) in enumerate(zip(shapes, properties, strict=True)):
        head = '{"type":"Feature",' + (f'"id":{json.dumps(str(ids[i]))},' if ids else "")
        props_text = json.dumps(props, separators=(",", ":"))
        features.append(f'{head}"geometry":{shape or "null"},"properties":{props_text}}}')
    return _script_safe('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")


def _script_safe(json_text: str) -> str:
    # "{{", "{%" and "{#" only occur inside JSON strings, where \u escapes mean the same.
    for raw, escaped in _SCRIPT_ESCAPES:
        json_text = json_text.replace(raw, escaped)
    return json_text


_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("'", "\\u0027"),
    ("{{", "{\\u007b"),
    ("{%", "{\\u0025"),
    ("{#", "{\\u0023"),
)


# -- layers ---------------------------------------------------------------------
class _GeoJsonLayer(folium.map.Layer):
    """A GeoJSON layer whose data sit in a ``<script type="application/geo+json">`` block.

    The block is written once as JSON text (folium's `GeoJson` decodes and re-encodes the
    data and writes a style switch with a case per feature); the layer's script parses it.
    ``data-terrmap-layer`` names the block, so tests and tools can read the features back.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(
    JSON.parse(document.getElementById({{ this.data_id|tojson }}).textContent),
    {style: {{ this.style }}, onEachFeature: {{ this.on_each }},
     interactive: {{ this.interactive|tojson }}, smoothFactor: 0.5});
{% endmacro %}"""
    )

    def __init__(
        self,
        data: str,
        *,
        key: str,
        name: str,
        style: str,
        on_each: str = "null",
        interactive: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "terrmap_geojson"
        self.data, self.key, self.style, self.on_each = data, key, style, on_each
        self.interactive = interactive
        self.data_id = f"{self.get_name()}_data"

    def render(self, **kwargs: object) -> None:
        block = (
            f'<script type="application/geo+json" id="{self.data_id}" '
            f'data-terrmap-layer="{self.key}">{self.data}</script>'
        )
        self.get_root().html.add_child(RawElement(block), name=self.data_id)
        super().render(**kwargs)


_UNIT_STYLE = f"""function (feature) {{
    return {{fillColor: feature.properties.fill, fillOpacity: OPACITY,
             color: '{UNIT_BORDER}', weight: 0.6}};
}}"""
# TABLE: the territory table (row 0 unassigned); LAYER: the units layer.
_UNIT_EVENTS = f"""function (feature, layer) {{
    var row = TABLE[feature.properties.t];
    layer.bindTooltip(feature.properties.html + '<br>' + row.label, {{sticky: true}});
    layer.bindPopup(row.popup, {{maxWidth: 360}});
    layer.on({{
        mouseover: function (e) {{
            e.target.setStyle({{weight: 2.5, color: '{TERRITORY_BORDER}'}});
        }},
        mouseout: function (e) {{ LAYER.resetStyle(e.target); }}
    }});
}}"""
_BORDER_STYLE = f"""function () {{
    return {{color: '{TERRITORY_BORDER}', weight: 1.8, fill: false}};
}}"""
_CONTEXT_STYLE = f"""function () {{
    return {{color: '{CONTEXT_BORDER}', weight: 0.8, fillColor: '#F8F9FA', fillOpacity: 1.0}};
}}"""


def _add_units(
    fmap: folium.Map, project: Project, geometry: np.ndarray, table: str, offline: bool
) -> None:
    codes = project.plan.codes.tolist()
    colors = [UNASSIGNED_COLOR] + [t.color for t in project.territories]
    territory_ids = [None] + [t.id for t in project.territories]
    ids = [str(u) for u in project.units.ids]
    names = project.units.frame["name"].to_numpy(dtype=object)
    properties = [
        {
            "unit_id": unit_id,
            "territory": territory_ids[code + 1],
            "t": code + 1,
            "fill": colors[code + 1],
            "html": _unit_label(name, unit_id),
        }
        for unit_id, code, name in zip(ids, codes, names, strict=True)
    ]
    layer = _GeoJsonLayer(
        _geojson_text(geometry, properties, ids),
        key="units",
        name="Territories (units)",
        style=_UNIT_STYLE.replace("OPACITY", "0.9" if offline else "0.65"),
    )
    layer.on_each = _UNIT_EVENTS.replace("TABLE", table).replace("LAYER", layer.get_name())
    layer.add_to(fmap)


def _unit_label(name: object, unit_id: str) -> str:
    text = unit_id if name is None or name != name or str(name) == "" else str(name)  # NaN
    if text == unit_id:
        return html_text(text)
    return f"{html_text(text)} <span class='terrmap-id'>({html_text(unit_id)})</span>"


def _add_borders(fmap: folium.Map, project: Project, geometry: np.ndarray) -> None:
    """Territory outlines over the unit fills, not clickable."""
    codes = project.plan.codes
    outlines, properties = [], []
    for index, territory in enumerate(project.territories):
        members = geometry[codes == index]
        members = members[~(shapely.is_missing(members) | shapely.is_empty(members))]
        if not len(members):
            continue
        try:
            merged = shapely.coverage_union_all(members)
        except GEOSException:
            merged = shapely.union_all(members)
        outlines.append(shapely.boundary(merged))
        properties.append({"territory": territory.id})
    if not outlines:
        return
    _GeoJsonLayer(
        _geojson_text(_round(np.asarray(outlines, dtype=object)), properties),
        key="territory-borders",
        name="Territory borders",
        style=_BORDER_STYLE,
        interactive=False,
    ).add_to(fmap)


def _add_context(
    fmap: folium.Map,
    project: Project,
    extent: tuple[float, float, float, float],
    *,
    show: bool,
) -> None:
    """Context layers (state outlines) near the units, under everything else."""
    west, south, east, north = extent
    pad_x, pad_y = max((east - west) * 0.5, 1.0), max((north - south) * 0.5, 1.0)
    window = shapely.box(west - pad_x, south - pad_y, east + pad_x, north + pad_y)
    for key, frame in project.context.items():
        frame = frame.set_crs("EPSG:4326") if frame.crs is None else frame.to_crs("EPSG:4326")
        geometry = np.asarray(frame.geometry)
        geometry = geometry[shapely.intersects(geometry, window)]
        if not len(geometry):
            continue
        geometry = _round(_simplify(geometry, _tolerance(geometry), coverage=False))
        _GeoJsonLayer(
            _geojson_text(geometry, [{} for _ in geometry]),
            key=f"context-{html_text(key)}",
            name=f"Context: {html_text(key)}",
            style=_CONTEXT_STYLE,
            interactive=False,
            show=show,
        ).add_to(fmap)


def _add_accounts(fmap: folium.Map, project: Project, table: str) -> None:
    accounts = project.accounts
    if not len(accounts):
        return
    geometry = accounts.frame.geometry.to_numpy()
    placed = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    if not placed.any():
        return
    lon = np.round(shapely.get_x(geometry[placed]), 6).tolist()
    lat = np.round(shapely.get_y(geometry[placed]), 6).tolist()
    rows_of = (project.account_codes()[placed] + 1).tolist()
    names = accounts.frame["name"].to_numpy(dtype=object)[placed]
    ids = accounts.ids[placed]
    data = [
        [y, x, row, _unit_label(name, str(account_id))]
        for y, x, row, name, account_id in zip(lat, lon, rows_of, names, ids, strict=True)
    ]
    callback = (
        "function (row) {"
        f" var t = {table}[row[2]];"
        " var marker = L.circleMarker([row[0], row[1]], {radius: 5, weight: 1,"
        f" color: '{ACCOUNT_BORDER}', fillColor: t.color, fillOpacity: 0.95}});"
        " marker.bindTooltip(row[3] + '<br>' + t.label);"
        " return marker; }"
    )
    FastMarkerCluster(
        data,
        callback=callback,
        name=f"Accounts ({len(data):,})",
        icon_create_function=_CLUSTER_ICON,
        chunkedLoading=True,
        maxClusterRadius=50,
    ).add_to(fmap)


# Neutral clusters: markercluster's green/yellow/orange would read as territory colours.
_CLUSTER_ICON = """function (cluster) {
    return L.divIcon({
        html: '<div><span>' + cluster.getChildCount() + '</span></div>',
        className: 'marker-cluster terrmap-cluster',
        iconSize: new L.Point(40, 40)
    });
}"""


def _add_homes(fmap: folium.Map, project: Project) -> None:
    homes = [t for t in project.territories if t.home is not None]
    if not homes:
        return
    group = folium.FeatureGroup(name="Rep homes")
    for territory in homes:
        lon, lat = territory.home  # type: ignore[misc]
        folium.CircleMarker(
            [lat, lon],
            radius=6,
            color=HOME_COLOR,
            weight=2,
            fill=True,
            fill_color="#FFFFFF",
            fill_opacity=1.0,
            tooltip=folium.Tooltip(
                f"<b>{html_text(territory.owner or '(vacant)')}</b> · home<br>"
                f"{html_text(territory.name)}"
            ),
        ).add_to(group)
    group.add_to(fmap)


def _add_routes(fmap: folium.Map, plan: RoutePlan) -> None:
    """One layer per day: the day's path, numbered stops, and the stops that did not fit."""
    from terrmap.routing._export_text import day_path, day_title

    for number, day in enumerate(plan.days, start=1):
        color = DAY_COLORS[(number - 1) % len(DAY_COLORS)]
        title = day_title(number, day)
        group = folium.FeatureGroup(name=f"Route {html_text(plan.rep_name)}: {title}")
        path = day_path(day)
        if len(path) >= 2:
            folium.PolyLine(
                path,
                color=color,
                weight=4,
                opacity=0.9,
                tooltip=folium.Tooltip(_day_summary(plan, title, day)),
            ).add_to(group)
        _add_route_points(group, day, color, title)
        group.add_to(fmap)
    if plan.unplaced:
        # Off at first: a week's left-overs can bury the territory under grey rings.
        group = folium.FeatureGroup(
            name=f"Route {html_text(plan.rep_name)}: not placed", show=False
        )
        for item in plan.unplaced:
            folium.CircleMarker(
                [item.stop.lat, item.stop.lon],
                radius=5,
                color="#7B8794",
                weight=2,
                fill=False,
                tooltip=folium.Tooltip(
                    f"<b>{html_text(item.stop.name)}</b><br>not placed: {html_text(item.reason)}"
                ),
            ).add_to(group)
        group.add_to(fmap)


def _day_summary(plan: RoutePlan, title: str, day: DayRoute) -> str:
    from terrmap.routing.model import clock

    return (
        f"<b>{html_text(plan.rep_name)}</b> · {html_text(title)}<br>"
        f"{len(day.visits)} visits, {day.distance_m / 1000:.1f} km, "
        f"{round(day.drive_s / 60)} min driving, {clock(day.depart_s)}–{clock(day.end_s)}"
    )


def _add_route_points(group: folium.FeatureGroup, day: DayRoute, color: str, title: str) -> None:
    from terrmap.routing._export_text import visit_times

    folium.CircleMarker(
        [day.start.lat, day.start.lon],
        radius=7,
        color=HOME_COLOR,
        weight=2,
        fill=True,
        fill_color="#FFFFFF",
        fill_opacity=1.0,
        tooltip=folium.Tooltip(f"Start: {html_text(day.start.name)}"),
    ).add_to(group)
    for seq, visit in enumerate(day.visits, start=1):
        badge = f'<div class="terrmap-stop" style="background:{color}">{seq}</div>'  # colour: ours
        folium.Marker(
            [visit.stop.lat, visit.stop.lon],
            icon=folium.DivIcon(html=badge, icon_size=(20, 20), icon_anchor=(10, 10)),
            tooltip=folium.Tooltip(
                f"<b>{seq}. {html_text(visit.stop.name)}</b><br>{html_text(title)}: "
                f"{html_text(visit_times(visit))}"
                + (f"<br>{html_text(visit.stop.address)}" if visit.stop.address else "")
            ),
        ).add_to(group)


# -- page furniture ------------------------------------------------------------
def _legend_html(project: Project) -> str:
    rows = [
        f'<div class="terrmap-row"><span class="terrmap-swatch" style="background:{t.color}">'
        f"</span>{html_text(t.name)} <span class='terrmap-rep'>{html_text(t.owner or 'vacant')}"
        "</span></div>"
        for t in project.territories
    ]
    if (project.plan.codes < 0).any():
        rows.append(
            f'<div class="terrmap-row"><span class="terrmap-swatch" '
            f'style="background:{UNASSIGNED_COLOR}"></span><i>Unassigned</i></div>'
        )
    return f'<div class="terrmap-box terrmap-legend"><b>Territories</b>{"".join(rows)}</div>'


def _info_html(project: Project, title: str) -> str:
    lines = [f"<b>{html_text(title)}</b>"]
    plan = project.plan.name
    if plan:
        lines.append(f"Plan: {html_text(plan)}")
    if project.units.source:
        lines.append(f"Boundaries: {html_text(project.units.source)}")
    notice = _synthetic_notice(project)
    if notice:
        lines.append(f'<span class="terrmap-notice">{html_text(notice)}</span>')
    return f'<div class="terrmap-box terrmap-info">{"<br>".join(lines)}</div>'


def _synthetic_notice(project: Project) -> str:
    """The notice to show when the project's data are made up, else ``""``."""
    metadata = project.metadata
    if str(metadata.get("synthetic", "")).strip().lower() not in {"true", "1", "yes"}:
        return ""
    from terrmap.sample import SYNTHETIC_NOTICE

    return metadata.get("notice") or SYNTHETIC_NOTICE


def _page_css() -> str:
    return f"""
html body .leaflet-container {{ background: {BACKGROUND}; font: 13px/1.4 system-ui, sans-serif; }}
.terrmap-box {{ position: fixed; z-index: 1000; background: rgba(255,255,255,0.94);
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.35); padding: 8px 10px;
  font: 13px/1.45 system-ui, sans-serif; color: #1F2933; }}
.terrmap-legend {{ right: 10px; bottom: 28px; max-height: 45vh; overflow: auto; }}
.terrmap-info {{ left: 54px; top: 10px; max-width: 40vw; }}
.terrmap-row {{ white-space: nowrap; }}
.terrmap-swatch {{ display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: -2px; border: 1px solid #52606D; border-radius: 2px; }}
.terrmap-rep, .terrmap-id {{ color: #52606D; }}
.terrmap-notice {{ color: #8D2B0B; font-style: italic; }}
.terrmap-stop {{ width: 20px; height: 20px; border-radius: 10px; border: 2px solid #FFFFFF;
  box-sizing: border-box; color: #FFFFFF; font: bold 11px/16px system-ui, sans-serif;
  text-align: center; box-shadow: 0 0 2px rgba(0,0,0,0.6); }}
.terrmap-cluster {{ background-color: rgba(31, 41, 51, 0.25); }}
.terrmap-cluster div {{ background-color: rgba(31, 41, 51, 0.82); color: #FFFFFF;
  font-weight: 600; }}
.terrmap-popup table {{ border-collapse: collapse; margin-top: 4px; }}
"""


class _Script(MacroElement):
    """``var NAME = <json>;`` in the page's script, before the layers that read it."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.json }};{% endmacro %}"
    )

    def __init__(self, data: object, name: str) -> None:
        super().__init__()
        self._name = name
        self.json = js_json(data)
