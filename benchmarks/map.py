"""Map benchmarks: full redraws, the pan/zoom frame, scene build times and editing.

Run ``python benchmarks/map.py [--runs N] [--only KEY ...]`` (offscreen Qt is set up
when ``QT_QPA_PLATFORM`` is unset); prints one JSON object. Timings are medians of
``--runs`` runs after one warm-up frame, in ms unless the key says ``_s``. Budgets
(DESIGN.md): redraw at 1600×1000 of national counties ≤ 20 ms, of 33k ZIPs ≤ 100 ms at
full extent and ≤ 30 ms zoomed to a metro, a pan/zoom frame ≤ 16 ms; moving 1,000 units
incl. metrics, gauges and redraw ≤ 100 ms; a click hit-test ≤ 1 ms; a 1,000-unit lasso
≤ 20 ms (the editing keys come from ``benchmarks/map_editing.py``).

Each measurement is a named function in `MEASUREMENTS` taking the shared `Fixtures`.
The ZIP-like layer is made by ``benchmarks/zip_like.py`` and cached in
``benchmarks/.cache/``; the first run takes a few minutes to make it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import map_editing
import numpy as np
import shapely
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from zip_like import REPO, zip_like_units

from terrmap.core import Project, Territory
from terrmap.core.layers import UnitLayer
from terrmap.core.palette import color_for_index
from terrmap.core.plan import UNASSIGNED, Plan
from terrmap.render import MapRenderer, MapScene, MapStyle, MapViewport
from terrmap.sample import load_counties, load_states

WIDTH, HEIGHT = 1600, 1000
TERRITORIES = 60
UNASSIGNED_SHARE = 0.03  # a few hatched units, as in a plan being worked on
METRO = (-73.95, 40.75, 100_000.0)  # lon, lat, metres across: New York City
ZCTA_FILES = tuple(
    REPO.parent / "shared" / "data" / "zcta" / f"{state}_zcta2010.geojson" for state in ("de", "ri")
)


def median_ms(function: Callable[[], object], runs: int) -> float:
    """Median wall time of ``function`` in ms over ``runs`` runs, after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 2)


