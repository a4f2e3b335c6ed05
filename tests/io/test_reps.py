"""Rep rosters: territories read from CSV with line-numbered errors, and written back."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrmap.core import Territory
from terrmap.errors import InputError
from terrmap.io.reps import read_reps, write_reps


def _csv(tmp_path: Path, text: str, name: str = "reps.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_good_file(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "id,name,home_lat,home_lon,color,target,parent\n"
        "T01,Ana Silva,41.82,-71.41,#4477aa,2,East\n"
        "T02,Ben Okafor,,,,,\n",
    )
    first, second = read_reps(path)
    assert first == Territory(
        "T01",
        "Ana Silva",
        owner="Ana Silva",
        color="#4477AA",
        home=(-71.41, 41.82),
        target=2.0,
        parent="East",
    )
    assert (second.id, second.owner, second.home, second.target, second.parent) == (
        "T02",
        "Ben Okafor",
        None,
        None,
        None,
    )
    assert second.color.startswith("#")


def test_owner_column_allows_vacant_territories(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,name,owner\nT1,North,Ana\nT2,South,\n")
    north, south = read_reps(path)
    assert (north.name, north.owner) == ("North", "Ana")
    assert south.vacant


def test_missing_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,rep\nT1,Ana\n")
    with pytest.raises(InputError, match=r"reps\.csv, line 1: missing column\(s\) name"):
        read_reps(path)


def test_bad_colour_names_the_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,name,color\nT1,Ana,#4477AA\nT2,Ben,blue\n")
    with pytest.raises(InputError, match=r"reps\.csv, line 3: colour 'blue'"):
        read_reps(path)


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,name\nT1,Ana\nT2,Ben\nT1,Cy\n")
    with pytest.raises(InputError, match=r"line 4: duplicate id 'T1' \(first on line 2\)"):
        read_reps(path)


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    territories = [
        Territory("T1", "Providence", owner="Ana", color="#4477AA", home=(-71.41, 41.82)),
        Territory("T2", "Newport", owner="", color="#EE6677", target=1.5, parent="South"),
    ]
    path = tmp_path / "out.csv"
    write_reps(territories, path)
    assert read_reps(path) == territories
