"""Time from launching the app to an interactive window showing the sample.

Starts a fresh Python process per run (offscreen Qt), as ``make run`` does after install,
and reports when the window is first shown and when the sample is drawn in it.
Prints JSON with medians in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHILD = """
import os, sys, time
start = float(os.environ["TERRMAP_BENCH_START"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from terrmap.ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
window = MainWindow()
window.show()
app.processEvents()
shown = time.time() - start
def done():
    window.canvas.render_now()
    window.canvas.grab()
    print(shown, time.time() - start, flush=True)
    window.jobs.shutdown()
    app.quit()
window.document_installed.connect(lambda: QTimer.singleShot(0, done))
window.open_sample()
app.exec()
"""


def run_once() -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TERRMAP_BENCH_START=repr(time.time()))
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    ).stdout
    shown, ready = (float(v) for v in out.split()[-2:])
    return shown, ready


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = [run_once() for _ in range(args.runs)]
    result = {
        "window_shown_s": round(statistics.median(r[0] for r in runs), 3),
        "sample_drawn_s": round(statistics.median(r[1] for r in runs), 3),
        "runs": args.runs,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
