"""Account import: CRM layouts, line numbers, placement, problems and duplicates."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from terrmap.errors import InputError, TerrmapError
from terrmap.io.accounts import ImportProblem, import_accounts, problems_to_csv
from terrmap.io.boundaries import read_boundaries
from terrmap.io.geocode import ZipPoints

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CRM = SHARED / "data" / "crm"
HEADER = "account_id,name,lat,lon,zip\n"
# Inside RI ZCTA 02903 (downtown Providence) and DE 19901 (Dover).
PROVIDENCE = (41.8192, -71.4102)
DOVER = (39.1582, -75.5244)


@pytest.fixture(scope="session")
def units() -> gpd.GeoDataFrame:
    paths = [SHARED / "data" / "zcta" / f"{s}_zcta2010.geojson" for s in ("ri", "de")]
    if not all(p.is_file() for p in paths):
        pytest.skip("../shared ZCTA test data not available")
    return pd.concat([read_boundaries(p).frame for p in paths])


@pytest.fixture(scope="session")
def zip_points(units: gpd.GeoDataFrame) -> ZipPoints:
    """ZCTA internal points of the test units plus one PO-box ZIP (02901, Providence)."""
    table = pd.DataFrame(
        {
            "zip": units.index,
            "lat": units["INTPTLAT10"].astype(float),
            "lon": units["INTPTLON10"].astype(float),
            "source": "zcta",
        }
    )
    po_box = pd.DataFrame({"zip": ["02901"], "lat": [41.8227], "lon": [-71.4145], "source": "usps"})
    return ZipPoints(pd.concat([table, po_box], ignore_index=True))


def _crm_file(name: str) -> Path:
    path = CRM / name
    if not path.is_file():
        pytest.skip("../shared CRM samples not available")
    return path


def _physical_line(path: Path, marker: str) -> int:
    """The 1-based line of the file on which ``marker`` first appears."""
    with path.open(encoding="utf-8") as handle:
        return next(n for n, text in enumerate(handle, start=1) if marker in text)


def _write(tmp_path: Path, text: str, name: str = "accounts.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _errors(result) -> list[ImportProblem]:
    return [p for p in result.problems if p.severity == "error"]


def _assert_every_row_accounted_for(result, rows: int) -> None:
    error_lines = {p.line for p in _errors(result)}
    assert len(result.frame) + len(error_lines) == rows
    assert not error_lines & set(result.frame["line"])


def test_salesforce_sample(units, zip_points):
    path = _crm_file("salesforce_accounts_sample.csv")
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.columns == {
        "id": "Id",
        "name": "Name",
        "lat": "BillingLatitude",
        "lon": "BillingLongitude",
        "zip": "BillingPostalCode",
    }
    assert result.source == "salesforce_accounts_sample.csv"
    _assert_every_row_accounted_for(result, 20)
    frame = result.frame.set_index("account_id")
    # Brandywine Logistics has no coordinates: placed by its ZIP.
    assert frame.loc["0015g0000cgMXAdAAM", "placed_by"] == "zip"
    assert frame.loc["0015g0000cgMXAdAAM", "unit_id"] == "19801"
    assert frame.loc["0015g0000RQeNHpAAO", "zip"] == "02860"  # ZIP+4 shortened
    # Records after the multi-line street of Pawtucket (lines 5-6) keep their physical line.
    dover = _physical_line(path, "0015g0000SS8VFgAAU")
    assert dover == 9
    assert frame.loc["0015g0000SS8VFgAAU", "line"] == dover
    hartford = next(p for p in result.problems if p.account_id == "0015g0000P9gyv1AAH")
    assert hartford.line == _physical_line(path, "0015g0000P9gyv1AAH")
    assert hartford.reason == "outside every boundary unit"
    assert frame["AnnualRevenue"].dtype == float
    assert frame.crs.equals("EPSG:4326")


def test_hubspot_sample_is_placed_by_zip(units, zip_points):
    path = _crm_file("hubspot_companies_sample.csv")
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.columns == {"id": "Record ID", "name": "Company name", "zip": "Postal Code"}
    _assert_every_row_accounted_for(result, 20)
    assert len(result.frame) == 8  # the RI and DE companies
    assert (result.frame["placed_by"] == "zip").all()
    assert result.frame["account_id"].iloc[0] == "9000000000"
    assert "Record ID" not in result.frame.columns
    unknown = [p for p in result.problems if p.account_id == "9000002603"]
    assert unknown[0].reason.startswith("unknown ZIP 95018")
    assert unknown[0].line == 21


def test_output_columns_and_types(tmp_path, units, zip_points):
    path = _write(
        tmp_path,
        "Account ID,Account Name,Latitude,Longitude,Zip Code,Employees,Revenue,Branch\n"
        f"A1,Acme,{PROVIDENCE[0]},{PROVIDENCE[1]},02903,12,1.5,007\n"
        f"A2,Beta,{DOVER[0]},{DOVER[1]},19901,30,,012\n",
    )
    result = import_accounts(path, units, zip_points=zip_points)
    frame = result.frame
    assert list(frame.columns[:6]) == ["account_id", "name", "zip", "unit_id", "line", "placed_by"]
    assert frame.columns[-1] == "geometry"
    assert frame["unit_id"].tolist() == ["02903", "19901"]
    assert frame["line"].tolist() == [2, 3]
    assert frame["Employees"].dtype == np.int64
    assert frame["Revenue"].dtype == float
    assert frame["Branch"].tolist() == ["007", "012"]  # codes keep leading zeros
    assert isinstance(frame.index, pd.RangeIndex)
    assert result.problems == []


def test_xlsx_import_uses_sheet_rows(tmp_path, units, zip_points):
    path = tmp_path / "accounts.xlsx"
    sheet = pd.DataFrame(
        {
            "Company Name": ["Acme", None, "Gamma"],
            "Zip": [2903, None, 19901],  # numbers: the leading zero is gone
            "Annual Revenue": [10.5, None, 3.0],
        }
    )
    sheet.to_excel(path, index=False)
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.frame["zip"].tolist() == ["02903", "19901"]
    assert result.frame["line"].tolist() == [2, 4]  # the blank sheet row 3 is no account
    assert result.frame["account_id"].tolist() == ["line-2", "line-4"]
    assert result.frame["unit_id"].tolist() == ["02903", "19901"]


def test_duplicate_account_id_is_an_error_on_the_later_row(tmp_path, units, zip_points):
    lat, lon = PROVIDENCE
    path = _write(
        tmp_path, HEADER + f"A1,One,{lat},{lon},\nA2,Two,{lat},{lon},\nA1,Three,,,02903\n"
    )
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.frame["account_id"].tolist() == ["A1", "A2"]
    (problem,) = result.problems
    assert problem.severity == "error"
    assert problem.line == 4
    assert problem.reason == "duplicate account id A1 (first on line 2)"


def test_likely_duplicates_are_warned_about(tmp_path, units, zip_points):
    lat, lon = PROVIDENCE
    near = lat + 0.00002  # about 2 m north
    path = _write(
        tmp_path,
        HEADER
        + f"A1,Acme Inc,{lat},{lon},02903\n"
        + f'A2,"ACME, LLC",{DOVER[0]},{DOVER[1]},02903\n'  # same name and ZIP
        + f"A3,Zeta Corp,{lat},{lon},02903\n"
        + f"A4,zeta,{near},{lon},\n"  # same name, 2 m away, no ZIP
        + f"A5,Other Co,{lat},{lon},02903\n",  # same spot, other name: a neighbour
    )
    result = import_accounts(path, units, zip_points=zip_points)
    assert len(result.frame) == 5
    warnings = {p.account_id: p for p in result.problems}
    assert set(warnings) == {"A2", "A4"}
    assert warnings["A2"].severity == "warning"
    assert warnings["A2"].reason == "likely duplicate of A1 (line 2): same name and ZIP"
    assert warnings["A4"].reason == "likely duplicate of A3 (line 4): same name within 5 m"


@pytest.mark.parametrize(
    ("row", "severity", "reason"),
    [
        ("B1,No place,,,", "error", "missing coordinates and no ZIP"),
        ("B1,Unknown,,,99999", "error", "unknown ZIP 99999 (missing coordinates)"),
        ("B1,Junk ZIP,,,n/a", "error", "missing coordinates and invalid ZIP 'n/a'"),
        ("B1,Bad,abc,-71.4,", "error", "invalid coordinates (lat 'abc', lon '-71.4') and no ZIP"),
        ("B1,Far,95.0,-71.4,", "error", "invalid coordinates (lat '95.0', lon '-71.4') and no ZIP"),
        ("B1,New York,40.7128,-74.0060,10001", "error", "outside every boundary unit"),
        ("B1,Null Island,0,0,02903", "warning", "invalid coordinates (lat '0', lon '0')"),
    ],
)
def test_rows_that_cannot_be_placed_say_why(tmp_path, units, zip_points, row, severity, reason):
    path = _write(tmp_path, HEADER + row + "\n")
    result = import_accounts(path, units, zip_points=zip_points)
    (problem,) = result.problems
    assert (problem.line, problem.account_id, problem.severity) == (2, "B1", severity)
    assert problem.reason.startswith(reason)
    assert len(result.frame) == (severity == "warning")


def test_po_box_zip_is_placed_by_its_usps_point(tmp_path, units, zip_points):
    path = _write(tmp_path, HEADER + "C1,Box holder,,,02901-0042\n")
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.frame["zip"].tolist() == ["02901"]
    assert result.frame["placed_by"].tolist() == ["zip"]
    assert result.problems == []


def test_border_point_goes_to_the_first_unit_deterministically(tmp_path, zip_points):
    boxes = [shapely.box(-72, 41, -71.5, 42), shapely.box(-71.5, 41, -71, 42)]
    units = gpd.GeoDataFrame({"name": ["west", "east"]}, geometry=boxes, crs=4326)
    units.index = pd.Index(["W", "E"], name="unit_id")
    path = _write(tmp_path, HEADER + "D1,On the line,41.5,-71.5,\nD2,Corner,42,-72,\n")
    first = import_accounts(path, units, zip_points=zip_points)
    assert first.frame["unit_id"].tolist() == ["W", "W"]
    swapped = import_accounts(path, units.iloc[::-1], zip_points=zip_points)
    assert swapped.frame["unit_id"].tolist() == ["E", "W"]


def test_semicolons_cp1252_and_blank_lines(tmp_path, units, zip_points):
    lat, lon = PROVIDENCE
    text = (
        "Name;Latitude;Longitude;Notes\r\n"
        f'Café Müller;{lat};{lon};"first\r\nsecond"\r\n'
        "\r\n"
        f"Bäckerei;{lat};{lon};plain\r\n"
    )
    path = _write(tmp_path, text, encoding="cp1252")
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.frame["name"].tolist() == ["Café Müller", "Bäckerei"]
    assert result.frame["line"].tolist() == [2, 5]
    assert result.frame["account_id"].tolist() == ["line-2", "line-5"]


def test_ragged_row_is_reported_with_its_line(tmp_path, units, zip_points):
    lat, lon = PROVIDENCE
    path = _write(tmp_path, HEADER + f"E1,Ok,{lat},{lon},\nE2,Too,many,{lat},{lon},x\nE3,Short\n")
    result = import_accounts(path, units, zip_points=zip_points)
    assert result.frame["account_id"].tolist() == ["E1"]
    reasons = {p.line: p.reason for p in _errors(result)}
    assert reasons == {3: "6 fields but the header has 5", 4: "missing coordinates and no ZIP"}


def test_progress_and_cancel(tmp_path, units, zip_points):
    lat, lon = PROVIDENCE
    path = _write(tmp_path, HEADER + f"F1,Ok,{lat},{lon},\n")
    seen: list[float] = []
    import_accounts(path, units, zip_points=zip_points, progress=lambda f, _m: seen.append(f))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    with pytest.raises(TerrmapError, match="Import cancelled"):
        import_accounts(path, units, zip_points=zip_points, stop=lambda: True)


def test_unsupported_and_missing_files(tmp_path, units):
    with pytest.raises(InputError, match="unsupported account file type"):
        import_accounts(_write(tmp_path, "x", name="accounts.pdf"), units)
    with pytest.raises(InputError, match="file not found"):
        import_accounts(tmp_path / "nope.csv", units)
    with pytest.raises(InputError, match="no header row"):
        import_accounts(_write(tmp_path, ""), units)


def test_problems_to_csv(tmp_path):
    problems = [
        ImportProblem("a.csv", 3, "X1", "error", "unknown ZIP 99999 (missing coordinates)"),
        ImportProblem("a.csv", 7, "X2", "warning", "likely duplicate of X1 (line 3): same name"),
    ]
    out = tmp_path / "problems.csv"
    problems_to_csv(problems, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["file", "line", "account_id", "severity", "reason"]
    assert rows[1] == ["a.csv", "3", "X1", "error", "unknown ZIP 99999 (missing coordinates)"]
    assert len(rows) == 3


def test_import_problem_checks_its_severity():
    with pytest.raises(ValueError, match="severity"):
        ImportProblem("a.csv", 1, "X", "fatal", "nope")


def test_point_just_outside_a_coastline_goes_to_the_nearest_unit(tmp_path):
    """Simplified boundaries cut off coastal points: within 1 km they snap, with a warning."""
    from tests.grid import grid_units

    units = grid_units().frame
    # r0c0 spans lat 38.0–38.5; 0.003° south is ~330 m out, 0.1° south ~11 km out.
    path = _write(tmp_path, HEADER + "N1,Near,37.997,-99.75,\nF1,Far,37.9,-99.75,\n")
    result = import_accounts(path, units)
    assert result.frame.set_index("account_id").loc["N1", "unit_id"] == "r0c0"
    (near,) = [p for p in result.problems if p.account_id == "N1"]
    assert near.severity == "warning"
    assert near.reason == "334 m outside every unit; placed in the nearest, r0c0"
    (far,) = [p for p in result.problems if p.account_id == "F1"]
    assert (far.severity, far.reason) == ("error", "outside every boundary unit")
