"""The main window on the bundled sample: map colours, table totals, edits, files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from terrmap.core import AssignUnits
from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.ui.main_window import MainWindow
from terrmap.ui.territory_table import SORT_ROLE
from tests.ui.helpers import colours_near, grab_rgb, rgb, show_window

# A territory "appears" when a few pixels have exactly its colour; the smallest sample
# territory (two New York City counties under dense account dots) shows about twenty.
MIN_PIXELS = 5


def test_opens_on_sample_with_one_colour_per_territory(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    with qtbot.waitSignal(window.document_installed, timeout=60_000):
        window.open_sample()
    window.canvas.render_now()

    pixels = grab_rgb(window.canvas)
    colours, counts = np.unique(pixels, return_counts=True)
    present = dict(zip(colours.tolist(), counts.tolist(), strict=True))
    territories = window.project.territories
    assert len(territories) == 12
    for territory in territories:
        assert present.get(rgb(territory.color), 0) >= MIN_PIXELS, territory
    assert rgb(UNASSIGNED_COLOR) not in present
    assert "[synthetic sample]" in window.windowTitle()


def _table_frame(window: MainWindow) -> pd.DataFrame:
    model = window.table.source()
    columns = ["name", "owner", *model.metric_columns]
    rows = [
        [model.data(model.index(r, c), SORT_ROLE) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    return pd.DataFrame(rows, columns=columns)


def _independent_totals(window: MainWindow) -> pd.DataFrame:
    project = window.project
    unit_territory = pd.Series(project.territory_of_units(), index=project.units.ids)
    accounts = pd.DataFrame(project.accounts.frame.drop(columns="geometry"))
    accounts["territory"] = accounts["unit_id"].map(unit_territory).fillna("(unassigned)")
    grouped = accounts.groupby("territory").agg(
        accounts=("account_id", "size"), annual_revenue=("annual_revenue", "sum")
    )
    grouped["units"] = unit_territory.fillna("(unassigned)").value_counts()
    order = [t.id for t in project.territories] + ["(unassigned)"]
    return grouped.reindex(order).fillna(0.0)


def test_table_has_a_row_per_territory_and_matches_a_groupby(window):
    table = _table_frame(window)
    expected = _independent_totals(window)
    territories = window.project.territories
    assert len(table) == len(territories) + 1
    assert table["name"].tolist() == [t.name for t in territories] + ["Unassigned"]
    for column in ("units", "accounts", "annual_revenue"):
        np.testing.assert_allclose(table[column].to_numpy(float), expected[column].to_numpy(float))
    model = window.table.source()
    revenue = model.metric_columns.index("annual_revenue") + 2
    text = model.data(model.index(0, revenue), Qt.ItemDataRole.DisplayRole)
    assert text.endswith("M")  # compact in the cell
    tip = model.data(model.index(0, revenue), Qt.ItemDataRole.ToolTipRole)
    assert f"{table['annual_revenue'].iloc[0]:,.0f}" in tip  # exact in the tooltip


def test_wheel_zooms_about_the_cursor(window):
    canvas = window.canvas
    at = QPointF(canvas.width() * 0.3, canvas.height() * 0.6)
    before = canvas.viewport
    lonlat = canvas.renderer.scene.projection.to_lonlat(*before.screen_to_world(at.x(), at.y()))
    event = QWheelEvent(
        at,
        QPointF(canvas.mapToGlobal(at.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, event)
    after = canvas.viewport
    assert after.scale > before.scale * 1.3
    moved = canvas.renderer.scene.projection.to_lonlat(*after.screen_to_world(at.x(), at.y()))
    np.testing.assert_allclose(moved, lonlat, atol=1e-9)


def test_moving_a_unit_repaints_it_and_updates_the_table(window, qtbot):
    project, canvas = window.project, window.canvas
    source, target = project.territories[0], project.territories[1]
    members = np.flatnonzero(project.plan.codes == 0)
    largest = members[
        np.argmax(shapely.area(canvas.renderer.scene.units.levels[0].geometry[members]))
    ]
    inside = shapely.point_on_surface(canvas.renderer.scene.units.levels[0].geometry[largest])
    x, y = canvas.viewport.world_to_screen(inside.x, inside.y)
    assert rgb(source.color) in colours_near(grab_rgb(canvas), x, y)
    table_before = _table_frame(window)

    AssignUnits((project.units.ids[largest],), target.id).apply(project)

    near = colours_near(grab_rgb(canvas), x, y)
    assert rgb(target.color) in near
    assert rgb(source.color) not in near
    table = _table_frame(window)
    assert table["units"][0] == table_before["units"][0] - 1
    assert table["units"][1] == table_before["units"][1] + 1
    expected = _independent_totals(window)
    np.testing.assert_allclose(
        table["accounts"].to_numpy(float), expected["accounts"].to_numpy(float)
    )


def test_save_as_then_open_through_the_menus(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "northeast.terrmap.gpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(window.jobs.saved, timeout=60_000):
        window.file_actions["save_as"].trigger()
    assert target.is_file()
    assert window.document.path == target
    units_before = list(window.project.units.ids)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(window.document_installed, timeout=60_000):
        window.file_actions["open"].trigger()
    assert window.document.path == target
    assert list(window.project.units.ids) == units_before
    assert "northeast.terrmap.gpkg" in window.windowTitle()


def test_a_bad_file_shows_a_message_and_keeps_the_project(window, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "broken.terrmap.gpkg"
    bad.write_bytes(b"this is not a GeoPackage")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text, *a: shown.append((title, text))
    )
    project = window.project

    window.open_project_file(str(bad))
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)

    assert "broken.terrmap.gpkg" in shown[0][1]
    assert window.project is project


def test_every_table_column_fits_at_the_default_size(qtbot, sample_document):
    window = show_window(qtbot, sample_document, 1600, 1000)

    table = window.table
    qtbot.waitUntil(lambda: table.viewport().width() >= table.horizontalHeader().length())
    model = table.model()
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Annual\nrevenue" in headers
    assert "Visits\nper year" in headers
    # Panels on both sides (layers left; territories and balance right) leave the map
    # the largest share of the window.
    assert window.canvas.width() >= 0.4 * window.width(), "the map keeps 40 % of the window"


def test_every_menu_action_explains_itself(window):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator() or action.menu() is not None:
                continue
            assert action.statusTip(), action.text()
            assert action.toolTip() != action.text().replace("&", ""), action.text()


def test_full_extent_stays_fitted_while_the_window_resizes_until_the_user_zooms(window, qtbot):
    canvas = window.canvas
    canvas.zoom_to_full_extent()
    extent = canvas.renderer.extent
    window.resize(window.width() - 200, window.height())
    qtbot.waitUntil(lambda: canvas.viewport.width == canvas.width())
    left, bottom = canvas.viewport.world_to_screen(extent[0], extent[1])
    right, top = canvas.viewport.world_to_screen(extent[2], extent[3])
    assert left >= 0
    assert right <= canvas.width()
    assert top >= 0
    assert bottom <= canvas.height()
    canvas.zoom_in()
    zoomed = canvas.viewport.scale
    window.resize(window.width() + 100, window.height())
    qtbot.waitUntil(lambda: canvas.viewport.width == canvas.width())
    assert canvas.viewport.scale == zoomed
