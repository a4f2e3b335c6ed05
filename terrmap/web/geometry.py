"""Geometry made light for the web: simplified, rounded, and the extent the page opens on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.errors import GEOSException

if TYPE_CHECKING:
    from terrmap.core.project import Project


# Simplification tolerance as a fraction of the layer's larger span, clamped to these
# degrees: ~20 m at the fine end, ~550 m (the bundled counties' own detail) at the coarse.
SPAN_FRACTION = 1 / 20_000
MIN_TOLERANCE_DEG, MAX_TOLERANCE_DEG = 0.0002, 0.005
COORD_DECIMALS = 5  # ~1 m
# The page opens on all units unless outliers stretch an axis this much (see view_bounds).
FIT_QUANTILE, FIT_OUTLIER_RATIO = 0.005, 1.5
# Above this many vertices GEOS's coverage simplifier is slow (minutes); plain simplify then.
COVERAGE_SIMPLIFY_LIMIT = 2_000_000


def unit_geometry(project: Project) -> np.ndarray:
    """Unit polygons simplified for the web (one per unit, none lost) and rounded."""
    geometry = np.asarray(project.units.geometry)
    if not len(geometry):
        return geometry
    return round_coordinates(simplify(geometry, simplify_tolerance(geometry), coverage=True))


def simplify_tolerance(geometry: np.ndarray) -> float:
    west, south, east, north = shapely.total_bounds(geometry)
    span = max(east - west, north - south)
    return float(np.clip(span * SPAN_FRACTION, MIN_TOLERANCE_DEG, MAX_TOLERANCE_DEG))


def simplify(geometry: np.ndarray, tolerance: float, *, coverage: bool) -> np.ndarray:
    vertices = int(shapely.get_num_coordinates(geometry).sum())
    if not vertices:
        return geometry
    # Already coarser than the tolerance (the bundled counties): simplifying drops nothing.
    mean_segment = float(np.nansum(shapely.length(geometry))) / vertices
    if tolerance < mean_segment / 2:
        return geometry
    try:
        if coverage and vertices <= COVERAGE_SIMPLIFY_LIMIT:
            # Simplifies each shared edge once, so neighbours still meet without slivers.
            simplified = shapely.coverage_simplify(geometry, tolerance)
        else:
            simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    except GEOSException:  # not a clean coverage (overlaps)
        simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    lost = shapely.is_empty(simplified) | shapely.is_missing(simplified)
    return np.where(lost, geometry, simplified)  # never let a small unit vanish


def round_coordinates(geometry: np.ndarray) -> np.ndarray:
    return shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))


def view_bounds(geometry: np.ndarray) -> tuple[float, float, float, float]:
    """The extent to open on: all units, unless a few far-out ones would dwarf the rest.

    A national layer has a county that crosses the antimeridian (the Aleutians) and would
    otherwise open on the whole globe; on an axis where the full extent is more than
    `FIT_OUTLIER_RATIO` times the middle 99% of unit edges, the page opens on the middle.
    """
    present = geometry[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
    if not len(present):
        return -125.0, 24.0, -66.0, 50.0  # the contiguous US
    bounds = shapely.bounds(present)
    low, high = bounds.min(axis=0), bounds.max(axis=0)
    q_low = np.quantile(bounds, FIT_QUANTILE, axis=0)
    q_high = np.quantile(bounds, 1 - FIT_QUANTILE, axis=0)
    extent = [float(low[0]), float(low[1]), float(high[2]), float(high[3])]
    for axis in (0, 1):  # x, then y
        full = high[axis + 2] - low[axis]
        middle = q_high[axis + 2] - q_low[axis]
        if middle > 0 and full > FIT_OUTLIER_RATIO * middle:
            extent[axis], extent[axis + 2] = float(q_low[axis]), float(q_high[axis + 2])
    west, south, east, north = extent
    return west, south, east, north
