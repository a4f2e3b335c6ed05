"""The bundled resources exist and are sane (built by resources/build_resources.py and
resources/make_sample.py)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from terrmap.resources import resource_path

SAMPLE_STATES = {"CT", "MA", "ME", "NH", "RI", "VT", "NY", "NJ", "PA"}


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return gpd.read_parquet(resource_path("boundaries", "us_counties.parquet"))


@pytest.fixture(scope="module")
def zip_points() -> pd.DataFrame:
    return pd.read_csv(resource_path("geocode", "zip_points.csv"), dtype={"zip": str})


@pytest.fixture(scope="module")
def reps() -> pd.DataFrame:
    return pd.read_csv(resource_path("sample", "reps.csv"), dtype=str, keep_default_na=False)


def test_counties_are_complete_and_valid(counties: gpd.GeoDataFrame) -> None:
    assert len(counties) == 3233
    assert counties.crs.to_epsg() == 4326
    assert counties["GEOID"].is_unique
    assert counties["GEOID"].str.fullmatch(r"\d{5}").all()
    assert (counties["GEOID"] == counties["STATEFP"] + counties["COUNTYFP"]).all()
    assert counties["STUSPS"].notna().all()
    assert shapely.is_valid(counties.geometry.values).all()
    assert counties.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_puerto_rico_names_are_not_garbled(counties: gpd.GeoDataFrame) -> None:
    names = set(counties.loc[counties["STUSPS"] == "PR", "NAME"])
    assert {"Mayagüez", "Añasco"} <= names


def test_states_are_complete_and_valid() -> None:
    states = gpd.read_parquet(resource_path("boundaries", "us_states.parquet"))
    assert len(states) == 56
    assert states.crs.to_epsg() == 4326
    assert states["STUSPS"].is_unique
    assert shapely.is_valid(states.geometry.values).all()


def test_zip_points_cover_zctas_and_po_boxes(zip_points: pd.DataFrame) -> None:
    assert zip_points["zip"].is_unique
    assert len(zip_points) > 40_000
    assert zip_points["zip"].str.fullmatch(r"\d{5}").all()
    assert zip_points["lat"].between(-15, 72).all()
    assert zip_points["lon"].between(-180, 180).all()
    by_zip = zip_points.set_index("zip")
    assert by_zip.loc["19850", "source"] == "usps"  # a Wilmington DE PO-box-only ZIP
    assert by_zip.loc["02903", "source"] == "zcta"  # downtown Providence RI
    assert list(zip_points.columns) == ["zip", "lat", "lon", "source"]


def test_sample_reps_have_distinct_colours(reps: pd.DataFrame) -> None:
    assert len(reps) == 12
    assert reps["id"].is_unique
    assert reps["color"].is_unique
    assert "#BBBBBB" not in set(reps["color"])  # grey means "unassigned"
    assert set(reps["parent"]) == {"NE-North", "NE-Metro", "NE-West"}


def test_sample_accounts_are_plausible() -> None:
    accounts = pd.read_csv(
        resource_path("sample", "accounts.csv"), dtype={"zip": str, "account_id": str}
    )
    assert len(accounts) >= 4000
    assert accounts["account_id"].is_unique
    assert accounts["zip"].str.fullmatch(r"\d{5}(-\d{4})?").all()
    assert set(accounts["state"]) <= SAMPLE_STATES
    assert (accounts["potential"] >= accounts["annual_revenue"]).all()
    assert accounts["lat"].isna().sum() >= 10  # rows left for ZIP geocoding


def test_sample_alignment_covers_every_region_county_once(
    counties: gpd.GeoDataFrame, reps: pd.DataFrame
) -> None:
    alignment = pd.read_csv(resource_path("sample", "alignment.csv"), dtype=str)
    region = set(counties.loc[counties["STUSPS"].isin(SAMPLE_STATES), "GEOID"])
    assert alignment["unit_id"].is_unique
    assert set(alignment["unit_id"]) == region
    assert set(alignment["territory"]) == set(reps["id"])
