"""Save and open a project as one GeoPackage (``*.terrmap.gpkg``).

The file holds plain layers that GDAL and QGIS open without terrmap: ``units``
(polygons), ``accounts`` (points), the attribute tables ``territories``, ``plans``,
``assignments`` and ``account_overrides``, every context layer as ``context_<name>``,
and ``terrmap_metadata`` (key, value) with the schema version. Column types that a
GeoPackage cannot hold exactly (nullable integers, categories, ...) are recorded in the
metadata as JSON and restored on opening, so a project survives a round trip unchanged.

Saving writes a temporary file in the same folder, flushes it to disk and renames it
over the old file, so a crash or a full disk never leaves a half-written project.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import pyogrio.errors

import terrmap
from terrmap.core.geo import STORAGE_CRS
from terrmap.core.layers import AccountLayer, UnitLayer
from terrmap.core.project import Project
from terrmap.errors import ProjectFileError
from terrmap.io import _gpkg_codec as codec
from terrmap.io import _project_tables as tables

__all__ = ["PROJECT_SUFFIX", "SCHEMA_VERSION", "open_project", "project_path", "save_project"]

SCHEMA_VERSION = 1
PROJECT_SUFFIX = ".terrmap.gpkg"
METADATA_LAYER = "terrmap_metadata"
_PROJECT_KEY_PREFIX = "project."
_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite "application_id" values a GeoPackage carries (header offset 68).
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
# Failures that mean "this file cannot be read as a project", not a bug in terrmap.
_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    pa.ArrowException,
    OSError,
    ValueError,
    KeyError,
    TypeError,
)
_FAST_WRITE_OPTIONS = {
    "OGR_SQLITE_JOURNAL": "OFF",
    "OGR_SQLITE_SYNCHRONOUS": "OFF",
    "OGR_SQLITE_CACHE": "256",  # MB, a ceiling; the spatial index build reuses pages
}
_WRITE_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pa.ArrowException,
    OSError,
)


def project_path(path: str | Path) -> Path:
    """Return ``path`` with the ``.terrmap.gpkg`` ending added when it has no ``.gpkg`` one.

    Parameters
    ----------
    path
        What the user typed, e.g. ``"east"`` or ``"east.terrmap.gpkg"``.
    """
    path = Path(path)
    return path if path.suffix.lower() == ".gpkg" else path.with_name(path.name + PROJECT_SUFFIX)


def save_project(project: Project, path: str | Path) -> None:
    """Write ``project`` to a GeoPackage, atomically.

    Parameters
    ----------
    project
        The document to save; it is not changed.
    path
        Target file, normally ``*.terrmap.gpkg``. An existing file is replaced only once
        the new one is completely on disk.

    Raises
    ------
    ProjectFileError
        The project cannot be written (folder missing, no permission, disk full, or
        two plans with the same name).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ProjectFileError(f"cannot save {path.name}: the folder {path.parent} does not exist")
    _check_plan_names(project, path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp.gpkg")
    try:
        with _unjournaled_writes():
            _write_layers(project, temp)
        _fsync_file(temp)
        os.replace(temp, path)
        _fsync_folder(path.parent)
    except _WRITE_ERRORS as error:
        raise ProjectFileError(f"cannot save {path.name}: {error}") from error
    finally:
        _remove_leftovers(temp)


def open_project(path: str | Path) -> Project:
    """Read a project saved by `save_project`.

    Parameters
    ----------
    path
        A ``*.terrmap.gpkg`` file.

    Returns
    -------
    Project
        The document as saved, with the saved plan active.

    Raises
    ------
    ProjectFileError
        The file is missing, damaged, not a terrmap project, or from a newer terrmap.
    """
    path = Path(path)
    _check_header(path)
    try:
        layers = {str(name) for name, _ in pyogrio.list_layers(path)}
        if METADATA_LAYER not in layers:
            raise ProjectFileError(
                f"cannot open {path.name}: it is a GeoPackage but not a terrmap project "
                f"(it has no {METADATA_LAYER} table)"
            )
        metadata = _read_metadata(path)
        _check_schema(metadata, path)
        return _read_project(path, metadata)
    except ProjectFileError:
        raise
    except _READ_ERRORS as error:
        raise ProjectFileError(
            f"cannot open {path.name}: the project file is damaged ({_short(error)})"
        ) from error


# -- writing ---------------------------------------------------------------
def _write_layers(project: Project, temp: Path) -> None:
    layouts: dict[str, dict] = {}
    write = _layer_writer(temp)
    write("units", _encoded(project.units.frame, layouts, "units"), "Polygon")
    write("accounts", _encoded(project.accounts.frame, layouts, "accounts"), "Point")
    write("territories", tables.territory_table(project), None)
    write("plans", tables.plan_table(project), None)
    write("assignments", tables.assignment_table(project), None)
    write("account_overrides", tables.override_table(project), None)
    context_layers = _context_layer_names(project)
    for layer, name in context_layers.items():
        write(layer, _encoded(project.context[name], layouts, layer), "Unknown")
    write(METADATA_LAYER, _metadata_table(project, layouts, context_layers), None)


@contextmanager
def _unjournaled_writes() -> Iterator[None]:
    """Turn off SQLite's rollback journal and syncs while the temp file is written.

    The temp file is thrown away on any failure and flushed once before the rename,
    so per-transaction journaling and syncing buy nothing; they cost about a third of
    the save time. The options are process-wide, but only reads can happen
    meanwhile (terrmap writes no other SQLite file), and reads ignore them.
    """
    before = {name: pyogrio.get_gdal_config_option(name) for name in _FAST_WRITE_OPTIONS}
    pyogrio.set_gdal_config_options(_FAST_WRITE_OPTIONS)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _layer_writer(temp: Path) -> Callable[..., None]:
    first = True

    def write(layer: str, frame: pd.DataFrame, geometry_type: str | None) -> None:
        nonlocal first
        # The dataset option only applies when the file is created (first layer).
        options = {"VERSION": "1.3"} if first else None
        is_spatial = isinstance(frame, gpd.GeoDataFrame)
        pyogrio.write_dataframe(
            frame,
            temp,
            layer=layer,
            driver="GPKG",
            use_arrow=True,
            dataset_options=options,
            geometry_type=geometry_type if is_spatial and frame.empty else None,
        )
        first = False

    return write


def _encoded(frame: pd.DataFrame, layouts: dict[str, dict], layer: str) -> pd.DataFrame:
    file_frame, layout = codec.encode(frame)
    layouts[layer] = layout
    return file_frame


def _context_layer_names(project: Project) -> dict[str, str]:
    """Map a GeoPackage layer name to each context layer's name.

    Layer names in a GeoPackage are case-insensitive, so names are made unique ignoring case.
    """
    names: dict[str, str] = {}
    for name in project.context:
        safe = "".join(c if c.isascii() and c.isalnum() else "_" for c in str(name)).lower()
        layer, n = f"context_{safe}", 2
        while layer in names:
            layer, n = f"context_{safe}_{n}", n + 1
        names[layer] = name
    return names


def _metadata_table(
    project: Project, layouts: dict[str, dict], context_layers: dict[str, str]
) -> pd.DataFrame:
    entries = {
        "schema_version": str(SCHEMA_VERSION),
        "application": "terrmap",
        "app_version": terrmap.__version__,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "units_kind": project.units.kind,
        "units_source": project.units.source,
        "accounts_source": project.accounts.source,
        "context_layers": json.dumps(context_layers),
        "layouts": json.dumps(layouts),
    }
    for key, value in project.metadata.items():
        entries[_PROJECT_KEY_PREFIX + str(key)] = str(value)
    return pd.DataFrame(
        {
            "key": pd.Series(list(entries), dtype="str"),
            "value": pd.Series(list(entries.values()), dtype="str"),
        }
    )


def _check_plan_names(project: Project, path: Path) -> None:
    seen: set[str] = set()
    for plan in project.plans:
        if plan.name in seen:
            raise ProjectFileError(
                f"cannot save {path.name}: two plans are called {plan.name!r}; rename one first"
            )
        seen.add(plan.name)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; folders cannot be opened this way on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(temp: Path) -> None:
    for leftover in (temp, *(temp.with_name(temp.name + s) for s in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


# -- reading ---------------------------------------------------------------
def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        raise ProjectFileError(f"cannot open {path.name}: there is no such file") from None
    except OSError as error:
        raise ProjectFileError(f"cannot open {path.name}: {error.strerror}") from None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ProjectFileError(
            f"cannot open {path.name}: it is not a terrmap project (not a GeoPackage), "
            "or the file is damaged"
        )
    if header[68:72] not in _GPKG_APPLICATION_IDS:
        raise ProjectFileError(
            f"cannot open {path.name}: it is an SQLite database but not a GeoPackage"
        )


def _read_table(path: Path, layer: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(
        path,
        layer=layer,
        read_geometry=False,
        use_arrow=True,
        arrow_to_pandas_kwargs={"types_mapper": codec.nullable_ints},
    )


def _read_metadata(path: Path) -> dict[str, str]:
    table = _read_table(path, METADATA_LAYER)
    return dict(zip(table["key"].astype(str), table["value"].astype(str), strict=True))


def _check_schema(metadata: dict[str, str], path: Path) -> None:
    if metadata.get("application") != "terrmap":
        raise ProjectFileError(f"cannot open {path.name}: it was not written by terrmap")
    try:
        version = int(metadata["schema_version"])
    except (KeyError, ValueError):
        raise ProjectFileError(
            f"cannot open {path.name}: its schema version is missing or unreadable"
        ) from None
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"cannot open {path.name}: it was saved by a newer terrmap "
            f"({metadata.get('app_version', '?')}, project file version {version}); this "
            f"terrmap {terrmap.__version__} reads up to version {SCHEMA_VERSION}. "
            "Update terrmap to open it."
        )
    if version < 1:
        raise ProjectFileError(f"cannot open {path.name}: unknown schema version {version}")


def _read_project(path: Path, metadata: dict[str, str]) -> Project:
    layouts = json.loads(metadata["layouts"])
    units = UnitLayer(
        _read_layer(path, "units", layouts), metadata["units_kind"], metadata["units_source"]
    )
    accounts = AccountLayer(
        _read_layer(path, "accounts", layouts), units, metadata["accounts_source"]
    )
    territories = tables.territories_from_table(_read_table(path, "territories"))
    plans, active = tables.plans_from_tables(
        _read_table(path, "plans"),
        _read_table(path, "assignments"),
        _read_table(path, "account_overrides"),
        units,
        territories,
    )
    context = {
        name: _read_layer(path, layer, layouts)
        for layer, name in json.loads(metadata["context_layers"]).items()
    }
    project_metadata = {
        key.removeprefix(_PROJECT_KEY_PREFIX): value
        for key, value in metadata.items()
        if key.startswith(_PROJECT_KEY_PREFIX)
    }
    project = Project(units, accounts, territories, plans, context, project_metadata)
    project.switch_plan(active)
    return project


def _read_layer(path: Path, layer: str, layouts: dict[str, dict]) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(
        path,
        layer=layer,
        use_arrow=True,
        arrow_to_pandas_kwargs={"types_mapper": codec.nullable_ints},
    )
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None:
        frame = frame.set_crs(STORAGE_CRS)
    return codec.decode(frame, layouts[layer])


def _short(error: Exception) -> str:
    # GDAL messages quote the SQL that failed; the user needs only SQLite's verdict.
    text = str(error)
    reason = text.rsplit("failed: ", 1)[-1]
    return reason.split("; ")[0] or type(error).__name__
