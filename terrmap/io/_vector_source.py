"""Open vector boundary files of every supported format as one raw GeoDataFrame.

Everything format-specific lives here: where the layer is inside a zip or a GeoPackage,
which text encoding an old shapefile uses, and turning driver errors into ``InputError``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyogrio.errors

from terrmap.errors import InputError
from terrmap.io._files import require_file

VECTOR_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json", ".parquet", ".geoparquet")
_PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_ZIP_MEMBER_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
_POLYGON_TYPES = ("Polygon", "MultiPolygon", "CurvePolygon", "MultiSurface", "Polygon Z")


@dataclass(frozen=True)
class VectorSource:
    """Where GDAL should read from: a path GDAL understands plus the layer to use."""

    gdal_path: str
    layer: str | None
    encoding: str | None
    encoding_note: str | None


def read_raw(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read ``layer`` of ``path`` unchanged (CRS and geometry as stored).

    Returns the frame and notes for the user (e.g. a guessed text encoding).
    """
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        return _read_parquet(path), []
    source = open_source(path, layer)
    try:
        frame = gpd.read_file(
            source.gdal_path,
            layer=source.layer,
            engine="pyogrio",
            use_arrow=True,
            encoding=source.encoding,
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=path) from exc
    return frame, [source.encoding_note] if source.encoding_note else []


def read_field_names(path: Path, layer: str | None) -> list[str]:
    """Return the attribute field names of the layer ``read_raw`` would read."""
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(path)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the file: {exc}", file=path) from exc
        geometry = _parquet_geometry_column(schema.metadata)
        return [name for name in schema.names if name != geometry]
    source = open_source(path, layer)
    info = _call_gdal(path, pyogrio.read_info, source.gdal_path, layer=source.layer)
    return [str(name) for name in info["fields"]]


def open_source(path: Path, layer: str | None) -> VectorSource:
    """Resolve ``path`` (possibly a zip) to a GDAL path, a polygon layer and an encoding."""
    suffix = require_file(
        path, VECTOR_SUFFIXES, "unsupported boundary format '{suffix}' (use one of {known})"
    )
    gdal_path, member = str(path), path.name
    if suffix == ".zip":
        member = _pick_zip_member(path, layer)
        gdal_path = f"/vsizip/{path.resolve()}/{member}"
    chosen = _pick_polygon_layer(path, gdal_path, layer if suffix != ".zip" else None)
    encoding, note = None, None
    if member.lower().endswith(".shp"):
        encoding, note = _guess_shapefile_encoding(path, member)
    return VectorSource(gdal_path, chosen, encoding, note)


def _call_gdal(path: Path, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise InputError(f"cannot read the file: {exc}", file=path) from exc


def _pick_zip_member(path: Path, layer: str | None) -> str:
    """Return the dataset inside a zip: the one named ``layer`` or the first one."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", file=path) from exc
    members = sorted(n for n in names if n.lower().endswith(_ZIP_MEMBER_SUFFIXES))
    if layer is not None:
        members = [n for n in members if Path(n).stem == layer or n == layer]
    if not members:
        wanted = f"a layer named '{layer}'" if layer else "a shapefile, GeoPackage or GeoJSON"
        raise InputError(f"the zip archive holds no {wanted}", file=path)
    return members[0]


def _pick_polygon_layer(path: Path, gdal_path: str, layer: str | None) -> str | None:
    layers = _call_gdal(path, pyogrio.list_layers, gdal_path)
    names = [str(name) for name, _ in layers]
    if layer is not None:
        if layer not in names:
            raise InputError(f"no layer '{layer}' (layers: {', '.join(names)})", file=path)
        return layer
    polygonal = [str(name) for name, kind in layers if kind in _POLYGON_TYPES]
    if polygonal:
        return polygonal[0]
    # A layer of unknown or mixed type may still hold polygons; read_boundaries checks later.
    untyped = [str(name) for name, kind in layers if kind in (None, "Unknown", "Geometry")]
    if untyped:
        return untyped[0]
    raise InputError("the file has no polygon layer", file=path)


def _guess_shapefile_encoding(path: Path, member: str) -> tuple[str | None, str | None]:
    """Guess the text encoding of a shapefile's .dbf when no .cpg says it.

    GDAL falls back to ISO-8859-1 without a .cpg, which garbles UTF-8 names such as
    Census files' "Mayagüez"; a .dbf whose text bytes are valid UTF-8 is almost surely UTF-8.
    """
    stem = member[: -len(".shp")]
    dbf = _read_sidecar(path, member, stem, (".dbf", ".DBF"))
    if dbf is None or _read_sidecar(path, member, stem, (".cpg", ".CPG")) is not None:
        return None, None
    header_length = int.from_bytes(dbf[8:10], "little")
    records = dbf[header_length:]
    if records.isascii():
        return None, None
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        if dbf[29] != 0:  # the dBASE language-driver byte names a code page: GDAL honours it
            return None, None
        return "cp1252", "text encoding not declared (no .cpg file); read as Windows-1252"
    return "utf-8", "text encoding not declared (no .cpg file); detected UTF-8"


def _read_sidecar(path: Path, member: str, stem: str, suffixes: tuple[str, ...]) -> bytes | None:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for suffix in suffixes:
                if stem + suffix in names:
                    return archive.read(stem + suffix)
        return None
    for suffix in suffixes:
        sidecar = path.with_suffix(suffix)
        if sidecar.is_file():
            return sidecar.read_bytes()
    return None


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise InputError("file not found", file=path)
    try:
        return gpd.read_parquet(path)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"cannot read the file as GeoParquet: {exc}", file=path) from exc


def _parquet_geometry_column(metadata: dict[bytes, bytes] | None) -> str | None:
    import json

    if not metadata or b"geo" not in metadata:
        return None
    return json.loads(metadata[b"geo"]).get("primary_column")
