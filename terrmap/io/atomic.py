"""Write a whole file or nothing: a temporary file beside the target, fsync, then rename.

A crash or a full disk mid-write leaves the previous file untouched, never half a file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from terrmap.errors import TerrmapError


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step.

    Raises
    ------
    TerrmapError
        The file cannot be written (folder missing, no permission, disk full).
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        raise TerrmapError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str, *, newline: str = "\n") -> None:
    """Replace ``path`` with UTF-8 ``text``.

    ``newline`` replaces each ``\\n`` (CSV and ICS files use CRLF).
    """
    if newline != "\n":
        text = text.replace("\n", newline)
    write_bytes_atomic(path, text.encode("utf-8"))
