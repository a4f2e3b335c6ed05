"""One exception family whose messages are written for the user.

The UI shows ``str(error)`` in a dialog and the CLI prints it and exits non-zero,
so messages name the file, the line and the problem in plain words.
"""

from __future__ import annotations

from pathlib import Path


class TerrmapError(Exception):
    """Base of every error terrmap reports to a user."""


class InputError(TerrmapError):
    """A file the user gave cannot be read as asked.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    file
        The file concerned, if any.
    line
        The 1-based line (header = line 1) or record number, if known.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file:
            where = Path(self.file).name
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        return where + self.message


class ProjectFileError(TerrmapError):
    """A project file is damaged, foreign, or from an unsupported version."""


class EditError(TerrmapError):
    """An edit names something the project does not have."""


class Cancelled(TerrmapError):
    """The caller's ``stop()`` asked to abandon the work before it had a result."""

    def __init__(self) -> None:
        super().__init__("Cancelled")
