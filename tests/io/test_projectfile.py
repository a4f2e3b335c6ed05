"""Project files: lossless round trip, plain GeoPackage layers, atomic save, clear errors."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pytest
import shapely

from terrmap.core import AccountLayer, Plan, Project, Territory, UnitLayer
from terrmap.core.plan import UNASSIGNED
from terrmap.core.testing import assert_plan_equal
from terrmap.errors import ProjectFileError
from terrmap.io import projectfile
from terrmap.io.projectfile import open_project, project_path, save_project
from tests.grid import grid_units

PLAIN_LAYERS = {
    "units",
    "accounts",
    "territories",
    "plans",
    "assignments",
    "account_overrides",
    "terrmap_metadata",
    "context_states",
}


def _units() -> UnitLayer:
    """Grid units with ZIP-like ids (leading zeros) and awkward attribute types."""
    frame = grid_units().frame.copy()
    n = len(frame)
    frame.index = pd.Index([f"{i:05d}" for i in range(501, 501 + n)], name="unit_id")
    frame["pop"] = pd.array([None if i == 3 else i * 100 for i in range(n)], dtype="Int64")
    frame["label"] = pd.Series([None if i == 2 else f"L{i}" for i in range(n)], dtype="str")
    frame["Name"] = "clashes with name when case is ignored"
    frame["fid"] = np.arange(n) + 1000  # a reserved GeoPackage column name
    return UnitLayer(frame, kind="zcta", source="tiles.geojson")


def _accounts(units: UnitLayer) -> AccountLayer:
    centres = shapely.centroid(units.geometry)
    ids = [f"00{k}" for k in range(len(units))]
    frame = gpd.GeoDataFrame(
        {
            "account_id": ids,
            "name": [f"Shop {k}" for k in range(len(units))],
            "unit_id": list(units.ids),
            "revenue": [np.nan if k == 1 else 1000.0 * k for k in range(len(units))],
            "employees": pd.array([None, *range(1, len(units))], dtype="Int64"),
            "tier": pd.Categorical(["A", "B"] * (len(units) // 2)),
            "zip": [f"0{k:04d}" for k in range(len(units))],
        },
        geometry=centres,
        crs="EPSG:4326",
    )
    return AccountLayer(frame, units, source="crm.csv")


@pytest.fixture
def rich_project() -> Project:
    """Two plans, overrides, a vacant territory, a context layer, metadata; plan 2 active."""
    units = _units()
    territories = [
        Territory("T1", "West", owner="Ana", color="#4477AA", home=(-99.8, 38.2), target=2.0),
        Territory("T2", "Middle", owner="Ben", color="#EE6677", parent="D1"),
        Territory("T3", "East (vacant)", color="#228833"),
    ]
    n = len(units)
    first = np.where(np.arange(n) % 4 == 3, UNASSIGNED, np.arange(n) % 3).astype(np.int32)
    second = np.full(n, 1, dtype=np.int32)
    plans = [
        Plan("Current", first, {"000": "T2"}),
        Plan("Growth 2026", second, {"001": "T3", "002": "T1"}),
    ]
    states = gpd.GeoDataFrame(
        {"STUSPS": ["KS"], "NAME": ["Kansas"]},
        geometry=[shapely.box(-102, 37, -94.6, 40)],
        crs="EPSG:4326",
    )
    project = Project(
        units,
        _accounts(units),
        territories,
        plans,
        context={"states": states},
        metadata={"title": "Kansas test", "synthetic": "true"},
    )
    project.switch_plan(1)
    return project


def _assert_frames_equal(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        pd.DataFrame(left.drop(columns="geometry")), pd.DataFrame(right.drop(columns="geometry"))
    )
    assert left.geometry.geom_equals(right.geometry).all()
    assert list(left.columns) == list(right.columns)


def test_round_trip_preserves_everything(rich_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "kansas.terrmap.gpkg"
    save_project(rich_project, path)
    loaded = open_project(path)

    _assert_frames_equal(rich_project.units.frame, loaded.units.frame)
    _assert_frames_equal(rich_project.accounts.frame, loaded.accounts.frame)
    _assert_frames_equal(rich_project.context["states"], loaded.context["states"])
    assert loaded.units.ids[0] == "00501"
    assert loaded.territories == rich_project.territories
    assert [p.name for p in loaded.plans] == ["Current", "Growth 2026"]
    assert loaded.active_plan_index == 1
    for index in range(2):
        rich_project.switch_plan(index)
        loaded.switch_plan(index)
        assert_plan_equal(rich_project, loaded)
        np.testing.assert_array_equal(rich_project.plan.codes, loaded.plan.codes)
    assert loaded.metadata == rich_project.metadata
    assert (loaded.units.kind, loaded.units.source) == ("zcta", "tiles.geojson")
    assert loaded.accounts.source == "crm.csv"


def test_empty_project_round_trips(tmp_path: Path) -> None:
    project = Project(grid_units())
    save_project(project, tmp_path / "empty.terrmap.gpkg")
    loaded = open_project(tmp_path / "empty.terrmap.gpkg")
    assert len(loaded.accounts) == 0
    assert loaded.territories == ()
    assert len(loaded.plans) == 1
    assert (loaded.plan.codes == UNASSIGNED).all()


def test_saved_file_opens_as_plain_geopackage_layers(rich_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "plain.terrmap.gpkg"
    save_project(rich_project, path)

    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == PLAIN_LAYERS
    assert layers["units"] in ("Polygon", "MultiPolygon")
    assert layers["accounts"] == "Point"
    assert layers["assignments"] is None  # an attribute table
    frames = {name: pyogrio.read_dataframe(path, layer=name) for name in layers}
    assert frames["units"]["unit_id"].iloc[0] == "00501"
    assert len(frames["accounts"]) == len(rich_project.accounts)
    assert list(frames["territories"]["id"]) == ["T1", "T2", "T3"]
    assignments = frames["assignments"]
    assert set(assignments.columns) == {"plan", "unit_id", "territory_id"}
    assert (assignments["plan"] == "Growth 2026").sum() == len(rich_project.units)
    assert set(frames["account_overrides"]["account_id"]) == {"000", "001", "002"}
    table = frames["terrmap_metadata"]
    metadata = dict(zip(table["key"], table["value"], strict=True))
    assert metadata["schema_version"] == "1"
    assert metadata["application"] == "terrmap"
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10300  # GeoPackage 1.3


def test_columns_added_in_qgis_are_kept(rich_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "edited.terrmap.gpkg"
    save_project(rich_project, path)
    with closing(sqlite3.connect(path)) as db, db:
        # (Plain SQLite cannot UPDATE a spatially indexed table: its triggers need GDAL.)
        db.execute("ALTER TABLE units ADD COLUMN note TEXT DEFAULT 'check'")
    units = open_project(path).units.frame
    assert list(units.columns)[-1] == "note"
    assert units.loc["00501", "note"] == "check"


def test_empty_context_layer_round_trips(tmp_path: Path) -> None:
    empty = gpd.GeoDataFrame({"NAME": pd.Series(dtype="str")}, geometry=[], crs="EPSG:4326")
    project = Project(grid_units(), context={"Road network": empty})
    save_project(project, tmp_path / "ctx.terrmap.gpkg")
    loaded = open_project(tmp_path / "ctx.terrmap.gpkg")
    assert list(loaded.context) == ["Road network"]
    assert loaded.context["Road network"].empty
    assert "context_road_network" in dict(pyogrio.list_layers(tmp_path / "ctx.terrmap.gpkg"))


def test_failed_save_leaves_old_file_untouched(
    rich_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keep.terrmap.gpkg"
    save_project(rich_project, path)
    before = path.read_bytes()
    real_write = pyogrio.write_dataframe

    def failing_write(frame: pd.DataFrame, target: Path, **kwargs: object) -> None:
        if kwargs.get("layer") == "assignments":
            raise pyogrio.errors.DataLayerError("disk full")
        real_write(frame, target, **kwargs)

    monkeypatch.setattr(projectfile.pyogrio, "write_dataframe", failing_write)
    with pytest.raises(ProjectFileError, match=r"cannot save keep\.terrmap\.gpkg: disk full"):
        save_project(Project(grid_units()), path)

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.terrmap.gpkg"]


def test_duplicate_plan_names_refuse_to_save(tmp_path: Path) -> None:
    units = grid_units()
    project = Project(units, plans=[Plan.unassigned("A", len(units))] * 2)
    with pytest.raises(ProjectFileError, match="two plans are called 'A'"):
        save_project(project, tmp_path / "twice.terrmap.gpkg")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "damaged"),
        (lambda data: data[:4096], "damaged"),
        (lambda data: b"", "not a GeoPackage"),
        (lambda data: b"unit_id,territory\n01,T1\n" * 20, "not a GeoPackage"),
    ],
    ids=["truncated-half", "truncated-header", "empty", "text"],
)
def test_damaged_file_gives_project_file_error(
    rich_project: Project, tmp_path: Path, damage, message: str
) -> None:
    path = tmp_path / "broken.terrmap.gpkg"
    save_project(rich_project, path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ProjectFileError, match=message) as caught:
        open_project(path)
    assert "broken.terrmap.gpkg" in str(caught.value)


def test_foreign_geopackage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roads.gpkg"
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, path, layer="roads")
    with pytest.raises(ProjectFileError, match=r"roads\.gpkg: .*not a terrmap project"):
        open_project(path)


def test_newer_schema_is_refused(rich_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "future.terrmap.gpkg"
    save_project(rich_project, path)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE terrmap_metadata SET value = '7' WHERE key = 'schema_version'")
    with pytest.raises(ProjectFileError, match=r"future\.terrmap\.gpkg: .*newer terrmap"):
        open_project(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match=r"nowhere\.terrmap\.gpkg: there is no such file"):
        open_project(tmp_path / "nowhere.terrmap.gpkg")


def test_project_path_adds_the_ending() -> None:
    assert project_path("east") == Path("east.terrmap.gpkg")
    assert project_path("dir/east.terrmap.gpkg") == Path("dir/east.terrmap.gpkg")
    assert project_path("plain.gpkg") == Path("plain.gpkg")
