"""Build a new project from the user's files: boundaries, accounts, reps, alignment.

This is the shared work of ``terrmap new`` and the app's "New project" dialog, so
both read the same files the same way and report the same problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from terrmap.core.commands import assign_all_units
from terrmap.core.layers import AccountLayer, UnitLayer
from terrmap.core.project import Project
from terrmap.errors import TerrmapError
from terrmap.io.accounts import ImportProblem, import_accounts
from terrmap.io.alignment import read_alignment
from terrmap.io.boundaries import BoundaryImport, read_boundaries
from terrmap.io.reps import read_reps

__all__ = ["NewProject", "build_project"]

Progress = Callable[[float, str], object]
Stop = Callable[[], bool]

# Relative cost of each step, so the progress bar moves evenly: reading and joining
# accounts dominates, reading boundaries comes next, the CSVs are instant.
_WEIGHTS = {"boundaries": 3.0, "accounts": 6.0, "reps": 0.2, "alignment": 0.5}


@dataclass
class NewProject:
    """A freshly built project and what the import had to say about the files.

    Attributes
    ----------
    project
        The new document (one unassigned plan "Current" unless an alignment was given).
    problems
        Account rows not placed (``error``) or placed but suspect (``warning``).
    warnings
        Notes about the boundaries (assumed CRS, repairs) and unusable alignment rows.
    """

    project: Project
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_project(
    boundaries: str | Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    accounts: str | Path | None = None,
    reps: str | Path | None = None,
    alignment: str | Path | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> NewProject:
    """Read the given files and assemble a project.

    Parameters
    ----------
    boundaries
        Polygon layer of the units (Shapefile, zip, GeoPackage, GeoJSON, GeoParquet).
    id_field, name_field
        Unit id and name fields; needed only when the layer is not a Census ZCTA or
        county layer.
    accounts
        Account book (CSV or XLSX), joined to the units.
    reps
        Reps CSV (``id,name`` and optional ``home_lat,home_lon,color,target,parent``).
    alignment
        CSV ``unit_id,territory`` assigning units to the reps' territories.
    progress
        Called as ``progress(fraction, message)`` with a fraction from 0 to 1.
    stop
        Polled between steps; when it returns True the build is cancelled.

    Returns
    -------
    NewProject
        The project, the account problems and the warnings.

    Raises
    ------
    FieldChoiceNeeded
        The boundary layer is not recognised and ``id_field`` was not given.
    TerrmapError
        A file cannot be read, or the build was cancelled.
    """
    steps = _Steps(progress, stop, accounts is not None, reps is not None, alignment is not None)
    steps.start("boundaries", f"Reading {Path(boundaries).name}")
    imported = read_boundaries(boundaries, id_field=id_field, name_field=name_field)
    units = UnitLayer(imported.frame, imported.kind, Path(boundaries).name)
    warnings = list(imported.warnings)
    account_layer, problems = None, []
    if accounts is not None:
        steps.start("accounts", f"Reading {Path(accounts).name}")
        book = import_accounts(accounts, units.frame, progress=steps.sub("accounts"), stop=stop)
        account_layer, problems = AccountLayer(book.frame, units, book.source), book.problems
    territories = []
    if reps is not None:
        steps.start("reps", f"Reading {Path(reps).name}")
        territories = read_reps(reps)
    project = Project(units, account_layer, territories, metadata=_provenance(imported))
    if alignment is not None:
        steps.start("alignment", f"Reading {Path(alignment).name}")
        warnings += _apply_alignment(project, Path(alignment))
    steps.finish()
    return NewProject(project, list(problems), warnings)


def _apply_alignment(project: Project, path: Path) -> list[str]:
    aligned = read_alignment(path, project)
    assign_all_units(project, aligned.mapping, "Import alignment").apply(project)
    return [f"{path.name}, {problem}" for problem in aligned.problems]


def _provenance(imported: BoundaryImport) -> dict[str, str]:
    notes = {"id_field": imported.id_field}
    if imported.name_field:
        notes["name_field"] = imported.name_field
    return notes


class _Steps:
    """Maps each step onto its share of the 0–1 progress range and checks for cancel."""

    def __init__(
        self,
        progress: Progress | None,
        stop: Stop | None,
        accounts: bool,
        reps: bool,
        alignment: bool,
    ) -> None:
        present = {"boundaries": True, "accounts": accounts, "reps": reps, "alignment": alignment}
        total = sum(_WEIGHTS[name] for name, used in present.items() if used)
        self._range: dict[str, tuple[float, float]] = {}
        start = 0.0
        for name, used in present.items():
            if used:
                width = _WEIGHTS[name] / total
                self._range[name] = (start, start + width)
                start += width
        self._progress = progress
        self._stop = stop

    def start(self, name: str, message: str) -> None:
        self._check_stop()
        self._report(self._range[name][0], message)

    def sub(self, name: str) -> Progress:
        low, high = self._range[name]
        return lambda fraction, message: self._report(low + (high - low) * fraction, message)

    def finish(self) -> None:
        self._report(1.0, "Done")

    def _report(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(min(max(fraction, 0.0), 1.0), message)

    def _check_stop(self) -> None:
        if self._stop is not None and self._stop():
            raise TerrmapError("Cancelled")
