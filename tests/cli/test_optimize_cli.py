"""``terrmap optimize`` end to end: on the sample project and on real boundary files.

Real optimiser runs on small instances (the Northeast sample's 217 counties, Rhode
Island's 77 ZCTAs, Vermont's 14 counties) with short time limits; the written PLAN.csv
is checked against the units of the input, and round-trips through
``terrmap import-alignment``.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from terrmap import _cli_optimize, cli
from terrmap._cli_optimize import keep_existing_labels, new_territory_ids, write_plan_csv
from terrmap.io.projectfile import open_project
from terrmap.optimize import (
    Adjacency,
    OptimiseParams,
    OptimiseProblem,
    evaluate_plan,
)
from terrmap.resources import resource_path
from tests.cli.run import run_cli

ROOT = Path(__file__).resolve().parents[2]
RI_ZCTA = ROOT.parent / "shared" / "data" / "zcta" / "ri_zcta2010.geojson"
SAMPLE_IDS = [f"T{i:02d}" for i in range(1, 13)]
FAST = ["--time-limit", "3"]
# Every option --units needs, so the test can add one that does not fit.
UNITS_OK = ["--units", "u.gpkg", "--id-field", "F", "--weight", "W", "--territories", "2"]
UNITS_OK += ["--out", "p.csv"]


def _plan(path: Path) -> dict[str, str]:
    """PLAN.csv as unit id → territory, checking the header and that no unit repeats."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["unit_id", "territory"]
    units = [r[0] for r in rows[1:]]
    assert len(units) == len(set(units)), "a unit is listed twice"
    return {unit: territory for unit, territory in rows[1:]}


@pytest.fixture(scope="module")
def ri_zcta() -> Path:
    if not RI_ZCTA.exists():
        pytest.skip(f"shared test data missing: {RI_ZCTA}")
    return RI_ZCTA


@pytest.fixture(scope="module")
def vermont() -> gpd.GeoDataFrame:
    """Vermont's 14 counties with two small numeric columns."""
    counties = gpd.read_parquet(resource_path("boundaries", "us_counties.parquet"))
    vt = counties[counties["STATEFP"] == "50"].reset_index(drop=True)
    vt["accts"] = range(10, 10 + len(vt))
    return vt[["GEOID", "NAME", "ALAND", "accts", "geometry"]]


