"""Long write jobs run by `terrmap.ui.workers`: save the project, export the alignment.

Like the loading jobs, each is a plain function ``job(..., progress, stop) -> Path``
with no widget state. Neither can stop half-way: `save_project` offers no stop hook
and the file must be either complete or untouched, so ``stop`` is only checked before
writing starts and the window offers no Cancel for these jobs. The window keeps the
document unchanged while they run (its file and edit actions are disabled).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from terrmap.errors import TerrmapError
from terrmap.ui.loading import Progress, Stop

if TYPE_CHECKING:
    from terrmap.core.project import Project


class Text:
    """User-visible strings of the write jobs."""

    SAVING = "Saving {name}…"
    EXPORTING = "Writing the alignment to {name}…"
    CANCELLED = "Cancelled before anything was written."
    EXPORT_ERROR = "cannot write {name}: {reason}"


def save_project_job(project: Project, path: Path, *, progress: Progress, stop: Stop) -> Path:
    """Write ``project`` to ``path`` atomically; return the path written."""
    from terrmap.io.projectfile import save_project

    _check_not_stopped(stop)
    progress(0.0, Text.SAVING.format(name=path.name))
    save_project(project, path)
    progress(1.0, "")
    return path


def export_alignment_job(project: Project, path: Path, *, progress: Progress, stop: Stop) -> Path:
    """Write the active plan's alignment CSV to ``path``; return the path written.

    The CSV goes to a temporary file first and replaces ``path`` only when complete, so
    a failure (disk full, no permission) never leaves a truncated alignment behind.
    """
    from terrmap.io.alignment import write_alignment

    _check_not_stopped(stop)
    progress(0.0, Text.EXPORTING.format(name=path.name))
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write_alignment(project, temp)
        os.replace(temp, path)
    except OSError as error:
        reason = error.strerror or str(error)
        raise TerrmapError(Text.EXPORT_ERROR.format(name=path.name, reason=reason)) from error
    finally:
        temp.unlink(missing_ok=True)
    progress(1.0, "")
    return path


def _check_not_stopped(stop: Stop) -> None:
    if stop():
        raise TerrmapError(Text.CANCELLED)
