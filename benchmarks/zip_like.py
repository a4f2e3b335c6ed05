"""A national ZIP-like unit layer for map benchmarks, made from bundled data.

No national ZCTA file ships with terrmap, so the benchmark builds a stand-in with the
same weight: Voronoi cells of the ~33k Census-sourced ZIP points of the contiguous US,
clipped to the state outlines, then densified until the mean vertex count per polygon
matches the real Census ZCTA files in ``../shared/data/zcta`` (TIGER full resolution,
about a thousand vertices a polygon) and bent so that simplification removes about as
many of them as it does from real ZCTAs. The result is cached as GeoParquet in
``benchmarks/.cache`` so reruns skip the minute or two it takes to make.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from terrmap.core.geo import US_EQUAL_AREA_CRS
from terrmap.core.layers import UnitLayer
from terrmap.resources import resource_path
from terrmap.sample import load_states

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
ZCTA_SAMPLES = (
    REPO.parent / "shared" / "data" / "zcta" / "de_zcta2010.geojson",
    REPO.parent / "shared" / "data" / "zcta" / "ri_zcta2010.geojson",
)
# Used when the real ZCTA files are missing: their measured mean (DE 1145, RI 976).
FALLBACK_VERTICES = 1056
NOT_CONTIGUOUS = ("AK", "HI", "PR", "AS", "GU", "MP", "VI")
# The clipped cells are snapped to this grid (degrees, ~1 cm): the overlay computes a
# coast crossing once per side, and the two may differ in the last bit.
GRID = 1e-7
WAVES = ((4.0, 100.0, 0.3), (15.0, 500.0, 1.1), (50.0, 2000.0, 2.0))  # metres, metres, rad
PATCH = 5000.0  # metres: wiggly and straight stretches alternate at about this scale
VERSION = 2


def zcta_mean_vertices() -> float:
    """Mean vertex count per polygon of the real ZCTA sample files (or the fallback)."""
    from terrmap.io.boundaries import read_boundaries

    counts = [
        shapely.get_num_coordinates(read_boundaries(path).frame.geometry.to_numpy())
        for path in ZCTA_SAMPLES
        if path.exists()
    ]
    return float(np.concatenate(counts).mean()) if counts else float(FALLBACK_VERTICES)


def zip_like_units(cache: Path = CACHE) -> UnitLayer:
    """The ZIP-like layer (EPSG:4326, ids are ZIP codes), made once and cached."""
    target = round(zcta_mean_vertices())
    path = cache / f"zip_like_v{VERSION}_{target}.parquet"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        frame = make_zip_like(target)
        partial = path.with_suffix(".partial")
        frame.to_parquet(partial)
        partial.replace(path)
    frame = gpd.read_parquet(path)
    return UnitLayer(frame, kind="zcta", source="synthetic ZIP-like Voronoi cells")


def make_zip_like(mean_vertices: int) -> gpd.GeoDataFrame:
    """Voronoi cells of the contiguous-US ZIP points, clipped to land and densified."""
    zips = pd.read_csv(resource_path("geocode", "zip_points.csv"), dtype={"zip": str})
    zips = zips[(zips["source"] == "zcta") & zips["lon"].between(-125, -66)]
    zips = zips[zips["lat"].between(24, 50)].drop_duplicates(["lon", "lat"])
    states = load_states()
    states = states[~states["STUSPS"].isin(NOT_CONTIGUOUS)].to_crs(US_EQUAL_AREA_CRS)
    land = shapely.union_all(states.geometry.to_numpy())
    to_plane = Transformer.from_crs("EPSG:4326", US_EQUAL_AREA_CRS, always_xy=True)
    x, y = to_plane.transform(zips["lon"].to_numpy(), zips["lat"].to_numpy())
    points = shapely.points(x, y)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=land, ordered=True)
    )
    cells = _clip(cells, land)
    keep = ~shapely.is_empty(cells)
    frame = gpd.GeoDataFrame(
        {"name": "ZIP " + zips["zip"].to_numpy()[keep]},
        geometry=cells[keep],
        index=pd.Index(zips["zip"].to_numpy()[keep], name="unit_id"),
        crs=US_EQUAL_AREA_CRS,
    ).to_crs("EPSG:4326")
    cells = shapely.set_precision(frame.geometry.to_numpy(), GRID, mode="pointwise")
    frame["geometry"] = _densify(cells, mean_vertices)
    return frame


def _clip(cells: np.ndarray, land: shapely.Geometry) -> np.ndarray:
    # Most cells lie wholly inland; only coastal and border ones need the costly overlay.
    shapely.prepare(land)
    inland = shapely.contains(land, cells)
    clipped = cells.copy()
    coastal = np.flatnonzero(~inland)
    clipped[coastal] = shapely.intersection(cells[coastal], land)
    return _polygonal(clipped)


def _polygonal(geometries: np.ndarray) -> np.ndarray:
    """Only the polygon parts (a clip that grazes land also returns lines and points)."""
    parts, owner = shapely.get_parts(geometries, return_index=True)
    area = shapely.get_type_id(parts) == 3
    return _regroup(parts[area], owner[area], len(geometries))


def _regroup(polygons: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    """Polygons with their owner index (sorted) back into one geometry per owner."""
    result = np.full(count, shapely.Polygon(), dtype=object)
    if not len(polygons):
        return result
    grouped = shapely.multipolygons(polygons, indices=owner)
    present = np.unique(owner)
    single = np.bincount(owner, minlength=count)[present] == 1
    result[present] = np.where(single, shapely.get_geometry(grouped, 0), grouped)
    return result


def _densify(cells: np.ndarray, mean_vertices: int) -> np.ndarray:
    """Split edges until polygons have ``mean_vertices`` on average, then wiggle them.

    Shared edges must come out bit-identical on both sides (or the layer stops being a
    coverage), so points are interpolated from each edge's lexicographically smaller end,
    whichever way a ring runs; the wiggle is a smooth function of position only.
    """
    parts, part_owner = shapely.get_parts(cells, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    inner = ring_of[:-1] == ring_of[1:]
    p, q, edge_ring = coords[:-1][inner], coords[1:][inner], ring_of[:-1][inner]
    length = np.hypot(*(q - p).T)
    step = length.sum() / max(mean_vertices * len(cells) - len(p), 1)
    n = np.maximum(np.ceil(length / step), 1).astype(np.intp)
    swap = (q[:, 0] < p[:, 0]) | ((q[:, 0] == p[:, 0]) & (q[:, 1] < p[:, 1]))
    a, b = np.where(swap[:, None], q, p), np.where(swap[:, None], p, q)
    edge = np.repeat(np.arange(len(n)), n)
    i = np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)
    j = np.where(swap[edge], n[edge] - i, i)
    points = a[edge] + (j / n[edge])[:, None] * (b[edge] - a[edge])
    points[i == 0] = p[edge[i == 0]]
    point_ring = edge_ring[edge]
    # Close every ring with its first point.
    first = np.searchsorted(point_ring, np.arange(len(rings)))
    points = np.insert(points, np.r_[first[1:], len(points)], points[first], axis=0)
    point_ring = np.insert(point_ring, np.r_[first[1:], len(point_ring)], np.arange(len(rings)))
    points = _wiggle(points)
    new_rings = shapely.linearrings(points, indices=point_ring)
    polygons = shapely.polygons(new_rings, indices=ring_part)
    return _regroup(polygons, part_owner, len(cells))


def _wiggle(lonlat: np.ndarray) -> np.ndarray:
    """Bend straight Voronoi edges like surveyed boundaries: waves of 100 m to 2 km in
    patches, so simplifying keeps about as many vertices as it does on real ZCTAs
    (measured: 50 %, 20 %, 7 % at 5, 20, 80 m against 52 %, 23 %, 9 %). The field's slope
    stays below 1, so it never folds a polygon over its neighbour."""
    metres_lat = 111_320.0
    metres_lon = metres_lat * np.cos(np.radians(lonlat[:, 1]))
    x, y = lonlat[:, 0] * metres_lon, lonlat[:, 1] * metres_lat
    dx, dy = np.zeros(len(x)), np.zeros(len(x))
    for amplitude, wavelength, angle in WAVES:
        k, c, s = 2 * np.pi / wavelength, np.cos(angle), np.sin(angle)
        dx += amplitude * np.sin(k * (c * x + s * y))
        dy += amplitude * np.cos(k * (s * x - c * y) + 1.3)
    patch = np.sin(2 * np.pi * x / PATCH) * np.sin(2 * np.pi * y / (1.3 * PATCH))
    mask = np.clip(1.5 * patch + 0.2, 0.0, 1.0)
    return np.column_stack(
        [lonlat[:, 0] + mask * dx / metres_lon, lonlat[:, 1] + mask * dy / metres_lat]
    )


if __name__ == "__main__":
    layer = zip_like_units()
    counts = shapely.get_num_coordinates(layer.geometry)
    print(f"{len(layer)} units, mean {counts.mean():.0f} vertices, total {counts.sum():,}")
