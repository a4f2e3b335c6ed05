"""The one-line summary of the selection shown in the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from terrmap.ui.territory_table import format_number, metric_header

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.core.selection import Selection

# Totals shown after the count, first present wins a place; at most this many.
SHOWN_TOTALS = 3


class Text:
    """User-visible strings of the selection summary."""

    NOTHING = "Nothing selected"
    SELECTED = "Selected: {parts}"
    COUNT = "{count:,} {noun}"


def selection_summary(project: Project, metrics: TerritoryMetrics, selection: Selection) -> str:
    """E.g. "Selected: 12 units · Accounts 340 · Annual revenue 12,345,678"."""
    from terrmap.core.attributes import selection_totals

    if not len(selection):
        return Text.NOTHING
    kind = selection.kind
    noun = kind[:-1] if len(selection) == 1 else kind
    parts = [Text.COUNT.format(count=len(selection), noun=noun)]
    totals = selection_totals(project, metrics, kind, selection.positions)
    skip = {kind, "units", "area_km2"}
    for column in [c for c in totals if c not in skip][:SHOWN_TOTALS]:
        parts.append(f"{metric_header(column)} {format_number(totals[column])}")
    return Text.SELECTED.format(parts=" · ".join(parts))
