"""Levels of detail of a layer: the same polygons, simplified for coarser zooms.

Unit levels come from ``shapely.coverage_simplify``: it simplifies each shared edge once,
so neighbours keep meeting exactly (plain ``simplify`` opens gaps that show as slivers).
Each level is simplified from the next finer one, not from the full geometry: after the
first level there are few vertices left, so the cascade costs little more than one
level (the coarse levels of 33k ZIPs take well under a second after the fine one).

Tolerances are fractions of the layer's larger span. A layer fitted to a 1600-px window
has pixels of about span/1500, so the coarsest level is exact to about 0.7 px at full
extent and each finer level serves four times closer. Levels finer than half the
layer's mean segment length would barely drop a vertex and are left out.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException

from terrmap.render.arc_simplify import arc_simplify

LEVEL_FRACTIONS = (1 / 2_000, 1 / 8_000, 1 / 32_000, 1 / 128_000, 1 / 512_000)
# Above this many vertices GEOS's coverage simplifier takes minutes (it ran at 2–8 µs a
# vertex here); the first level of such a layer is made by `arc_simplify` instead.
COVERAGE_SIMPLIFY_LIMIT = 2_000_000


def detail_levels(
    full: np.ndarray, span: float, *, coverage: bool = True
) -> list[tuple[float, np.ndarray]]:
    """``(tolerance, geometry)`` of the simplified levels, finest first.

    Parameters
    ----------
    full
        Display-plane (multi)polygons at full detail.
    span
        The layer's larger extent, in the same units.
    coverage
        Whether the polygons tile without overlaps (boundary units).
    """
    vertices = shapely.get_num_coordinates(full)
    total = int(vertices.sum())
    segment = float(shapely.length(full).sum()) / max(total, 1)
    tolerances = sorted(
        (span * f for f in LEVEL_FRACTIONS if span * f >= segment / 2), reverse=False
    )
    levels: list[tuple[float, np.ndarray]] = []
    source = full
    for tolerance in tolerances:
        if coverage and total > COVERAGE_SIMPLIFY_LIMIT:
            simplified = arc_simplify(source, tolerance)
        else:
            simplified = _simplify(source, tolerance, coverage=coverage)
        levels.append((tolerance, simplified))
        source = simplified
        total = int(shapely.get_num_coordinates(simplified).sum())
    return levels


def _simplify(geometry: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    try:
        if coverage:
            simplified = shapely.coverage_simplify(geometry, tolerance)
        else:
            # Context is only looked at, never clicked or measured: a self-touching
            # outline is harmless, and skipping topology checks is 10× faster.
            simplified = shapely.simplify(geometry, tolerance, preserve_topology=False)
    except GEOSException:
        # Not a clean coverage (overlaps): simplify alone; slivers may show between units.
        simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    # Never let a unit vanish from the map because it is small.
    lost = shapely.is_empty(simplified) | shapely.is_missing(simplified)
    return np.where(lost, geometry, simplified)
