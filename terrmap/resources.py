"""Locate the data files bundled with terrmap.

In a source checkout (and an editable install) they live in ``resources/`` at the
top of the repository; a wheel carries the same tree as ``terrmap/_resources``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """Return the folder holding the bundled resources."""
    for candidate in (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("terrmap's bundled resources are missing; reinstall terrmap")


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled file, e.g. ``resource_path("sample", "reps.csv")``."""
    return resources_dir().joinpath(*parts)
