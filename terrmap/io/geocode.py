"""Offline ZIP geocoding: one point per ZIP code from the bundled table.

The table ``resources/geocode/zip_points.csv`` has columns ``zip,lat,lon,source``:
``source`` is ``zcta`` for Census ZCTA internal points and ``usps`` for USPS points of
PO-box and unique ZIPs, which have no ZCTA polygon.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from terrmap.errors import TerrmapError
from terrmap.resources import resource_path

__all__ = ["ZipPoints", "normalize_zip"]

# 3-5 digits (Excel drops leading zeros), optionally ZIP+4 with or without a dash; a trailing
# ".0" comes from spreadsheets that stored the ZIP as a number.
_ZIP_PATTERN = r"^\s*(?:(?P<short>\d{3,5})|(?P<plus4>\d{4,5})\s*-?\s*\d{4})(?:\.0*)?\s*$"
_REQUIRED_COLUMNS = ("zip", "lat", "lon")


def normalize_zip(values: pd.Series) -> pd.Series:
    """Return five-character ZIP codes, or <NA> where a value is no ZIP.

    Parameters
    ----------
    values
        ZIPs as text or numbers: "02903-1234", "029031234", "2903" (leading zero lost by
        a spreadsheet) and 2903.0 all give "02903"; "", None and junk give <NA>.

    Returns
    -------
    pandas.Series
        Same index and name, dtype ``string``.
    """
    text = _arrow_strings(values)
    # Most values are clean five-digit ZIPs: plain kernels, ~5x faster than the regex.
    clean = pc.and_(pc.equal(pc.binary_length(text), 5), pc.ascii_is_decimal(text)).fill_null(False)
    result = pc.if_else(clean, text, pa.scalar(None, text.type))
    others = np.flatnonzero(~clean.to_numpy(zero_copy_only=False))
    if len(others):
        result = pc.replace_with_mask(result, pc.invert(clean), _parse_loose(text.take(others)))
    array = pd.arrays.ArrowStringArray(result)
    return pd.Series(array, index=values.index, name=values.name, copy=False)


def _arrow_strings(values: pd.Series) -> pa.Array:
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        values = values.astype("string[pyarrow]")
    array = pa.array(values.array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _parse_loose(text: pa.Array) -> pa.Array:
    """Parse ZIPs that are not already five digits: ZIP+4, lost leading zeros, "2903.0"."""
    parts = pc.extract_regex(text, _ZIP_PATTERN)
    short, plus4 = pc.struct_field(parts, "short"), pc.struct_field(parts, "plus4")
    digits = pc.if_else(pc.equal(short, ""), plus4, short)
    digits = pc.if_else(pc.is_valid(parts), digits, pa.scalar(None, digits.type))
    return pc.utf8_lpad(digits, 5, "0")


class ZipPoints:
    """A ZIP → (lat, lon) table for vectorised lookups.

    Parameters
    ----------
    table
        Columns ``zip``, ``lat``, ``lon`` and optionally ``source``; where a ZIP appears
        twice the ``zcta`` row wins.
    """

    def __init__(self, table: pd.DataFrame):
        missing = [c for c in _REQUIRED_COLUMNS if c not in table.columns]
        if missing:
            raise TerrmapError(f"ZIP point table lacks columns: {', '.join(missing)}")
        table = table.assign(zip=normalize_zip(table["zip"])).dropna(subset=["zip"])
        if "source" in table.columns:
            # Stable sort: ZCTA internal points first, then USPS points of PO-box ZIPs.
            table = table.sort_values("source", key=lambda s: s != "zcta", kind="stable")
        table = table.drop_duplicates("zip")
        self._index = pd.Index(table["zip"].astype(str).to_numpy())
        self._lat = table["lat"].to_numpy(dtype=float)
        self._lon = table["lon"].to_numpy(dtype=float)

    def __len__(self) -> int:
        return len(self._index)

    @classmethod
    def from_csv(cls, path: str | Path) -> ZipPoints:
        """Load a table in the bundled format (``zip,lat,lon,source``)."""
        try:
            table = pd.read_csv(path, dtype={"zip": str}, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise TerrmapError(f"cannot read the ZIP point table {path}: {exc}") from exc
        return cls(table)

    @classmethod
    def bundled(cls) -> ZipPoints:
        """Return the table shipped with terrmap (loaded once per process)."""
        return _load_bundled()

    def lookup(self, zips: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Look up many ZIPs at once.

        Parameters
        ----------
        zips
            ZIP codes; they are normalised first (ZIP+4 and lost leading zeros accepted).

        Returns
        -------
        lat, lon, found
            Float arrays (NaN where not found) and a boolean mask of the ZIPs found.
        """
        keys = normalize_zip(zips).fillna("").to_numpy(dtype=object)
        positions = self._index.get_indexer(keys)
        found = positions >= 0
        lat = np.full(len(keys), np.nan)
        lon = np.full(len(keys), np.nan)
        lat[found] = self._lat[positions[found]]
        lon[found] = self._lon[positions[found]]
        return lat, lon, found


@functools.cache
def _load_bundled() -> ZipPoints:
    path = resource_path("geocode", "zip_points.csv")
    if not path.is_file():
        raise TerrmapError(f"the bundled ZIP point table is missing ({path}); reinstall terrmap")
    return ZipPoints.from_csv(path)
