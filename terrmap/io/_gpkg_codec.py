"""Turn any (Geo)DataFrame into a GeoPackage-safe table and back, losslessly.

A GeoPackage has column names that ignore case, reserves ``fid`` and the geometry
column, and knows fewer types than pandas (no nullable integers, categories or mixed
object columns). `encode` renames and converts where needed and returns a *layout*
(plain JSON-able data) that `decode` uses to restore names, order, index and dtypes.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa

_RESERVED = frozenset({"fid", "geom", "geometry"})
_GEOMETRY = "geometry"
_NULLABLE_INTS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def nullable_ints(arrow_type: pa.DataType) -> Any:
    """Arrow → pandas type mapper that keeps integer columns with nulls exact.

    Without it pandas turns an integer column with a null into float64, which rounds
    ids above 2**53.
    """
    return _NULLABLE_INTS.get(arrow_type)


def encode(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return a copy of ``frame`` that a GeoPackage stores exactly, and its layout.

    Parameters
    ----------
    frame
        Any DataFrame or GeoDataFrame. A non-default index is stored as a column.

    Returns
    -------
    tuple
        The frame to write and the layout `decode` needs (JSON-serialisable).
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    keeps_index = not _is_default_index(frame.index)
    index_name = frame.index.name
    data = frame.reset_index(names=_free_name(frame, "index")) if keeps_index else frame
    used: set[str] = set()
    columns, converted = [], {}
    for name in data.columns:
        if name == geometry:
            columns.append([None, geometry, _GEOMETRY])
            continue
        file_name = _unique_file_name(str(name), used)
        columns.append([file_name, str(name), str(data[name].dtype)])
        converted[file_name] = _storable(data[name])
    table = pd.DataFrame(converted, index=pd.RangeIndex(len(data)))
    if geometry is not None:
        table = gpd.GeoDataFrame(
            table, geometry=data[geometry].reset_index(drop=True), crs=frame.crs
        )
    layout = {
        "index": keeps_index,
        "index_name": None if index_name is None else str(index_name),
        "geometry": geometry,
        "columns": columns,
    }
    return table, layout


def decode(table: pd.DataFrame, layout: dict[str, Any]) -> pd.DataFrame:
    """Rebuild the frame `encode` was given from the table read back and its layout."""
    restored: dict[str, pd.Series] = {}
    for file_name, name, dtype in layout["columns"]:
        if dtype == _GEOMETRY:
            restored[name] = table.geometry
        elif file_name not in table.columns:
            raise ValueError(f"the table lacks its column {file_name!r}")
        else:
            restored[name] = _cast(table[file_name], dtype)
    # Columns added outside terrmap (e.g. in QGIS) are kept as read, after the others.
    known = {file_name for file_name, _, _ in layout["columns"]}
    if isinstance(table, gpd.GeoDataFrame):
        known.add(table.geometry.name)
    for column in table.columns:
        if column not in known:
            restored.setdefault(str(column), table[column])
    geometry = layout["geometry"]
    frame: pd.DataFrame
    if geometry is not None:
        frame = gpd.GeoDataFrame(restored, geometry=geometry, crs=table.crs)
    else:
        frame = pd.DataFrame(restored)
    if layout["index"]:
        first = layout["columns"][0][1]
        frame = frame.set_index(first)
        frame.index.name = layout["index_name"]
    return frame


def _is_default_index(index: pd.Index) -> bool:
    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def _free_name(frame: pd.DataFrame, base: str) -> str:
    if frame.index.name is not None and frame.index.name not in frame.columns:
        return str(frame.index.name)
    name, n = base, 1
    while name in frame.columns:
        name, n = f"{base}_{n}", n + 1
    return name


def _unique_file_name(name: str, used: set[str]) -> str:
    # GeoPackage (SQLite) column names ignore case; fid and geom belong to the format.
    candidate, n = name, 1
    while candidate.lower() in used or candidate.lower() in _RESERVED or not candidate:
        candidate, n = f"{name}_{n}", n + 1
    used.add(candidate.lower())
    return candidate


def _storable(series: pd.Series) -> pd.Series:
    series = series.reset_index(drop=True)
    dtype = series.dtype
    kept = (
        pd.api.types.is_bool_dtype(dtype)
        or (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype))
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or (pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype))
    )
    # Categories and mixed object columns have no GeoPackage type; text keeps their values.
    return series if kept else series.astype("string")


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    try:
        target = pd.api.types.pandas_dtype(dtype)
    except TypeError:
        return series
    if getattr(target, "kind", None) == "U":
        # pandas < 3 reads pandas 3's "str" as numpy text, which would turn NaN into "nan".
        target = object
    try:
        return series.astype(target)
    except (TypeError, ValueError):
        return series
