"""Checks every reader makes before it opens a file the user named."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from terrmap.errors import InputError


def require_file(path: Path, suffixes: Iterable[str], unsupported: str) -> str:
    """Return ``path``'s lower-case suffix after checking it is known and the file exists.

    ``unsupported`` is the message for an unknown suffix, with ``{suffix}`` and ``{known}``.
    """
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        known = ", ".join(suffixes)
        raise InputError(unsupported.format(suffix=suffix, known=known), file=path)
    if not path.is_file():
        raise InputError("file not found", file=path)
    return suffix
