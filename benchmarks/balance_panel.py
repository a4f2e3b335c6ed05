"""Balance panel: cost of following a 1,000-unit move and of a drag preview.

Run ``python benchmarks/balance_panel.py [--runs N]`` from the repository root (it uses
the tests' grid: 40 × 30 cells, 2,401 accounts, 60 territories, offscreen Qt). Prints
JSON with medians in ms:

- ``metrics_only_ms``: the edit with only `TerritoryMetrics` listening;
- ``edit_with_panel_ms``: the same edit with the panel connected (the panel's share is
  the difference);
- ``panel_update_ms``: the panel's ``totals_changed`` slot alone, timed inside the edit;
- ``preview_ms``: `preview_unit_move` plus `BalancePanel.set_preview`, as on a drag-move;
- ``repaint_ms``: painting the updated gauges (their graphics view) at 420 × 900; a
  1,000-unit move rescales the % axes, so this includes redrawing them;
- ``repaint_after_one_unit_ms``: the same after a one-unit move (axes unchanged).

Budget (DESIGN.md): moving 1,000 units incl. metrics, gauges and redraw ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtWidgets import QApplication

from terrmap.core import AssignUnits, Plan, Project, Territory, TerritoryMetrics
from terrmap.core.metrics import preview_unit_move
from terrmap.core.palette import color_for_index
from terrmap.ui.balance_panel import BalancePanel
from tests.grid import grid_accounts, grid_units

MOVED = 1000


def grid_project(territories: int = 60) -> Project:
    units = grid_units(40, 30)
    codes = np.arange(len(units)) * territories // len(units)
    items = [
        Territory(f"T{i + 1:02d}", f"Territory {i + 1}", f"Rep {i + 1}", color_for_index(i))
        for i in range(territories)
    ]
    return Project(units, grid_accounts(units), items, [Plan("Current", codes)])


def median_ms(samples: list[float]) -> float:
    return round(1000 * statistics.median(samples), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    project = grid_project()
    metrics = TerritoryMetrics(project)
    panel = BalancePanel()
    panel.resize(420, 900)
    panel.show()
    app.processEvents()

    def moves() -> list[AssignUnits]:
        ids = project.units.ids
        return [
            AssignUnits(tuple(ids[(37 * k) % 200 : (37 * k) % 200 + MOVED]), f"T{k % 60 + 1:02d}")
            for k in range(args.runs)
        ]

    def time_edits() -> list[float]:
        times = []
        for edit in moves():
            start = time.perf_counter()
            reverse = edit.apply(project)
            times.append(time.perf_counter() - start)
            reverse.apply(project)
        return times

    metrics_only = time_edits()
    panel.set_source(project, metrics)
    app.processEvents()
    with_panel = time_edits()

    # The panel's own share of each edit: its slot, timed where the signal calls it.
    slot: list[float] = []

    def timed_slot(rows: object) -> None:
        start = time.perf_counter()
        panel._on_totals_changed(rows)
        slot.append(time.perf_counter() - start)

    metrics.totals_changed.disconnect(panel._on_totals_changed)
    metrics.totals_changed.connect(timed_slot)
    repaint = []
    for edit in moves():
        reverse = edit.apply(project)
        start = time.perf_counter()
        panel._view.viewport().repaint()  # the gauges' graphics view, painted now
        repaint.append(time.perf_counter() - start)
        reverse.apply(project)
    slot = slot[::2]  # the edits, not their reversals
    repaint_small = []
    for k in range(args.runs):
        reverse = AssignUnits((project.units.ids[k],), f"T{(7 * k) % 60 + 1:02d}").apply(project)
        start = time.perf_counter()
        panel._view.viewport().repaint()
        repaint_small.append(time.perf_counter() - start)
        reverse.apply(project)
    metrics.totals_changed.disconnect(timed_slot)
    metrics.totals_changed.connect(panel._on_totals_changed)

    preview = []
    for k in range(args.runs):
        positions = np.arange((7 * k) % 200, (7 * k) % 200 + MOVED)
        start = time.perf_counter()
        panel.set_preview(preview_unit_move(metrics, positions, k % 60))
        preview.append(time.perf_counter() - start)
    panel.set_preview(None)

    result = {
        "territories": len(project.territories),
        "units_moved": MOVED,
        "metrics_only_ms": median_ms(metrics_only),
        "edit_with_panel_ms": median_ms(with_panel),
        "panel_update_ms": median_ms(slot),
        "preview_ms": median_ms(preview),
        "repaint_ms": median_ms(repaint),
        "repaint_after_one_unit_ms": median_ms(repaint_small),
    }
    print(json.dumps(result, indent=2))
    panel.set_source(None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
