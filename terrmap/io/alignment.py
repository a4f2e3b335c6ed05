"""Alignment files: which territory each unit belongs to, as CRMs import and export them.

``write_alignment`` writes ``unit_id,territory,territory_name,owner`` for every unit of
the active plan; ``read_alignment`` reads such a file back (only ``unit_id`` and
``territory`` are required) and lists every row it cannot use, with its line number.
The caller applies the mapping as one edit with
`terrmap.core.commands.assign_all_units`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from terrmap.core.project import Project
from terrmap.errors import InputError

__all__ = ["ALIGNMENT_COLUMNS", "AlignmentImport", "read_alignment", "write_alignment"]

ALIGNMENT_COLUMNS = ("unit_id", "territory", "territory_name", "owner")
_REQUIRED = ("unit_id", "territory")


@dataclass
class AlignmentImport:
    """What an alignment file asks for, and the rows that could not be used.

    Attributes
    ----------
    mapping
        Unit id → territory id (``None``: the file leaves the unit unassigned). Only
        rows whose unit and territory both exist are here.
    problems
        One sentence per unusable row, starting with its line number (header = line 1).
    rows
        Data rows read.
    """

    mapping: dict[str, str | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rows: int = 0


def write_alignment(project: Project, out_csv: str | Path) -> None:
    """Write the active plan as ``unit_id,territory,territory_name,owner`` (UTF-8).

    Parameters
    ----------
    project
        The project whose active plan is written, one row per unit in layer order.
    out_csv
        The file to create. Unassigned units have an empty ``territory``.
    """
    territories = project.territories
    with Path(out_csv).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ALIGNMENT_COLUMNS)
        for unit_id, code in zip(project.units.ids, project.plan.codes, strict=True):
            if code < 0:
                writer.writerow([unit_id, "", "", ""])
            else:
                t = territories[code]
                writer.writerow([unit_id, t.id, t.name, t.owner])


def read_alignment(path: str | Path, project: Project) -> AlignmentImport:
    """Read an alignment CSV and check it against ``project``.

    Parameters
    ----------
    path
        CSV (comma, semicolon or tab separated) with at least ``unit_id`` and
        ``territory`` columns; other columns are ignored. Ids are read as text, so
        leading zeros are kept. An empty ``territory`` means "unassigned".
    project
        The project whose units and territories the ids must name.

    Returns
    -------
    AlignmentImport
        The usable rows as a mapping, and a problem for every other row (unknown unit,
        unknown territory, empty unit id, a unit listed twice with different territories).

    Raises
    ------
    InputError
        The file cannot be read or lacks a required column.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _read_rows(handle, path, project)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"cannot read the alignment file: {error}", file=path) from None


def _read_rows(handle: TextIO, path: Path, project: Project) -> AlignmentImport:
    sample = handle.read(4096)
    handle.seek(0)
    reader = csv.reader(handle, dialect=_dialect(sample))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=path, line=1)
    unit_col, territory_col = header.index("unit_id"), header.index("territory")
    checker = _RowChecker(project)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        unit_id = row[unit_col].strip() if unit_col < len(row) else ""
        territory = row[territory_col].strip() if territory_col < len(row) else ""
        checker.check(reader.line_num, unit_id, territory or None)
    return checker.result


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample.partition("\n")[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


class _RowChecker:
    """Accumulates usable rows and problems, remembering where each unit was first seen."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.unit_ids = set(project.units.ids)
        self.names = {t.name.casefold(): t.id for t in project.territories}
        self.first_line: dict[str, int] = {}
        self.result = AlignmentImport()

    def check(self, line: int, unit_id: str, territory: str | None) -> None:
        self.result.rows += 1
        problem = self._problem(line, unit_id, territory)
        if problem:
            self.result.problems.append(f"line {line}: {problem}")
            return
        self.first_line[unit_id] = line
        self.result.mapping[unit_id] = territory

    def _problem(self, line: int, unit_id: str, territory: str | None) -> str | None:
        if not unit_id:
            return "empty unit_id"
        if unit_id not in self.unit_ids:
            return f"unknown unit id {unit_id!r}{self._zero_hint(unit_id)}"
        if territory is not None and not self.project.has_territory(territory):
            return f"unit {unit_id!r}: unknown territory {territory!r}{self._name_hint(territory)}"
        if unit_id in self.first_line and self.result.mapping[unit_id] != territory:
            first = self.first_line[unit_id]
            return (
                f"unit {unit_id!r} is listed again with another territory "
                f"(first on line {first}, which is kept)"
            )
        return None

    def _zero_hint(self, unit_id: str) -> str:
        # Spreadsheets turn ZIP 02818 into 2818; say so rather than just "unknown".
        if unit_id.isdigit():
            for width in (2, 5, 11):
                padded = unit_id.zfill(width)
                if padded != unit_id and padded in self.unit_ids:
                    return f" (did a spreadsheet drop leading zeros? {padded!r} exists)"
        return ""

    def _name_hint(self, territory: str) -> str:
        territory_id = self.names.get(territory.casefold())
        return f" (that is the name of {territory_id!r}; use the id)" if territory_id else ""
