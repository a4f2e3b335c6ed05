"""Long document jobs run by `terrmap.ui.workers`: open, build, import.

Each is a plain function ``job(..., progress, stop) -> LoadedDocument`` with no widget
state, so it can be tested without a window. Besides reading the files it prepares the
map's display geometry (`MapScene`), the slow part for large layers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from terrmap.errors import TerrmapError

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.io.accounts import ImportProblem
    from terrmap.render import MapScene

Progress = Callable[[float, str], object]
Stop = Callable[[], bool]


class Text:
    """User-visible strings of the jobs."""

    OPENING = "Opening {name}"
    SAMPLE = "Loading the sample"
    PREPARING_MAP = "Preparing the map"
    CANCELLED = "Cancelled."


@dataclass
class AccountReport:
    """What an account import placed and which rows it could not place or doubts."""

    problems: list[ImportProblem]
    placed: int
    source: str


@dataclass
class LoadedDocument:
    """A project ready to show, with where it lives and what to tell the user."""

    project: Project
    scene: MapScene
    path: Path | None = None  # None until saved (sample, new project)
    notes: list[str] = field(default_factory=list)
    modified: bool = False  # holds work that is in no file yet (built, imported)
    account_report: AccountReport | None = None  # after building or importing accounts


def open_project_job(path: str, *, progress: Progress, stop: Stop) -> LoadedDocument:
    """Open a ``*.terrmap.gpkg`` project file."""
    from terrmap.io.projectfile import open_project

    progress(0.0, Text.OPENING.format(name=Path(path).name))
    project = open_project(path)
    return _finish(project, Path(path), [], progress, stop)


def open_sample_job(*, progress: Progress, stop: Stop) -> LoadedDocument:
    """Load the bundled Northeast sample."""
    from terrmap.sample import load_sample_project

    progress(0.0, Text.SAMPLE)
    project = load_sample_project(lambda f, m: progress(0.7 * f, m))
    return _finish(project, None, [], progress, stop)


@dataclass(frozen=True)
class NewProjectRequest:
    """The files and fields chosen in the New Project dialog."""

    boundaries: str
    accounts: str | None = None
    reps: str | None = None
    id_field: str | None = None
    name_field: str | None = None


def new_project_job(
    request: NewProjectRequest, *, progress: Progress, stop: Stop
) -> LoadedDocument:
    """Build a project from boundary, account and rep files."""
    from terrmap.io.newproject import build_project

    built = build_project(
        request.boundaries,
        id_field=request.id_field,
        name_field=request.name_field,
        accounts=request.accounts,
        reps=request.reps,
        progress=lambda f, m: progress(0.7 * f, m),
        stop=stop,
    )
    document = _finish(built.project, None, list(built.warnings), progress, stop, modified=True)
    if request.accounts:
        source = Path(request.accounts).name
        document.account_report = AccountReport(built.problems, len(built.project.accounts), source)
    return document


def import_accounts_job(
    document: LoadedDocument, path: str, *, progress: Progress, stop: Stop
) -> LoadedDocument:
    """The same project with its accounts replaced by those read from ``path``."""
    from terrmap.core.layers import AccountLayer
    from terrmap.core.project import Project
    from terrmap.io.accounts import import_accounts

    old = document.project
    book = import_accounts(
        path, old.units.frame, progress=lambda f, m: progress(0.8 * f, m), stop=stop
    )
    accounts = AccountLayer(book.frame, old.units, book.source)
    plans = [plan.copy() for plan in old.plans]
    for plan in plans:
        plan.overrides.clear()  # overrides name accounts of the old book
    project = Project(old.units, accounts, old.territories, plans, old.context, old.metadata)
    project.switch_plan(old.active_plan_index)
    loaded = _finish(project, document.path, [], progress, stop, modified=True)
    loaded.account_report = AccountReport(book.problems, len(book.frame), book.source)
    return loaded


def _finish(
    project: Project,
    path: Path | None,
    notes: list[str],
    progress: Progress,
    stop: Stop,
    *,
    modified: bool = False,
) -> LoadedDocument:
    if stop():
        raise TerrmapError(Text.CANCELLED)
    from terrmap.render import MapScene

    progress(0.75, Text.PREPARING_MAP)
    scene = MapScene.build(project)
    # Borders of every level of detail now, off the GUI thread: otherwise the first frame
    # at each new zoom level stalls (0.3 s for US counties, seconds for a ZIP layer).
    scene.prepare_levels()
    # The balance gauges need pyqtgraph once the document is shown; importing it here,
    # off the GUI thread, keeps that second from freezing the window.
    import pyqtgraph  # noqa: F401

    progress(1.0, "")
    return LoadedDocument(project, scene, path, notes, modified)
