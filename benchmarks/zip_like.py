"""A national ZIP-like unit layer for map benchmarks, made from bundled data.

No national ZCTA file ships with terrmap, so the benchmark builds a stand-in with the
same weight: Voronoi cells of the ~33k Census-sourced ZIP points of the contiguous US,
clipped to the state outlines, then densified until the mean vertex count per polygon
matches the real Census ZCTA files in ``../shared/data/zcta`` (TIGER full resolution,
about a thousand vertices a polygon). The result is cached as GeoParquet so reruns
skip the minute it takes to make.
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
# Coordinates are snapped to this grid (degrees, ~1 cm) so that an edge densified from
# both sides yields bit-identical vertices and the layer stays a clean coverage.
GRID = 1e-7
VERSION = 1


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
    frame["geometry"] = _densify(frame.geometry.to_numpy(), mean_vertices)
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
    result = np.full(len(geometries), shapely.Polygon(), dtype=object)
    for index in np.unique(owner[area]):
        mine = parts[area & (owner == index)]
        result[index] = mine[0] if len(mine) == 1 else shapely.multipolygons(mine)
    return result


def _densify(cells: np.ndarray, mean_vertices: int) -> np.ndarray:
    have = shapely.get_num_coordinates(cells)
    perimeter = shapely.length(cells)
    extra = max(mean_vertices * len(cells) - have.sum(), 1)
    step = float(perimeter.sum() / extra)
    dense = shapely.segmentize(cells, step)
    return shapely.set_precision(dense, GRID, mode="pointwise")


if __name__ == "__main__":
    layer = zip_like_units()
    counts = shapely.get_num_coordinates(layer.geometry)
    print(f"{len(layer)} units, mean {counts.mean():.0f} vertices, total {counts.sum():,}")