def clustered_plan(units: UnitLayer, count: int = TERRITORIES, seed: int = 1) -> np.ndarray:
    """Territory codes from k-means on unit centres: compact territories, like real ones."""
    centres = shapely.centroid(units.geometry)
    xy = np.column_stack([shapely.get_x(centres), shapely.get_y(centres)])
    xy[:, 0] *= np.cos(np.radians(np.nanmedian(xy[:, 1])))
    rng = np.random.default_rng(seed)
    seeds = xy[rng.choice(len(xy), count, replace=False)]
    for _ in range(12):
        labels = np.argmin(((xy[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
        for k in range(count):
            if (labels == k).any():
                seeds[k] = xy[labels == k].mean(axis=0)
    codes = labels.astype(np.int32)
    codes[rng.random(len(codes)) < UNASSIGNED_SHARE] = UNASSIGNED
    return codes


def project_for(units: UnitLayer, count: int = TERRITORIES) -> Project:
    """A project over ``units`` with ``count`` clustered territories and state context."""
    territories = [
        Territory(f"T{i:02d}", f"Territory {i + 1}", owner=f"Rep {i + 1}", color=color_for_index(i))
        for i in range(count)
    ]
    plan = Plan("Current", clustered_plan(units, count))
    return Project(units, territories=territories, plans=[plan], context={"states": load_states()})


class Fixtures:
    """Projects, renderers and images shared by the measurements, made on first use."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.timings: dict[str, float] = {}

    @cached_property
    def counties(self) -> MapRenderer:
        project = project_for(load_counties())
        start = time.perf_counter()
        scene = MapScene.build(project)
        self.timings["scene_build_s_counties"] = round(time.perf_counter() - start, 3)
        return MapRenderer(project, scene)

    @cached_property
    def zips(self) -> MapRenderer:
        start = time.perf_counter()
        units = zip_like_units()
        self.timings["read_s_zip33k"] = round(time.perf_counter() - start, 3)
        project = project_for(units)
        start = time.perf_counter()
        scene = MapScene.build(project)
        self.timings["scene_build_s_zip33k"] = round(time.perf_counter() - start, 3)
        self.timings["vertices_zip33k"] = int(scene.units.levels[0].vertex_count)
        return MapRenderer(project, scene)

    @cached_property
    def zcta(self) -> MapRenderer | None:
        if not all(path.exists() for path in ZCTA_FILES):
            return None
        import pandas as pd

        from terrmap.io.boundaries import read_boundaries

        frames = [read_boundaries(path).frame for path in ZCTA_FILES]
        units = UnitLayer(pd.concat(frames), kind="zcta", source="Census ZCTA DE + RI")
        return MapRenderer(project_for(units, 8))

    @cached_property
    def window(self):  # -> MainWindow
        """The main window on the counties project (for editing with everything live)."""
        window = map_editing.open_window(self.counties.project)
        return window

    @cached_property
    def zip_picker(self):  # -> UnitPicker
        from terrmap.render.picking import UnitPicker

        return UnitPicker(self.zips.scene.units.levels[0].geometry)

    @cached_property
    def image(self) -> QImage:
        return QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)


def redraw(
    renderer: MapRenderer, viewport: MapViewport, image: QImage, style: MapStyle, runs: int
) -> float:
    """Median full redraw; each run pans by a pixel so nothing rides on a repeated view."""
    state = {"run": 0}

    def draw() -> None:
        state["run"] += 1
        view = viewport.panned(state["run"] % 2, 0)
        painter = QPainter(image)
        renderer.paint(painter, view, style)
        painter.end()

    return median_ms(draw, runs)


def full_view(renderer: MapRenderer) -> MapViewport:
    return MapViewport.fit(renderer.extent, WIDTH, HEIGHT)


def metro_view(renderer: MapRenderer) -> MapViewport:
    lon, lat, across = METRO
    x, y = renderer.scene.projection.to_display(np.array([lon]), np.array([lat]))
    return MapViewport(float(x[0]), float(y[0]), WIDTH / across, WIDTH, HEIGHT)


def conus_view(renderer: MapRenderer) -> MapViewport:
    x, y = renderer.scene.projection.to_display(np.array([-124.8, -66.9]), np.array([24.4, 49.4]))
    return MapViewport.fit((x.min(), y.min(), x.max(), y.max()), WIDTH, HEIGHT)


def pan_frame(fix: Fixtures, zoom: float) -> float:
    """The canvas's feedback frame: the cached frame moved (and scaled) onto the window,
    as ``MapCanvas._paint_frame`` does."""
    frame = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(frame)
    fix.counties.paint(painter, full_view(fix.counties), MapStyle())
    painter.end()
    window = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)

    def blit() -> None:
        painter = QPainter(window)
        painter.fillRect(0, 0, WIDTH, HEIGHT, QColor(MapStyle().background))
        target = QRectF(37.0, -21.0, WIDTH * zoom, HEIGHT * zoom)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, frame, QRectF(frame.rect()))
        painter.end()

    return median_ms(blit, fix.runs * 4)


def zcta_redraw(fix: Fixtures) -> float | None:
    renderer = fix.zcta
    if renderer is None:
        return None
    return redraw(renderer, full_view(renderer), fix.image, MapStyle(antialias=False), fix.runs)


PLAIN, SMOOTH = MapStyle(antialias=False), MapStyle(antialias=True)

MEASUREMENTS: dict[str, Callable[[Fixtures], float | None]] = {
    "redraw_ms_counties": lambda f: redraw(
        f.counties, full_view(f.counties), f.image, PLAIN, f.runs
    ),
    "redraw_ms_zip33k": lambda f: redraw(f.zips, full_view(f.zips), f.image, PLAIN, f.runs),
    "redraw_ms_zip_zoomed": lambda f: redraw(f.zips, metro_view(f.zips), f.image, PLAIN, f.runs),
    "pan_frame_ms": lambda f: pan_frame(f, 1.0),
    "zoom_frame_ms": lambda f: pan_frame(f, 1.25),
    "redraw_ms_counties_aa": lambda f: redraw(
        f.counties, full_view(f.counties), f.image, SMOOTH, f.runs
    ),
    "redraw_ms_counties_conus": lambda f: redraw(
        f.counties, conus_view(f.counties), f.image, PLAIN, f.runs
    ),
    "redraw_ms_zip33k_aa": lambda f: redraw(f.zips, full_view(f.zips), f.image, SMOOTH, f.runs),
    "redraw_ms_zip_zoomed_aa": lambda f: redraw(
        f.zips, metro_view(f.zips), f.image, SMOOTH, f.runs
    ),
    "redraw_ms_zcta_de_ri": zcta_redraw,
    "move_1000_units_ms": lambda f: map_editing.move_1000_units_ms(f.window, f.runs),
    "table_repaint_ms": lambda f: map_editing.table_repaint_ms(f.window, f.runs),
    "hit_test_ms": lambda f: map_editing.hit_test_ms(f.zip_picker, full_view(f.zips)),
    "lasso_1000_ms": lambda f: lasso_units(f),
}


def lasso_units(fix: Fixtures) -> float:
    elapsed, count = map_editing.lasso_1000_ms(fix.zip_picker, full_view(fix.zips), fix.runs)
    fix.timings["lasso_units"] = count
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="measure only these keys")
    args = parser.parse_args(argv)
    from terrmap.ui.app import application

    app = application()  # widgets: the editing keys measure the real main window
    fixtures = Fixtures(args.runs)
    result: dict[str, object] = {}
    for name, measure in MEASUREMENTS.items():
        if args.only and name not in args.only:
            continue
        result[name] = measure(fixtures)
    result.update(fixtures.timings)
    result["runs"] = args.runs
    result["size"] = f"{WIDTH}x{HEIGHT}"
    json.dump(result, sys.stdout, indent=2)
    print()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
