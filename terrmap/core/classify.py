"""Classed colouring of numeric values (choropleth maps, coloured account dots).

Breaks split values into ``k`` classes: equal counts (quantile), equal widths
(equal interval) or Jenks natural breaks. Colours come from Paul Tol's sequential
YlOrBr scheme, which stays ordered for colour-blind readers and in greyscale print.

Class edges are upper bounds, as in PySAL's mapclassify and QGIS: a value equal to an
edge belongs to the class below it. Jenks breaks are the largest value of each class,
so any other rule would move every class maximum one class up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Method = Literal["quantile", "equal", "natural"]
METHODS: tuple[Method, ...] = ("quantile", "equal", "natural")
MIN_CLASSES, MAX_CLASSES = 2, 9
NO_DATA_COLOR = "#FFFFFF"

# Tol's YlOrBr, light to dark.
SEQUENTIAL_COLORS: tuple[str, ...] = (
    "#FFFFE5",
    "#FFF7BC",
    "#FEE391",
    "#FEC44F",
    "#FB9A29",
    "#EC7014",
    "#CC4C02",
    "#993404",
    "#662506",
)
# Jenks is quadratic in the number of distinct values: classify a sorted sample beyond this.
NATURAL_SAMPLE = 500


@dataclass(frozen=True)
class Classification:
    """Values put into ordered classes, each with a colour.

    Attributes
    ----------
    column
        Name of the classified value (for legends).
    method
        How the breaks were chosen.
    edges
        ``k + 1`` non-decreasing class edges; class 0 holds ``edges[0] <= v <= edges[1]``,
        class ``i > 0`` holds ``edges[i] < v <= edges[i+1]`` (so ``edges[0] == edges[1]``
        is a class of the minimum alone, e.g. all the zeros).
    colors
        One ``#RRGGBB`` colour per class, light (low) to dark (high).
    classes
        Class index of each classified item (unit or account); -1 marks a missing value.
    """

    column: str
    method: Method
    edges: tuple[float, ...]
    colors: tuple[str, ...]
    classes: np.ndarray = field(compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.edges) != len(self.colors) + 1:
            raise ValueError("a classification needs one more edge than colours")

    def __eq__(self, other: object) -> bool:
        # The generated __eq__ skips ``classes`` (an array has no single truth value), so
        # a reclassification that kept the edges but moved items would look unchanged and
        # a view comparing styles would skip its repaint.
        if not isinstance(other, Classification):
            return NotImplemented
        return (self.column, self.method, self.edges, self.colors) == (
            other.column,
            other.method,
            other.edges,
            other.colors,
        ) and np.array_equal(self.classes, other.classes)

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.colors)

    def color_of(self, index: int) -> str:
        """Colour of item ``index`` (the no-data colour for a missing value)."""
        cls = int(self.classes[index])
        return NO_DATA_COLOR if cls < 0 else self.colors[cls]

    def legend(self) -> list[tuple[str, str]]:
        """``(label, colour)`` per class, low to high, e.g. ``("1,200 – 3,400", "#FEE391")``.

        A class of a single value (constant data, or the minimum alone) reads ``"0"``.
        A last ``("No data", white)`` row is added when some values are missing.
        """
        rows = []
        for i, color in enumerate(self.colors):
            low, high = _short(self.edges[i]), _short(self.edges[i + 1])
            rows.append((low if low == high else f"{low} – {high}", color))
        if (self.classes < 0).any():
            rows.append(("No data", NO_DATA_COLOR))
        return rows


def classify(
    values: np.ndarray, column: str, method: Method = "quantile", k: int = 5
) -> Classification:
    """Put ``values`` into ``k`` classes by ``method``.

    Parameters
    ----------
    values
        One number per item; NaN marks a missing value (class -1).
    column
        Name shown in legends.
    method
        ``"quantile"`` (equal counts), ``"equal"`` (equal widths) or ``"natural"`` (Jenks).
    k
        Number of classes, 2–9; fewer are made when there are fewer distinct values.
    """
    if method not in METHODS:
        raise ValueError(f"unknown classification method {method!r}; use one of {METHODS}")
    if not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ValueError(f"choose between {MIN_CLASSES} and {MAX_CLASSES} classes, not {k}")
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if not len(finite):
        return Classification(
            column, method, (0.0, 0.0), (SEQUENTIAL_COLORS[0],), np.full(len(values), -1, np.int16)
        )
    edges = _edges(np.sort(finite), method, k)
    colors = _colors(len(edges) - 1)
    # Inner edges are upper bounds: a value equal to one stays in the class below.
    classes = np.searchsorted(np.asarray(edges[1:-1]), values, side="left")
    classes = np.where(np.isfinite(values), classes, -1)
    return Classification(column, method, tuple(edges), colors, classes.astype(np.int16))


def _edges(ordered: np.ndarray, method: Method, k: int) -> list[float]:
    low, high = float(ordered[0]), float(ordered[-1])
    if high <= low:
        return [low, high]
    if method == "equal":
        inner = np.linspace(low, high, k + 1)[1:-1]
    elif method == "quantile":
        inner = np.quantile(ordered, np.linspace(0, 1, k + 1)[1:-1])
        # Snap each edge down to the value it bounds: no item changes class, but an edge
        # interpolated between ties (many zeros) collapses onto its neighbour instead of
        # leaving an empty class in the legend, and labels show values that occur.
        inner = ordered[np.searchsorted(ordered, inner, side="right") - 1]
    else:
        inner = _jenks_inner(ordered, k)
    # An inner edge equal to the minimum is a class of the minimum alone (upper bounds);
    # one equal to the maximum would be an empty class.
    inner = [float(v) for v in np.unique(inner) if low <= v < high]
    return [low, *inner, high]


def _jenks_inner(ordered: np.ndarray, k: int) -> np.ndarray:
    """Inner Jenks breaks (the largest value of each class but the last).

    Fisher's exact dynamic programme over (a sample of) the sorted values, one class
    count at a time over the whole start × end cost matrix, so numpy does the loops.
    """
    if len(ordered) > NATURAL_SAMPLE:
        ordered = ordered[np.linspace(0, len(ordered) - 1, NATURAL_SAMPLE).astype(int)]
    n = len(ordered)
    k = min(k, len(np.unique(ordered)))
    prefix = np.concatenate([[0.0], np.cumsum(ordered)])
    prefix2 = np.concatenate([[0.0], np.cumsum(ordered**2)])
    start, end = np.arange(n + 1)[:, None], np.arange(n + 1)[None, :]
    count = end - start
    with np.errstate(divide="ignore", invalid="ignore"):
        total = prefix[end] - prefix[start]
        # Squared deviation of ordered[start:end]; empty or reversed ranges are impossible.
        cost = np.where(
            count > 0, prefix2[end] - prefix2[start] - total**2 / np.maximum(count, 1), np.inf
        )
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    cuts = []
    for _ in range(k):
        candidates = best[:, None] + cost
        cut = np.argmin(candidates, axis=0)
        best = candidates[cut, np.arange(n + 1)]
        cuts.append(cut)
    bounds, j = [], n
    for cut in reversed(cuts[1:]):
        j = int(cut[j])
        bounds.append(ordered[j - 1])
    return np.array(sorted(bounds))


def _colors(k: int) -> tuple[str, ...]:
    # The palest colour is near the no-data white, so it is used only when all are needed.
    first = 0 if k >= len(SEQUENTIAL_COLORS) else 1
    picks = np.linspace(first, len(SEQUENTIAL_COLORS) - 1, k).round().astype(int) if k > 1 else [4]
    return tuple(SEQUENTIAL_COLORS[i] for i in picks)


def _short(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    # Quantile edges of counts fall between integers: "2.8", not "2.80".
    return f"{value:,.2f}".rstrip("0").rstrip(".")
