"""Print benchmarks: the national county map to a vector PDF, and a 15-page atlas.

Run ``python benchmarks/print.py [--runs N]``; prints one JSON object. Timings are medians of
``--runs`` runs after one warm-up, in seconds, with the display scene built beforehand (the
app prints from the canvas's scene; its build time is reported apart). Budgets (issue 6):
national counties to PDF < 3 s; a 15-page atlas < 15 s.

The national project is ``benchmarks/map.py``'s: the 3.2k US counties in 60 clustered
territories with state outlines. The atlas is the same counties in 14 territories: a cover
and one page per territory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from map import project_for

from terrmap.render.atlas import atlas_document, write_atlas_pdf
from terrmap.render.layout import PrintLayout
from terrmap.render.page import ensure_gui_application
from terrmap.render.print_output import write_pdf
from terrmap.render.scene import MapScene
from terrmap.sample import load_counties

ATLAS_TERRITORIES = 14


def median_s(function: Callable[[], object], runs: int) -> float:
    """Median wall time of ``function`` in seconds over ``runs`` runs, after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the measurements and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement (3)")
    args = parser.parse_args(argv)
    ensure_gui_application()
    units = load_counties()
    national = project_for(units)
    start = time.perf_counter()
    scene = MapScene.build(national)
    result: dict[str, object] = {"scene_build_s_counties": round(time.perf_counter() - start, 3)}
    atlas_project = project_for(units, ATLAS_TERRITORIES)
    atlas_scene = MapScene.build(atlas_project)
    layout = PrintLayout(title="US counties")
    with tempfile.TemporaryDirectory() as folder:
        pdf, atlas = Path(folder) / "national.pdf", Path(folder) / "atlas.pdf"
        pages = write_pdf(pdf, national, layout, scene)
        result["pdf_s_counties"] = median_s(
            lambda: write_pdf(pdf, national, layout, scene), args.runs
        )
        result["pdf_pages_counties"] = pages
        result["pdf_mb_counties"] = round(pdf.stat().st_size / 1e6, 2)
        atlas_layout = PrintLayout(title="US counties atlas", summary_table=False)
        planned = len(atlas_document(atlas_project, atlas_layout, scene=atlas_scene).pages)
        result["atlas_s_15_pages"] = median_s(
            lambda: write_atlas_pdf(atlas, atlas_project, atlas_layout, scene=atlas_scene),
            args.runs,
        )
        result["atlas_pages"] = planned
        result["atlas_mb"] = round(atlas.stat().st_size / 1e6, 2)
    result["runs"] = args.runs
    return result


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(), indent=2) + "\n")
