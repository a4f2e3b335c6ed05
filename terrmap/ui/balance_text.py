"""Strings, colours and sizes of the balance gauges, apart from the plotting code.

The panel reads these before any gauge exists; keeping them here lets the window be
built without importing pyqtgraph (about a second on this machine), which then loads
with the first project.
"""

from __future__ import annotations

from typing import ClassVar


class Text:
    """User-visible strings of the balance panel."""

    METRICS = "Metrics"
    METRICS_TIP = "Choose up to three metrics to compare (one gauge each)"
    TOLERANCE = "Tolerance"
    TOLERANCE_TIP = (
        "Half-width of the band around each target within which a territory counts as balanced"
    )
    NO_PROJECT = "Open a project to see how balanced its territories are."
    NO_TERRITORIES = "Add territories to see their balance."
    OUT_OF_BAND = "{count} out of band"
    OUT_SHORT = "{count} out"
    ALL_IN_BAND = "all in band"
    PREVIEW_ARROW = " → {count}"
    UNASSIGNED = "Unassigned {value}"
    UNASSIGNED_PREVIEW = "Unassigned {value} → {after}"
    SCORE = "In band {inside}/{count} · max dev {max_dev:.1f} % · CV {cv:.1f} %"
    SCORE_TIP = (
        "<b>Balance of {metric}</b> (the first metric shown)<br>"
        "<b>In band</b>: territories within ±{tolerance:g} % of their target.<br>"
        "<b>Max dev</b>: the largest deviation of a territory from its target.<br>"
        "<b>CV</b>: coefficient of variation, the standard deviation of the totals "
        "divided by their mean (0 % = perfectly even).<br>"
        "A territory's target is its share of the assigned total, in proportion to its "
        "target weight (equal shares by default)."
    )
    TIP_TITLE = "<b>{name}</b> ({id})"
    TIP_REP = "Rep: {owner}"
    TIP_VACANT = "Vacant"
    TIP_VALUE = "{metric}: {value}"
    TIP_TARGET = "Target: {target}"
    TIP_DEVIATION = "Deviation: {deviation:+.1f} % ({band})"
    TIP_PREVIEW = "After the move: {value} ({deviation:+.1f} %, {band})"
    IN_BAND = "in band"
    OUTSIDE_BAND = "out of band"
    BAND_STATE: ClassVar[dict[bool, str]] = {True: IN_BAND, False: OUTSIDE_BAND}


# Chosen for a white background; the alert red differs from every palette colour in
# lightness too, and out-of-band bars also get an arrow-head, so the flag does not rely
# on colour alone.
ALERT_COLOR = "#B00020"
BALANCED_COLOR = "#1B7A3E"  # the score when every territory is in band
MIN_ROW_PX = 3
PLOT_CHROME_PX = 58  # header, x axis and margins of one gauge


def gauge_min_height(territories: int) -> int:
    """Height under which a gauge of ``territories`` bars stops being readable."""
    return PLOT_CHROME_PX + MIN_ROW_PX * max(territories, 1)
