"""Editing on the map, measured through the real main window (offscreen, 1600 × 1000).

- ``move_1000_units_ms``: assign 1,000 units to another territory through the undo
  stack, with the metrics, the territory table model and the balance gauges following,
  and the map and gauges repainted (``repaint()`` runs the paint events synchronously);
- ``table_repaint_ms``: repainting the territory table (reported apart);
- ``hit_test_ms``: the unit under a click (`terrmap.render.picking.UnitPicker`, as the
  canvas uses it), per click;
- ``lasso_1000_ms``: a lasso around about 1,000 units, from the gesture's screen path to
  the selection (picking and the selection update, without painting).

The layer is given by the caller: national counties for the move, and the 33k ZIP-like
layer for hit test and lasso (the larger the layer, the harder they get).
Run through ``python benchmarks/map.py``; this module has no ``main``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import shapely

from terrmap.core import AssignUnits, Plan, Project, Territory
from terrmap.core.palette import color_for_index
from terrmap.core.plan import UNASSIGNED
from terrmap.render.picking import lasso_polygon

WINDOW_SIZE = (1600, 1000)
TERRITORIES = 60
MOVED = 1000


def project_with_territories(units, territories: int = TERRITORIES) -> Project:
    """``units`` cut into ``territories`` bands by longitude (a plausible, even plan)."""
    order = np.argsort(shapely.get_x(shapely.centroid(units.geometry)), kind="stable")
    codes = np.full(len(units), UNASSIGNED, dtype=np.int32)
    codes[order] = np.arange(len(units)) * territories // len(units)
    items = [
        Territory(f"T{i + 1:02d}", f"Territory {i + 1}", f"Rep {i + 1}", color_for_index(i))
        for i in range(territories)
    ]
    return Project(units, territories=items, plans=[Plan("Current", codes)])


def open_window(project: Project):
    """A main window at ``WINDOW_SIZE`` showing ``project``, exact frame drawn."""
    from terrmap.render import MapScene
    from terrmap.ui.app import application
    from terrmap.ui.loading import LoadedDocument
    from terrmap.ui.main_window import MainWindow

    app = application()
    window = MainWindow(restore_layout=False)
    window.resize(*WINDOW_SIZE)
    window.show()
    app.processEvents()
    window.install_document(LoadedDocument(project, MapScene.build(project), None, []))
    app.processEvents()
    window.canvas.render_now()
    window.canvas.repaint()
    return window


def close_window(window) -> None:
    """Close without the unsaved-work question."""
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def move_1000_units_ms(window, runs: int) -> float:
    """Median ms of a 1,000-unit reassignment with everything that follows it on screen.

    The units are a contiguous block (the 1,000 nearest to a territory's centre), as a
    lasso or a drag would move them, given to that territory.
    """
    project = window.project
    centres = shapely.centroid(project.units.geometry)
    x, y = shapely.get_x(centres), shapely.get_y(centres)
    times = []
    for run in range(runs):
        code = (run * 7) % len(project.territories)
        members = project.plan.codes == code
        cx, cy = x[members].mean(), y[members].mean()
        block = np.argsort(np.hypot(x - cx, y - cy))[:MOVED]
        moved = tuple(project.units.ids[block])
        target = project.territories[code].id
        start = time.perf_counter()
        window.editing.push(AssignUnits(moved, target))
        _repaint(window)
        times.append(time.perf_counter() - start)
        window.undo_stack.undo()
        _repaint(window)
    return 1000 * statistics.median(times)


def _repaint(window) -> None:
    window.canvas.repaint()
    view = window.balance._view
    if view is not None:
        view.viewport().repaint()


def table_repaint_ms(window, runs: int) -> float:
    """Median ms of repainting the territory table (not in the move budget: reported apart)."""
    times = []
    for _ in range(runs):
        window.table.viewport().update()
        start = time.perf_counter()
        window.table.viewport().repaint()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def hit_test_ms(picker, viewport, clicks: int = 2000) -> float:
    """Median ms of finding the unit under a click at random points of the view."""
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = viewport.world_bounds
    xs, ys = rng.uniform(minx, maxx, clicks), rng.uniform(miny, maxy, clicks)
    times = []
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        start = time.perf_counter()
        picker.at(x, y)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def lasso_1000_ms(picker, viewport, runs: int) -> tuple[float, int]:
    """Median ms of a freehand lasso holding about 1,000 units (screen path to the
    selection), and how many units it held."""
    from terrmap.core.selection import Selection

    selection = Selection(len(picker.anchor_x), 0)
    centre = _dense_spot(picker)
    radius = _radius_for(picker, centre, MOVED)
    # A wobbly 200-point freehand loop in screen pixels, as a mouse gesture gives.
    sx, sy = viewport.world_to_screen(*centre)
    pixels = radius * viewport.scale
    angles = np.linspace(0, 2 * np.pi, 200)
    wobble = 1 + 0.05 * np.sin(7 * angles)
    screen = np.column_stack(
        [sx + pixels * wobble * np.cos(angles), sy + pixels * wobble * np.sin(angles)]
    )
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        world = [viewport.screen_to_world(x, y) for x, y in screen.tolist()]
        selection.select("units", picker.inside(lasso_polygon(world)), "replace")
        times.append(time.perf_counter() - start)
        count = len(selection)
        selection.clear()
    return 1000 * statistics.median(times), count


def _dense_spot(picker) -> tuple[float, float]:
    """The anchor with the most anchors near it: a lasso there is small on screen."""
    x, y = picker.anchor_x, picker.anchor_y
    cells = np.floor(x / 50_000).astype(np.int64) * 100_000 + np.floor(y / 50_000).astype(np.int64)
    values, counts = np.unique(cells, return_counts=True)
    best = np.flatnonzero(cells == values[np.argmax(counts)])[0]
    return float(x[best]), float(y[best])


def _radius_for(picker, centre: tuple[float, float], count: int) -> float:
    distance = np.hypot(picker.anchor_x - centre[0], picker.anchor_y - centre[1])
    return float(np.sort(distance)[min(count, len(distance) - 1)])
