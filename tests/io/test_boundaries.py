"""Boundary import: formats, CRS, encodings, Census recognition, repairs and errors."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from terrmap.errors import InputError
from terrmap.io.boundaries import FieldChoiceNeeded, list_layer_fields, read_boundaries

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
ZCTA_DIR = SHARED / "data" / "zcta"


def _plotly_county_file() -> Path | None:
    spec = importlib.util.find_spec("_plotly_geo")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "cb_2016_us_county_500k.shp"
    return path if path.is_file() else None


@pytest.fixture(scope="session")
def ri_path() -> Path:
    path = ZCTA_DIR / "ri_zcta2010.geojson"
    if not path.is_file():
        pytest.skip("../shared ZCTA test data not available")
    return path


@pytest.fixture(scope="session")
def ri_raw(ri_path: Path) -> gpd.GeoDataFrame:
    """The Rhode Island layer as stored, a few fields (shapefile names are ≤ 10 chars)."""
    raw = gpd.read_file(ri_path, engine="pyogrio")
    return raw[["ZCTA5CE10", "GEOID10", "ALAND10", "INTPTLAT10", "geometry"]]


@pytest.fixture(scope="session")
def ri(ri_path: Path):
    return read_boundaries(ri_path)


@pytest.fixture(scope="session")
def written(tmp_path_factory, ri_raw: gpd.GeoDataFrame) -> dict[str, Path]:
    """The RI layer written in every supported format, by this test session."""
    folder = tmp_path_factory.mktemp("formats")
    paths = {
        "shp": folder / "shp" / "ri.shp",
        "shp_no_prj": folder / "noprj" / "ri.shp",
        "gpkg": folder / "ri.gpkg",
        "parquet": folder / "ri.parquet",
        "gpkg_3857": folder / "ri_3857.gpkg",
    }
    for key in ("shp", "shp_no_prj"):
        paths[key].parent.mkdir()
        ri_raw.to_file(paths[key], engine="pyogrio")
    paths["shp_no_prj"].with_suffix(".prj").unlink()
    ri_raw.to_file(paths["gpkg"], engine="pyogrio", layer="zcta", VERSION="1.3")
    ri_raw.to_parquet(paths["parquet"])
    ri_raw.to_crs(3857).to_file(paths["gpkg_3857"], engine="pyogrio", VERSION="1.3")
    paths["zip"] = folder / "ri_shapefile.zip"
    with zipfile.ZipFile(paths["zip"], "w") as archive:
        for part in paths["shp"].parent.iterdir():
            archive.write(part, f"nested/{part.name}")
    return paths


@pytest.mark.parametrize(
    ("name", "count"), [("ri_zcta2010.geojson", 77), ("de_zcta2010.geojson", 68)]
)
def test_census_zcta_files_are_recognised(name: str, count: int):
    path = ZCTA_DIR / name
    if not path.is_file():
        pytest.skip("../shared ZCTA test data not available")
    result = read_boundaries(path)
    assert result.kind == "zcta"
    assert result.id_field == "ZCTA5CE10"
    assert len(result.frame) == count
    assert result.frame.index.name == "unit_id"
    assert result.frame.index.is_unique
    assert all(len(i) == 5 and i.isdigit() for i in result.frame.index)
    assert (result.frame["name"] == result.frame.index).all()
    assert result.frame.crs.equals("EPSG:4326")
    assert set(shapely.get_type_id(result.frame.geometry.values)) <= {3, 6}


def test_rhode_island_keeps_leading_zeros_and_numeric_fields(ri):
    assert "02903" in ri.frame.index
    assert ri.frame["ALAND10"].dtype.kind == "i"
    assert ri.warnings == []


@pytest.mark.parametrize("fmt", ["shp", "shp_no_prj", "zip", "gpkg", "parquet", "gpkg_3857"])
def test_every_format_gives_the_same_units(fmt: str, written, ri):
    result = read_boundaries(written[fmt])
    assert result.kind == "zcta"
    assert result.frame.crs.equals("EPSG:4326")
    assert sorted(result.frame.index) == sorted(ri.frame.index)
    mine = result.frame.geometry.loc[ri.frame.index].values
    # GeoPackage promotes polygons to multipolygons: compare normalised coordinates, not types.
    theirs = ri.frame.geometry.values
    coordinates = [shapely.get_coordinates(shapely.normalize(g)) for g in (mine, theirs)]
    assert coordinates[0].shape == coordinates[1].shape
    np.testing.assert_allclose(coordinates[0], coordinates[1], atol=1e-6)


def test_missing_prj_is_assumed_lon_lat_with_a_warning(written):
    result = read_boundaries(written["shp_no_prj"])
    assert any("assumed longitude/latitude" in w for w in result.warnings)


def test_projected_file_is_reprojected_and_reported(written):
    result = read_boundaries(written["gpkg_3857"])
    assert any("reprojected" in w and "3857" in w for w in result.warnings)


def test_projected_coordinates_without_crs_are_refused(tmp_path, ri_raw):
    path = tmp_path / "projected.shp"
    ri_raw.to_crs(3857).to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_boundaries(path)


@pytest.mark.parametrize("encoding", ["UTF-8", "latin1"])
def test_shapefile_without_cpg_decodes_names(tmp_path, encoding: str):
    frame = gpd.GeoDataFrame(
        {"uid": ["72097", "72011"], "label": ["Mayagüez", "Añasco"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs=4326,
    )
    path = tmp_path / "names.shp"
    frame.to_file(path, engine="pyogrio", encoding=encoding)
    path.with_suffix(".cpg").unlink()
    result = read_boundaries(path, id_field="uid", name_field="label")
    assert result.frame.loc["72097", "name"] == "Mayagüez"
    assert result.frame.loc["72011", "name"] == "Añasco"
    assert any("encoding" in w for w in result.warnings)


def test_plotly_geo_counties_are_recognised_with_utf8_names():
    path = _plotly_county_file()
    if path is None:
        pytest.skip("plotly-geo is not installed")
    result = read_boundaries(path)
    assert result.kind == "county"
    assert len(result.frame) == 3233
    assert result.frame.loc["72097", "name"] == "Mayagüez, PR"
    assert result.frame.loc["72011", "name"] == "Añasco, PR"
    assert result.frame.loc["44007", "name"] == "Providence, RI"


def _custom_layer(tmp_path: Path, ids: list, geometries: list) -> Path:
    frame = gpd.GeoDataFrame(
        {"code": ids, "title": [f"Area {i}" for i in ids], "sales": np.arange(len(ids))},
        geometry=geometries,
        crs=4326,
    )
    path = tmp_path / "custom.geojson"
    frame.to_file(path, engine="pyogrio")
    return path


def test_bow_tie_is_repaired_and_reported(tmp_path):
    bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    path = _custom_layer(tmp_path, ["a", "b"], [bow_tie, shapely.box(2, 0, 3, 1)])
    result = read_boundaries(path, id_field="code", name_field="title")
    assert result.kind == "custom"
    repaired = result.frame.geometry.loc["a"]
    assert repaired.is_valid
    assert repaired.geom_type in ("Polygon", "MultiPolygon")
    assert repaired.area == pytest.approx(0.5)
    assert "repaired 1 invalid geometry (a)" in result.warnings
    assert result.frame.loc["b", "name"] == "Area b"
    assert result.frame["sales"].dtype.kind == "i"


def test_empty_geometries_are_dropped_and_reported(tmp_path):
    path = _custom_layer(tmp_path, ["a", "b"], [shapely.box(0, 0, 1, 1), None])
    result = read_boundaries(path, id_field="code")
    assert list(result.frame.index) == ["a"]
    assert "dropped 1 unit without geometry (b)" in result.warnings
    path = _custom_layer(tmp_path, ["a", "b", "c"], [None, shapely.box(0, 0, 1, 1), None])
    result = read_boundaries(path, id_field="code")
    assert list(result.frame.index) == ["b"]
    assert "dropped 2 units without geometry (a, c)" in result.warnings


def test_custom_layer_needs_an_id_field(tmp_path):
    path = _custom_layer(tmp_path, ["a", "b"], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    with pytest.raises(FieldChoiceNeeded) as caught:
        read_boundaries(path)
    assert isinstance(caught.value, InputError)
    assert set(caught.value.fields) == {"code", "title", "sales"}
    assert list_layer_fields(path) == ["code", "title", "sales"]


def test_numeric_ids_become_strings(tmp_path):
    path = _custom_layer(tmp_path, [7, 12], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    result = read_boundaries(path, id_field="code")
    assert list(result.frame.index) == ["7", "12"]


def test_unknown_field_lists_the_fields(tmp_path):
    path = _custom_layer(tmp_path, ["a"], [shapely.box(0, 0, 1, 1)])
    with pytest.raises(InputError, match=r"no field 'zone'.*code, title, sales"):
        read_boundaries(path, id_field="zone")


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["a", "b", "a"], r"duplicate id 'a'.*record 3"),
        (["a", "", "c"], r"record 2 has an empty id"),
    ],
)
def test_bad_ids_are_refused(tmp_path, ids: list, message: str):
    boxes = [shapely.box(i, 0, i + 1, 1) for i in range(len(ids))]
    with pytest.raises(InputError, match=message):
        read_boundaries(_custom_layer(tmp_path, ids, boxes), id_field="code")


def test_geopackage_picks_the_first_polygon_layer(tmp_path, ri_raw):
    path = tmp_path / "mixed.gpkg"
    points = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(0, 0)], crs=4326)
    points.to_file(path, layer="offices", engine="pyogrio", VERSION="1.3")
    ri_raw.to_file(path, layer="zcta", engine="pyogrio", VERSION="1.3")
    assert len(read_boundaries(path).frame) == 77
    assert list_layer_fields(path, layer="zcta")[0] == "ZCTA5CE10"
    with pytest.raises(InputError, match="no layer 'nope'"):
        read_boundaries(path, layer="nope")


def test_layer_without_polygons_is_refused(tmp_path):
    path = tmp_path / "points.gpkg"
    points = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(0, 0)], crs=4326)
    points.to_file(path, engine="pyogrio", VERSION="1.3")
    with pytest.raises(InputError, match="no polygon layer"):
        read_boundaries(path)


@pytest.mark.parametrize("name", ["units.kml", "missing.shp", "broken.zip"])
def test_unreadable_files_raise_input_errors_naming_the_file(tmp_path, name: str):
    path = tmp_path / name
    if name != "missing.shp":
        path.write_bytes(b"not a boundary file")
    with pytest.raises(InputError, match=name):
        read_boundaries(path)


def test_list_layer_fields_of_a_geoparquet(written):
    fields = list_layer_fields(written["parquet"])
    assert fields == ["ZCTA5CE10", "GEOID10", "ALAND10", "INTPTLAT10"]
    assert "ZCTA5CE10" in list_layer_fields(written["zip"])


def test_pyogrio_can_read_what_the_tests_wrote(written):
    # Guards the fixtures themselves: each written file has one layer.
    assert len(pyogrio.list_layers(written["gpkg"])) == 1
