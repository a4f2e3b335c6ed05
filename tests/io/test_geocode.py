"""Offline ZIP geocoding: ZIP normalisation and the ZIP point table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from terrmap.errors import TerrmapError
from terrmap.io.geocode import ZipPoints, normalize_zip
from terrmap.resources import resource_path


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("02903", "02903"),
        ("02903-1234", "02903"),
        ("029031234", "02903"),
        ("02903 1234", "02903"),
        ("2903", "02903"),  # leading zero lost by a spreadsheet
        ("2903-1234", "02903"),
        (" 19801 ", "19801"),
        ("501", "00501"),
        ("12345.0", "12345"),
        (2903.0, "02903"),
        (2903, "02903"),
        ("", None),
        (None, None),
        (np.nan, None),
        ("junk", None),
        ("ABCDE", None),
        ("1234567", None),
        ("１２３４５", None),  # full-width digits are not a ZIP
    ],
)
def test_normalize_zip(value, expected):
    result = normalize_zip(pd.Series([value], dtype=object)).iloc[0]
    if expected is None:
        assert result is pd.NA
    else:
        assert result == expected


def test_normalize_zip_is_vectorised_and_keeps_the_index():
    values = pd.Series([2903.0, np.nan, 19801.0], index=[10, 11, 12], name="zip")
    result = normalize_zip(values)
    assert result.dtype == "string"
    assert list(result.index) == [10, 11, 12]
    assert result.name == "zip"
    assert result.tolist() == ["02903", pd.NA, "19801"]
    assert normalize_zip(pd.Series([], dtype=str)).empty


@pytest.fixture(scope="session")
def small_table(tmp_path_factory) -> ZipPoints:
    path = tmp_path_factory.mktemp("geocode") / "zip_points.csv"
    path.write_text(
        "zip,lat,lon,source\n"
        "02903,41.8192,-71.4102,zcta\n"
        "02901,41.8227,-71.4145,usps\n"
        "19801,39.7236,-75.5412,usps\n"
        "19801,39.7400,-75.5500,zcta\n",
        encoding="utf-8",
    )
    return ZipPoints.from_csv(path)


def test_lookup_finds_zcta_and_usps_points(small_table: ZipPoints):
    lat, lon, found = small_table.lookup(pd.Series(["02903-1234", "2901", "99999", None]))
    assert found.tolist() == [True, True, False, False]
    np.testing.assert_allclose(lat[:2], [41.8192, 41.8227])
    np.testing.assert_allclose(lon[:2], [-71.4102, -71.4145])
    assert np.isnan(lat[2:]).all()


def test_zcta_point_wins_over_usps_point_for_the_same_zip(small_table: ZipPoints):
    lat, _, found = small_table.lookup(pd.Series(["19801"]))
    assert found[0]
    assert lat[0] == pytest.approx(39.74)
    assert len(small_table) == 3


def test_table_without_required_columns_is_refused():
    with pytest.raises(TerrmapError, match="lacks columns: lon"):
        ZipPoints(pd.DataFrame({"zip": ["02903"], "lat": [41.8]}))


def test_bundled_table():
    if not resource_path("geocode", "zip_points.csv").is_file():
        pytest.skip("bundled ZIP table not built yet")
    points = ZipPoints.bundled()
    assert points is ZipPoints.bundled()  # loaded once
    assert len(points) > 30_000
    lat, lon, found = points.lookup(pd.Series(["02903", "00501", "19801", "99999"]))
    assert found.tolist() == [True, True, True, False]
    assert 41 < lat[0] < 42
    assert -72 < lon[0] < -71
