"""The plane the map is drawn on.

Geometry is stored in lon/lat (EPSG:4326) but drawn in an equal-area projection:
Albers EPSG:5070 for US data and a Lambert azimuthal equal-area projection centred on
the data elsewhere (`terrmap.core.geo.equal_area_crs`). Equal-area keeps the visual
weight of a territory honest, which matters when managers compare sizes by eye, and it
is the same plane the metrics measure areas in. Coordinates are metres.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

from terrmap.core.geo import STORAGE_CRS, equal_area_crs_for


class DisplayProjection:
    """Forward and inverse transforms between lon/lat and the display plane.

    Parameters
    ----------
    crs
        The display CRS (projected, metres).
    """

    def __init__(self, crs: CRS) -> None:
        self.crs = crs
        self._forward = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
        self._inverse = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)

    @classmethod
    def for_geometries(cls, geometries: np.ndarray) -> DisplayProjection:
        """The display projection suited to lon/lat ``geometries``: the one areas are
        measured in (`terrmap.core.geo.equal_area_crs_for`)."""
        return cls(equal_area_crs_for(geometries))

    def to_display(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project lon/lat (degrees) to display metres."""
        return self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Un-project one display point to ``(lon, lat)`` in degrees."""
        lon, lat = self._inverse.transform(x, y)
        return float(lon), float(lat)

    def project(self, geometries: np.ndarray) -> np.ndarray:
        """Project lon/lat shapely geometries to the display plane."""
        geometries = np.asarray(geometries, dtype=object)
        coords = shapely.get_coordinates(geometries)
        # Transform in place and write back into the same array: for 35M vertices the
        # copies of a column_stack cost a third as much as the projection itself.
        x, y = np.ascontiguousarray(coords[:, 0]), np.ascontiguousarray(coords[:, 1])
        self._forward.transform(x, y, inplace=True)
        coords[:, 0], coords[:, 1] = x, y
        return shapely.set_coordinates(geometries.copy(), coords)
