"""Picking units and accounts by point, area, lasso and brush (pure geometry)."""

from __future__ import annotations

import numpy as np
import shapely

from terrmap.render.picking import PointPicker, UnitPicker, brush_stroke, lasso_polygon


def _grid(n: int = 4) -> np.ndarray:
    return np.array([shapely.box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)])


def test_click_picks_the_unit_under_the_point():
    picker = UnitPicker(_grid())
    assert picker.at(0.5, 0.5) == 0
    assert picker.at(3.5, 2.5) == 11
    assert picker.at(9.0, 9.0) is None


def test_area_selects_units_by_their_anchor():
    picker = UnitPicker(_grid())
    # A box over the first column's anchors only, grazing the second column.
    inside = picker.inside(shapely.box(-0.5, -0.5, 1.2, 4.5))
    assert inside.tolist() == [0, 4, 8, 12]


def test_self_crossing_lasso_is_made_valid_and_selects_both_loops():
    bow_tie = [(0.2, 0.0), (3.8, 4.0), (3.8, 0.0), (0.2, 4.0)]
    area = lasso_polygon(bow_tie)
    assert area.is_valid
    picked = UnitPicker(_grid()).inside(area)
    # The loops meet at (2, 2): each holds its outer column of anchors and the two
    # middle anchors of its inner column; the top and bottom middle cells stay out.
    assert picked.tolist() == [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15]
    assert lasso_polygon([(0, 0), (1, 1)]).is_empty


def test_brush_touches_units_along_its_path():
    stroke = brush_stroke([(0.5, 0.5), (3.5, 0.5)], 0.2)
    assert UnitPicker(_grid()).touching(stroke).tolist() == [0, 1, 2, 3]


def test_accounts_nearest_within_radius_and_inside_area():
    picker = PointPicker(np.array([0.0, 5.0, np.nan]), np.array([0.0, 5.0, np.nan]))
    assert picker.nearest(0.1, 0.1, 0.5) == 0
    assert picker.nearest(2.5, 2.5, 0.5) is None
    assert picker.inside(shapely.box(4, 4, 6, 6)).tolist() == [1]
    assert picker.xy.shape == (3, 2)
