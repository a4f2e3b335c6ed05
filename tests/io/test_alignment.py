"""Alignment CSVs: written for CRMs, read back with every unusable row reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from terrmap.core import Project, Territory, UnitLayer
from terrmap.core.commands import assign_all_units
from terrmap.errors import InputError
from terrmap.io.alignment import ALIGNMENT_COLUMNS, read_alignment, write_alignment
from tests.grid import grid_units, make_grid_project


@pytest.fixture
def grid() -> Project:
    """The core tests' grid: columns 0–1 → T1 (Ana), column 2 → T2, column 3 unassigned."""
    return make_grid_project()


@pytest.fixture
def zip_project() -> Project:
    """Units with ZIP-like ids that start with zeros: 00501, 00502, ..."""
    frame = grid_units().frame.copy()
    frame.index = pd.Index([f"{i:05d}" for i in range(501, 501 + len(frame))], name="unit_id")
    return Project(UnitLayer(frame), territories=[Territory("T1", "West", owner="Ana")])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_write_alignment_lists_every_unit(grid: Project, tmp_path: Path) -> None:
    out = tmp_path / "alignment.csv"
    write_alignment(grid, out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ALIGNMENT_COLUMNS
    by_unit = {row[0]: row[1:] for row in rows[1:]}
    assert len(by_unit) == len(grid.units)
    assert by_unit["r0c0"] == ["T1", "West", "Ana"]
    assert by_unit["r0c3"] == ["", "", ""]  # unassigned


def test_round_trip_reproduces_the_plan(grid: Project, tmp_path: Path) -> None:
    out = tmp_path / "alignment.csv"
    write_alignment(grid, out)
    aligned = read_alignment(out, grid)
    assert aligned.problems == []
    assert aligned.rows == len(grid.units)
    expected = dict(zip(grid.units.ids, grid.territory_of_units(), strict=True))
    assert aligned.mapping == expected


def test_ids_keep_leading_zeros(zip_project: Project, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "unit_id,territory\n00501,T1\n502,T1\n")
    aligned = read_alignment(path, zip_project)
    assert aligned.mapping == {"00501": "T1"}
    assert aligned.problems == [
        "line 3: unknown unit id '502' (did a spreadsheet drop leading zeros? '00502' exists)"
    ]


def test_unknown_ids_are_reported_with_lines(grid: Project, tmp_path: Path) -> None:
    text = (
        "unit_id,territory,owner\n"
        "r0c0,T2,Ben\n"
        "zz9,T1,\n"
        "r0c1,T9,\n"
        "r0c2,west,\n"
        ",T1,\n"
        "r0c0,T3,\n"
        "r0c0,T2,\n"
        "r1c3,,\n"
    )
    aligned = read_alignment(_write(tmp_path / "a.csv", text), grid)
    assert aligned.mapping == {"r0c0": "T2", "r1c3": None}
    assert aligned.problems == [
        "line 3: unknown unit id 'zz9'",
        "line 4: unit 'r0c1': unknown territory 'T9'",
        "line 5: unit 'r0c2': unknown territory 'west' (that is the name of 'T1'; use the id)",
        "line 6: empty unit_id",
        "line 7: unit 'r0c0' is listed again with another territory "
        "(first on line 2, which is kept)",
    ]
    assert aligned.rows == 8


def test_semicolons_and_bom_are_accepted(grid: Project, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("\ufeffUnit_ID;Territory\nr0c0;T3\n", encoding="utf-8")
    assert read_alignment(path, grid).mapping == {"r0c0": "T3"}


def test_missing_column_is_an_input_error(grid: Project, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "unit,territory\nr0c0,T1\n")
    with pytest.raises(InputError, match=r"a\.csv, line 1: missing column\(s\) unit_id"):
        read_alignment(path, grid)


def test_missing_file_is_an_input_error(grid: Project, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: cannot read"):
        read_alignment(tmp_path / "nope.csv", grid)


def test_mapping_applies_as_one_edit(grid: Project, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "unit_id,territory\nr0c3,T3\nr0c0,\n")
    aligned = read_alignment(path, grid)
    before = grid.territory_of_units()
    undo = assign_all_units(grid, aligned.mapping, "Import").apply(grid)
    now = dict(zip(grid.units.ids, grid.territory_of_units(), strict=True))
    assert now["r0c3"] == "T3"
    assert now["r0c0"] is None
    undo.apply(grid)
    assert grid.territory_of_units() == before
