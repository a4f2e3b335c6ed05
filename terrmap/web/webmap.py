"""The project as an interactive web page (folium / Leaflet) to open in any browser.

One GeoJSON feature per unit, filled with its territory's colour as in the app (unassigned
grey), with territory borders drawn over them; a tooltip names the unit, territory and rep,
and a click opens the territory's totals. Accounts are clustered markers in their
territory's colour, rep homes and optional route days are layers of their own, and a layer
control switches them. With a route, as in the app, the territory fills fade and each day's
line is cased (a wider white line under it), so the day colours stand out on any fill.
The synthetic-data notice shows when the project carries it.

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

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import folium

from terrmap.errors import TerrmapError
from terrmap.io.atomic import write_text_atomic
from terrmap.web.escape import html_text, js_json
from terrmap.web.geometry import unit_geometry, view_bounds
from terrmap.web.layers import add_accounts, add_borders, add_context, add_homes, add_units
from terrmap.web.legend import info_html, legend_html
from terrmap.web.offline import RawElement, make_offline, network_references
from terrmap.web.routes import add_routes
from terrmap.web.style import page_css
from terrmap.web.territories import JsonScript, territory_table, territory_totals

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.routing.model import RoutePlan

__all__ = ["html_text", "js_json", "web_map_html", "write_route_web_map", "write_web_map"]


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
        A rep's route plan to draw, one cased line per day; the territory fills fade
        while it is on the page.
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


def write_route_web_map(project: Project, plan: RoutePlan, out_dir: str | Path) -> Path:
    """Write the rep's route on an offline web map beside its other exports.

    The file is ``<stem>_map.html``, named like `terrmap.routing.exports.write_exports`
    names the GPX, CSV and calendar. It needs no network, so a rep can open it on a
    laptop or phone in the field.
    """
    from terrmap.routing.exports import default_stem, safe_stem

    path = Path(out_dir) / f"{safe_stem(default_stem(plan))}_map.html"
    return write_web_map(project, path, offline=True, routes=plan)


def web_map_html(
    project: Project,
    *,
    offline: bool = False,
    routes: RoutePlan | None = None,
    metrics: Sequence[str] | None = None,
) -> str:
    """The web map page as HTML text (see `write_web_map`)."""
    totals, chosen = territory_totals(project, metrics)
    units = unit_geometry(project)
    west, south, east, north = view_bounds(units)
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
        RawElement(f"<title>{html_text(title)}</title>\n<style>{page_css()}</style>"),
        name="terrmap_head",
    )
    table = territory_table(project, totals, chosen)
    info = JsonScript(table, "terrmap_territories")
    fmap.add_child(info)
    if project.context:
        add_context(fmap, project, (west, south, east, north), show=offline)
    add_units(fmap, project, units, info.get_name(), offline, faded=routes is not None)
    add_borders(fmap, project, units)
    add_accounts(fmap, project, info.get_name())
    add_homes(fmap, project)
    if routes is not None:
        add_routes(fmap, routes)
    folium.LayerControl(collapsed=False).add_to(fmap)
    figure.html.add_child(RawElement(legend_html(project)), name="terrmap_legend")
    figure.html.add_child(RawElement(info_html(project, title)), name="terrmap_info")
    fmap.fit_bounds([[south, west], [north, east]])
    if offline:
        make_offline(figure)
    page = figure.render()
    if offline:
        remote = network_references(page)
        if remote:  # a folium element this module does not know linked a CDN
            raise TerrmapError(f"the offline web map would still fetch {remote[0]}")
    return page
