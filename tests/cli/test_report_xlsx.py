"""``terrmap report --xlsx`` and ``terrmap export-accounts`` end to end on the sample project.

The totals are checked against the sample's account book (the bundled CSV) summed here with
pandas by the territory the workbook's account sheet gives each account, and the owners
against the bundled reps file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from terrmap import cli
from terrmap.resources import resource_path
from terrmap.sample import SYNTHETIC_NOTICE
from tests.cli.run import run_cli

METRICS = ["annual_revenue", "potential", "visits_per_year"]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_report_writes_the_workbook(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.xlsx"
    status, stdout, stderr = run_cli(capsys, "report", sample, "--xlsx", out, "--json")
    assert status == 0, stderr
    printed = json.loads(stdout)  # --json stays pure JSON with --xlsx
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Territories", "Accounts", "Alignment", "About"]

    rows = [list(r) for r in book["Territories"].iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    col = header.index
    territories = printed["territories"]
    assert [r[0] for r in body[: len(territories)]] == [t["id"] for t in territories]
    for row, territory in zip(body, territories, strict=False):
        assert row[col("accounts")] == territory["accounts"]
        assert row[col("units")] == territory["units"]
        for metric in METRICS:
            assert row[col(metric)] == pytest.approx(territory["metrics"][metric])

    # Independent: the whole account book summed by the accounts sheet's owner column.
    book_csv = pd.read_csv(resource_path("sample", "accounts.csv"), dtype={"zip": str})
    accounts = pd.DataFrame(
        list(book["Accounts"].iter_rows(min_row=2, values_only=True)),
        columns=["account_id", "name", "owner", "territory_id", "territory_name"],
    )
    joined = book_csv.merge(accounts, on="account_id", validate="one_to_one")
    assert len(joined) == len(book_csv) == 5000
    by_territory = joined.groupby("territory_id")[METRICS].sum()
    counts = joined.groupby("territory_id").size()
    for row in body[: len(territories)]:
        assert row[col("accounts")] == counts[row[0]]
        for metric in METRICS:
            assert row[col(metric)] == pytest.approx(by_territory.loc[row[0], metric])
    total = body[-1]
    assert total[col("name")] == "Total"
    assert total[col("accounts")] == 5000
    for metric in METRICS:
        assert total[col(metric)] == pytest.approx(book_csv[metric].sum())
    with resource_path("sample", "alignment.csv").open(encoding="utf-8") as handle:
        assert total[col("units")] == sum(1 for _ in csv.DictReader(handle))

    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Project file"] == sample.name
    assert about["Notice"] == SYNTHETIC_NOTICE


def test_workbook_sheets_match_the_csv_exports(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, summary = tmp_path / "report.xlsx", tmp_path / "summary.csv"
    status, stdout, _ = run_cli(capsys, "report", sample, "--xlsx", xlsx, "--csv", summary)
    assert status == 0
    assert "Balance on annual_revenue" in stdout
    book = openpyxl.load_workbook(xlsx)

    sheet = list(book["Territories"].iter_rows(values_only=True))
    written = _csv_rows(summary)
    assert list(written[0]) == list(sheet[0])
    assert len(written) == len(sheet) - 2  # the sheet adds the totals row
    for row, values in zip(written, sheet[1:], strict=False):
        assert row["territory_id"] == (values[0] or "")
        assert float(row["accounts"]) == values[5]

    assert run_cli(capsys, "export-accounts", sample, tmp_path / "accounts.csv")[0] == 0
    accounts = [list(r.values()) for r in _csv_rows(tmp_path / "accounts.csv")]
    assert accounts == [
        ["" if v is None else v for v in r]
        for r in book["Accounts"].iter_rows(min_row=2, values_only=True)
    ]

    assert run_cli(capsys, "export-alignment", sample, tmp_path / "alignment.csv")[0] == 0
    alignment = [list(r.values()) for r in _csv_rows(tmp_path / "alignment.csv")]
    assert alignment == [
        ["" if v is None else v for v in r]
        for r in book["Alignment"].iter_rows(min_row=2, values_only=True)
    ]


def test_export_accounts(sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "owners.csv"
    out.write_text("stale", encoding="utf-8")
    status, stdout, stderr = run_cli(capsys, "export-accounts", sample, out)
    assert status == 0, stderr
    assert stdout.strip() == f"Wrote 5000 accounts (5000 in a territory) to {out}"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfaccount_id,name,owner,territory_id,territory_name\r\n")
    rows = _csv_rows(out)
    assert len(rows) == 5000
    with resource_path("sample", "reps.csv").open(encoding="utf-8") as handle:
        reps = {r["id"]: r for r in csv.DictReader(handle)}
    for row in rows:
        assert row["owner"] == reps[row["territory_id"]]["name"]
        assert row["territory_name"] == reps[row["territory_id"]]["territory_name"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["owners.csv"]  # no temp left


def test_help_and_errors(sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--help"]) == 0
    assert "--xlsx OUT.xlsx" in capsys.readouterr().out
    assert cli.main(["export-accounts", "--help"]) == 0
    assert "account_id,name,owner" in capsys.readouterr().out

    missing = tmp_path / "no" / "such" / "folder" / "r.xlsx"
    status, _, stderr = run_cli(capsys, "report", sample, "--xlsx", missing)
    assert status == 2
    assert "terrmap: error: cannot write" in stderr
    status, _, stderr = run_cli(capsys, "export-accounts", tmp_path / "none.gpkg", "a.csv")
    assert status == 2
    assert stderr.startswith("terrmap: error:")
