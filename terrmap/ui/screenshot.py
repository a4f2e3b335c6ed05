"""Render the main window holding a project to a PNG without a display.

Used by ``terrmap screenshot`` (the README's pictures) and by tests. The window is
laid out at the requested size on Qt's offscreen platform, the project is loaded in
the calling thread and the exact (antialiased) map frame is drawn before the grab.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SIZE = (1600, 1000)


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` → ``(1600, 1000)``; raises ValueError for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"size must look like 1600x1000, not {text!r}")
    size = int(width), int(height)
    if not (320 <= size[0] <= 8000 and 240 <= size[1] <= 8000):
        raise ValueError(f"size {text} is outside 320x240 … 8000x8000")
    return size


def screenshot(project: str | Path | None, out: str | Path, size: tuple[int, int]) -> Path:
    """Write a PNG of the main window showing ``project`` (None: the bundled sample).

    Returns the path written. The PNG is written to a temporary name and renamed, so an
    existing file is only replaced by a complete picture.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from terrmap.ui.app import application
    from terrmap.ui.loading import open_project_job, open_sample_job
    from terrmap.ui.main_window import MainWindow

    app = application()

    def progress(_fraction: float, _message: str = "") -> None:
        pass

    never = lambda: False  # noqa: E731 - the job's stop hook
    if project is None:
        document = open_sample_job(progress=progress, stop=never)
    else:
        document = open_project_job(str(project), progress=progress, stop=never)
    window = MainWindow(restore_layout=False)  # the default layout, not the user's
    try:
        window.resize(*size)
        window.show()
        app.processEvents()
        window.install_document(document)
        app.processEvents()
        window.canvas.render_now()
        app.processEvents()
        image = window.grab().toImage()
        target = Path(out)
        partial = target.with_name(f".{target.name}.partial.png")
        if not image.save(str(partial), "PNG"):
            raise OSError(f"could not write {partial}")
        partial.replace(target)
        return target
    finally:
        window.document = None  # nothing to save: close without asking
        window.close()
        window.deleteLater()
        app.processEvents()
