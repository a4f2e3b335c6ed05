"""Write a route plan's files for the field rep: GPX, KML, itinerary CSV, calendar and map links.

Files are named ``<stem>_<suffix>``; the stem is the rep id and the first day's date,
``T03_2026-11-30``, so a week of exports for many reps can share one folder:

=========  ============================  ==================================================
name       file                          content
=========  ============================  ==================================================
``gpx``    ``T03_2026-11-30_route.gpx``  GPS units and navigation apps (:mod:`.export_gpx`)
``kml``    ``…_route.kml``               Google Earth / My Maps, GIS (:mod:`.export_kml`)
``csv``    ``…_itinerary.csv``           spreadsheets (:mod:`.export_csv`), UTF-8 with BOM
``ics``    ``…_visits.ics``              calendars (:mod:`.export_ics`)
``links``  ``…_links.txt``               Google and Apple Maps links (:mod:`.maplinks`)
=========  ============================  ==================================================

``links.txt`` is plain text rather than HTML: mail and chat apps make the URLs clickable on
any phone, and there is no markup to escape. It has a heading per day, then one line per link,
Google's first and Apple's after; each day's links are followed in order.

Every file is written atomically (:mod:`terrmap.io.atomic`): a failed export never leaves half
a file, nor a temporary file, behind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from terrmap.errors import TerrmapError
from terrmap.io.atomic import write_bytes_atomic
from terrmap.routing._export_text import day_title, one_line
from terrmap.routing.export_csv import itinerary_csv_text
from terrmap.routing.export_gpx import gpx_text
from terrmap.routing.export_ics import ics_text
from terrmap.routing.export_kml import kml_text
from terrmap.routing.maplinks import apple_maps_links, google_maps_links
from terrmap.routing.model import RoutePlan


class ExportFormat(NamedTuple):
    """One export: the end of its file name and what it is for, in words for the user."""

    suffix: str
    description: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "gpx": ExportFormat("route.gpx", "GPX route for GPS units and navigation apps"),
    "kml": ExportFormat("route.kml", "KML map for Google Earth and GIS programs"),
    "csv": ExportFormat("itinerary.csv", "Itinerary table for spreadsheets"),
    "ics": ExportFormat("visits.ics", "Calendar of the visits"),
    "links": ExportFormat("links.txt", "Google Maps and Apple Maps links, day by day"),
}


def links_text(plan: RoutePlan) -> str:
    """The map links of every day, as the plain text of ``links.txt``."""
    lines = [one_line(f"Route links for {plan.rep_id} {plan.rep_name}")]
    lines.append("Open each day's links in order: each one starts where the one before ends.")
    for number, day in enumerate(plan.days, 1):
        lines += ["", day_title(number, day)]
        google, apple = google_maps_links(day), apple_maps_links(day)
        if not google:
            lines.append("No visits.")
            continue
        lines += ["Google Maps:", *google]
        lines += ["Apple Maps (iOS 18.4, macOS 15.4 or later):", *apple]
    return "\n".join(lines) + "\n"


# The CSV starts with a byte order mark: without it Excel reads UTF-8 as the local code page
# and "Zoë" becomes "ZoÃ«".
_RENDERERS: dict[str, Callable[[RoutePlan], bytes]] = {
    "gpx": lambda plan: gpx_text(plan).encode("utf-8"),
    "kml": lambda plan: kml_text(plan).encode("utf-8"),
    "csv": lambda plan: itinerary_csv_text(plan).encode("utf-8-sig"),
    "ics": lambda plan: ics_text(plan).encode("utf-8"),
    "links": lambda plan: links_text(plan).encode("utf-8"),
}


def write_exports(
    plan: RoutePlan,
    out_dir: str | Path,
    *,
    formats: Iterable[str] | None = None,
    stem: str | None = None,
) -> list[Path]:
    """Write the plan's export files into ``out_dir``, creating the folder if needed.

    Parameters
    ----------
    plan
        The rep's routes.
    out_dir
        The folder to write into.
    formats
        Names from :data:`EXPORT_FORMATS`, in the order to write them; all by default.
    stem
        The start of every file name; ``<rep id>_<first date>`` by default. It is made safe
        for file names either way.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ValueError
        A format name is unknown.
    TerrmapError
        The folder cannot be created or a file cannot be written.
    """
    names = list(EXPORT_FORMATS) if formats is None else list(formats)
    unknown = [name for name in names if name not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"unknown export formats {unknown}; known: {list(EXPORT_FORMATS)}")
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TerrmapError(f"cannot create {folder}: {error.strerror or error}") from None
    base = safe_stem(stem if stem is not None else default_stem(plan))
    written = []
    for name in names:
        path = folder / f"{base}_{EXPORT_FORMATS[name].suffix}"
        write_bytes_atomic(path, _RENDERERS[name](plan))
        written.append(path)
    return written


def default_stem(plan: RoutePlan) -> str:
    """``"T03_2026-11-30"``: the rep id and the first day's date (just the id without days)."""
    if not plan.days:
        return plan.rep_id
    return f"{plan.rep_id}_{plan.days[0].date.isoformat()}"


def safe_stem(text: str) -> str:
    """``text`` as a portable file name part: ASCII letters, digits, ``-`` and ``_`` only.

    Accents are dropped rather than the letters ("Zoë" → "Zoe"); every other run of characters
    (spaces, slashes, dots, colons) becomes one ``_``, which also rules out ``..`` and names
    that Windows reserves or hides.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9-]+", "_", ascii_text).strip("_") or "route"
