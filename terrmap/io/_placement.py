"""Place accounts: validate coordinates and join points to the units that contain them.

The join avoids building a million point geometries for the spatial index: points are
bucketed on a regular grid, each unit takes the points in the grid cells its bounding box
covers, and a prepared polygon tests them with ``shapely.intersects_xy`` (GIL released,
so units are shared out over the cores).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from terrmap.core.geo import STORAGE_CRS, haversine_km


@dataclass
class Coordinates:
    """Parsed coordinates with a verdict per row."""

    valid: np.ndarray  # usable as they are
    missing: np.ndarray  # both cells empty


def check_coordinates(
    lat: np.ndarray, lon: np.ndarray, lat_present: np.ndarray, lon_present: np.ndarray
) -> Coordinates:
    """Judge coordinates: numeric, in range and not the 0/0 placeholder of failed geocoders."""
    with np.errstate(invalid="ignore"):
        in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    valid = in_range & ~((lat == 0) & (lon == 0))
    return Coordinates(valid, ~lat_present & ~lon_present)


def invalid_coordinates_reasons(lat_text: pd.Series, lon_text: pd.Series) -> np.ndarray:
    """Return "invalid coordinates (lat '…', lon '…')" for each row given."""
    lat_shown = lat_text.to_numpy(dtype=object)
    lon_shown = lon_text.to_numpy(dtype=object)
    return "invalid coordinates (lat '" + lat_shown + "', lon '" + lon_shown + "')"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while creating many geometry objects.

    Each shapely geometry is a tracked object: a million of them trigger repeated full
    collections that cost more than the geometry creation itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def join_to_units(lat: np.ndarray, lon: np.ndarray, units: gpd.GeoDataFrame) -> np.ndarray:
    """Return the position in ``units`` of the unit containing each point, or -1.

    A point on a border shared by several units goes to the first of them in ``units``'
    order, so the answer does not depend on threads or query order.
    """
    if units.crs is not None and not units.crs.equals(STORAGE_CRS):
        units = units.to_crs(STORAGE_CRS)
    geometry = np.asarray(units.geometry.values)
    unit_of = np.full(len(lat), -1, dtype=np.int64)
    usable = np.flatnonzero(~shapely.is_missing(geometry) & ~shapely.is_empty(geometry))
    if len(lat) == 0 or len(usable) == 0:
        return unit_of
    bounds = shapely.bounds(geometry)
    grid = _PointGrid(lon, lat, bounds[usable])
    # Small batches of units keep the temporary arrays small (cheap to allocate) and let
    # the worker threads share the polygon tests, which release the GIL.
    batches = np.array_split(usable, max(1, len(usable) // _UNITS_PER_BATCH))
    workers = min(os.cpu_count() or 1, 4)
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda b: _test_batch(geometry, bounds, grid, b), batches))
    # Pairs come in ascending unit order: writing them in reverse leaves the lowest unit.
    for inside, _ in reversed(results):
        unit_of[inside[1][::-1]] = inside[0][::-1]
    # Points on a border are in no unit's interior: intersects_xy places them.
    for _, (unit, point) in reversed(results):
        left = unit_of[point] < 0
        touching = _test_pairs(shapely.intersects_xy, geometry, unit[left], point[left], grid)
        unit_of[point[left][touching][::-1]] = unit[left][touching][::-1]
    return unit_of


# Simplified boundaries (the bundled counties are simplified by ~500 m) cut off coastal
# points: a point this close to a unit is placed in it, with a warning.
NEAR_MISS_KM = 1.0


def snap_near_misses(
    lat: np.ndarray, lon: np.ndarray, units: gpd.GeoDataFrame, max_km: float = NEAR_MISS_KM
) -> tuple[np.ndarray, np.ndarray]:
    """Return, for points outside every unit, the nearest unit within ``max_km`` (or -1).

    Also returns the distance in km to that unit (NaN where none is near enough).
    """
    if len(lat) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    points = shapely.points(lon, lat)
    geometry = np.asarray(units.geometry.values)
    # Search in degrees with a margin for longitude shrinking toward the poles, then
    # measure the real distance on the sphere.
    degrees = max_km / 111.0 / max(np.cos(np.radians(np.nanmax(np.abs(lat)))), 0.2)
    tree = shapely.STRtree(geometry)
    (point, unit) = tree.query_nearest(points, max_distance=degrees, all_matches=False)
    nearest = np.full(len(lat), -1, dtype=np.int64)
    distance = np.full(len(lat), np.nan)
    if len(point):
        ends = shapely.get_coordinates(shapely.shortest_line(points[point], geometry[unit]))
        km = haversine_km(ends[0::2, 0], ends[0::2, 1], ends[1::2, 0], ends[1::2, 1])
        close = km <= max_km
        nearest[point[close]] = unit[close]
        distance[point[close]] = km[close]
    return nearest, distance


_UNITS_PER_BATCH = 64
_Pairs = tuple[np.ndarray, np.ndarray]


def _test_batch(
    geometry: np.ndarray, bounds: np.ndarray, grid: _PointGrid, batch: np.ndarray
) -> tuple[_Pairs, _Pairs]:
    """Return the (unit, point) pairs of ``batch`` with the point inside, and the others."""
    unit, point = grid.pairs(batch, bounds[batch])
    inside = _test_pairs(shapely.contains_xy, geometry, unit, point, grid)
    return (unit[inside], point[inside]), (unit[~inside], point[~inside])


def _test_pairs(predicate, geometry, pair_unit, pair_point, grid: _PointGrid) -> np.ndarray:
    """Evaluate ``predicate(unit, x, y)`` for (unit, point) pairs grouped by unit."""
    result = np.zeros(len(pair_unit), dtype=bool)
    if len(pair_unit) == 0:
        return result
    starts = np.flatnonzero(np.r_[True, pair_unit[1:] != pair_unit[:-1]])
    for a, b in zip(starts, np.r_[starts[1:], len(pair_unit)], strict=True):
        polygon = geometry[pair_unit[a]]
        was_prepared = shapely.is_prepared(polygon)
        shapely.prepare(polygon)
        points = pair_point[a:b]
        result[a:b] = predicate(polygon, grid.lon[points], grid.lat[points])
        if not was_prepared:
            shapely.destroy_prepared(polygon)  # leave the caller's geometries as they were
    return result


class _PointGrid:
    """Points sorted by grid cell, so a bounding box's points are a few contiguous runs."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, unit_bounds: np.ndarray):
        sizes = np.concatenate(
            [unit_bounds[:, 2] - unit_bounds[:, 0], unit_bounds[:, 3] - unit_bounds[:, 1]]
        )
        # Half a unit per cell keeps both the runs per unit and the misses per run few.
        self.cell = max(float(np.median(sizes)) / 2, 1e-6)
        self.columns = int(np.ceil(360 / self.cell)) + 2
        self.lon, self.lat = lon, lat
        finite = np.isfinite(lon) & np.isfinite(lat)
        keys = np.where(finite, self._key(lon, lat), -1)
        self.order = np.argsort(keys)
        self.keys = keys[self.order]

    def _key(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            column = np.floor((lon + 180) / self.cell).astype(np.int64)
            row = np.floor((lat + 90) / self.cell).astype(np.int64)
        return row * self.columns + column

    def pairs(self, units: np.ndarray, bounds: np.ndarray) -> _Pairs:
        """Return (unit, point) pairs, grouped by unit, of points inside each unit's box."""
        first = self._key(bounds[:, 0], bounds[:, 1])
        last = self._key(bounds[:, 2], bounds[:, 3])
        rows = last // self.columns - first // self.columns + 1
        width = last % self.columns - first % self.columns
        # One run of cells per (unit, grid row) the box covers.
        run_unit = np.repeat(np.arange(len(units)), rows)
        run_row = np.arange(len(run_unit)) - np.repeat(np.cumsum(rows) - rows, rows)
        start_key = first[run_unit] + run_row * self.columns
        left = np.searchsorted(self.keys, start_key, side="left")
        right = np.searchsorted(self.keys, start_key + width[run_unit], side="right")
        lengths = right - left
        pair_run = np.repeat(np.arange(len(lengths)), lengths)
        offsets = np.arange(len(pair_run)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        point = self.order[left[pair_run] + offsets]
        local = run_unit[pair_run]
        x, y = self.lon[point], self.lat[point]
        # Cells overhang the box: a cheap box test spares most point-in-polygon tests.
        keep = (x >= bounds[local, 0]) & (x <= bounds[local, 2])
        keep &= (y >= bounds[local, 1]) & (y <= bounds[local, 3])
        return units[local[keep]], point[keep]
