"""Import boundary units (ZCTAs, counties or any polygon layer) from vector files.

``read_boundaries`` returns one GeoDataFrame indexed by a unique string ``unit_id`` in
EPSG:4326, whatever the source format and CRS, and tells the user what it had to assume
or repair on the way.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from terrmap.core.geo import STORAGE_CRS
from terrmap.errors import InputError
from terrmap.io import _census
from terrmap.io._vector_source import read_field_names, read_raw

__all__ = ["BoundaryImport", "FieldChoiceNeeded", "list_layer_fields", "read_boundaries"]

_RESERVED = ("unit_id", "name", "geometry")
_MAX_IDS_SHOWN = 5


class FieldChoiceNeeded(InputError):
    """The layer is not a known Census layer, so the user must pick the id field.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    fields
        The columns that could serve as the unit id, best candidates first.
    file
        The boundary file.
    """

    def __init__(self, message: str, *, fields: list[str], file: str | Path | None = None):
        self.fields = list(fields)
        super().__init__(message, file=file)


@dataclass
class BoundaryImport:
    """Boundary units read from one file, with notes on what was assumed or repaired."""

    frame: gpd.GeoDataFrame
    kind: str
    id_field: str
    name_field: str | None
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in ("zcta", "county", "custom"):
            raise ValueError(f"unknown boundary kind {self.kind!r}")


def read_boundaries(
    path: str | Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    layer: str | None = None,
) -> BoundaryImport:
    """Read polygon boundary units from a Shapefile, zip, GeoPackage, GeoJSON or GeoParquet.

    Parameters
    ----------
    path
        The file. A ``.zip`` may hold a shapefile (also in a sub-folder), GeoPackage or GeoJSON.
    id_field, name_field
        Fields holding the unit id and display name. Census ZCTA and county layers are
        recognised without them; other layers need ``id_field``. Explicit fields always win.
    layer
        Layer (or, in a zip, dataset stem) to read; default: the first polygon layer.

    Returns
    -------
    BoundaryImport
        Units indexed by ``unit_id`` (unique strings) with a ``name`` column, the source's
        attributes and polygonal geometry in EPSG:4326.

    Raises
    ------
    FieldChoiceNeeded
        The layer is not recognised and ``id_field`` was not given.
    InputError
        The file cannot be read, has no usable polygons, unknown fields or bad ids.
    """
    path = Path(path)
    raw, warnings = read_raw(path, layer)
    raw = _to_wgs84(raw, path, warnings)
    kind, id_column, name_column, state_column = _choose_fields(raw, path, id_field, name_field)
    ids = _unit_ids(raw[id_column], path)
    names = _unit_names(raw, ids, kind, name_column, state_column)
    geometry, keep = _polygonal_geometry(raw.geometry.values, ids, path, warnings)
    frame = _assemble(raw, ids, names, geometry, keep)
    return BoundaryImport(frame, kind, id_column, name_column, warnings)


def list_layer_fields(path: str | Path, layer: str | None = None) -> list[str]:
    """Return the attribute fields of the layer ``read_boundaries`` would read.

    Parameters
    ----------
    path
        The boundary file.
    layer
        Layer to inspect; default: the first polygon layer.

    Returns
    -------
    list of str
        Field names in file order, without the geometry column.
    """
    return read_field_names(Path(path), layer)


def _to_wgs84(frame: gpd.GeoDataFrame, path: Path, warnings: list[str]) -> gpd.GeoDataFrame:
    if frame.crs is None:
        if frame.empty or frame.geometry.is_empty.all():
            return frame.set_crs(STORAGE_CRS)
        west, south, east, north = frame.total_bounds
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise InputError(
                "the file has no coordinate reference system (e.g. a shapefile without .prj) "
                "and its coordinates do not look like longitude/latitude",
                file=path,
            )
        warnings.append("no coordinate reference system in the file; assumed longitude/latitude")
        return frame.set_crs(STORAGE_CRS)
    if frame.crs.equals(STORAGE_CRS):
        return frame
    source_crs = frame.crs.to_string()
    frame = frame.to_crs(STORAGE_CRS)
    warnings.append(f"reprojected from {source_crs} to longitude/latitude (EPSG:4326)")
    return frame


def _choose_fields(
    frame: pd.DataFrame, path: Path, id_field: str | None, name_field: str | None
) -> tuple[str, str, str | None, str | None]:
    """Return (kind, id column, name column, state column) for the layer."""
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    census = _census.recognise(frame.drop(columns=frame.geometry.name))
    if id_field is None and census is None:
        raise FieldChoiceNeeded(
            "this is not a Census ZCTA or county layer; choose the field that identifies "
            f"each unit (fields: {', '.join(columns)})",
            fields=_id_candidates(frame, columns),
            file=path,
        )
    id_column = _match_field(id_field, columns, path) if id_field else census.id_field
    name_column = _match_field(name_field, columns, path) if name_field else None
    if census is not None and id_column == census.id_field:
        if name_field is None:
            name_column = census.name_field
        state = census.state_field if name_column == census.name_field else None
        return census.kind, id_column, name_column, state
    return "custom", id_column, name_column, None


def _match_field(wanted: str, columns: list[str], path: Path) -> str:
    if wanted in columns:
        return wanted
    folded = {c.casefold(): c for c in columns}
    if wanted.casefold() in folded:
        return folded[wanted.casefold()]
    raise InputError(f"no field '{wanted}' (fields: {', '.join(columns)})", file=path)


def _id_candidates(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Columns first whose values are unique and present: those can serve as ids."""
    unique = [c for c in columns if frame[c].notna().all() and frame[c].is_unique]
    return unique + [c for c in columns if c not in unique]


