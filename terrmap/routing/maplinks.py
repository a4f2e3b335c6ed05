"""Links that open a day's route, stop by stop, in Google Maps or Apple Maps.

Each provider takes only so many intermediate stops per link, and a link with more drops the
extras silently, so a long day is split into a chain: every link starts where the previous one
ends, and following the links in order drives start → every stop → end. Points are written
as exact ``lat,lon`` coordinates (addresses would be geocoded again, perhaps elsewhere).

Limits used
-----------
Google Maps URLs (``https://www.google.com/maps/dir/?api=1``): "The number of waypoints allowed
varies by the platform where the link opens, with up to three waypoints supported on mobile
browsers, and a maximum of nine waypoints supported otherwise"
(https://developers.google.com/maps/documentation/urls/get-started#directions-action).
Field reps open these links on phones, where a link may open in the browser rather than the
app, so the default is 3 (:data:`GOOGLE_MAX_WAYPOINTS`); pass ``max_waypoints=9``
(:data:`GOOGLE_MAX_WAYPOINTS_DESKTOP`) for links only ever opened on a computer or in the app.

Apple Maps: the unified Maps URLs of iOS 18.4 / macOS 15.4 and later
(https://developer.apple.com/documentation/mapkit/unified-map-urls) take ``source``,
``destination`` and a repeatable ``waypoint`` "for multistop routing" on ``/directions``; the
page states no maximum, but Maps itself plans at most 15 stops in a trip (Apple's iOS 16
multi-stop routing, as described by MacRumors and AppleInsider). 13 waypoints plus source and
destination stay within 15 under any reading (:data:`APPLE_MAX_WAYPOINTS`). Older Apple systems
open such a link as plain directions to the destination.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from terrmap.routing._export_text import LatLon, coord, route_points
from terrmap.routing.model import DayRoute

GOOGLE_MAX_WAYPOINTS = 3
GOOGLE_MAX_WAYPOINTS_DESKTOP = 9
APPLE_MAX_WAYPOINTS = 13

_GOOGLE = "https://www.google.com/maps/dir/"
_APPLE = "https://maps.apple.com/directions"


def google_maps_links(day: DayRoute, *, max_waypoints: int = GOOGLE_MAX_WAYPOINTS) -> list[str]:
    """Google Maps driving-directions links covering the whole day, to follow in order.

    ``max_waypoints`` is the number of intermediate stops per link, at most
    :data:`GOOGLE_MAX_WAYPOINTS_DESKTOP`. A day without visits gives no link.
    """
    _check_limit(max_waypoints, GOOGLE_MAX_WAYPOINTS_DESKTOP)
    return [
        f"{_GOOGLE}?{_encode(_google_query(run))}"
        for run in chain(route_points(day), max_waypoints)
    ]


def apple_maps_links(day: DayRoute, *, max_waypoints: int = APPLE_MAX_WAYPOINTS) -> list[str]:
    """Apple Maps driving-directions links covering the whole day, to follow in order.

    ``max_waypoints`` is the number of intermediate stops per link, at most
    :data:`APPLE_MAX_WAYPOINTS`. A day without visits gives no link.
    """
    _check_limit(max_waypoints, APPLE_MAX_WAYPOINTS)
    return [
        f"{_APPLE}?{_encode(_apple_query(run))}" for run in chain(route_points(day), max_waypoints)
    ]


def _google_query(run: list[LatLon]) -> list[tuple[str, str]]:
    origin, *waypoints, destination = run
    query = [("api", "1"), ("origin", _point(origin)), ("destination", _point(destination))]
    if waypoints:
        query.append(("waypoints", "|".join(_point(p) for p in waypoints)))
    return [*query, ("travelmode", "driving")]


def _apple_query(run: list[LatLon]) -> list[tuple[str, str]]:
    origin, *waypoints, destination = run
    # Apple takes the stops in the order the waypoint parameters appear.
    query = [("source", _point(origin))]
    query += [("waypoint", _point(point)) for point in waypoints]
    return [*query, ("destination", _point(destination)), ("mode", "driving")]


def chain(points: list[LatLon], max_waypoints: int) -> list[list[LatLon]]:
    """``points`` cut into chained runs of at most ``max_waypoints + 2`` points.

    Each run starts at the last point of the run before, so the links drive every leg once.
    A route that visits no stop (just its two ends) gives no run.
    """
    if len(points) <= 2:
        return []
    step = max_waypoints + 1
    return [points[first : first + step + 1] for first in range(0, len(points) - 1, step)]


def _check_limit(max_waypoints: int, most: int) -> None:
    if not 0 <= max_waypoints <= most:
        raise ValueError(f"max_waypoints must be between 0 and {most}, not {max_waypoints}")


def _point(point: LatLon) -> str:
    lat, lon = point
    return f"{coord(lat)},{coord(lon)}"


def _encode(query: list[tuple[str, str]]) -> str:
    """The query string with every reserved character percent-encoded.

    Google asks for ``|`` as ``%7C`` and ``,`` as ``%2C``; mail programs also cut links at a
    bare ``|``.
    """
    return urlencode(query, quote_via=quote, safe="")
