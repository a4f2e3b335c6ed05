"""A rep's route plan on the web map: one layer per day, and the stops that did not fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import folium

from terrmap.core.palette import (
    ROUTE_CASING,
    ROUTE_CASING_WIDTH,
    ROUTE_DAY_COLORS,
    ROUTE_LINE_WIDTH,
)
from terrmap.web.escape import html_text
from terrmap.web.style import HOME_COLOR

if TYPE_CHECKING:
    from terrmap.routing.model import DayRoute, RoutePlan


def add_routes(fmap: folium.Map, plan: RoutePlan) -> None:
    """One layer per day: the day's path, numbered stops, and the stops that did not fit.

    The path is cased as on the app's map (`terrmap.render.route_layer`): a wider white line
    first, the day's colour on top, so the line stays visible on a fill of its own colour.
    """
    from terrmap.routing._export_text import day_path, day_title

    for number, day in enumerate(plan.days, start=1):
        color = ROUTE_DAY_COLORS[(number - 1) % len(ROUTE_DAY_COLORS)]
        title = day_title(number, day)
        group = folium.FeatureGroup(name=f"Route {html_text(plan.rep_name)}: {title}")
        path = day_path(day)
        if len(path) >= 2:
            casing = folium.PolyLine(
                path, color=ROUTE_CASING, weight=ROUTE_CASING_WIDTH, opacity=1.0
            )
            casing.options["interactive"] = False  # hover and clicks reach the line or units
            casing.add_to(group)
            folium.PolyLine(
                path,
                color=color,
                weight=ROUTE_LINE_WIDTH,
                opacity=1.0,
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
