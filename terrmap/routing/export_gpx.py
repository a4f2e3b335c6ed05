"""A route plan as GPX 1.1, for GPS units and navigation apps.

The file holds, in the order the GPX schema requires:

- one ``<wpt>`` per distinct start or end place (type ``place``, its ``<desc>`` listing when
  the rep leaves and returns each day) and one per visit (type ``visit``, ``<name>`` "NN name",
  ``<cmt>`` the address, ``<desc>`` "Day 1 Mon 2026-11-30, stop 3: arrive 09:42, leave 10:12");
- one ``<rte>`` per day: start, each stop, end;
- one ``<trk>`` per day that has drawn legs, following the road path.

GPX times are UTC (``xsd:dateTime``) but plans are in the rep's wall-clock time with no zone,
so writing ``<time>`` would mean guessing a zone; the planned times go in ``<desc>`` instead.
Names are put on one line (GPS units show one), the full text stays in ``<desc>``/``<cmt>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from terrmap.routing._export_text import (
    LatLon,
    coord,
    day_path,
    day_title,
    one_line,
    stop_label,
    sub_text,
    visit_sentence,
    xml_document,
)
from terrmap.routing.model import DayRoute, Place, RoutePlan, clock

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
_SCHEMA = f"{GPX_NAMESPACE} http://www.topografix.com/GPX/1/1/gpx.xsd"


def gpx_text(plan: RoutePlan) -> str:
    """The plan as a GPX 1.1 document (XML text, UTF-8 declared)."""
    root = ET.Element(
        "gpx",
        {
            "version": "1.1",
            "creator": "terrmap",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": _SCHEMA,
        },
    )
    _metadata(root, plan)
    for place, notes in _place_notes(plan).items():
        position = (place.lat, place.lon)
        _point(root, "wpt", position, one_line(place.name), desc="\n".join(notes), kind="place")
    for number, day in enumerate(plan.days, 1):
        for seq, visit in enumerate(day.visits, 1):
            desc = visit_sentence(number, day, seq, visit)
            stop = visit.stop
            label = stop_label(seq, stop)
            _point(root, "wpt", (stop.lat, stop.lon), label, stop.address, desc, kind="visit")
    for number, day in enumerate(plan.days, 1):
        _route(root, number, day)
    for number, day in enumerate(plan.days, 1):
        if day.legs:
            _track(root, number, day)
    return xml_document(root, GPX_NAMESPACE)


def _metadata(root: ET.Element, plan: RoutePlan) -> None:
    metadata = ET.SubElement(root, "metadata")
    sub_text(metadata, "name", one_line(f"Routes of {plan.rep_id} {plan.rep_name}"))
    if plan.distances:
        sub_text(metadata, "desc", f"Distances: {plan.distances}")


def _place_notes(plan: RoutePlan) -> dict[Place, list[str]]:
    """Each distinct start or end place, with when the rep leaves it and gets back to it.

    A rep who starts and ends every day at home gets one home waypoint, not one per day.
    """
    notes: dict[Place, list[str]] = {}
    for number, day in enumerate(plan.days, 1):
        title = day_title(number, day)
        notes.setdefault(day.start, []).append(f"{title}: leave {clock(day.depart_s)}")
        notes.setdefault(day.end, []).append(f"{title}: back {clock(day.end_s)}")
    return notes


def _point(
    parent: ET.Element,
    tag: str,
    position: LatLon,
    name: str | None = None,
    cmt: str = "",
    desc: str = "",
    kind: str = "",
) -> ET.Element:
    """A ``wpt``/``rtept``/``trkpt`` with its children in the schema's order."""
    lat, lon = position
    point = ET.SubElement(parent, tag, {"lat": coord(lat), "lon": coord(lon)})
    if name is not None:
        sub_text(point, "name", name)
    if cmt:
        sub_text(point, "cmt", cmt)
    if desc:
        sub_text(point, "desc", desc)
    if kind:
        sub_text(point, "type", kind)
    return point


def _route(root: ET.Element, number: int, day: DayRoute) -> None:
    route = ET.SubElement(root, "rte")
    sub_text(route, "name", day_title(number, day))
    sub_text(route, "number", str(number))
    _point(route, "rtept", (day.start.lat, day.start.lon), one_line(day.start.name))
    for seq, visit in enumerate(day.visits, 1):
        stop = visit.stop
        _point(route, "rtept", (stop.lat, stop.lon), stop_label(seq, stop), stop.address)
    _point(route, "rtept", (day.end.lat, day.end.lon), one_line(day.end.name))


def _track(root: ET.Element, number: int, day: DayRoute) -> None:
    track = ET.SubElement(root, "trk")
    sub_text(track, "name", day_title(number, day))
    sub_text(track, "number", str(number))
    segment = ET.SubElement(track, "trkseg")
    for position in day_path(day):
        _point(segment, "trkpt", position)
