"""Territory colours that stay apart for colour-blind readers and in greyscale print.

Paul Tol's "bright" and "muted" qualitative schemes, interleaved so that neighbours in
the list differ in lightness as well as hue. Grey is kept back for unassigned units.
"""

from __future__ import annotations

TERRITORY_COLORS: tuple[str, ...] = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#332288",
    "#EE8866",
    "#44BB99",
    "#FFAABB",
    "#99DDFF",
    "#AAAA00",
    "#882255",
    "#117733",
    "#DDCC77",
    "#88CCEE",
    "#CC6677",
    "#999933",
)
UNASSIGNED_COLOR = "#D9D9D9"

# Routes, drawn alike on the app's map (terrmap.render.route_layer) and the web map.
# Days are Paul Tol's "bright" scheme, then grey: the territory palette's first colours, so
# while a route is shown territory fills fade to ROUTE_FADE of their opacity, and each day's
# line is cased (a ROUTE_CASING_WIDTH line in ROUTE_CASING under the ROUTE_LINE_WIDTH one)
# so it stays visible on any fill. Widths are in screen pixels.
ROUTE_DAY_COLORS: tuple[str, ...] = (*TERRITORY_COLORS[:6], "#BBBBBB")
ROUTE_CASING = "#FFFFFF"
ROUTE_LINE_WIDTH = 3.2
ROUTE_CASING_WIDTH = 6.0
ROUTE_FADE = 0.35


def color_for_index(index: int) -> str:
    """Return the palette colour for the ``index``-th territory (cycling)."""
    return TERRITORY_COLORS[index % len(TERRITORY_COLORS)]


def next_free_color(used: set[str]) -> str:
    """Return the first palette colour not in ``used`` (case-insensitive)."""
    taken = {c.upper() for c in used}
    for color in TERRITORY_COLORS:
        if color.upper() not in taken:
            return color
    return color_for_index(len(used))


def is_hex_color(text: str) -> bool:
    """Tell whether ``text`` is a ``#RRGGBB`` colour."""
    if len(text) != 7 or not text.startswith("#"):
        return False
    try:
        int(text[1:], 16)
    except ValueError:
        return False
    return True
