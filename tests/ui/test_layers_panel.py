"""The Layers panel on the real sample: layer rows, choropleth, account styling, settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QScrollArea,
    QSlider,
    QSpinBox,
    QToolButton,
)

from terrmap.core.classify import classify
from terrmap.core.metrics import TerritoryMetrics
from terrmap.core.project import Project
from terrmap.render.style import LayerStyle, MapStyle
from terrmap.sample import load_sample_project
from terrmap.ui.layers_panel import LAYERS, RECLASSIFY_MS, LayersPanel
from terrmap.ui.layers_text import Text
from tests.ui.helpers import grab_rgb, rgb


@pytest.fixture(scope="module")
def project() -> Project:
    """The real sample, loaded once: only for tests that do not edit it."""
    return load_sample_project()


@pytest.fixture
def fresh_project() -> Project:
    """A copy of the sample of the test's own, to edit."""
    return load_sample_project()


@pytest.fixture
def metrics(project):
    metrics = TerritoryMetrics(project)
    yield metrics
    metrics.disconnect()


def _panel(qtbot, project, metrics, width: int = 300) -> LayersPanel:
    panel = LayersPanel()
    qtbot.addWidget(panel)
    panel.resize(width, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_source(project, metrics, MapStyle())
    return panel


@pytest.fixture
def panel(qtbot, project, metrics) -> LayersPanel:
    return _panel(qtbot, project, metrics)


def _choose(combo: QComboBox, column: str | None) -> None:
    index = combo.findData(column)
    assert index >= 0, f"{column!r} is not offered"
    combo.setCurrentIndex(index)


def _per_unit(project, column: str | None, how: str) -> np.ndarray:
    """Per-unit totals of the sample accounts, computed without the metrics."""
    frame = project.accounts.frame
    grouped = frame.groupby("unit_id")
    series = grouped.size() if column is None else grouped[column].agg(how)
    return series.reindex(project.units.ids, fill_value=0).to_numpy(dtype=float)


# -- rows ----------------------------------------------------------------------------
def test_rows_list_layers_top_to_bottom_as_drawn_and_name_units_by_kind(panel):
    names = [panel.rows[key].name_label.text() for key in LAYERS]
    tops = [panel.rows[key].y() for key in LAYERS]

    assert names == [Text.HOMES, Text.ACCOUNTS, Text.TERRITORIES, "Counties", Text.STATES]
    assert tops == sorted(tops)
    assert all(panel.rows[key].isVisible() for key in LAYERS)


def test_zcta_units_are_named_and_no_context_row_without_context(qtbot, fresh_project):
    fresh_project.units.kind = "zcta"
    fresh_project.context.clear()

    panel = _panel(qtbot, fresh_project, TerritoryMetrics(fresh_project))

    assert panel.rows["units"].name_label.text() == "ZIP codes (ZCTA)"
    assert not panel.rows["context"].isVisible()


def test_clicking_a_visibility_box_emits_a_style_with_that_layer_hidden(qtbot, panel):
    box = panel.rows["accounts"].visible_box

    with qtbot.waitSignal(panel.style_changed) as signal:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)

    style = signal.args[0]
    assert isinstance(style, MapStyle)
    assert not style.accounts.visible
    assert all(getattr(style, key).visible for key in LAYERS if key != "accounts")
    assert panel.style == style
    assert not panel.rows["accounts"].name_label.isEnabled()  # greyed out


def test_opacity_slider_sets_the_layer_opacity(qtbot, panel):
    row = panel.rows["units"]
    row.set_expanded(True)
    row.opacity_slider.setFocus()

    with qtbot.waitSignal(panel.style_changed) as signal:
        qtbot.keyClick(row.opacity_slider, Qt.Key.Key_PageDown)  # one page: 10 %

    assert signal.args[0].units.opacity == pytest.approx(0.9)
    assert row.opacity_value.text() == "90 %"


def test_labels_box_turns_labels_on(qtbot, panel):
    row = panel.rows["homes"]
    row.set_expanded(True)

    with qtbot.waitSignal(panel.style_changed) as signal:
        qtbot.mouseClick(row.labels_box, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))

    assert signal.args[0].homes == LayerStyle(visible=True, opacity=1.0, labels=True)
    assert panel.rows["accounts"].labels_box is None  # thousands of dots: no labels


def test_clicking_a_layer_name_opens_its_options(qtbot, panel):
    row = panel.rows["territories"]
    assert not row.body.isVisible()

    qtbot.mouseClick(row.name_label, Qt.MouseButton.LeftButton)

    assert row.body.isVisible()


