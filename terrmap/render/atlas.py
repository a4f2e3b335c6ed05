"""The territory atlas: a cover with the overview map, then a section per territory or district.

Pages, in order:

* **Cover**: the layout's map page (overview map, legend, summary table) and any pages its
  legend or table continue onto (`LayoutDocument.plan_map_pages`).
* **One section per group** (a territory, or with ``by="parent"`` a district/region, i.e. the
  territories sharing `Territory.parent`), each starting on a new page: the group's name, its
  map zoomed to it with every other territory greyed, its own legend, its totals table and its
  account list. Accounts that do not fit the first page continue on following pages under the
  repeated column header, in as many side-by-side panels as the paper's width allows.

Every row is one line high, so the page count follows from counts alone (`atlas_document`
plans the pages before anything is drawn; ``len(document.pages)`` is the PDF's page count).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from terrmap.core.plan import UNASSIGNED
from terrmap.io.atomic import write_bytes_atomic
from terrmap.render import layout_parts as parts
from terrmap.render import layout_tables as tabling
from terrmap.render.layout_document import LayoutDocument, MapPart, PageSpec, TablePart

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from terrmap.core.project import Project
    from terrmap.render.layout import PrintLayout
    from terrmap.render.scene import MapScene
    from terrmap.render.viewport import Bounds

GROUPINGS = ("territory", "parent")
MAP_SHARE = {"portrait": 0.5, "landscape": 0.56}  # of a section's first page body
FOCUS_PADDING = 0.12  # of the group's size, around it on its map
MIN_FIRST_ROWS = 4  # fewer account rows than this on the first page: start on the next
NO_PARENT = "No district"


@dataclass(frozen=True)
class Group:
    """Territories printed together: a name, a subtitle and their territory codes."""

    name: str
    subtitle: str
    codes: tuple[int, ...]


def write_atlas_pdf(
    path: str | Path,
    project: Project,
    layout: PrintLayout,
    by: str = "territory",
    scene: MapScene | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> int:
    """Write the atlas of ``project`` as a vector PDF; returns its page count.

    Parameters
    ----------
    path
        The PDF to write (atomically).
    project
        The document to print.
    layout
        Paper, title and parts; the cover is this layout's map page.
    by
        ``"territory"``: a section per territory; ``"parent"``: a section per district or
        region (`Territory.parent`; territories without one are grouped as "No district").
    scene
        Prepared display geometry (the canvas's); built when omitted.
    progress
        ``progress(fraction, message)``, called after each page.
    """
    from terrmap.render.print_output import pdf_bytes

    document = atlas_document(project, layout, by, scene)
    write_bytes_atomic(path, pdf_bytes(document, progress))
    return len(document.pages)


def atlas_document(
    project: Project, layout: PrintLayout, by: str = "territory", scene: MapScene | None = None
) -> LayoutDocument:
    """The planned atlas pages (see the module docstring)."""
    if by not in GROUPINGS:
        raise ValueError(f"atlas sections are by territory or parent, not {by!r}")
    document = LayoutDocument(project, layout, scene)
    pages = [replace(page, kind="cover") for page in document.plan_map_pages()]
    for group in groups(project, by):
        pages += _section_pages(document, group)
    document.pages = pages
    return document


def groups(project: Project, by: str) -> list[Group]:
    """The atlas sections: one per territory, or one per parent in first-seen order."""
    territories = project.territories
    if by == "territory":
        return [
            Group(t.name, _territory_subtitle(t.owner, t.parent), (code,))
            for code, t in enumerate(territories)
        ]
    members: dict[str, list[int]] = {}
    for code, territory in enumerate(territories):
        members.setdefault(territory.parent or NO_PARENT, []).append(code)
    result = []
    for name, codes in members.items():
        reps = ", ".join(territories[c].owner for c in codes if territories[c].owner)
        count = f"{len(codes)} territories" if len(codes) != 1 else "1 territory"
        result.append(Group(name, f"{count}: {reps}" if reps else count, tuple(codes)))
    return result


def group_bounds(document: LayoutDocument, codes: tuple[int, ...]) -> Bounds:
    """World bounds of the group's units with some padding; the overview's without units."""
    units = document.renderer.scene.units
    inside = np.isin(document.project.plan.codes, np.asarray(codes, dtype=np.int32))
    inside &= document.project.plan.codes != UNASSIGNED
    if not inside.any():
        return document.extent()
    box = units.bounds[inside]
    minx, miny = float(box[:, 0].min()), float(box[:, 1].min())
    maxx, maxy = float(box[:, 2].max()), float(box[:, 3].max())
    pad = FOCUS_PADDING * max(maxx - minx, maxy - miny, 1000.0)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _section_pages(document: LayoutDocument, group: Group) -> list[PageSpec]:
    layout, project = document.layout, document.project
    body = document.body_height(group.subtitle)
    width = document.content.width()
    codes = list(group.codes)
    items: list[parts.LegendItem] = []
    if layout.legend:
        items = parts.territory_items(project, codes, document.totals, document.metrics)
        items.append(parts.LegendItem(parts.GREY_FILL, "Other territories", kind="grey"))
    columns = parts.legend_columns(items, width, document.fonts)
    map_h = round(body * MAP_SHARE[layout.orientation])
    used = map_h + parts.legend_height(len(items), columns)
    tables: list[TablePart] = []
    if layout.summary_table:
        totals = tabling.summary_table(project, codes, document.totals, document.metrics)
        tables.append(TablePart(totals, range(len(totals.rows)), "Totals"))
        used += tabling.table_height(len(totals.rows))
    first = PageSpec(
        "territory",
        group.name,
        group.subtitle,
        MapPart(group_bounds(document, group.codes), map_h, group.codes),
        tuple(items),
        columns,
        tuple(tables),
    )
    limit = layout.account_limit
    accounts, heading = tabling.account_table(project, codes, document.metrics, limit)
    if not layout.accounts or not accounts.rows:
        return [first]
    panels = document.panels_for()
    count = len(accounts.rows)
    fit = tabling.rows_that_fit(body - used) * panels
    if fit < MIN_FIRST_ROWS:
        fit = 0
    pages = [first]
    if fit:
        part = TablePart(accounts, range(min(fit, count)), heading, panels)
        pages[0] = replace(first, tables=(*first.tables, part))
    rest = range(min(fit, count), count)
    if len(rest):
        more = TablePart(accounts, rest, f"{heading} (continued)", panels)
        pages += document.table_pages(more, "continued", f"{group.name} (continued)")
    return pages


def _territory_subtitle(owner: str, parent: str | None) -> str:
    bits = [f"Rep: {owner}" if owner else "Vacant"]
    if parent:
        bits.append(f"District: {parent}")
    return " · ".join(bits)
