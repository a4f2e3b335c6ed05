"""The map renderer off-window: many paint calls, culling, hatching."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPainter

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.render import MapRenderer, MapStyle, MapViewport
from terrmap.render.style import LayerStyle


def _render(renderer: MapRenderer, viewport: MapViewport, style: MapStyle | None = None) -> QImage:
    image = QImage(viewport.width, viewport.height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    renderer.paint(painter, viewport, style)
    painter.end()
    return image


def _colours(image: QImage) -> set[int]:
    data = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(image.height(), -1)
    return set(np.unique(data & 0xFFFFFF).tolist())


def test_survives_ten_thousand_paint_calls(sample_document):
    # PySide6 6.12.0 aborts with "none_dealloc" after a few thousand void calls (DESIGN.md).
    renderer = MapRenderer(sample_document.project, sample_document.scene)
    viewport = MapViewport.fit(renderer.extent, 400, 300)
    calls = 0
    while calls < 10_000:
        _render(renderer, viewport, MapStyle(antialias=False))
        calls += renderer.paint_calls
    assert calls >= 10_000


def test_grid_project_shows_territories_and_hatched_unassigned(grid_project):
    renderer = MapRenderer(grid_project)
    image = _render(renderer, MapViewport.fit(renderer.extent, 400, 300), MapStyle(antialias=False))
    colours = _colours(image)
    for territory in grid_project.territories[:2]:
        assert int(territory.color[1:], 16) in colours
    assert int(UNASSIGNED_COLOR[1:], 16) in colours  # column 3 is unassigned
    assert int(MapStyle().unassigned_hatch[1:], 16) in colours
    assert int(grid_project.territories[2].color[1:], 16) not in colours  # owns nothing


def test_culls_units_outside_the_view(grid_project):
    renderer = MapRenderer(grid_project)
    full = MapViewport.fit(renderer.extent, 400, 300)
    _render(
        renderer,
        full,
        MapStyle(
            antialias=False, accounts=LayerStyle(visible=False), homes=LayerStyle(visible=False)
        ),
    )
    all_calls = renderer.paint_calls
    corner = full.zoomed_at(0, 0, 20.0)
    _render(
        renderer,
        corner,
        MapStyle(
            antialias=False, accounts=LayerStyle(visible=False), homes=LayerStyle(visible=False)
        ),
    )
    assert renderer.paint_calls < all_calls


def test_unit_at_finds_the_unit_under_a_point(grid_project):
    renderer = MapRenderer(grid_project)
    x, y = renderer.scene.projection.to_display(np.array([-99.75]), np.array([38.25]))
    assert renderer.unit_at(float(x[0]), float(y[0])) == 0
    assert renderer.unit_at(0.0, 0.0) is None