# -- choropleth ----------------------------------------------------------------------
@pytest.mark.parametrize(("column", "how"), [("accounts", "size"), ("annual_revenue", "sum")])
def test_choosing_a_metric_colours_units_by_its_classes(qtbot, panel, project, column, how):
    expected = classify(_per_unit(project, None if how == "size" else column, how), column)

    with qtbot.waitSignal(panel.style_changed) as signal:
        _choose(panel.unit_colours.column_combo, column)

    choropleth = signal.args[0].choropleth
    assert choropleth == expected  # same edges, colours and class of every unit
    assert (choropleth.method, choropleth.k) == ("quantile", 5)


def test_legend_shows_one_row_per_class_in_its_colours(qtbot, panel):
    _choose(panel.unit_colours.column_combo, "potential")
    legend = panel.unit_colours.legend
    qtbot.waitUntil(legend.isVisible)

    choropleth = panel.style.choropleth
    assert legend.title == "Potential"
    assert legend.rows() == choropleth.legend()
    assert len(legend.rows()) == 5
    pixels = grab_rgb(legend)
    for row, (_label, color) in enumerate(legend.rows()):
        centre = legend.swatch_rect(row).center()
        assert pixels[centre.y(), centre.x()] == rgb(color)


def test_method_and_class_count_reclassify(qtbot, panel, metrics):
    controls = panel.unit_colours
    _choose(controls.column_combo, "area_km2")
    _choose(controls.method_combo, "natural")

    with qtbot.waitSignal(panel.style_changed) as signal:
        controls.classes_spin.setValue(3)

    expected = classify(metrics.unit_values("area_km2"), "area_km2", "natural", 3)
    assert signal.args[0].choropleth == expected
    assert len(controls.legend.rows()) == 3
    assert (controls.classes_spin.minimum(), controls.classes_spin.maximum()) == (3, 7)


def test_territory_colouring_turns_the_choropleth_off(qtbot, panel):
    controls = panel.unit_colours
    _choose(controls.column_combo, "accounts")

    with qtbot.waitSignal(panel.style_changed) as signal:
        _choose(controls.column_combo, None)

    assert signal.args[0].choropleth is None
    assert not controls.legend.isVisible()
    assert not controls.method_combo.isVisible()
    assert controls.column_combo.itemText(0) == Text.BY_TERRITORY


def test_units_metric_is_not_offered(panel, metrics):
    combo = panel.unit_colours.column_combo
    offered = [combo.itemData(i) for i in range(1, combo.count())]

    assert offered == [c for c in metrics.columns if c != "units"]
    assert combo.itemText(combo.findData("visits_per_year")) == "Visits per year"


def test_choropleth_follows_account_overrides_after_a_pause(qtbot, fresh_project):
    project = fresh_project
    panel = _panel(qtbot, project, TerritoryMetrics(project))
    _choose(panel.unit_colours.column_combo, "accounts")
    busiest = int(np.argmax(_per_unit(project, None, "size")))
    accounts = list(project.accounts.ids[project.accounts.unit_pos == busiest])
    owner = project.plan.codes[busiest]
    other = next(t.id for i, t in enumerate(project.territories) if i != owner)

    with qtbot.waitSignal(panel.style_changed, timeout=5 * RECLASSIFY_MS) as signal:
        # Named accounts of another territory stop counting for the unit they lie in.
        project.set_account_overrides(accounts, [other] * len(accounts))

    expected = _per_unit(project, None, "size")
    expected[busiest] = 0
    assert signal.args[0].choropleth == classify(expected, "accounts")
    assert signal.args[0].choropleth.classes[busiest] == 0


def test_unit_moves_do_not_reclassify(qtbot, fresh_project):
    project = fresh_project
    panel = _panel(qtbot, project, TerritoryMetrics(project))
    _choose(panel.unit_colours.column_combo, "accounts")

    with qtbot.assertNotEmitted(panel.style_changed, wait=3 * RECLASSIFY_MS):
        project.set_unit_codes(np.array([0, 1]), np.array([0, 0], dtype=np.int32))


def test_a_deleted_panel_ignores_later_metric_changes(qtbot, project, metrics):
    panel = LayersPanel()
    panel.set_source(project, metrics, MapStyle())
    _choose(panel.unit_colours.column_combo, "accounts")
    panel.deleteLater()
    qtbot.waitUntil(lambda: len(metrics.totals_changed) == 0)

    metrics.recompute()  # would reach a deleted timer if the panel still listened


