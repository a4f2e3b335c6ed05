"""What the app remembers between sessions (QSettings): recent projects, last folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8
_RECENT_KEY = "files/recentProjects"
_LAST_DIR_KEY = "files/lastDirectory"


def recent_projects() -> list[str]:
    """Recently opened or saved projects, newest first, existing files only."""
    values = QSettings().value(_RECENT_KEY, [])
    if isinstance(values, str):  # QSettings returns a lone string for a one-item list
        values = [values]
    return [v for v in values or [] if Path(v).is_file()][:MAX_RECENT]


def remember_project(path: str | Path) -> None:
    """Put ``path`` at the top of the recent projects."""
    path = str(Path(path).resolve())
    recent = [path, *(p for p in recent_projects() if p != path)]
    QSettings().setValue(_RECENT_KEY, recent[:MAX_RECENT])
    remember_directory(Path(path).parent)


def last_directory() -> str:
    """The folder of the last file chosen (home folder at first)."""
    value = QSettings().value(_LAST_DIR_KEY, "")
    return value if isinstance(value, str) and Path(value).is_dir() else str(Path.home())


def remember_directory(folder: str | Path) -> None:
    """Start the next file dialog in ``folder``."""
    QSettings().setValue(_LAST_DIR_KEY, str(folder))
