"""Reports: the per-territory summary (CSV and XLSX), the account → owner list, the workbook.

The workbook is read back with openpyxl and checked against sums computed independently:
a pandas groupby of the sample's accounts by effective territory, and the sample's own
alignment and reps files for who owns what.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from terrmap.core import Project, Territory
from terrmap.core.commands import AssignAccounts
from terrmap.errors import TerrmapError
from terrmap.io.alignment import ALIGNMENT_COLUMNS, write_alignment
from terrmap.io.report_workbook import write_report_xlsx
from terrmap.io.reports import (
    ACCOUNT_COLUMNS,
    TerritorySummary,
    account_owner_rows,
    territory_summary,
    write_accounts_csv,
    write_summary_csv,
)
from terrmap.resources import resource_path
from terrmap.sample import SYNTHETIC_NOTICE, load_sample_project
from tests.grid import make_grid_project

SHEETS = ["Territories", "Accounts", "Alignment", "About"]
EVIL = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def sample() -> Project:
    return load_sample_project()


@pytest.fixture(scope="module")
def sample_xlsx(sample: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "sample.xlsx"
    summary = territory_summary(sample)
    write_report_xlsx(
        summary, out, source_name="sample.terrmap.gpkg", generated=dt.date(2026, 5, 4)
    )
    return out


@pytest.fixture
def grid() -> Project:
    """Grid project with hostile names, an override onto a vacant territory, a lost account."""
    project = make_grid_project()
    index = project.territory_index("T2")
    project.replace_territory(index, project.territories[index].with_changes(name="=1+2"))
    frame = project.accounts.frame
    frame.loc[frame["account_id"] == "A000", "name"] = EVIL
    frame.loc[frame["account_id"] == "A001", "name"] = "@cmd|' /C calc'!A0"
    AssignAccounts(("A010",), "T3").apply(project)  # unit in T1; T3 is vacant
    return project


@pytest.fixture(scope="module")
def book(sample_xlsx: Path) -> openpyxl.Workbook:
    """The sample workbook read back once (openpyxl is the independent reader)."""
    return openpyxl.load_workbook(sample_xlsx)


def _sheet_rows(source: Path | openpyxl.Workbook, sheet: str) -> list[list[object]]:
    book = source if isinstance(source, openpyxl.Workbook) else openpyxl.load_workbook(source)
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def _blank(value: object) -> object:
    """openpyxl reads an empty cell as None; the builder writes ""."""
    return "" if value is None else value


# -- the workbook on the sample ------------------------------------------------
def test_workbook_has_the_four_sheets(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS


def test_territory_totals_match_an_independent_groupby(
    sample: Project, book: openpyxl.Workbook
) -> None:
    rows = _sheet_rows(book, "Territories")
    header, body = rows[0], rows[1:]
    metrics = ["annual_revenue", "potential", "visits_per_year"]
    assert header == [
        "territory_id",
        "name",
        "owner",
        "parent",
        "units",
        "accounts",
        "area_km2",
        *metrics,
        "target",
        "deviation_pct",
        "in_band",
    ]
    ids = [t.id for t in sample.territories]
    assert [r[0] for r in body] == [*ids, None, None]
    assert [r[1] for r in body[-2:]] == ["unassigned", "Total"]

    accounts = pd.DataFrame(sample.accounts.frame.drop(columns="geometry"))
    codes = sample.account_codes()
    accounts["territory"] = [ids[c] if c >= 0 else None for c in codes]
    expected = accounts.groupby("territory")[metrics].sum()
    counts = accounts.groupby("territory").size()
    units = pd.Series(sample.territory_of_units()).value_counts()
    col = header.index
    for row in body[: len(ids)]:
        territory_id = row[0]
        assert row[col("accounts")] == counts[territory_id]
        assert row[col("units")] == units[territory_id]
        for metric in metrics:
            assert row[col(metric)] == pytest.approx(expected.loc[territory_id, metric])
    total = body[-1]
    assert total[col("accounts")] == len(accounts) == 5000
    assert total[col("units")] == len(sample.units)
    for metric in metrics:
        assert total[col(metric)] == pytest.approx(accounts[metric].sum())


def test_totals_row_is_the_column_sums(book: openpyxl.Workbook) -> None:
    rows = _sheet_rows(book, "Territories")
    header, data, total = rows[0], rows[1:-1], rows[-1]
    for name in header[header.index("units") : header.index("target") + 1]:
        column = header.index(name)
        assert total[column] == pytest.approx(sum(_blank(r[column]) or 0 for r in data)), name
    assert total[header.index("deviation_pct")] is None
    assert total[header.index("in_band")] is None


def test_target_and_deviation_are_the_balance_of_the_first_metric(
    sample: Project, book: openpyxl.Workbook
) -> None:
    rows = _sheet_rows(book, "Territories")
    header, body = rows[0], rows[1 : 1 + len(sample.territories)]
    revenue = np.array([r[header.index("annual_revenue")] for r in body], dtype=float)
    target = revenue.sum() / len(revenue)  # no sample rep has a target weight: equal shares
    for row, value in zip(body, revenue, strict=True):
        deviation = 100 * (value - target) / target
        assert row[header.index("target")] == pytest.approx(target)
        assert row[header.index("deviation_pct")] == pytest.approx(deviation, abs=1e-4)
        assert row[header.index("in_band")] is bool(abs(deviation) <= 5.0)


def test_accounts_sheet_has_every_account_with_its_owner(
    sample: Project, book: openpyxl.Workbook
) -> None:
    rows = _sheet_rows(book, "Accounts")
    assert tuple(rows[0]) == ACCOUNT_COLUMNS
    body = rows[1:]
    # Who owns what, straight from the bundled files: account → unit → territory → rep.
    with resource_path("sample", "alignment.csv").open(encoding="utf-8") as handle:
        unit_territory = {r["unit_id"]: r["territory"] for r in csv.DictReader(handle)}
    with resource_path("sample", "reps.csv").open(encoding="utf-8") as handle:
        reps = {r["id"]: r for r in csv.DictReader(handle)}
    frame = sample.accounts.frame
    assert len(body) == len(frame) == len({r[0] for r in body})
    names = dict(zip(frame["account_id"], frame["name"], strict=True))
    units = dict(zip(frame["account_id"], frame["unit_id"], strict=True))
    for account_id, name, owner, territory_id, territory_name in body:
        want = unit_territory[units[account_id]]
        assert (territory_id, owner) == (want, reps[want]["name"])
        assert territory_name == reps[want]["territory_name"]
        assert name == names[account_id]


def test_alignment_sheet_matches_export_alignment(
    sample: Project, book: openpyxl.Workbook, tmp_path: Path
) -> None:
    write_alignment(sample, tmp_path / "alignment.csv")
    exported = _read_csv(tmp_path / "alignment.csv")
    sheet = [[_blank(v) for v in row] for row in _sheet_rows(book, "Alignment")]
    assert sheet[0] == list(ALIGNMENT_COLUMNS)
    assert sheet == exported
    assert sheet[1][0] == sample.units.ids[0]  # ids stay text ("09001", not 9001)
    assert all(isinstance(row[0], str) for row in sheet)


def test_about_sheet_names_the_project_and_the_synthetic_notice(book: openpyxl.Workbook) -> None:
    about = dict(_sheet_rows(book, "About"))
    assert about["Project file"] == "sample.terrmap.gpkg"
    assert about["Title"] == "Northeast sample"
    assert about["Plan"] == "Current"
    assert about["Date"].date() == dt.date(2026, 5, 4)
    assert about["Notice"] == SYNTHETIC_NOTICE
    assert "annual_revenue" in about["Balance"]


def test_territories_sheet_is_formatted(sample: Project, book: openpyxl.Workbook) -> None:
    sheet = book["Territories"]
    n = len(sample.territories)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert all(cell.font.bold for cell in sheet[n + 3])  # the totals row
    assert sheet.auto_filter.ref == f"A1:M{n + 2}"  # header, territories, unassigned
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    assert row[header.index("units")].number_format == "#,##0"
    assert row[header.index("area_km2")].number_format == "#,##0.0"
    assert row[header.index("annual_revenue")].number_format == "#,##0"
    assert row[header.index("deviation_pct")].number_format.startswith("+0.0")
    width = sheet.column_dimensions["B"].width
    assert max(len(t.name) for t in sample.territories) < width <= 60
    for name in ("Accounts", "Alignment"):
        other = book[name]
        assert other.freeze_panes == "A2"
        assert other.auto_filter.ref.startswith("A1:")


def test_csv_summary_has_the_same_columns_and_values_as_the_sheet(
    sample: Project, book: openpyxl.Workbook, tmp_path: Path
) -> None:
    out = tmp_path / "summary.csv"
    write_summary_csv(territory_summary(sample), out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    written = _read_csv(out)
    sheet = _sheet_rows(book, "Territories")[:-1]  # the CSV has no totals row
    assert written[0] == sheet[0]
    assert len(written) == len(sheet)
    for csv_row, sheet_row in zip(written[1:], sheet[1:], strict=True):
        assert csv_row == [_as_csv_text(v, c) for v, c in zip(sheet_row, csv_row, strict=True)]


def _as_csv_text(value: object, written: str) -> str:
    """The sheet's value as the CSV text when they are equal (XLSX drops a float's ".0")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return written if float(written) == value else repr(value)
    return str(_blank(value))


