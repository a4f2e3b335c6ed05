"""Display geometry of the renderer: levels of detail, edge arrays and the scanline fill."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QTransform

from terrmap.render.arc_simplify import arc_simplify
from terrmap.render.coverage_edges import LevelEdges
from terrmap.render.geometry_cache import GeometryCache
from terrmap.render.projection import DisplayProjection
from terrmap.render.qt_geometry import unit_paths
from terrmap.render.raster_fill import FillRaster, ScanEdges
from terrmap.sample import load_counties

ZCTA = Path(__file__).resolve().parents[3] / "shared" / "data" / "zcta"


@pytest.fixture(scope="module")
def zcta_plane() -> np.ndarray:
    """Real Census ZCTAs of Delaware and Rhode Island in the display plane."""
    from terrmap.io.boundaries import read_boundaries

    files = [ZCTA / f"{state}_zcta2010.geojson" for state in ("de", "ri")]
    if not all(path.exists() for path in files):
        pytest.skip("the shared ZCTA files are not available")
    frame = pd.concat([read_boundaries(path).frame for path in files])
    geometry = frame.geometry.to_numpy()
    return DisplayProjection.for_geometries(geometry).project(geometry)


@pytest.mark.parametrize("tolerance", [5.0, 40.0])
def test_arc_simplify_keeps_a_coverage(zcta_plane, tolerance):
    simplified = arc_simplify(zcta_plane, tolerance)
    before = shapely.get_num_coordinates(zcta_plane).sum()
    assert shapely.get_num_coordinates(simplified).sum() < before * 0.3
    assert shapely.coverage_is_valid(simplified)
    assert shapely.is_valid(simplified).all()
    assert np.nanmax(shapely.hausdorff_distance(simplified, zcta_plane)) <= tolerance * 1.01


def test_edges_know_their_neighbours_and_join_into_runs():
    # Two squares side by side and a third with a square hole holding a fourth.
    squares = np.array(
        [
            shapely.box(0, 0, 1, 1),
            shapely.box(1, 0, 2, 1),
            shapely.Polygon(shapely.box(3, 0, 6, 3).exterior, [shapely.box(4, 1, 5, 2).exterior]),
            shapely.box(4, 1, 5, 2),
        ],
        dtype=object,
    )
    edges = LevelEdges(squares)
    shared = edges.neighbour >= 0
    assert set(zip(edges.unit[shared], edges.neighbour[shared], strict=True)) == {
        (0, 1),
        (1, 0),
        (2, 3),
        (3, 2),
    }
    once = (edges.neighbour < 0) | (edges.unit < edges.neighbour)
    runs = edges.runs(once)
    drawn = sum(len(line) - 1 for line in runs.polylines())
    assert drawn == len(edges) - shared.sum() // 2
    assert runs.bounds().shape == (len(runs), 4)


def test_scanline_fill_matches_qt_on_counties(qapp):
    units = load_counties(("RI", "CT", "MA"))
    geometry = DisplayProjection.for_geometries(units.geometry).project(units.geometry)
    minx, miny, maxx, maxy = shapely.total_bounds(geometry)
    scale = min(400 / (maxx - minx), 300 / (maxy - miny))
    transform = (scale, -scale, -minx * scale, maxy * scale)
    rng = np.random.default_rng(0)
    colors = (0xFF000000 | rng.integers(0, 0xFFFFFF, len(geometry))).astype(np.uint32)
    filled = FillRaster().render(ScanEdges(LevelEdges(geometry)), colors, transform, 400, (0, 300))
    ours = _argb(filled)
    image = QImage(400, 300, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setTransform(QTransform(transform[0], 0, 0, transform[1], transform[2], transform[3]))
    painter.setPen(Qt.PenStyle.NoPen)
    for path, color in zip(unit_paths(geometry), colors.tolist(), strict=True):
        painter.setBrush(QBrush(QColor.fromRgba(color)))
        painter.drawPath(path)
    painter.end()
    qt = _argb(image)
    assert (ours != 0).mean() > 0.3
    # Both sample pixel centres; they differ only where an edge passes a centre exactly.
    assert (ours == qt).mean() > 0.995


def test_scanline_fill_hatches_a_colour_and_fills_a_band():
    square = np.array([shapely.box(0, 0, 100, 100)], dtype=object)
    fill, line = 0xFFD9D9D9, 0xFFA8A8A8
    image = FillRaster().render(
        ScanEdges(LevelEdges(square)),
        np.array([fill], dtype=np.uint32),
        (1.0, -1.0, 0.0, 100.0),
        100,
        (20, 60),
        hatch=(fill, line),
    )
    assert image.height() == 40
    pixels = _argb(image)
    assert set(np.unique(pixels).tolist()) == {fill, line}
    assert 0.08 < (pixels == line).mean() < 0.2


def _argb(image: QImage) -> np.ndarray:
    data = np.frombuffer(
        image.constBits(), dtype=np.uint32, count=image.bytesPerLine() // 4 * image.height()
    )
    return data.reshape(image.height(), -1)[:, : image.width()].copy()


def test_paths_are_built_on_demand():
    units = load_counties(("RI",))
    cache = GeometryCache(units.geometry, DisplayProjection.for_geometries(units.geometry))
    paths = cache.levels[0].paths
    assert len(paths) == len(units)
    assert isinstance(paths[0], QPainterPath)
    assert not paths[0].isEmpty()
    assert paths[0] is paths[0]  # built once, then kept


def _segments(paths: list[QPainterPath]) -> set[tuple[float, ...]]:
    """Every drawn segment of ``paths``, direction-free."""
    found = set()
    for path in paths:
        previous = None
        for i in range(path.elementCount()):
            element = path.elementAt(i)
            point = (round(element.x, 6), round(element.y, 6))
            if element.isLineTo() and previous is not None:
                found.add(tuple(sorted((previous, point))))
            previous = point
    return found  # type: ignore[return-value]


def test_territory_outlines_follow_edits_pair_by_pair(qapp):
    """After edits, the outlines rebuilt pair by pair are exactly a full rebuild's."""
    from terrmap.render.borders import TerritoryOutlines

    units = load_counties(("ME", "NH", "VT", "MA", "RI", "CT", "NY"))
    geometry = DisplayProjection.for_geometries(units.geometry).project(units.geometry)
    edges = LevelEdges(geometry)
    whole_view = tuple(shapely.total_bounds(geometry))
    rng = np.random.default_rng(3)
    codes = rng.integers(-1, 6, len(geometry)).astype(np.int32)
    live = TerritoryOutlines(edges)
    live.update(codes)
    for _ in range(4):
        moved = rng.choice(len(codes), 20, replace=False)
        codes = codes.copy()
        codes[moved] = rng.integers(-1, 6, len(moved))
        live.update(codes)
        fresh = TerritoryOutlines(edges)
        fresh.update(codes)
        assert _segments(live.paths(whole_view)) == _segments(fresh.paths(whole_view))
        # Each shared edge between different territories is drawn, the others are not.
        drawn = _segments(live.paths(whole_view))
        own = codes[edges.unit]
        other = np.where(edges.neighbour >= 0, codes[np.maximum(edges.neighbour, 0)], -2)
        between = (own != other) & (edges.neighbour >= 0)
        for e in np.flatnonzero(between)[:200].tolist():
            a = (round(edges.x0[e], 6), round(edges.y0[e], 6))
            b = (round(edges.x1[e], 6), round(edges.y1[e], 6))
            assert tuple(sorted((a, b))) in drawn
        same = (own == other) & (edges.neighbour >= 0)
        for e in np.flatnonzero(same)[:200].tolist():
            a = (round(edges.x0[e], 6), round(edges.y0[e], 6))
            b = (round(edges.x1[e], 6), round(edges.y1[e], 6))
            assert tuple(sorted((a, b))) not in drawn
