"""The ``terrmap`` command end to end (subprocesses) and its argument layer (in-process).

The end-to-end test builds a project from real Census ZCTA polygons of Rhode Island,
an accounts CSV and a reps CSV written here, and checks every total against sums
computed independently from those CSVs.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from terrmap import cli
from terrmap.io.projectfile import open_project

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RI_ZCTA = SHARED / "data" / "zcta" / "ri_zcta2010.geojson"
N_UNITS = 12
# Units 0-3 → T1, 4-7 → T2, 8-9 → T3 (vacant), 10-11 unassigned.
ALIGNMENT = {0: "T1", 1: "T1", 2: "T1", 3: "T1", 4: "T2", 5: "T2", 6: "T2", 7: "T2", 8: "T3"}
ALIGNMENT[9] = "T3"


def terrmap(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m terrmap`` like a user would."""
    return subprocess.run(
        [sys.executable, "-m", "terrmap", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Book:
    """The files of the end-to-end test and the totals they should produce."""

    def __init__(self, folder: Path) -> None:
        zcta = gpd.read_file(RI_ZCTA).sort_values("ZCTA5CE10").head(N_UNITS)
        self.folder = folder
        self.unit_ids: list[str] = list(zcta["ZCTA5CE10"])
        self.boundaries = folder / "ri.geojson"
        zcta[["ZCTA5CE10", "GEOID10", "geometry"]].to_file(self.boundaries, driver="GeoJSON")
        points = shapely.point_on_surface(zcta.geometry.to_numpy())
        # account id → (unit id, revenue, visits); ids keep leading zeros.
        self.accounts: dict[str, tuple[str, float, int]] = {}
        rows = []
        for k, (unit_id, point) in enumerate(zip(self.unit_ids, points, strict=True)):
            for j in range(2):
                account_id, revenue, visits = f"{2 * k + j:05d}", 1000.0 * k + 10.5 * j, j + 1
                self.accounts[account_id] = (unit_id, revenue, visits)
                rows.append([account_id, f"Shop {k}-{j}", point.y, point.x, revenue, visits])
        rows.append(["90001", "No Coordinates Ltd", "", "", 5.0, 1])  # line 26
        rows.append(["90002", "Pacific Ocean Co", 10.0, -120.0, 7.0, 1])  # line 27
        self.accounts_csv = folder / "accounts.csv"
        _write_csv(
            self.accounts_csv, ["account_id", "name", "lat", "lon", "revenue", "visits"], rows
        )
        self.reps_csv = folder / "reps.csv"
        _write_csv(
            self.reps_csv,
            ["id", "name", "owner"],
            [["T1", "North", "Ana"], ["T2", "South", "Ben"], ["T3", "East", ""]],
        )
        self.alignment_csv = folder / "alignment.csv"
        _write_csv(
            self.alignment_csv,
            ["unit_id", "territory"],
            [[self.unit_ids[i], t] for i, t in ALIGNMENT.items()],
        )

    def expected(self, alignment: dict[str, str | None]) -> dict[str | None, dict[str, float]]:
        """Totals per territory id (None = unassigned), computed straight from the CSVs."""
        totals: dict[str | None, dict[str, float]] = {
            t: {"units": 0, "accounts": 0, "revenue": 0.0, "visits": 0.0}
            for t in ("T1", "T2", "T3", None)
        }
        for unit_id in self.unit_ids:
            totals[alignment.get(unit_id)]["units"] += 1
        for unit_id, revenue, visits in self.accounts.values():
            row = totals[alignment.get(unit_id)]
            row["accounts"] += 1
            row["revenue"] += revenue
            row["visits"] += visits
        return totals


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _assert_report(report: dict, expected: dict[str | None, dict[str, float]]) -> None:
    assert [t["id"] for t in report["territories"]] == ["T1", "T2", "T3"]
    rows = {t["id"]: t for t in report["territories"]} | {None: report["unassigned"]}
    for territory_id, want in expected.items():
        got = rows[territory_id]
        assert set(got) >= {"units", "accounts", "metrics"}
        assert (got["units"], got["accounts"]) == (want["units"], want["accounts"])
        assert got["metrics"] == pytest.approx(
            {"revenue": want["revenue"], "visits": want["visits"]}
        )


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    if not RI_ZCTA.exists():
        pytest.skip(f"shared test data missing: {RI_ZCTA}")
    return Book(tmp_path_factory.mktemp("cli"))


@pytest.fixture(scope="module")
def built(book: Book) -> Path:
    """``terrmap new`` on the book's files; returns the project path."""
    result = terrmap(
        "new",
        "ri",
        "--boundaries",
        book.boundaries,
        "--accounts",
        book.accounts_csv,
        "--reps",
        book.reps_csv,
        "--alignment",
        book.alignment_csv,
        "--import-report",
        "problems.csv",
        cwd=book.folder,
    )
    assert result.returncode == 0, result.stderr
    assert "24 accounts placed, 2 rows not placed, 0 warnings" in result.stdout
    assert "%" not in result.stderr  # no progress bar when stderr is not a terminal
    return book.folder / "ri.terrmap.gpkg"


def test_new_writes_the_import_report(book: Book, built: Path) -> None:
    problems = _read_csv(book.folder / "problems.csv")
    assert list(problems[0]) == ["file", "line", "account_id", "severity", "reason"]
    assert [(p["line"], p["account_id"], p["severity"]) for p in problems] == [
        ("26", "90001", "error"),
        ("27", "90002", "error"),
    ]


def test_info_json_summarises(book: Book, built: Path) -> None:
    result = terrmap("info", built, "--json", cwd=book.folder)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["units"] == info["units"] | {"count": N_UNITS, "kind": "zcta"}
    assert info["accounts"]["count"] == 24
    assert info["accounts"]["numeric_columns"] == ["revenue", "visits"]
    assert [t["id"] for t in info["territories"]] == ["T1", "T2", "T3"]
    assert info["plans"] == [
        {"name": "Current", "active": True, "assigned_units": 10, "account_overrides": 0}
    ]


def test_report_export_edit_import_round_trip(book: Book, built: Path, tmp_path: Path) -> None:
    project = shutil.copy(built, tmp_path / "edit.terrmap.gpkg")
    alignment = {book.unit_ids[i]: t for i, t in ALIGNMENT.items()}

    result = terrmap("report", project, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _assert_report(json.loads(result.stdout), book.expected(alignment))

    result = terrmap("export-alignment", project, "out.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = _read_csv(tmp_path / "out.csv")
    assert list(rows[0]) == ["unit_id", "territory", "territory_name", "owner"]
    assert {r["unit_id"]: r["territory"] or None for r in rows} == {
        u: alignment.get(u) for u in book.unit_ids
    }
    assert rows[0] == {
        "unit_id": "02802",
        "territory": "T1",
        "territory_name": "North",
        "owner": "Ana",
    }

    # A RevOps edit: move one unit to T2, give an unassigned one to T3, unassign one.
    moves = {book.unit_ids[0]: "T2", book.unit_ids[10]: "T3", book.unit_ids[5]: None}
    for row in rows:
        if row["unit_id"] in moves:
            row["territory"] = moves[row["unit_id"]] or ""
    _write_csv(tmp_path / "in.csv", list(rows[0]), [list(r.values()) for r in rows])
    result = terrmap("import-alignment", project, "in.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 units changed territory" in result.stdout

    result = terrmap("report", project, "--json", cwd=tmp_path)
    _assert_report(json.loads(result.stdout), book.expected(alignment | moves))


def test_unknown_ids_reject_the_alignment(book: Book, built: Path, tmp_path: Path) -> None:
    project = shutil.copy(built, tmp_path / "keep.terrmap.gpkg")
    before = open_project(project).plan.codes.copy()
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id,territory\n02802,T2\n99999,T1\n02804,T7\n", encoding="utf-8")
    result = terrmap("import-alignment", project, bad, cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.csv, line 3: unknown unit id '99999'" in result.stderr
    assert "bad.csv, line 4: unit '02804': unknown territory 'T7'" in result.stderr
    assert "left unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert (open_project(project).plan.codes == before).all()


def test_errors_are_one_clear_line(book: Book, tmp_path: Path) -> None:
    result = terrmap("info", "missing.terrmap.gpkg", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("terrmap: error: cannot open missing.terrmap.gpkg")
    assert "Traceback" not in result.stderr

    custom = tmp_path / "custom.geojson"
    frame = gpd.GeoDataFrame(
        {"code": ["A", "B"], "label": ["a", "b"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    frame.to_file(custom, driver="GeoJSON")
    result = terrmap("new", "x", "--boundaries", custom, cwd=tmp_path)
    assert result.returncode == 2
    assert "terrmap: error:" in result.stderr
    assert "--id-field" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.terrmap.gpkg").exists()


def test_help_from_the_command_line(tmp_path: Path) -> None:
    result = terrmap("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("new", "info", "report", "export-alignment", "import-alignment", "sample"):
        assert command in result.stdout


# -- the argument layer, in-process -------------------------------------------
@pytest.mark.parametrize(
    "command", ["new", "info", "report", "export-alignment", "import-alignment", "sample"]
)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command, "--help"]) == 0
    assert f"usage: terrmap {command}" in capsys.readouterr().out


def test_no_help_text_shows_a_doubled_percent_sign(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse formats argument help with %, but not descriptions: "%%" there is printed
    as it stands (it was, in terrmap optimize's description)."""
    commands = cli._build_parser()._subparsers._group_actions[0].choices
    assert {"optimize", "route", "web", "print"} <= set(commands)
    for command in commands:
        assert cli.main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert "%%" not in text, command
        assert text.startswith(f"usage: terrmap {command}")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new", "p.terrmap.gpkg"]) == 2
    assert "--boundaries" in capsys.readouterr().err
    assert cli.main(["report"]) == 2


def test_unknown_metric(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(built), "--metric", "profit"]) == 2
    err = capsys.readouterr().err
    assert "terrmap: error: no metric named 'profit'" in err
    assert "revenue" in err


def test_report_text_and_csv(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "balance.csv"
    assert cli.main(["report", str(built), "--metric", "visits", "--csv", str(out_csv)]) == 0
    text = capsys.readouterr().out
    assert "DEV% visits" in text
    assert "(unassigned)" in text
    assert "Balance on visits" in text
    rows = _read_csv(out_csv)
    assert [r["territory_id"] for r in rows] == ["T1", "T2", "T3", ""]
    assert rows[0]["visits"] == "12.0"  # 4 units × (1 + 2) visits


def test_new_refuses_to_overwrite(
    book: Book, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["new", str(built), "--boundaries", str(book.boundaries)]
    assert cli.main(argv) == 2
    assert "already exists; use --force" in capsys.readouterr().err


def test_dry_run_changes_nothing(
    built: Path, book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    before = built.read_bytes()
    assert cli.main(["import-alignment", str(built), str(book.alignment_csv), "--dry-run"]) == 0
    assert "Dry run: 0 units would change" in capsys.readouterr().out
    assert built.read_bytes() == before


def test_no_command_starts_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str | None] = []
    fake = types.ModuleType("terrmap.ui.app")
    fake.run_app = lambda path: opened.append(path) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "terrmap.ui.app", fake)
    assert cli.main([]) == 0
    assert cli.main(["east.terrmap.gpkg"]) == 0
    assert opened == [None, "east.terrmap.gpkg"]


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(_path: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load", interrupted)
    monkeypatch.setattr("terrmap._cli_commands.load", interrupted)
    assert cli.main(["info", "any.terrmap.gpkg"]) == 130
    assert "interrupted" in capsys.readouterr().err
