"""The two data layers of a project: boundary units (polygons) and accounts (points)."""

from __future__ import annotations

from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from terrmap.core.geo import STORAGE_CRS, equal_area_crs_for
from terrmap.errors import EditError

# Account columns that describe the record rather than measure it; never summed.
ACCOUNT_BOOKKEEPING_COLUMNS = frozenset(
    {"line", "lat", "lon", "latitude", "longitude", "lng", "long", "x", "y", "zip", "unit_id"}
)


class UnitLayer:
    """Boundary units (ZCTAs, counties, ...) that territories are built from.

    Parameters
    ----------
    frame
        Index ``unit_id`` (unique strings), a ``name`` column and polygon geometry;
        any other columns are attributes (numeric ones can be summed as metrics).
    kind
        ``"zcta"``, ``"county"`` or ``"custom"``.
    source
        Where the layer came from (file name or a description).
    """

    def __init__(self, frame: gpd.GeoDataFrame, kind: str = "custom", source: str = "") -> None:
        if frame.crs is None or not frame.crs.equals(STORAGE_CRS):
            frame = (
                frame.to_crs(STORAGE_CRS) if frame.crs is not None else frame.set_crs(STORAGE_CRS)
            )
        frame = frame.copy()
        frame.index = pd.Index(frame.index.astype(str), name="unit_id")
        if not frame.index.is_unique:
            dup = frame.index[frame.index.duplicated()][0]
            raise ValueError(f"unit id {dup!r} appears more than once")
        if "name" not in frame.columns:
            frame["name"] = frame.index.to_numpy()
        self.frame = frame
        self.kind = kind
        self.source = source

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def ids(self) -> np.ndarray:
        """Unit ids in layer order (object array of str)."""
        return self.frame.index.to_numpy(dtype=object)

    @cached_property
    def geometry(self) -> np.ndarray:
        """Shapely geometries in layer order."""
        return self.frame.geometry.to_numpy()

    @cached_property
    def area_crs(self):  # -> pyproj.CRS
        """The equal-area CRS used to measure this layer (the map draws in the same)."""
        return equal_area_crs_for(self.geometry)

    @cached_property
    def area_km2(self) -> np.ndarray:
        """Area of each unit in km², measured in an equal-area projection."""
        return self.frame.geometry.to_crs(self.area_crs).area.to_numpy() / 1e6

    @cached_property
    def numeric_columns(self) -> list[str]:
        """Attribute columns holding numbers (candidates for metrics)."""
        data = self.frame.drop(columns=[self.frame.geometry.name])
        return [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c]) and c != "name"]

    def positions(self, unit_ids: object) -> np.ndarray:
        """Return layer positions of ``unit_ids``; raise `EditError` for an unknown id."""
        ids = pd.Index(np.asarray(unit_ids, dtype=object).reshape(-1))
        pos = self.frame.index.get_indexer(ids)
        if (pos < 0).any():
            raise EditError(f"unknown unit id {ids[pos < 0][0]!r}")
        return pos.astype(np.intp)


class AccountLayer:
    """Accounts (customers, prospects) as points, each joined to the unit containing it.

    Parameters
    ----------
    frame
        One row per account with ``account_id`` (unique), ``name``, ``unit_id`` and point
        geometry; other columns are attributes (numeric ones are metrics, e.g. revenue).
    units
        The unit layer the accounts were joined to.
    source
        Where the accounts came from.
    """

    def __init__(self, frame: gpd.GeoDataFrame, units: UnitLayer, source: str = "") -> None:
        frame = frame.reset_index(drop=True)
        if frame.crs is None:
            frame = frame.set_crs(STORAGE_CRS)
        elif not frame.crs.equals(STORAGE_CRS):
            frame = frame.to_crs(STORAGE_CRS)
        for column in ("account_id", "name", "unit_id"):
            if column not in frame.columns:
                frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
        frame["account_id"] = frame["account_id"].astype(str)
        if not frame["account_id"].is_unique:
            dup = frame.loc[frame["account_id"].duplicated(), "account_id"].iloc[0]
            raise ValueError(f"account id {dup!r} appears more than once")
        self.frame = frame
        self.source = source
        self.unit_pos = units.frame.index.get_indexer(frame["unit_id"].astype(object)).astype(
            np.intp
        )

    @classmethod
    def empty(cls, units: UnitLayer) -> AccountLayer:
        """An account layer with no accounts."""
        frame = gpd.GeoDataFrame(
            {
                "account_id": pd.Series(dtype=str),
                "name": pd.Series(dtype=str),
                "unit_id": pd.Series(dtype=str),
            },
            geometry=gpd.GeoSeries([], crs=STORAGE_CRS),
        )
        return cls(frame, units)

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def ids(self) -> np.ndarray:
        """Account ids in layer order (object array of str)."""
        return self.frame["account_id"].to_numpy(dtype=object)

    @cached_property
    def numeric_columns(self) -> list[str]:
        """Numeric attribute columns (revenue, potential, visits...) that can be summed."""
        return [
            c
            for c in self.frame.columns
            if c != self.frame.geometry.name
            and c.lower() not in ACCOUNT_BOOKKEEPING_COLUMNS
            and pd.api.types.is_numeric_dtype(self.frame[c])
            and not pd.api.types.is_bool_dtype(self.frame[c])
        ]

    @cached_property
    def _id_index(self) -> pd.Index:
        # Built once: edits and metrics look accounts up by id on every override change.
        return pd.Index(self.ids)

    def positions(self, account_ids: object) -> np.ndarray:
        """Return layer positions of ``account_ids``; raise `EditError` for an unknown id."""
        ids = pd.Index(np.asarray(account_ids, dtype=object).reshape(-1))
        pos = self._id_index.get_indexer(ids)
        if (pos < 0).any():
            raise EditError(f"unknown account id {ids[pos < 0][0]!r}")
        return pos.astype(np.intp)
