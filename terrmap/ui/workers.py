"""Run long jobs off the GUI thread; the only module that knows about threads.

A job is a plain function ``job(*args, progress, stop)``. It runs on a single worker
thread; its progress reaches the GUI through a queued Qt signal, throttled to changes a
progress bar can show, and its result or error comes back through ``finished`` or
``failed`` on the GUI thread. Starting a job asks the running one to stop first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

# Progress changes smaller than this are not worth a repaint of the progress dialog.
_PROGRESS_STEP = 0.01


class JobRunner(QObject):
    """Runs one job at a time on a worker thread.

    Signals are emitted from the worker thread; Qt queues them to receivers living on
    the GUI thread, so slots always run there.
    """

    progressed = Signal(float, str)
    finished = Signal(object, object)  # tag, result
    failed = Signal(object, object)  # tag, exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="terrmap-job")
        self._cancel = threading.Event()
        self._future: Future | None = None
        self._last_progress = -1.0

    @property
    def busy(self) -> bool:
        """Whether a job is running or queued."""
        return self._future is not None and not self._future.done()

    def start(self, tag: object, job: Callable[..., Any], *args: Any) -> None:
        """Run ``job(*args, progress=..., stop=...)``; ``tag`` comes back with the result."""
        self.cancel()
        cancel = self._cancel = threading.Event()
        self._last_progress = -1.0
        self._future = self._executor.submit(self._run, tag, job, args, cancel)

    def cancel(self) -> None:
        """Ask the running job to stop at its next check."""
        self._cancel.set()

    def shutdown(self) -> None:
        """Cancel, wait for the worker thread to end (call before the app quits)."""
        self.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(
        self, tag: object, job: Callable[..., Any], args: tuple, cancel: threading.Event
    ) -> None:
        try:
            result = job(*args, progress=self._progress, stop=cancel.is_set)
        except BaseException as error:  # every failure must reach the GUI, never vanish
            if not cancel.is_set():
                self.failed.emit(tag, error)
            return
        if not cancel.is_set():
            self.finished.emit(tag, result)

    def _progress(self, fraction: float, message: str = "") -> None:
        if abs(fraction - self._last_progress) >= _PROGRESS_STEP or fraction >= 1.0:
            self._last_progress = fraction
            self.progressed.emit(float(fraction), str(message))