# -- a project -----------------------------------------------------------------
def test_project_plan_has_every_unit_once(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "plan.csv"
    status, out, err = run_cli(capsys, "optimize", sample, *FAST, "--out", out_csv)
    assert status == 0, err
    plan = _plan(out_csv)
    project = open_project(sample)
    assert sorted(plan) == sorted(project.units.ids)
    assert sorted(set(plan.values())) == SAMPLE_IDS
    header = out.splitlines()[0].split()
    assert header == ["ID", "NAME", "UNITS", "accounts", "TARGET", "DEV%", "CONTIGUOUS"]
    for territory in project.territories:
        assert f"{territory.id}  {territory.name}" in out
    assert "Contiguity: " in out
    assert "Islands attached to their nearest unit: Dukes, MA (25007)" in out  # Martha's Vineyard
    assert "Compactness: " in out
    assert "units change territory" in out  # against the sample's plan
    assert "Tolerance ±2 %: " in out
    assert f"Wrote {out_csv}: 217 units in 12 territories" in out
    assert "Traceback" not in err
    assert not [p for p in tmp_path.iterdir() if p.name != "plan.csv"], "temporary file left"


def test_a_carve_at_the_homes_keeps_each_reps_home_county(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "plan.csv"
    status, _, err = run_cli(capsys, "optimize", sample, "--at-homes", *FAST, "--out", out_csv)
    assert status == 0, err
    plan = _plan(out_csv)
    project = open_project(sample)
    units = project.units.frame
    for territory in project.territories:
        home = shapely.Point(*territory.home)
        county = units.index[units.geometry.intersects(home)][0]
        assert plan[county] == territory.id, territory.name


def test_plan_round_trips_through_import_alignment(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project_file = Path(shutil.copy(sample, tmp_path / "copy.terrmap.gpkg"))
    out_csv = tmp_path / "plan.csv"
    argv = ["optimize", project_file, *FAST, "--metric", "accounts", "annual_revenue"]
    status, out, err = run_cli(capsys, *argv, "--out", out_csv)
    assert status == 0, err
    assert "annual_revenue" in out.splitlines()[0]

    status, out, err = run_cli(capsys, "import-alignment", project_file, out_csv)
    assert status == 0, err
    saved = open_project(project_file)
    assert dict(zip(saved.units.ids, saved.territory_of_units(), strict=True)) == _plan(out_csv)


def test_more_territories_get_new_ids_and_a_save_hint(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(capsys, "optimize", sample, *FAST, "--territories", "14")
    assert status == 0, err
    assert "T13  (new)" in out
    assert "T14  (new)" in out
    assert "New territories T13, T14: the project does not have them yet" in out
    assert "Not saved. Write the plan with --out PLAN.csv" in out
    assert f"terrmap import-alignment {sample} PLAN.csv" in out


def test_fewer_territories_keep_project_ids(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "plan.csv"
    argv = ["optimize", sample, *FAST, "--territories", "10", "--out", out_csv]
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    used = set(_plan(out_csv).values())
    assert len(used) == 10
    assert used < set(SAMPLE_IDS)
    left = sorted(set(SAMPLE_IDS) - used)
    assert f"Territories left without units: {', '.join(left)}" in out


def test_rebalance_reports_what_moved(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "plan.csv"
    argv = ["optimize", sample, *FAST, "--mode", "rebalance", "--max-moved", "15"]
    status, out, err = run_cli(capsys, *argv, "--out", out_csv)
    assert status == 0, err
    moved_line = next(line for line in out.splitlines() if line.startswith("Moved: "))
    share = float(moved_line.split("(")[1].split("%")[0])
    assert share <= 15.0 + 1e-6
    before = open_project(sample)
    current = dict(zip(before.units.ids, before.territory_of_units(), strict=True))
    plan = _plan(out_csv)
    moved = sum(plan[unit] != current[unit] for unit in plan)
    assert moved_line.startswith(f"Moved: {moved:,} units change territory")


def test_ctrl_c_keeps_the_best_plan(
    sample: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search's first progress report presses Ctrl-C: the run ends early but still
    delivers."""
    monkeypatch.setattr(_cli_optimize, "progress_printer", _press_ctrl_c_once(searching=True))
    handler = signal.getsignal(signal.SIGINT)
    out_csv = tmp_path / "plan.csv"
    started = time.perf_counter()
    argv = ["optimize", sample, "--time-limit", "60", "--out", out_csv]
    status, out, err = run_cli(capsys, *argv)
    assert time.perf_counter() - started < 30
    assert status == cli.EXIT_INTERRUPTED
    assert "Stopping with the best plan so far" in err
    assert "Stopped with Ctrl-C after" in out
    assert len(_plan(out_csv)) == 217
    assert signal.getsignal(signal.SIGINT) is handler  # Ctrl-C means Ctrl-C again


def _press_ctrl_c_once(*, searching: bool) -> object:
    """A `progress_printer` stand-in whose first report of the search (or of finding
    the units' neighbours, before it) sends this process SIGINT, as Ctrl-C does."""
    pressed: list[bool] = []

    def printer() -> object:
        def progress(_fraction: float, message: str) -> None:
            finding = message == "Finding which units share a boundary"
            if not pressed and finding != searching:
                pressed.append(True)
                os.kill(os.getpid(), signal.SIGINT)

        return progress

    return printer


def test_ctrl_c_while_finding_neighbours_stops_without_a_plan(
    ri_zcta: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before the search there is no plan to keep: Ctrl-C ends the run, writing nothing."""
    monkeypatch.setattr(_cli_optimize, "progress_printer", _press_ctrl_c_once(searching=False))
    out_csv = tmp_path / "ri.csv"
    argv = ["optimize", "--units", ri_zcta, "--id-field", "ZCTA5CE10", "--weight", "ALAND10"]
    status, out, err = run_cli(capsys, *argv, "--territories", "4", *FAST, "--out", out_csv)
    assert status == cli.EXIT_INTERRUPTED
    assert "interrupted" in err
    assert not out_csv.exists()
    assert out == ""


# -- a plain boundary file ---------------------------------------------------------
def test_units_file_plan(ri_zcta: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_csv = tmp_path / "ri.csv"
    argv = ["optimize", "--units", ri_zcta, "--id-field", "ZCTA5CE10", "--weight", "ALAND10"]
    status, out, err = run_cli(capsys, *argv, "--territories", "4", *FAST, "--out", out_csv)
    assert status == 0, err
    plan = _plan(out_csv)
    zcta = gpd.read_file(ri_zcta)
    assert sorted(plan) == sorted(zcta["ZCTA5CE10"])
    assert all(unit.startswith("02") for unit in plan)  # leading zeros kept
    assert sorted(set(plan.values())) == ["T01", "T02", "T03", "T04"]
    assert out.splitlines()[0].split() == ["ID", "UNITS", "ALAND10", "TARGET", "DEV%", "CONTIGUOUS"]
    assert "Contiguity: " in out
    assert "Islands attached to their nearest unit: " in out  # Block Island, Prudence...
    assert "(ALAND10-weighted mean distance to the territory centre)" in out


def test_same_seed_same_plan(ri_zcta: Path, tmp_path: Path) -> None:
    argv = ["optimize", "--units", str(ri_zcta), "--id-field", "ZCTA5CE10", "--weight", "ALAND10"]
    argv += ["--territories", "3", "--seed", "7", *FAST]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli.main([*argv, "--out", str(first)]) == 0
    assert cli.main([*argv, "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(("name", "driver"), [("vt.shp", "ESRI Shapefile"), ("vt.gpkg", "GPKG")])
def test_units_shapefile_and_geopackage_two_weights(
    vermont: gpd.GeoDataFrame,
    tmp_path: Path,
    name: str,
    driver: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    boundaries = tmp_path / name
    vermont.to_file(boundaries, driver=driver)
    out_csv = tmp_path / "plan.csv"
    argv = ["optimize", "--units", boundaries, "--id-field", "GEOID", "--territories", "3"]
    argv += ["--weight", "aland", "--weight", "accts", "--tolerance", "10", *FAST]
    status, out, err = run_cli(capsys, *argv, "--out", out_csv)
    assert status == 0, err
    plan = _plan(out_csv)
    assert sorted(plan) == sorted(vermont["GEOID"])
    assert sorted(set(plan.values())) == ["T01", "T02", "T03"]
    assert "ALAND" in out.splitlines()[0]  # matched case-insensitively
    assert "accts" in out.splitlines()[0]


def _vermont_by_land(capsys, vermont, tmp_path: Path, tolerance: str, seconds: str):
    """``terrmap optimize`` of Vermont's counties into 5 territories by land area."""
    boundaries = tmp_path / "vt.gpkg"
    vermont.to_file(boundaries, driver="GPKG")
    argv = ["optimize", "--units", boundaries, "--id-field", "GEOID", "--weight", "ALAND"]
    argv += ["--territories", "5", "--tolerance", tolerance, "--time-limit", seconds]
    return run_cli(capsys, *argv, "--out", tmp_path / "plan.csv")


def test_tolerance_not_met_is_a_warning(
    vermont: gpd.GeoDataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import terrmap.optimize.settle

    # Without the exhaustive search nothing is known to force the deviation.
    monkeypatch.setattr(terrmap.optimize.settle, "MAX_STEPS", 0)
    status, out, err = _vermont_by_land(capsys, vermont, tmp_path, "0.001", "1")
    assert status == 0
    assert "Tolerance ±0.001 %: NOT met" in out
    assert "terrmap: warning: tolerance ±0.001 % not met: ALAND deviates up to" in err


def test_a_bound_contiguity_forces_is_printed(
    vermont: gpd.GeoDataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Vermont's 14 counties into 5 by land area: an exhaustive search shows that no
    contiguous plan comes within 12.9 %, and the plan found is judged against that."""
    status, out, err = _vermont_by_land(capsys, vermont, tmp_path, "2", "2")
    assert status == 0
    assert "Forced bound: on ALAND, contiguity forces a deviation of at least 12.9 %" in out
    assert "Tolerance ±2 %: met (largest deviation ALAND 12.9 %)" in out
    assert "no such plan keeps every territory within ±2 %; at least 12.9 % is needed" in out
    assert "warning" not in err


def test_from_the_command_line(ri_zcta: Path, tmp_path: Path) -> None:
    """One real process: the script entry point, stdout/stderr and the exit status."""
    argv = ["--units", ri_zcta, "--id-field", "ZCTA5CE10", "--weight", "ALAND10"]
    into_plan = ["--territories", "2", "--time-limit", "2", "--out", "plan.csv"]
    result = subprocess.run(
        [sys.executable, "-m", "terrmap", "optimize", *map(str, argv), *into_plan],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote plan.csv: 77 units in 2 territories" in result.stdout
    assert "%" not in result.stderr.replace("±", "")  # no progress line off a terminal


# -- errors ------------------------------------------------------------------------
def test_unknown_weight_column_names_file_and_columns(
    ri_zcta: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["optimize", "--units", ri_zcta, "--id-field", "ZCTA5CE10", "--weight", "sales"]
    status, _, err = run_cli(capsys, *argv, "--territories", "3", "--out", tmp_path / "p.csv")
    assert status == 2
    assert err.startswith(
        "terrmap: error: ri_zcta2010.geojson: no column 'sales' for --weight "
        "(numeric columns: ALAND10, AWATER10)"
    )
    assert not (tmp_path / "p.csv").exists()


def test_bad_values_name_file_column_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boundaries = tmp_path / "squares.gpkg"
    gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "label": ["x", "y", "z"], "amount": [1.0, -2.0, 3.0]},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
        crs="EPSG:4326",
    ).to_file(boundaries, driver="GPKG")
    argv = ["optimize", "--units", boundaries, "--id-field", "code", "--territories", "2"]
    argv += ["--out", tmp_path / "p.csv"]

    status, _, err = run_cli(capsys, *argv, "--weight", "label")
    assert status == 2
    assert "squares.gpkg: column 'label' is not numeric: row 1 (id A)" in err

    status, _, err = run_cli(capsys, *argv, "--weight", "amount")
    assert status == 2
    assert "squares.gpkg: column 'amount' must hold numbers ≥ 0: row 2 (id B)" in err
    assert "Traceback" not in err


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--id-field", "ID", "--weight", "W", "--territories", "2", "--out", tmp_path / "p.csv"]
    status, _, err = run_cli(capsys, "optimize", "--units", tmp_path / "missing.gpkg", *argv)
    assert status == 2
    assert "missing.gpkg" in err

    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("this is not GeoJSON", encoding="utf-8")
    status, _, err = run_cli(capsys, "optimize", "--units", garbage, *argv)
    assert status == 2
    assert "garbage.geojson" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--units", "u.gpkg", "--weight", "W"], "--units FILE also needs --id-field F, "),
        (["--units", "u.gpkg"], "needs --id-field F, --weight COL, --territories K and --out"),
        ([], "give a PROJECT file, or a boundary file with --units FILE"),
        (["p.terrmap.gpkg", "--units", "u.gpkg"], "either a PROJECT or --units FILE, not both"),
        (["p.terrmap.gpkg", "--weight", "W"], "--weight go with --units FILE"),
        (["p.terrmap.gpkg", "--max-moved", "5"], "--max-moved applies to --mode rebalance"),
        (["p.terrmap.gpkg", "--mode", "rebalance", "--at-homes"], "--at-homes carves a PROJECT"),
        ([*UNITS_OK, "--at-homes"], "--at-homes carves a PROJECT"),
        (["p.terrmap.gpkg", "--territories", "0"], "--territories must be at least 1"),
        (["p.terrmap.gpkg", "--metric", "a", "b", "c", "d"], "at most 3 metrics"),
        (["p.terrmap.gpkg", "--out", "no/such/dir/p.csv"], "the folder does not exist"),
        (
            [*UNITS_OK, "--mode", "rebalance"],
            "--mode rebalance needs a PROJECT",
        ),
        (
            [*UNITS_OK, "--metric", "accounts"],
            "with --units use --weight COL",
        ),
    ],
)
def test_option_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys, "optimize", *argv)
    assert status == 2
    assert err.startswith("terrmap: error: ")
    assert message in err


def test_unknown_metric_lists_the_metrics(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys, "optimize", sample, "--metric", "profit")
    assert status == 2
    assert "ne.terrmap.gpkg has no metric named 'profit'; choose from units, accounts" in err
    assert "annual_revenue" in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["optimize", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: terrmap optimize")
    for option in ("--units", "--weight", "--metric", "--max-moved", "--seed", "--out"):
        assert option in text


# -- helpers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("existing", "count", "expected"),
    [
        (SAMPLE_IDS, 2, ["T13", "T14"]),
        (["T1", "T2"], 1, ["T3"]),
        (["R-007", "R-010"], 2, ["R-011", "R-012"]),
        (["North", "South"], 2, ["T01", "T02"]),
        ([], 3, ["T01", "T02", "T03"]),
        (["T02", "East"], 2, ["T01", "T03"]),
    ],
)
def test_new_territory_ids(existing: list[str], count: int, expected: list[str]) -> None:
    assert new_territory_ids(existing, count) == expected


def test_write_plan_csv_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    target.write_text("old", encoding="utf-8")
    write_plan_csv(target, ["02801", "02802"], ["T01", "T02"])
    assert target.read_bytes() == b"unit_id,territory\r\n02801,T01\r\n02802,T02\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def _row_problem(current: list[int], shares: list[float] | None = None) -> OptimiseProblem:
    """Units in a row, owned by territories A and B as ``current`` says."""
    n = len(current)
    neighbours = [[j for j in (i - 1, i + 1) if 0 <= j < n] for i in range(n)]
    return OptimiseProblem(
        unit_ids=np.array([f"u{i}" for i in range(n)]),
        xy_km=np.column_stack([np.arange(n, dtype=float), np.zeros(n)]),
        weights=np.ones(n),
        metric_names=("units",),
        adjacency=Adjacency(
            indptr=np.cumsum([0, *map(len, neighbours)]),
            indices=[j for row in neighbours for j in row],
        ),
        activity=np.ones(n),
        current=np.array(current),
        territory_ids=("A", "B"),
        target_shares=None if shares is None else np.array(shares),
    )


def _relabel(problem: OptimiseProblem, codes: list[int], k: int) -> tuple[list[int], list[int]]:
    params = OptimiseParams(territories=k)
    carved = evaluate_plan(problem, np.array(codes), params)
    kept, columns = keep_existing_labels(problem, params, carved)
    assert kept.moved_units <= carved.moved_units
    return kept.codes.tolist(), columns.tolist()


def test_carved_territories_keep_the_labels_they_overlap() -> None:
    assert _relabel(_row_problem([0, 0, 1, 1]), [1, 1, 0, 0], 2) == ([0, 0, 1, 1], [0, 1])


def test_labels_only_swap_between_equal_targets() -> None:
    problem = _row_problem([0, 0, 1, 1], shares=[1.0, 0.5])
    assert _relabel(problem, [1, 1, 0, 0], 2) == ([1, 1, 0, 0], [0, 1])


def test_fewer_territories_keep_the_best_overlapping_ids() -> None:
    assert _relabel(_row_problem([0, 1, 1, 1]), [0, 0, 0, 0], 1) == ([0, 0, 0, 0], [1])


def test_more_territories_put_the_new_ids_where_least_overlaps() -> None:
    codes, columns = _relabel(_row_problem([0, 0, 1, 1, 1]), [2, 2, 1, 1, 0], 3)
    assert (codes, columns) == ([0, 0, 1, 1, 2], [0, 1, 2])
