"""Page geometry and pagination of the printed itinerary.

Rows are one line high, so the page count follows from the row counts alone:
:func:`page_capacity` gives the rows that fit on each kind of page and :func:`paginate` splits
the plan's sections (:mod:`terrmap.render._itinerary_sections`) into pages by it. The layout
rules are described in :mod:`terrmap.render.itinerary`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QPageSize

from terrmap.render._itinerary_sections import (
    Section,
    day_section,
    overview_section,
    unplaced_section,
)
from terrmap.render._itinerary_table import HEADER_H, ROW_H, split_rows
from terrmap.routing.model import RoutePlan

DPI = 96  # page units: map styles are in pixels of a 96-dpi screen, so print matches screen
MARGIN_MM = 12.7
PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}

# Vertical layout, page units (1/96 inch).
TITLE_H = 28.0
LINE_H = 16.0
GAP = 10.0
FOOTER_H = 24.0
LEGEND_H = 22.0
DAY_MAP_SHARE = 0.43  # of the page height inside the margins and footer
OVERVIEW_MAP_SHARE = 0.50
DAY_SUBTITLE_LINES = 2  # totals; start, end and lunch


@dataclass(frozen=True)
class PageCapacity:
    """Table rows that fit on each kind of page (see :mod:`terrmap.render.itinerary`)."""

    overview: int
    day: int
    unplaced: int
    more: int


def page_capacity(page: str = "letter") -> PageCapacity:
    """How many table rows fit on the overview, a day's first page, the first Not placed page
    and any continuation page, for ``page`` size ``"letter"`` or ``"a4"``."""
    _, height = content_size(page)
    usable = height - FOOTER_H
    top = TITLE_H + GAP

    def rows(room: float) -> int:
        return max(1, int((room - HEADER_H) // ROW_H))

    day = usable - top - DAY_SUBTITLE_LINES * LINE_H - map_height(page, DAY_MAP_SHARE) - GAP
    overview = usable - top - LINE_H - map_height(page, OVERVIEW_MAP_SHARE) - LEGEND_H - GAP
    return PageCapacity(
        overview=rows(overview),
        day=rows(day),
        unplaced=rows(usable - top - LINE_H),
        more=rows(usable - top),
    )


@dataclass(frozen=True)
class Page:
    section: Section
    rows: range
    first: bool  # the section's first page: full heading and the map


def paginate(plan: RoutePlan, capacity: PageCapacity) -> list[Page]:
    sections = [day_section(plan, index) for index in range(len(plan.days))]
    if plan.unplaced:
        sections.append(unplaced_section(plan))
    if len(plan.days) > 1:
        # The overview's table names the page each day starts on: lay the others out first.
        starts, page = [], 2
        for section in sections:
            if section.kind == "day":
                starts.append(page)
            page += len(_section_pages(section, capacity))
        sections.insert(0, overview_section(plan, starts))
    pages = []
    for section in sections:
        pages += _section_pages(section, capacity)
    return pages


def _section_pages(section: Section, capacity: PageCapacity) -> list[Page]:
    first = {"overview": capacity.overview, "day": capacity.day}.get(
        section.kind, capacity.unplaced
    )
    ranges = split_rows(len(section.table.rows), first, capacity.more)
    return [Page(section, rows, i == 0) for i, rows in enumerate(ranges)]


def content_size(page: str) -> tuple[float, float]:
    """Width and height inside the margins, page units."""
    size = QPageSize(PAGE_SIZES[page]).size(QPageSize.Unit.Millimeter)
    width, height = size.width() - 2 * MARGIN_MM, size.height() - 2 * MARGIN_MM
    return width / 25.4 * DPI, height / 25.4 * DPI


def map_height(page: str, share: float) -> float:
    _, height = content_size(page)
    return float(math.floor((height - FOOTER_H) * share))
