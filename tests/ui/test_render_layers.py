"""Layer options of the map renderer: visibility, opacity, choropleth, account colours,
labels, region repaints and vector output."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter, QPicture

from terrmap.core import AccountLayer, Project
from terrmap.core.classify import classify
from terrmap.render import MapRenderer, MapStyle, MapViewport
from terrmap.render.style import LayerStyle
from tests.grid import make_grid_project

W, H = 400, 300
HIDDEN = LayerStyle(visible=False)
NO_LABELS = LayerStyle(labels=False)
PLAIN = MapStyle(antialias=False)


def _render(
    renderer: MapRenderer,
    style: MapStyle = PLAIN,
    viewport: MapViewport | None = None,
    image: QImage | None = None,
    region: QRectF | None = None,
) -> QImage:
    viewport = viewport or MapViewport.fit(renderer.extent, W, H)
    if image is None:
        image = QImage(viewport.width, viewport.height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    renderer.paint(painter, viewport, style, region)
    painter.end()
    return image


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint32).reshape(image.height(), -1)
    return (data[:, : image.width()] & 0xFFFFFF).copy()


def _rgb(color: str) -> int:
    return int(color[-6:], 16)


def _screen(renderer: MapRenderer, viewport: MapViewport, lon: float, lat: float) -> tuple:
    x, y = renderer.scene.projection.to_display(np.array([lon]), np.array([lat]))
    sx, sy = viewport.world_to_screen(float(x[0]), float(y[0]))
    return round(sx), round(sy)


def _unit_centre(renderer: MapRenderer, viewport: MapViewport, position: int) -> tuple:
    centre = shapely.centroid(renderer.project.units.geometry[position])
    return _screen(renderer, viewport, centre.x, centre.y)


def test_hidden_layers_are_not_drawn(grid_project):
    renderer = MapRenderer(grid_project)
    west = _rgb(grid_project.territories[0].color)
    shown = _pixels(_render(renderer))
    assert west in set(shown.ravel().tolist())
    no_units = _pixels(_render(renderer, replace(PLAIN, units=HIDDEN, homes=HIDDEN)))
    assert west not in set(no_units.ravel().tolist())
    border = _rgb(PLAIN.territory_border)
    assert border in set(shown.ravel().tolist())
    bare = replace(PLAIN, units=HIDDEN, territories=HIDDEN, accounts=HIDDEN, homes=HIDDEN)
    assert border not in set(_pixels(_render(renderer, bare)).ravel().tolist())
    home = _rgb(PLAIN.home_fill)
    with_homes = replace(bare, homes=LayerStyle(labels=False))
    assert home in set(_pixels(_render(renderer, with_homes)).ravel().tolist())
    assert home not in set(_pixels(_render(renderer, bare)).ravel().tolist())


def test_unit_opacity_blends_with_what_lies_below(grid_project):
    renderer = MapRenderer(grid_project)
    viewport = MapViewport.fit(renderer.extent, W, H)
    style = replace(PLAIN, accounts=HIDDEN, homes=HIDDEN, territories=HIDDEN)
    x, y = _unit_centre(renderer, viewport, 0)
    below = _pixels(_render(renderer, replace(style, units=HIDDEN)))[y, x]
    half = _pixels(_render(renderer, replace(style, units=LayerStyle(opacity=0.5))))[y, x]
    fill = _rgb(grid_project.territories[0].color)
    for shift in (0, 8, 16):
        expected = ((fill >> shift & 255) + (below >> shift & 255)) / 2
        assert abs((half >> shift & 255) - expected) <= 2


def test_choropleth_colours_units_by_class(grid_project):
    renderer = MapRenderer(grid_project)
    viewport = MapViewport.fit(renderer.extent, W, H)
    values = grid_project.units.frame["households"].to_numpy(dtype=float)
    values[5] = np.nan  # one unit without data
    classes = classify(values, "households", "equal", 4)
    style = replace(PLAIN, choropleth=classes, accounts=HIDDEN, homes=HIDDEN, territories=NO_LABELS)
    pixels = _pixels(_render(renderer, style))
    for position in range(len(values)):
        x, y = _unit_centre(renderer, viewport, position)
        assert pixels[y, x] == _rgb(classes.color_of(position)), position
    # No hatching in choropleth mode, even over unassigned units.
    assert _rgb(PLAIN.unassigned_hatch) not in set(pixels.ravel().tolist())


def test_accounts_are_coloured_by_class_and_sized_by_a_column():
    project = make_grid_project()
    # An account without a place first: classes still index account positions.
    frame = project.accounts.frame.copy()
    lost = frame.iloc[[0]].copy()
    lost["account_id"], lost["geometry"] = "NOWHERE", None
    frame = gpd.GeoDataFrame(
        gpd.pd.concat([lost, frame], ignore_index=True), geometry="geometry", crs=frame.crs
    )
    project = Project(
        project.units,
        AccountLayer(frame, project.units),
        project.territories,
        project.plans,
    )
    renderer = MapRenderer(project)
    assert np.isnan(renderer.scene.accounts.xy_all[0]).all()
    viewport = MapViewport.fit(renderer.extent, W, H)
    values = project.accounts.frame["revenue"].to_numpy(dtype=float)
    classes = classify(values, "revenue", "quantile", 3)
    style = replace(
        PLAIN,
        account_colors=classes,
        account_color="#FF26323D",  # opaque dots: their colour is exact
        account_size_column="revenue",
        units=HIDDEN,
        territories=HIDDEN,
        homes=HIDDEN,
    )
    pixels = _pixels(_render(renderer, style, viewport))
    geometry = project.accounts.frame.geometry
    for position in (1, 12, 23):  # low, middle and high revenue
        point = geometry.iloc[position]
        x, y = _screen(renderer, viewport, point.x, point.y)
        assert pixels[y, x] == _rgb(classes.color_of(position)), position
    # The biggest account gets the biggest dot.
    big = geometry.iloc[int(np.nanargmax(values))]
    x, y = _screen(renderer, viewport, big.x, big.y)
    colour = pixels[y, x]
    assert pixels[y, x + 3] == colour
    assert pixels[y + 3, x] == colour


def test_territory_labels_are_drawn_without_overlaps(sample_document):
    renderer = MapRenderer(sample_document.project, sample_document.scene)
    viewport = MapViewport.fit(renderer.extent, 1200, 800)
    style = MapStyle(units=LayerStyle(labels=True), homes=LayerStyle(labels=True))
    pixels = _pixels(_render(renderer, style, viewport))
    territories = [label for label in renderer.labels if label.kind == "territory"]
    assert len(territories) >= len(sample_document.project.territories) // 2
    text = _rgb(style.label_color)
    for label in territories:
        box = label.box.toRect()
        patch = pixels[box.top() : box.bottom(), box.left() : box.right()]
        assert (patch == text).sum() >= 10, label.text
    _render(renderer, style, viewport.zoomed_at(600, 400, 3.0))
    kinds = {label.kind for label in renderer.labels}
    assert {"territory", "unit"} <= kinds
    boxes = [label.box for label in renderer.labels]
    for i, a in enumerate(boxes):
        assert not any(a.intersects(b) for b in boxes[i + 1 :])


def test_region_repaint_touches_only_the_region(grid_project):
    renderer = MapRenderer(grid_project)
    viewport = MapViewport.fit(renderer.extent, W, H)
    style = replace(PLAIN, territories=NO_LABELS, accounts=HIDDEN)
    before = _render(renderer, style, viewport, QImage(W, H, QImage.Format.Format_RGB32))
    old = _pixels(before)
    grid_project.set_unit_codes(np.array([3]), np.array([1], dtype=np.int32))  # r0c3 → T2
    region = renderer.region_for_units(viewport, np.array([3]))
    assert not region.isEmpty()
    after = _pixels(_render(renderer, style, viewport, before, region))
    inside = np.zeros(old.shape, dtype=bool)
    r = region.toAlignedRect()
    inside[max(r.top(), 0) : r.bottom() + 1, max(r.left(), 0) : r.right() + 1] = True
    assert (after[~inside] == old[~inside]).all()
    x, y = _unit_centre(renderer, viewport, 3)
    assert after[y, x] == _rgb(grid_project.territories[1].color)
    # The region repaint matches a full repaint of the edited project.
    full = _pixels(_render(renderer, style, viewport))
    assert (after[inside] == full[inside]).mean() > 0.99


def test_raster_fills_match_vector_fills(sample_document):
    renderer = MapRenderer(sample_document.project, sample_document.scene)
    viewport = MapViewport.fit(renderer.extent, 600, 400)
    style = MapStyle(antialias=False, territories=HIDDEN, accounts=HIDDEN, homes=HIDDEN)
    raster = _pixels(_render(renderer, style, viewport))
    # A QPicture records vector calls: the renderer takes the path used for print.
    picture = QPicture()
    painter = QPainter(picture)
    renderer.paint(painter, viewport, style)
    painter.end()
    image = QImage(600, 400, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.drawPicture(0, 0, picture)
    painter.end()
    vector = _pixels(image)
    assert (raster == vector).mean() > 0.98


@pytest.mark.parametrize("antialias", [False, True])
def test_pdf_output_is_vector(tmp_path, sample_document, antialias):
    renderer = MapRenderer(sample_document.project, sample_document.scene)
    path = tmp_path / "map.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(300)
    painter = QPainter(writer)
    rect = painter.viewport()
    viewport = MapViewport.fit(renderer.extent, rect.width(), rect.height())
    renderer.paint(painter, viewport, MapStyle(antialias=antialias))
    painter.end()
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 20_000
    assert renderer.paint_calls > len(sample_document.project.units) // 2  # one path a unit


def test_region_repaint_after_a_move_matches_a_full_repaint(sample_document):
    project = sample_document.project
    renderer = MapRenderer(project, sample_document.scene)
    viewport = MapViewport.fit(renderer.extent, 800, 600)
    frame = _render(renderer, MapStyle(), viewport, QImage(800, 600, QImage.Format.Format_RGB32))
    # Hand a third of the first territory to the second: both names may move.
    codes = project.plan.codes
    positions = np.flatnonzero(codes == 0)[::3]
    old = codes[positions].copy()
    project.set_unit_codes(positions, np.full(len(positions), 1, dtype=np.int32))
    region = renderer.region_for_units(viewport, positions, old)
    repainted = _pixels(_render(renderer, MapStyle(), viewport, frame, region))
    full = _pixels(_render(renderer, MapStyle(), viewport))
    assert (repainted == full).mean() > 0.999


def test_svg_output_gets_vector_paths(tmp_path, sample_document):
    from PySide6.QtSvg import QSvgGenerator

    renderer = MapRenderer(sample_document.project, sample_document.scene)
    path = tmp_path / "map.svg"
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(600, 400))
    painter = QPainter(generator)
    renderer.paint(painter, MapViewport.fit(renderer.extent, 600, 400), MapStyle())
    painter.end()
    text = path.read_text()
    assert text.count("<path") > len(sample_document.project.units) // 2
    assert "<image" not in text  # no raster shortcut on a vector device
