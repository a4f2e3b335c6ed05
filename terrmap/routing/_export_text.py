"""Small pieces the route exporters share: labels, timetable phrases, numbers, paths and XML.

Every exporter words a visit the same way ("Day 1 Mon 2026-11-30, stop 3: arrive 09:42, leave
10:12"), so a rep who has the GPX on a GPS unit and the calendar on a phone reads one story.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from terrmap.io.csv_safety import clean_text
from terrmap.routing.model import DayRoute, Stop, Visit, clock

LatLon = tuple[float, float]

# Fixed English day names: strftime("%a") follows the process locale, which Qt may have set,
# and an export must not change with the machine it was made on.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# C0 controls other than tab and line feed are invalid in XML 1.0 and in iCalendar TEXT; CRM
# exports do carry them (Excel writes vertical tabs for in-cell line breaks).
def one_line(text: str) -> str:
    """``text`` on one line with runs of white space collapsed, for short labels on a GPS unit."""
    return " ".join(clean_text(text).split())


def stop_label(seq: int, stop: Stop) -> str:
    """``"03 Acme Supply"``: the visit's 1-based order in its day, then the account name."""
    return f"{seq:02d} {one_line(stop.name)}"


def day_title(number: int, day: DayRoute) -> str:
    """``"Day 1 Mon 2026-11-30"`` for the ``number``-th (1-based) day of a plan."""
    return f"Day {number} {WEEKDAYS[day.date.weekday()]} {day.date.isoformat()}"


def visit_times(visit: Visit) -> str:
    """``"arrive 09:42, leave 10:12"``, naming the wait when the stop's window opens later."""
    parts = [f"arrive {clock(visit.arrival_s)}"]
    if visit.wait_s > 0:
        parts.append(f"wait until {clock(visit.start_s)}")
    parts.append(f"leave {clock(visit.departure_s)}")
    return ", ".join(parts)


def visit_sentence(number: int, day: DayRoute, seq: int, visit: Visit) -> str:
    """``"Day 1 Mon 2026-11-30, stop 3: arrive 09:42, leave 10:12"``."""
    return f"{day_title(number, day)}, stop {seq}: {visit_times(visit)}"


def coord(value: float) -> str:
    """A degree value written exactly (shortest round-trip form) and never in exponent form.

    ``repr(1e-05)`` is ``'1e-05'``, which GPX's ``xsd:decimal``, KML and map URLs reject.
    """
    return format(Decimal(repr(float(value))), "f")


def route_points(day: DayRoute) -> list[LatLon]:
    """The day's start, each visited stop in order, and its end, as (lat, lon)."""
    stops = [(visit.stop.lat, visit.stop.lon) for visit in day.visits]
    return [(day.start.lat, day.start.lon), *stops, (day.end.lat, day.end.lon)]


def day_path(day: DayRoute) -> list[LatLon]:
    """The drawn path of the whole day as (lat, lon): legs joined, or straight between points.

    Each leg starts where the previous one ended, so the shared joint is written once.
    """
    if not day.legs:
        return route_points(day)
    path: list[LatLon] = []
    for leg in day.legs:
        points = [(float(lat), float(lon)) for lat, lon in leg]
        if path and points and points[0] == path[-1]:
            points = points[1:]
        path.extend(points)
    return path


def xml_document(root: ET.Element, namespace: str) -> str:
    """``root`` as an indented UTF-8 XML document whose default namespace is ``namespace``.

    The namespace goes in as a plain ``xmlns`` attribute so that child elements stay unprefixed
    without ``ET.register_namespace``, which would change a process-wide table.
    """
    root.set("xmlns", namespace)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def sub_text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """Append ``<tag>text</tag>`` to ``parent``; the text is cleaned of XML-invalid characters."""
    element = ET.SubElement(parent, tag)
    element.text = clean_text(text)
    return element
