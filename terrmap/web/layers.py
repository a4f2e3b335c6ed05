"""The map's data layers: units, territory borders, context outlines, accounts, rep homes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely
from folium.plugins import FastMarkerCluster
from jinja2 import Template
from shapely.errors import GEOSException

from terrmap.core.palette import ROUTE_FADE, UNASSIGNED_COLOR
from terrmap.web.escape import html_text, script_safe
from terrmap.web.geometry import round_coordinates, simplify, simplify_tolerance
from terrmap.web.offline import RawElement
from terrmap.web.style import (
    ACCOUNT_BORDER,
    CONTEXT_BORDER,
    HOME_COLOR,
    TERRITORY_BORDER,
    UNIT_BORDER,
    UNIT_FILL_OPACITY_OFFLINE,
    UNIT_FILL_OPACITY_ONLINE,
)

if TYPE_CHECKING:
    from terrmap.core.project import Project


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
    return script_safe('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")


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


def add_units(
    fmap: folium.Map,
    project: Project,
    geometry: np.ndarray,
    table: str,
    offline: bool,
    *,
    faded: bool = False,
) -> None:
    """The unit fills in their territory's colour; ``faded`` under a route, as in the app."""
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
        style=_UNIT_STYLE.replace("OPACITY", repr(unit_fill_opacity(offline, faded=faded))),
    )
    layer.on_each = _UNIT_EVENTS.replace("TABLE", table).replace("LAYER", layer.get_name())
    layer.add_to(fmap)


def unit_fill_opacity(offline: bool, *, faded: bool = False) -> float:
    """Fill opacity of the units; ``faded`` (a route on the page) lowers it so routes stand out."""
    opacity = UNIT_FILL_OPACITY_OFFLINE if offline else UNIT_FILL_OPACITY_ONLINE
    return round(opacity * ROUTE_FADE, 4) if faded else opacity


def _unit_label(name: object, unit_id: str) -> str:
    text = unit_id if name is None or name != name or str(name) == "" else str(name)  # NaN
    if text == unit_id:
        return html_text(text)
    return f"{html_text(text)} <span class='terrmap-id'>({html_text(unit_id)})</span>"


def add_borders(fmap: folium.Map, project: Project, geometry: np.ndarray) -> None:
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
        _geojson_text(round_coordinates(np.asarray(outlines, dtype=object)), properties),
        key="territory-borders",
        name="Territory borders",
        style=_BORDER_STYLE,
        interactive=False,
    ).add_to(fmap)


def add_context(
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
        geometry = round_coordinates(
            simplify(geometry, simplify_tolerance(geometry), coverage=False)
        )
        _GeoJsonLayer(
            _geojson_text(geometry, [{} for _ in geometry]),
            key=f"context-{html_text(key)}",
            name=f"Context: {html_text(key)}",
            style=_CONTEXT_STYLE,
            interactive=False,
            show=show,
        ).add_to(fmap)


def add_accounts(fmap: folium.Map, project: Project, table: str) -> None:
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


def add_homes(fmap: folium.Map, project: Project) -> None:
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