def _unit_ids(values: pd.Series, path: Path) -> pd.Series:
    """Return ids as stripped strings (Census codes keep leading zeros); reject bad ones."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")  # 12.0 -> "12", not "12.0"
    ids = values.astype("string").str.strip().reset_index(drop=True)
    empty = ids.isna() | (ids == "")
    if empty.any():
        record = int(np.flatnonzero(empty.to_numpy())[0]) + 1
        raise InputError(f"record {record} has an empty id in field '{values.name}'", file=path)
    duplicated = ids.duplicated()
    if duplicated.any():
        position = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise InputError(
            f"duplicate id '{ids.iloc[position]}' in field '{values.name}' "
            f"(record {position + 1}); ids must be unique",
            file=path,
        )
    return ids.astype(str)


def _unit_names(
    frame: pd.DataFrame,
    ids: pd.Series,
    kind: str,
    name_column: str | None,
    state_column: str | None,
) -> pd.Series:
    if name_column is None:
        return ids.copy()
    names = frame[name_column].reset_index(drop=True)
    if state_column is not None:
        names = _census.county_names(names, frame[state_column].reset_index(drop=True))
    return names.astype("string").fillna("").astype(str)


def _polygonal_geometry(
    geometry: np.ndarray, ids: pd.Series, path: Path, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid polygons, keep polygonal parts; return geometry and the rows to keep."""
    geometry = np.asarray(geometry, dtype=object).copy()
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    invalid = ~missing & ~_is_valid(geometry)
    if invalid.any():
        geometry[invalid] = shapely.make_valid(
            geometry[invalid], method="structure", keep_collapsed=False
        )
        warnings.append(
            f"repaired {_count(invalid, ids, 'invalid geometry', 'invalid geometries')}"
        )
    non_polygonal = ~missing & ~_is_polygonal(geometry)
    if non_polygonal.any():
        geometry[non_polygonal] = [_polygonal_part(g) for g in geometry[non_polygonal]]
        lost = non_polygonal & shapely.is_empty(geometry)
        if lost.any():
            lost_units = _count(
                lost, ids, "unit without polygon geometry", "units without polygon geometry"
            )
            warnings.append(f"dropped {lost_units}")
        missing |= lost
    if missing.all():
        raise InputError("the layer has no polygon geometries", file=path)
    if (missing & ~non_polygonal).any():
        empty = _count(
            missing & ~non_polygonal, ids, "unit without geometry", "units without geometry"
        )
        warnings.append(f"dropped {empty}")
    return geometry, ~missing


def _is_valid(geometry: np.ndarray) -> np.ndarray:
    """Validity check spread over the cores: it dominates the time to open a layer."""
    workers = min(os.cpu_count() or 1, 4)
    if workers == 1 or len(geometry) < 1000:
        return shapely.is_valid(geometry)
    # Striding (not halving) spreads the few huge polygons evenly; shapely frees the GIL.
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(shapely.is_valid, [geometry[i::workers] for i in range(workers)]))
    valid = np.empty(len(geometry), dtype=bool)
    for i, part in enumerate(parts):
        valid[i::workers] = part
    return valid


def _is_polygonal(geometry: np.ndarray) -> np.ndarray:
    kinds = shapely.get_type_id(geometry)
    return (kinds == shapely.GeometryType.POLYGON) | (kinds == shapely.GeometryType.MULTIPOLYGON)


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygons of a collection (make_valid can add stray lines and points)."""
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        return shapely.Polygon()
    merged = shapely.union_all(polygons)
    return merged if merged.geom_type in ("Polygon", "MultiPolygon") else shapely.Polygon()


def _count(mask: np.ndarray, ids: pd.Series, one: str, many: str) -> str:
    """The count and ids shown, e.g. "1 unit without geometry (b)" or "3 units … (a, b, c)"."""
    count = int(mask.sum())
    shown = ids[mask].head(_MAX_IDS_SHOWN).tolist()
    more = ", ..." if count > _MAX_IDS_SHOWN else ""
    return f"{count} {one if count == 1 else many} ({', '.join(shown)}{more})"


def _assemble(
    raw: gpd.GeoDataFrame, ids: pd.Series, names: pd.Series, geometry: np.ndarray, keep: np.ndarray
) -> gpd.GeoDataFrame:
    attributes = pd.DataFrame(raw.drop(columns=raw.geometry.name)).reset_index(drop=True)
    # GeoPackage column names are case-insensitive: a source "NAME" would clash with "name".
    reserved = {r.casefold() for r in _RESERVED}
    attributes = attributes.rename(
        columns={c: f"source_{c}" for c in attributes.columns if str(c).casefold() in reserved}
    )
    attributes.insert(0, "name", names)
    attributes.index = pd.Index(ids, name="unit_id")
    frame = gpd.GeoDataFrame(attributes, geometry=geometry, crs=STORAGE_CRS)
    return frame.loc[keep]
