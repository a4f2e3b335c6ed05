"""The ``terrmap`` command: every core job without a window, and the app without one.

A thin shell over the API: each sub-command parses its arguments, calls the same
functions the app calls and prints the result. Heavy modules (geopandas, Qt) are
imported inside the commands so ``terrmap --help`` answers at once.

Exit status: 0 success, 1 the job ran but the input had rows it could not use,
2 an error (bad arguments, unreadable or damaged file), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import terrmap
from terrmap.errors import TerrmapError

if TYPE_CHECKING:
    from terrmap.core.project import Project

EXIT_OK, EXIT_ROWS_REJECTED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
_PROGRAM = "terrmap"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``terrmap`` command line and return its exit status.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    if _wants_app(argv):
        return _run_app(argv[0] if argv else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse already printed
        return int(exit_.code or 0)
    try:
        return int(args.run(args))
    except TerrmapError as error:
        error_line(_describe(error))
        return EXIT_ERROR
    except OSError as error:  # e.g. an output folder that does not exist
        error_line(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err(f"{_PROGRAM}: interrupted")
        return EXIT_INTERRUPTED


# -- parser ----------------------------------------------------------------
def _build_parser() -> argparse.ArgumentParser:
    from terrmap import _cli_commands as commands

    parser = argparse.ArgumentParser(
        prog=_PROGRAM,
        description="Offline sales territory mapping. Without a command, opens the app "
        "(optionally on a PROJECT file: terrmap PROJECT).",
        epilog="Exit status: 0 ok, 1 input rows rejected, 2 error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"terrmap {terrmap.__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in commands.REGISTRY:
        register(sub)
    return parser


def _wants_app(argv: list[str]) -> bool:
    """No arguments at all, or just a project file: start the app.

    A lone word that is neither a command nor a project file goes to argparse, so a
    mistyped command gets "invalid choice" instead of an app that cannot open it.
    """
    if not argv:
        return True
    if len(argv) != 1 or argv[0].startswith("-"):
        return False
    return argv[0].lower().endswith(".gpkg") or Path(argv[0]).is_file()


def _run_app(project_path: str | None) -> int:
    try:
        from terrmap.ui.app import run_app
    except ImportError as error:
        _err(f"{_PROGRAM}: error: the app cannot start here ({error}); the commands still work")
        return EXIT_ERROR
    try:
        return int(run_app(project_path))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


# -- output helpers used by the commands -------------------------------------
def out(text: str = "") -> None:
    """Write a line of results to stdout."""
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def error_line(text: str) -> None:
    """Write an error line to stderr."""
    _err(f"{_PROGRAM}: error: {text}")


def warn(text: str) -> None:
    """Write a warning line to stderr."""
    _err(f"{_PROGRAM}: warning: {text}")


def out_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    out(json.dumps(data, indent=2, ensure_ascii=False))


def _describe(error: TerrmapError) -> str:
    fields = getattr(error, "fields", None)
    if fields:
        return f"{error}\n  choose one with --id-field (and optionally --name-field)"
    return str(error)


def progress_printer() -> Callable[[float, str], None] | None:
    """A ``progress(fraction, message)`` that redraws one stderr line, if stderr is a TTY."""
    if not sys.stderr.isatty():
        return None
    last: list[str] = [""]

    def show(fraction: float, message: str) -> None:
        line = f"\r{100 * fraction:3.0f}% {message}"[:79]
        if line != last[0]:
            sys.stderr.write(line.ljust(len(last[0])))
            sys.stderr.flush()
            last[0] = line
        if fraction >= 1.0:
            sys.stderr.write("\r" + " " * len(line) + "\r")
            last[0] = ""

    return show


def load(path: str) -> Project:
    """Open a project file (`ProjectFileError` if it cannot be)."""
    from terrmap.io.projectfile import open_project

    return open_project(path)


def save(project: Project, path: str | Path) -> None:
    """Save a project atomically."""
    from terrmap.io.projectfile import save_project

    save_project(project, path)