# -- the grid: hostile names, overrides, vacancies ----------------------------
def test_text_from_data_never_becomes_a_formula(grid: Project, tmp_path: Path) -> None:
    out = tmp_path / "grid.xlsx"
    write_report_xlsx(territory_summary(grid), out, source_name="grid.gpkg")
    book = openpyxl.load_workbook(out)
    formulas = [
        cell.coordinate
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    accounts = {r[0]: r for r in _sheet_rows(out, "Accounts")}
    assert accounts["A000"][1] == EVIL  # shown exactly, stored as text
    territories = {r[0]: r for r in _sheet_rows(out, "Territories")}
    assert territories["T2"][1] == "=1+2"
    alignment = _sheet_rows(out, "Alignment")
    assert "=1+2" in {row[2] for row in alignment}


def test_csv_files_guard_formulas(grid: Project, tmp_path: Path) -> None:
    write_accounts_csv(grid, tmp_path / "accounts.csv")
    accounts = {r[0]: r for r in _read_csv(tmp_path / "accounts.csv")}
    assert accounts["A000"][1] == "'" + EVIL
    assert accounts["A001"][1] == "'@cmd|' /C calc'!A0"
    write_summary_csv(territory_summary(grid), tmp_path / "summary.csv")
    summary = {r[0]: r for r in _read_csv(tmp_path / "summary.csv")}
    assert summary["T2"][1] == "'=1+2"


def test_account_owner_follows_overrides_vacancies_and_lost_accounts(grid: Project) -> None:
    rows = {r[0]: r for r in account_owner_rows(grid)}
    assert len(rows) == len(grid.accounts)
    assert rows["A010"] == ["A010", "Shop 1-0", "", "T3", "East"]  # override to a vacant one
    assert rows["A011"] == ["A011", "Shop 1-1", "Ana", "T1", "West"]  # its unit's owner
    assert rows["A020"][2:] == ["Ben", "T2", "=1+2"]
    assert rows["A030"][2:] == ["", "", ""]  # column 3 is unassigned
    assert rows["LOST"] == ["LOST", "Nowhere Inc", "", "", ""]  # outside every unit


def test_summary_rows_and_totals(grid: Project) -> None:
    summary = territory_summary(grid, ["visits", "revenue", "visits"], tolerance_pct=10)
    assert isinstance(summary, TerritorySummary)
    assert summary.metrics == ("visits", "revenue")
    rows = summary.rows()
    assert [r[0] for r in rows] == ["T1", "T2", "T3", ""]
    t1, t2, t3, unassigned = rows
    # T1: columns 0-1 (6 units, 12 accounts) less A010 overridden to T3.
    assert t1[4:6] == [6, 11]
    assert t3[4:6] == [0, 1]
    assert t2[4:6] == [3, 6]
    assert unassigned[4:6] == [3, 7]  # column 3 and LOST
    assert unassigned[-3:] == ["", "", ""]
    total = summary.total_row()
    assert total[1] == "Total"
    assert total[4:6] == [12, 25]
    assert total[7] == pytest.approx(25.0)  # visits: one per account
    assert total[-2:] == ["", ""]
    assert t1[-1] is False
    assert isinstance(t1[-2], float)


def test_unknown_metric_is_refused(grid: Project) -> None:
    with pytest.raises(TerrmapError, match="no metric named 'profit'"):
        territory_summary(grid, ["profit"])


def test_project_without_metrics_or_synthetic_mark(tmp_path: Path) -> None:
    from tests.grid import grid_units

    project = Project(grid_units(), territories=[Territory("T1", "Only", owner="Ana")])
    out = tmp_path / "bare.xlsx"
    write_report_xlsx(territory_summary(project), out)
    rows = _sheet_rows(out, "Territories")
    assert rows[0][-4:] == ["area_km2", "target", "deviation_pct", "in_band"]
    assert _sheet_rows(out, "Accounts") == [list(ACCOUNT_COLUMNS)]
    assert "Notice" not in dict(_sheet_rows(out, "About"))


# -- atomic writes -------------------------------------------------------------
def test_files_replace_an_existing_one_and_leave_no_temp(grid: Project, tmp_path: Path) -> None:
    summary = territory_summary(grid)
    for name, write in [
        ("r.xlsx", lambda p: write_report_xlsx(summary, p)),
        ("s.csv", lambda p: write_summary_csv(summary, p)),
        ("a.csv", lambda p: write_accounts_csv(grid, p)),
    ]:
        out = tmp_path / name
        out.write_text("old contents", encoding="utf-8")
        write(out)
        assert out.read_bytes() != b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "r.xlsx", "s.csv"]
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == SHEETS


def test_a_failed_write_keeps_the_old_file(
    grid: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("terrmap.io.atomic.os.replace", fail)
    with pytest.raises(TerrmapError, match="cannot write"):
        write_report_xlsx(territory_summary(grid), out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
    with pytest.raises(TerrmapError, match="cannot write"):
        write_accounts_csv(grid, tmp_path / "missing" / "a.csv")


def test_reports_do_not_load_qt() -> None:
    # The workbook module imports the summary module, so this covers both.
    code = (
        "import sys, terrmap.io.report_workbook; "
        "print(sorted(m for m in sys.modules if 'PySide6' in m))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
