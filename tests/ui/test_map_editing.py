"""Editing territories on the map with real mouse events: lasso, click, drag and drop,
paint brush, undo and redo, and the gauges following every step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from PySide6.QtCore import QPoint, QPointF, Qt

from terrmap.ui.main_window import MainWindow
from terrmap.ui.map_tools import ToolKind


def _screen_anchors(window: MainWindow) -> np.ndarray:
    """Each unit's interior point on screen, computed without the app's picker."""
    project, canvas = window.project, window.canvas
    crs = canvas.renderer.scene.projection.crs
    to_display = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    # Interior points of the units as drawn (in the map's plane): what a lasso encloses.
    drawn = shapely.transform(
        project.units.geometry, lambda xy: np.column_stack(to_display.transform(*xy.T))
    )
    points = shapely.point_on_surface(drawn)
    x, y = shapely.get_x(points), shapely.get_y(points)
    viewport = canvas.viewport
    return np.array([viewport.world_to_screen(a, b) for a, b in zip(x, y, strict=True)])


def _drag(qtbot, widget, points, button=Qt.MouseButton.LeftButton, modifier=None):
    """Press at the first point, move through the others and release at the last."""
    modifier = modifier or Qt.KeyboardModifier.NoModifier
    first = QPoint(*map(round, points[0]))
    qtbot.mousePress(widget, button, modifier, first)
    for x, y in points[1:]:
        qtbot.mouseMove(widget, QPoint(round(x), round(y)))
    qtbot.mouseRelease(widget, button, modifier, QPoint(*map(round, points[-1])))


def _independent_accounts(project) -> pd.Series:
    """Accounts per territory id by a plain groupby over units and overrides."""
    unit_owner = pd.Series(project.territory_of_units(), index=project.units.ids)
    owner = project.accounts.frame["unit_id"].map(unit_owner)
    for account_id, territory_id in project.plan.overrides.items():
        owner[project.accounts.frame["account_id"] == account_id] = territory_id
    counts = owner.value_counts()
    return counts.reindex([t.id for t in project.territories]).fillna(0)


def _gauge_accounts(window: MainWindow) -> np.ndarray:
    """Accounts per territory as the gauge draws them (bars are % of an equal share)."""
    plot = next(p for p in window.balance.plots if p.metric == "accounts")
    # Equal target weights: each target is the assigned total over the territory count.
    assigned = _independent_accounts(window.project).sum()
    return plot.displayed_percent() / 100 * assigned / len(window.project.territories)


def _unit_of_territory(window: MainWindow, anchors: np.ndarray, territory: int) -> int:
    """A unit of ``territory`` whose anchor is well inside the window."""
    codes = window.project.plan.codes
    canvas = window.canvas
    inside = (
        (anchors[:, 0] > 40)
        & (anchors[:, 0] < canvas.width() - 40)
        & (anchors[:, 1] > 40)
        & (anchors[:, 1] < canvas.height() - 40)
    )
    areas = shapely.area(window.project.units.geometry)
    candidates = np.flatnonzero((codes == territory) & inside)
    return int(candidates[np.argmax(areas[candidates])])


def test_lasso_selects_exactly_the_units_inside(qtbot, window):
    canvas = window.canvas
    canvas.set_tool(ToolKind.LASSO)
    centre = np.array([canvas.width() * 0.45, canvas.height() * 0.5])
    angles = np.linspace(0, 2 * np.pi, 40)
    loop = centre + np.column_stack([np.cos(angles) * 150, np.sin(angles) * 110])
    _drag(qtbot, canvas, loop.tolist())

    anchors = _screen_anchors(window)
    ring = shapely.Polygon(np.round(loop))
    expected = np.flatnonzero(shapely.contains_xy(ring, anchors[:, 0], anchors[:, 1]))
    assert len(expected) >= 5
    assert window.selection.kind == "units"
    assert window.selection.positions.tolist() == expected.tolist()
    assert f"{len(expected)} units" in window.status.selection.text()


def test_click_shift_and_ctrl_click_build_a_selection(qtbot, window):
    canvas = window.canvas
    anchors = _screen_anchors(window)
    a, b = _unit_of_territory(window, anchors, 0), _unit_of_territory(window, anchors, 1)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*map(round, anchors[a])))
    assert window.selection.positions.tolist() == [a]
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, shift, QPoint(*map(round, anchors[b])))
    assert window.selection.positions.tolist() == sorted([a, b])
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, ctrl, QPoint(*map(round, anchors[a])))
    assert window.selection.positions.tolist() == [b]


def test_drag_selection_onto_another_territory_then_undo_and_redo(qtbot, window):
    project, canvas = window.project, window.canvas
    anchors = _screen_anchors(window)
    source = _unit_of_territory(window, anchors, 0)
    target = _unit_of_territory(window, anchors, 5)
    target_id = project.territories[5].id
    before_codes = project.plan.codes.copy()
    before_gauges = _gauge_accounts(window).copy()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*map(round, anchors[source])))

    # Hovering over the target shows ghost bars before the drop.
    start, end = anchors[source], anchors[target]
    path = [start + (end - start) * t for t in np.linspace(0, 1, 12)]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*map(round, path[0])))
    for point in path[1:]:
        qtbot.mouseMove(canvas, QPoint(*map(round, point)))
    assert window.balance.preview is not None
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(*map(round, path[-1])))
    assert window.balance.preview is None

    assert project.plan.codes[source] == 5
    changed = np.flatnonzero(project.plan.codes != before_codes)
    assert changed.tolist() == [source]
    expected = _independent_accounts(project)
    np.testing.assert_allclose(_gauge_accounts(window), expected.to_numpy(float))
    assert window.undo_stack.count() == 1
    assert target_id in window.undo_stack.text(0)
    assert window.isWindowModified()

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(project.plan.codes, before_codes)
    np.testing.assert_allclose(_gauge_accounts(window), before_gauges)
    assert not window.isWindowModified()
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert project.plan.codes[source] == 5


def test_brush_paints_what_it_crosses_as_one_undo_step(qtbot, window):
    project, canvas = window.project, window.canvas
    territory = project.territories[2]
    window.panel.table.selectRow(2)
    assert canvas.brush_territory == territory.id
    canvas.set_tool(ToolKind.BRUSH)
    before = project.plan.codes.copy()
    y = canvas.height() * 0.55
    stroke = [(canvas.width() * x, y) for x in np.linspace(0.3, 0.6, 25)]
    _drag(qtbot, canvas, stroke)

    # Units the stroke's band touches, computed in screen space from the display geometry.
    viewport = canvas.viewport
    radius = canvas.brush.radius
    band = shapely.LineString(stroke).buffer(radius)
    world_band = shapely.transform(
        band, lambda xy: np.array([viewport.screen_to_world(x, y) for x, y in xy])
    )
    geometry = canvas.renderer.scene.units.levels[0].geometry
    touched = np.flatnonzero(shapely.intersects(geometry, world_band))
    assert len(touched) >= 3
    code = project.territory_index(territory.id)
    assert (project.plan.codes[touched] == code).all()
    untouched = np.setdiff1d(np.arange(len(before)), touched)
    np.testing.assert_array_equal(project.plan.codes[untouched], before[untouched])
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    np.testing.assert_array_equal(project.plan.codes, before)


def test_right_click_assign_menu_and_account_override(qtbot, window, monkeypatch):
    project, canvas = window.project, window.canvas
    window.edit_actions.actions["pick_accounts"].setChecked(True)
    account = 0
    xy = canvas.picking.points.xy[account]
    at = QPointF(*canvas.viewport.world_to_screen(*xy))
    canvas.zoom_to_selection()  # nothing selected: no change
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at.toPoint())
    assert window.selection.kind == "accounts"
    picked = window.selection.positions.tolist()
    assert len(picked) == 1
    account_id = project.accounts.ids[picked[0]]
    owner_before = project.account_codes()[picked[0]]
    other = project.territories[(owner_before + 1) % len(project.territories)].id
    window.assign_selection(other)
    assert project.plan.overrides[account_id] == other
    assert project.account_codes()[picked[0]] == project.territory_index(other)
    np.testing.assert_allclose(
        _gauge_accounts(window), _independent_accounts(project).to_numpy(float)
    )
    window.undo_stack.undo()
    assert account_id not in project.plan.overrides


# Offscreen windows have no stacking order (raise) and docks no size hints.
@pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")
def test_escape_clears_and_attribute_query_selects(qtbot, window):
    from terrmap.ui.query_dialog import QueryDialog

    window.show_query()
    dialog = window.findChild(QueryDialog)
    dialog.query.setText("accounts > 40 and territory != 'Boston'")
    qtbot.mouseClick(dialog.select_button, Qt.MouseButton.LeftButton)
    table = pd.DataFrame(
        {
            "accounts": window.metrics.unit_values("accounts"),
            "territory": [
                None if c < 0 else window.project.territories[c].name
                for c in window.project.plan.codes
            ],
        }
    )
    # SQL semantics: a unit without territory matches neither = nor != 'Boston'.
    named = table["territory"].notna() & (table["territory"] != "Boston")
    expected = np.flatnonzero((table["accounts"] > 40) & named)
    assert window.selection.positions.tolist() == expected.tolist()
    dialog.query.setText("acounts > 4")
    qtbot.mouseClick(dialog.select_button, Qt.MouseButton.LeftButton)
    assert "accounts" in dialog.result.text()  # the close match is suggested
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert len(window.selection) == 0
    dialog.close()