# -- accounts ------------------------------------------------------------------------
def test_account_size_and_colour_options(qtbot, panel, project):
    frame = project.accounts.frame
    offered = [
        panel.account_size_combo.itemData(i) for i in range(panel.account_size_combo.count())
    ]
    assert offered == [None, "annual_revenue", "potential", "visits_per_year"]

    with qtbot.waitSignal(panel.style_changed) as signal:
        _choose(panel.account_size_combo, "visits_per_year")
    assert signal.args[0].account_size_column == "visits_per_year"

    controls = panel.account_colours
    _choose(controls.method_combo, "equal")
    with qtbot.waitSignal(panel.style_changed) as signal:
        _choose(controls.column_combo, "annual_revenue")

    values = pd.to_numeric(frame["annual_revenue"], errors="coerce").to_numpy(dtype=float)
    expected = classify(values, "annual_revenue", "equal", 5)
    assert signal.args[0].account_colors == expected
    assert signal.args[0].choropleth is None
    assert controls.legend.rows() == expected.legend()
    assert controls.legend.title == "Annual revenue"


def test_missing_account_values_show_as_no_data(qtbot, fresh_project):
    frame = fresh_project.accounts.frame
    frame["potential"] = frame["potential"].astype("Int64")  # a nullable column, as read
    frame.loc[[0, 1], "potential"] = pd.NA
    panel = _panel(qtbot, fresh_project, TerritoryMetrics(fresh_project))

    _choose(panel.account_colours.column_combo, "potential")

    assert panel.style.account_colors.classes[:2].tolist() == [-1, -1]
    assert panel.account_colours.legend.rows()[-1][0] == "No data"


# -- settings, source changes, looks -------------------------------------------------
def test_choices_are_remembered_for_the_next_panel(qtbot, panel, project, metrics):
    qtbot.mouseClick(panel.rows["territories"].visible_box, Qt.MouseButton.LeftButton)
    panel.rows["units"].opacity_slider.setValue(60)
    panel.rows["units"].labels_box.setChecked(True)
    _choose(panel.unit_colours.method_combo, "equal")
    panel.unit_colours.classes_spin.setValue(4)
    _choose(panel.unit_colours.column_combo, "potential")
    _choose(panel.account_size_combo, "annual_revenue")
    _choose(panel.account_colours.column_combo, "visits_per_year")
    wanted = panel.style

    again = LayersPanel()
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.style_changed) as signal:
        again.set_source(project, metrics, MapStyle())

    assert signal.args[0] == again.style == wanted
    assert not again.style.territories.visible
    assert again.style.units == LayerStyle(visible=True, opacity=0.6, labels=True)
    assert again.style.choropleth == classify(
        metrics.unit_values("potential"), "potential", "equal", 4
    )
    assert again.unit_colours.classes_spin.value() == 4
    assert again.rows["territories"].visible_box.isChecked() is False


def test_remembered_columns_missing_from_the_next_project_are_dropped(qtbot, grid_project):
    from PySide6.QtCore import QSettings

    QSettings().setValue("layers/units/colorBy", "annual_revenue")
    QSettings().setValue("layers/accounts/sizeBy", "annual_revenue")
    QSettings().setValue("layers/homes/visible", False)
    metrics = TerritoryMetrics(grid_project)
    panel = LayersPanel()
    qtbot.addWidget(panel)

    panel.set_source(grid_project, metrics, MapStyle())

    assert panel.style.choropleth is None
    assert panel.style.account_size_column is None
    assert not panel.style.homes.visible  # layer options do not depend on columns
    assert panel.unit_colours.column_combo.currentData() is None
    metrics.disconnect()


def test_no_project_clears_the_colourings(qtbot, panel):
    _choose(panel.unit_colours.column_combo, "accounts")

    with qtbot.waitSignal(panel.style_changed) as signal:
        panel.set_source(None, None, panel.style)

    assert signal.args[0].choropleth is None
    assert not panel.rows["units"].isEnabled()


def test_every_control_has_a_tooltip(panel):
    for row in panel.rows.values():
        row.set_expanded(True)
    controls = [
        w
        for kind in (QCheckBox, QComboBox, QSlider, QSpinBox, QToolButton)
        for w in panel.findChildren(kind)
        if w.parent() is not None and w.objectName() != "qt_spinbox_lineedit"
    ]

    assert len(controls) > 15
    assert [w for w in controls if not w.toolTip()] == []


@pytest.mark.parametrize("width", [260, 500])
def test_fits_a_narrow_or_wide_dock_without_sideways_scrolling(qtbot, project, metrics, width):
    panel = _panel(qtbot, project, metrics, width)
    for row in panel.rows.values():
        row.set_expanded(True)
    _choose(panel.unit_colours.column_combo, "annual_revenue")
    _choose(panel.account_colours.column_combo, "potential")
    qtbot.wait(10)

    area = panel.findChild(QScrollArea)
    assert not area.horizontalScrollBar().isVisible()
    assert area.widget().minimumSizeHint().width() <= area.viewport().width()
