"""The pure view transform."""

from __future__ import annotations

import pytest

from terrmap.render.viewport import MapViewport


def test_world_screen_round_trip():
    view = MapViewport(100.0, 200.0, 0.5, 800, 600)
    assert view.world_to_screen(100.0, 200.0) == (400.0, 300.0)
    x, y = view.world_to_screen(130.0, 150.0)
    assert (x, y) == (415.0, 325.0)  # y grows downwards on screen
    assert view.screen_to_world(x, y) == pytest.approx((130.0, 150.0))


def test_zoom_keeps_the_point_under_the_cursor():
    view = MapViewport(0.0, 0.0, 1.0, 800, 600)
    before = view.screen_to_world(123.0, 456.0)
    zoomed = view.zoomed_at(123.0, 456.0, 3.0)
    assert zoomed.scale == 3.0
    assert zoomed.screen_to_world(123.0, 456.0) == pytest.approx(before)


def test_fit_shows_the_whole_bounds():
    view = MapViewport.fit((0.0, 0.0, 1000.0, 500.0), 800, 600, margin=0.0)
    minx, miny, maxx, maxy = view.world_bounds
    assert (minx, miny) <= (0.0, 0.0)
    assert maxx >= 1000.0
    assert maxy >= 500.0
    assert view.scale == pytest.approx(0.8)


def test_pan_moves_content_with_the_drag():
    view = MapViewport(0.0, 0.0, 2.0, 800, 600)
    world = view.screen_to_world(100.0, 100.0)
    assert view.panned(10.0, -20.0).world_to_screen(*world) == pytest.approx((110.0, 80.0))


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        MapViewport(0.0, 0.0, 0.0, 10, 10)
