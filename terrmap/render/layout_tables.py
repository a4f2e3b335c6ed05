"""Tables of a printed layout: the territory summary and an atlas section's account list.

Rows are one line high (`terrmap.render._itinerary_table`), so the rows that fit a page
follow from its height alone; long lists run down side-by-side panels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from terrmap.core.plan import UNASSIGNED
from terrmap.render._itinerary_table import (
    HEADER_H,
    INK,
    RIGHT,
    ROW_H,
    Column,
    Row,
    Table,
    elide,
    paint_table,
)
from terrmap.render.layout_parts import (
    GAP,
    LEFT,
    LINE_H,
    PageFonts,
    full_number,
    metric_label,
)

if TYPE_CHECKING:
    import pandas as pd

    from terrmap.core.project import Project

PANEL_GAP = 14.0  # between side-by-side table panels


def summary_table(
    project: Project, codes: list[int], totals: pd.DataFrame, metrics: tuple[str, ...]
) -> Table:
    """Territory, rep, units and the chosen totals per territory of ``codes``; an
    Unassigned row when showing every territory and some units are unassigned; a Total row
    when there are two or more rows."""
    shown = tuple(m for m in metrics if m != "units")
    columns = (
        Column("Territory", flex=0.55),
        Column("Rep", flex=0.45),
        Column("Units", align=RIGHT),
        *(Column(metric_label(m), align=RIGHT) for m in shown),
    )
    rows = []
    for code in codes:
        territory = project.territories[code]
        row = totals.loc[territory.id]
        cells = (territory.name, territory.owner, full_number(row["units"]))
        rows.append(
            Row(
                cells + tuple(full_number(row[m]) for m in shown),
                kind="plain",
                swatch=territory.color,
            )
        )
    every = len(codes) == len(project.territories)
    unassigned = totals.iloc[-1]
    if every and (project.plan.codes == UNASSIGNED).any():
        cells = ("Unassigned", "", full_number(unassigned["units"]))
        rows.append(Row(cells + tuple(full_number(unassigned[m]) for m in shown), kind="plain"))
    if len(rows) > 1:
        picked = totals.iloc[list(codes) + ([len(totals) - 1] if every else [])]
        cells = ("Total", "", full_number(picked["units"].sum()))
        rows.append(Row(cells + tuple(full_number(picked[m].sum()) for m in shown), kind="total"))
    return Table(columns, tuple(rows))


def account_table(project: Project, codes: list[int], metrics: tuple[str, ...], limit: int | None):
    """The accounts of territories ``codes`` (name, city, state, the chosen account metrics)
    and the heading over it. Sorted by name; with ``limit``, the largest by the first
    metric, then by name."""
    frame = project.accounts.frame
    mask = np.isin(project.account_codes(), np.asarray(codes, dtype=np.int32))
    chosen = frame.loc[mask]
    numeric = [m for m in metrics if m in project.accounts.numeric_columns]
    total = len(chosen)
    heading = f"Accounts ({total:,})"
    if limit is not None and total > limit:
        if numeric:
            chosen = chosen.sort_values(numeric[0], ascending=False, kind="stable")
            by = metric_label(numeric[0]).lower()
            heading = f"Accounts: the {limit:,} largest of {total:,} by {by}"
        else:
            heading = f"Accounts: {limit:,} of {total:,}"
        chosen = chosen.iloc[:limit]
    chosen = chosen.sort_values("name", kind="stable", key=lambda s: s.astype(str).str.lower())
    columns = (
        Column("Account", flex=0.6),
        Column("Place", flex=0.4),
        *(Column(metric_label(m), align=RIGHT) for m in numeric),
    )
    rows = []
    for record in chosen.itertuples(index=False):
        values = record._asdict()
        place = ", ".join(t for t in (_one_line(values.get(c)) for c in ("city", "state")) if t)
        cells = [_one_line(values.get("name")), place]
        cells += [full_number(float(values[m])) if values[m] == values[m] else "" for m in numeric]
        rows.append(Row(tuple(cells), kind="plain"))
    return Table(columns, tuple(rows)), heading


def table_height(rows: int, panels: int = 1, heading: bool = True) -> float:
    """Height of a table part of ``rows`` rows over ``panels`` side-by-side panels."""
    per_panel = math.ceil(rows / max(1, panels))
    return (LINE_H + 4 if heading else 0.0) + HEADER_H + per_panel * ROW_H + GAP


def rows_that_fit(height: float, heading: bool = True) -> int:
    """Rows of one panel that fit ``height`` (0 when not even the header does)."""
    room = height - (LINE_H + 4 if heading else 0.0) - HEADER_H - GAP
    return max(0, int(room // ROW_H))


def paint_table_part(
    painter: QPainter,
    rect: QRectF,
    table: Table,
    rows: range,
    panels: int,
    heading: str,
    fonts: PageFonts,
) -> None:
    """A heading line, then ``rows`` of ``table`` down ``panels`` side-by-side panels."""
    top = rect.top()
    if heading:
        painter.save()
        painter.setFont(fonts.heading)
        painter.setPen(QColor(INK))
        line = QRectF(rect.left(), top, rect.width(), LINE_H)
        painter.drawText(line, LEFT, elide(painter, heading, line.width()))
        painter.restore()
        top += LINE_H + 4
    per_panel = math.ceil(len(rows) / panels) if len(rows) else 0
    width = (rect.width() - PANEL_GAP * (panels - 1)) / panels
    probe = _widest_rows(table)
    for panel in range(panels):
        part = rows[panel * per_panel : (panel + 1) * per_panel]
        if panel and not len(part):
            break
        left = rect.left() + panel * (width + PANEL_GAP)
        # The panel's rows plus the table's widest ones: columns come out as wide on every
        # page as for the whole table, without measuring hundreds of rows a page.
        shown = Table(table.columns, tuple(table.rows[i] for i in part) + probe)
        area = QRectF(left, top, width, rect.bottom() - top)
        paint_table(painter, area, shown, range(len(part)), fonts.table)


_PROBES: dict[int, tuple[Table, tuple[Row, ...]]] = {}


def _widest_rows(table: Table, per_column: int = 3) -> tuple[Row, ...]:
    """The rows with the longest text in each column (by characters), as a stand-in for
    every row when column widths are measured."""
    kept = _PROBES.get(id(table))
    if kept is not None and kept[0] is table:
        return kept[1]
    picked: set[int] = set()
    for column in range(len(table.columns)):
        lengths = [len(row.cells[column]) if column < len(row.cells) else 0 for row in table.rows]
        picked.update(sorted(range(len(lengths)), key=lengths.__getitem__)[-per_column:])
    probe = tuple(table.rows[i] for i in sorted(picked))
    if len(_PROBES) > 64:
        _PROBES.clear()
    _PROBES[id(table)] = (table, probe)
    return probe


def _one_line(value: object) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    return " ".join(str(value).split())
