"""A route plan as KML 2.2, for Google Earth, Google My Maps and GIS programs.

One ``Document`` with a ``Folder`` per day ("Day 1 Mon 2026-11-30"); each folder holds a point
``Placemark`` per visit (``name`` "NN name", ``description`` with the planned times, address and
account id) and one ``LineString`` placemark for the day's path: the drawn legs joined, or
straight lines start → stops → end when the plan has no drawn legs. Coordinates are lon,lat.

KML viewers render ``description`` as HTML, so the account data in it is HTML-escaped (a CRM
name such as ``<script>…`` shows as text and never runs) and lines are joined with ``<br/>``.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from terrmap.routing._export_text import (
    LatLon,
    clean_text,
    coord,
    day_path,
    day_title,
    one_line,
    stop_label,
    sub_text,
    visit_sentence,
    xml_document,
)
from terrmap.routing.model import DayRoute, RoutePlan, Visit, clock

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
_ICON = "https://maps.google.com/mapfiles/kml/paddle/red-circle.png"
# KML colours are aabbggrr: an opaque blue line, a red stop icon.
_LINE_COLOUR = "ffd07000"
_ICON_COLOUR = "ff1c1ce0"


def kml_text(plan: RoutePlan) -> str:
    """The plan as a KML 2.2 document (XML text, UTF-8 declared)."""
    kml = ET.Element("kml")
    document = ET.SubElement(kml, "Document")
    sub_text(document, "name", one_line(f"Routes of {plan.rep_id} {plan.rep_name}"))
    if plan.distances:
        sub_text(document, "description", _html_lines(f"Distances: {plan.distances}"))
    _styles(document)
    for number, day in enumerate(plan.days, 1):
        folder = ET.SubElement(document, "Folder")
        sub_text(folder, "name", day_title(number, day))
        for seq, visit in enumerate(day.visits, 1):
            _visit_placemark(folder, number, day, seq, visit)
        _path_placemark(folder, number, day)
    return xml_document(kml, KML_NAMESPACE)


def _styles(document: ET.Element) -> None:
    stop = ET.SubElement(document, "Style", {"id": "stop"})
    icon_style = ET.SubElement(stop, "IconStyle")
    sub_text(icon_style, "color", _ICON_COLOUR)
    sub_text(icon_style, "scale", "1.1")
    sub_text(ET.SubElement(icon_style, "Icon"), "href", _ICON)
    path = ET.SubElement(document, "Style", {"id": "path"})
    line_style = ET.SubElement(path, "LineStyle")
    sub_text(line_style, "color", _LINE_COLOUR)
    sub_text(line_style, "width", "4")


def _html_lines(*lines: str) -> str:
    """Plain text lines as one HTML fragment: each escaped, its newlines kept as ``<br/>``."""
    kept = [clean_text(line) for line in lines if line]
    # Element content, not an attribute: quotes stay readable as they are.
    return "<br/>".join(html.escape(line, quote=False).replace("\n", "<br/>") for line in kept)


def _visit_placemark(
    folder: ET.Element, number: int, day: DayRoute, seq: int, visit: Visit
) -> None:
    stop = visit.stop
    placemark = ET.SubElement(folder, "Placemark")
    sub_text(placemark, "name", stop_label(seq, stop))
    description = _html_lines(
        stop.name,
        visit_sentence(number, day, seq, visit),
        stop.address,
        f"Account {stop.id}",
    )
    sub_text(placemark, "description", description)
    sub_text(placemark, "styleUrl", "#stop")
    point = ET.SubElement(placemark, "Point")
    sub_text(point, "coordinates", _coordinates([(stop.lat, stop.lon)]))


def _path_placemark(folder: ET.Element, number: int, day: DayRoute) -> None:
    placemark = ET.SubElement(folder, "Placemark")
    sub_text(placemark, "name", f"{day_title(number, day)} path")
    summary = (
        f"{one_line(day.start.name)} {clock(day.depart_s)} → {one_line(day.end.name)} "
        f"{clock(day.end_s)}, {day.distance_m / 1000:.1f} km, {round(day.drive_s / 60)} min driving"
    )
    sub_text(placemark, "description", _html_lines(summary))
    sub_text(placemark, "styleUrl", "#path")
    line = ET.SubElement(placemark, "LineString")
    # Without tessellate a long straight leg would cut through the ground in Google Earth.
    sub_text(line, "tessellate", "1")
    sub_text(line, "coordinates", _coordinates(day_path(day)))


def _coordinates(points: list[LatLon]) -> str:
    """KML's ``lon,lat`` tuples separated by spaces."""
    return " ".join(f"{coord(lon)},{coord(lat)}" for lat, lon in points)
