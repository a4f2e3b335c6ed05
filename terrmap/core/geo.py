"""Projections and distances: store in lon/lat, measure on an equal-area plane or the sphere."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS

# A parsed CRS object: geopandas re-parses a string on every frame it builds (~8 ms each).
STORAGE_CRS = CRS.from_epsg(4326)
# NAD83 / Conus Albers: equal-area, the usual choice for US-wide areas.
US_EQUAL_AREA_CRS = "EPSG:5070"
EARTH_RADIUS_KM = 6371.0088


def equal_area_crs(lon: float, lat: float) -> CRS:
    """Choose an equal-area CRS for data centred near ``(lon, lat)``.

    Albers (EPSG:5070) serves the US including Alaska and Hawaii, since Albers keeps
    areas true everywhere; elsewhere a Lambert azimuthal equal-area projection
    centred on the data keeps both areas and shapes reasonable.
    """
    if -170.0 <= lon <= -60.0 and 15.0 <= lat <= 72.0:
        return CRS.from_user_input(US_EQUAL_AREA_CRS)
    return CRS.from_proj4(f"+proj=laea +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 +units=m")


def equal_area_crs_for(geometries: np.ndarray) -> CRS:
    """The equal-area CRS for lon/lat ``geometries``, centred on their typical location.

    Centred on the median of the features' box centres, not on the total bounds: a
    layer with Aleutian islands spans -179°…+179° and would centre on Greenwich.
    """
    bounds = shapely.bounds(np.asarray(geometries, dtype=object))
    centres = (bounds[:, :2] + bounds[:, 2:]) / 2
    lon, lat = np.nanmedian(centres, axis=0) if len(centres) else (0.0, 0.0)
    return equal_area_crs(float(lon), float(lat))


def haversine_km(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
