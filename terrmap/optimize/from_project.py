"""Build optimiser snapshots from a project or from a plain boundary file."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from terrmap.errors import InputError
from terrmap.optimize.adjacency import representative_points_km, unit_adjacency
from terrmap.optimize.problem import Adjacency, OptimiseProblem, Stop

if TYPE_CHECKING:
    import geopandas as gpd

    from terrmap.core.layers import UnitLayer
    from terrmap.core.project import Project

# Adjacency costs ~1 s for national counties and the geometry does not change while a
# project is open, so it is kept per unit layer (dropped with the layer).
_ADJACENCY_CACHE: weakref.WeakKeyDictionary[UnitLayer, Adjacency] = weakref.WeakKeyDictionary()
# Ring vertices the adjacency gets through a second (a national ZCTA layer: ~35 million
# in some 20 s on a 2-core laptop); used to share a progress bar with the search.
ADJACENCY_VERTICES_PER_S = 1.5e6


def preparation_s(project: Project) -> float:
    """Rough seconds `problem_from_project` will take: the first adjacency of a layer."""
    import shapely

    units = project.units
    if units in _ADJACENCY_CACHE:
        return 0.0
    vertices = int(shapely.get_num_coordinates(np.asarray(units.geometry)).sum())
    return vertices / ADJACENCY_VERTICES_PER_S


def problem_from_project(
    project: Project,
    metrics: Sequence[str] = ("accounts",),
    *,
    disruption: str = "units",
    progress: Callable[[float], object] | None = None,
    stop: Stop | None = None,
) -> OptimiseProblem:
    """Snapshot a project for the optimiser.

    Parameters
    ----------
    project
        The document; it is only read.
    metrics
        One to three `TerritoryMetrics` columns to balance (``"accounts"``,
        ``"revenue"``, ``"units"``...).
    disruption
        Column measuring what a change of owner costs (``"units"``, ``"accounts"``,
        ``"revenue"``...).
    progress, stop
        Passed to `unit_adjacency` the first time a unit layer is seen (``stop`` makes
        it raise `Cancelled`).

    Returns
    -------
    OptimiseProblem
        Activity is accounts per unit; the current plan, targets and homes come from
        the active plan and the territories.
    """
    from terrmap.core.metrics import TerritoryMetrics, target_weights

    metrics = tuple(metrics)
    if not 1 <= len(metrics) <= 3:
        raise InputError("choose one to three metrics to balance")
    live = TerritoryMetrics(project)
    try:
        for name in (*metrics, disruption):
            if name not in live.columns:
                raise InputError(f"no metric named {name!r}; choose from {', '.join(live.columns)}")
        weights = np.column_stack([live.unit_values(name) for name in metrics])
        activity = live.unit_values("accounts").copy()
        cost = live.unit_values(disruption).copy()
    finally:
        live.disconnect()
    if (weights < 0).any():
        bad = metrics[int(np.argwhere(weights < 0)[0, 1])]
        raise InputError(f"metric {bad!r} has negative values; balance needs values ≥ 0")
    units = project.units
    territories = project.territories
    return OptimiseProblem(
        unit_ids=np.asarray(units.ids, dtype=str),
        xy_km=representative_points_km(units.geometry, crs="EPSG:4326"),
        weights=weights,
        metric_names=metrics,
        adjacency=_layer_adjacency(units, progress, stop),
        activity=np.maximum(activity, 0.0),
        current=np.asarray(project.plan.codes, dtype=np.int64),
        territory_ids=tuple(t.id for t in territories),
        target_shares=target_weights(territories),
        homes_km=_homes_km(units, [t.home for t in territories]),
        home_units=_home_units(units, [t.home for t in territories]),
        disruption=np.maximum(cost, 0.0),
        unit_names=_unit_names(units),
        disruption_name=disruption,
    )


def problem_from_frame(
    frame: gpd.GeoDataFrame,
    id_field: str,
    weight_columns: Sequence[str],
    *,
    progress: Callable[[float], object] | None = None,
) -> OptimiseProblem:
    """Snapshot a plain boundary layer (no project) for carving.

    Parameters
    ----------
    frame
        Polygons with an id column and 1–3 numeric columns to balance.
    id_field
        Column (or index name) holding unique unit ids.
    weight_columns
        Columns to balance; the first also weighs compactness.
    progress
        Passed to `unit_adjacency` (a national ZCTA layer takes some 20 s there).

    Raises
    ------
    InputError
        Unknown column, non-numeric or negative value, duplicate or missing id,
        missing geometry — naming the column and row.
    """
    weight_columns = tuple(weight_columns)
    if not 1 <= len(weight_columns) <= 3:
        raise InputError("choose one to three columns to balance")
    ids = _frame_ids(frame, id_field)
    weights = np.column_stack([_weight_column(frame, c, ids) for c in weight_columns])
    geometry = frame.geometry
    empty = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise InputError(f"row {row + 1} (id {ids[row]}) has no geometry")
    return OptimiseProblem(
        unit_ids=ids,
        xy_km=representative_points_km(geometry),
        weights=weights,
        metric_names=weight_columns,
        adjacency=unit_adjacency(geometry, progress=progress),
        activity=weights[:, 0].copy(),
    )


def _frame_ids(frame: gpd.GeoDataFrame, id_field: str) -> np.ndarray:
    if id_field in frame.columns:
        raw = frame[id_field]
    elif id_field in (frame.index.names or []):
        raw = frame.index.get_level_values(id_field).to_series()
    else:
        columns = ", ".join(map(str, frame.columns))
        raise InputError(f"no column named {id_field!r} for unit ids; columns are {columns}")
    missing = raw.isna().to_numpy()
    if missing.any():
        raise InputError(f"row {int(np.flatnonzero(missing)[0]) + 1} has no {id_field}")
    ids = raw.astype(str).to_numpy()
    duplicated = pd.Index(ids).duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise InputError(f"{id_field} {ids[row]!r} appears more than once (row {row + 1})")
    return ids


def _weight_column(frame: gpd.GeoDataFrame, column: str, ids: np.ndarray) -> np.ndarray:
    if column not in frame.columns or column == frame.geometry.name:
        columns = ", ".join(map(str, frame.columns))
        raise InputError(f"no column named {column!r} to balance; columns are {columns}")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    # Blank cells count as zero, as in a spreadsheet sum; text does not.
    bad = values.isna().to_numpy() & raw.notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"column {column!r} is not numeric: row {row + 1} (id {ids[row]}) "
            f"holds {raw.iloc[row]!r}"
        )
    values = values.fillna(0.0).to_numpy(dtype=float)
    wrong = ~np.isfinite(values) | (values < 0)
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise InputError(
            f"column {column!r} must hold numbers ≥ 0: row {row + 1} (id {ids[row]}) "
            f"holds {values[row]:g}"
        )
    return values


def _layer_adjacency(
    units: UnitLayer, progress: Callable[[float], object] | None, stop: Stop | None
) -> Adjacency:
    cached = _ADJACENCY_CACHE.get(units)
    if cached is None:
        cached = unit_adjacency(units.geometry, crs="EPSG:4326", progress=progress, stop=stop)
        _ADJACENCY_CACHE[units] = cached
    return cached


def _homes_km(units: UnitLayer, homes: Sequence[tuple[float, float] | None]) -> np.ndarray:
    """Rep homes projected like the units' representative points; NaN where unknown."""
    from pyproj import Transformer

    from terrmap.core.geo import equal_area_crs_for

    out = np.full((len(homes), 2), np.nan)
    known, lon, lat = _known_homes(homes)
    if known:
        transformer = Transformer.from_crs(
            "EPSG:4326", equal_area_crs_for(units.geometry), always_xy=True
        )
        x, y = transformer.transform(lon, lat)
        out[known] = np.column_stack([x, y]) / 1000.0
    return out


def _home_units(units: UnitLayer, homes: Sequence[tuple[float, float] | None]) -> np.ndarray:
    """The unit each home (lon, lat) lies in; -1 where unknown or outside every unit."""
    from terrmap.io._placement import join_to_units

    out = np.full(len(homes), -1, dtype=np.int64)
    known, lon, lat = _known_homes(homes)
    if known:
        out[known] = join_to_units(lat, lon, units.frame)
    return out


def _known_homes(
    homes: Sequence[tuple[float, float] | None],
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Positions of the known homes, and their longitudes and latitudes."""
    known = [i for i, h in enumerate(homes) if h is not None]
    lon = np.array([homes[i][0] for i in known], dtype=float)
    lat = np.array([homes[i][1] for i in known], dtype=float)
    return known, lon, lat


def _unit_names(units: UnitLayer) -> tuple[str, ...]:
    """Display names for messages, when the layer has a name column."""
    if "name" not in units.frame.columns:
        return ()
    return tuple(units.frame["name"].fillna("").astype(str))
