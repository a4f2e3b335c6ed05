"""Print layouts read back: the PDF with poppler, the SVG as XML, the PNG's size; the scale
bar and north arrow checked against pyproj independently of the code under test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pyproj import Geod, Proj, Transformer
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from terrmap.render import layout_document
from terrmap.render.layout import PrintLayout, build_document, focus_style, paint_layout
from terrmap.render.layout_marks import north_angle, scale_bar
from terrmap.render.layout_parts import ITEM_PAD, MIN_ITEM_W, legend_columns, territory_items
from terrmap.render.page import ensure_gui_application
from terrmap.render.print_output import write_pdf, write_png, write_svg
from terrmap.render.viewport import MapViewport
from terrmap.sample import SYNTHETIC_NOTICE

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdfinfo", "pdftotext", "pdftoppm")),
    reason="poppler-utils are not installed",
)


@pytest.fixture(scope="module")
def pdf(project, scene, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "map.pdf"
    write_pdf(path, project, PrintLayout(subtitle="Fiscal year 2027"), scene)
    return path


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    result = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def pdf_png(path: Path, out: Path, page: int = 1, gray: bool = False) -> np.ndarray:
    from PIL import Image

    args = ["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page), "-singlefile"]
    if gray:
        args.append("-gray")
    prefix = out / f"page{page}{'g' if gray else ''}"
    subprocess.run([*args, str(path), str(prefix)], check=True, capture_output=True)
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB"))


# -- the layout value -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": "b5"}, "unknown page size"),
        ({"orientation": "sideways"}, "orientation"),
        ({"dpi": 5}, "dpi"),
        ({"margins_mm": (10, 10, 10)}, "margins"),
        ({"distance_unit": "league"}, "distance_unit"),
        ({"bounds": (5, 0, 1, 1)}, "bounds"),
        ({"account_limit": -1}, "account_limit"),
    ],
)
def test_layout_rejects_bad_values(options, message):
    with pytest.raises(ValueError, match=message):
        PrintLayout(**options)


def test_page_sizes_follow_paper_and_orientation():
    width, height = PrintLayout(page="a4").page_size()
    assert (round(width), round(height)) == (794, 1123)  # 210 × 297 mm at 96 per inch
    width, height = PrintLayout(page="tabloid", orientation="landscape").page_size()
    assert (round(width), round(height)) == (1632, 1056)


# -- PDF --------------------------------------------------------------------------------


@needs_poppler
def test_pdf_opens_renders_and_has_the_planned_pages(pdf, project, scene, tmp_path):
    planned = build_document(project, PrintLayout(), scene).pages
    assert pdf_pages(pdf) == len(planned)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "612 x 792 pts" in info.stdout  # Letter
    image = pdf_png(pdf, tmp_path)
    assert image.shape[0] > image.shape[1]  # portrait
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50  # a map, not a blank page


@needs_poppler
def test_legend_lists_every_territory_with_its_rep(pdf, project):
    text = pdf_text(pdf, 1)
    for territory in project.territories:
        assert f"{territory.name} — {territory.owner}" in text
    assert "Northeast sample" in text
    assert "Fiscal year 2027" in text
    assert "accounts" in text
    assert "annual revenue" in text


@needs_poppler
def test_footer_names_the_source_and_the_synthetic_notice(pdf):
    text = pdf_text(pdf)
    assert "US Census 2016 counties" in text
    assert SYNTHETIC_NOTICE in text
    assert re.search(r"Page 1 of \d", text)


@needs_poppler
def test_summary_table_totals_every_territory(pdf, project):
    text = pdf_text(pdf)
    assert "Territory summary" in text
    assert f"Total {len(project.units)} {len(project.accounts):,}" in text


@needs_poppler
def test_greyscale_print_keeps_legend_and_map_apart(pdf, tmp_path):
    gray = pdf_png(pdf, tmp_path, gray=True)[..., 0]
    # Territory fills keep distinct grey levels: the page is not washed into a few tones.
    assert len(np.unique(gray)) > 40


def test_legend_columns_leave_room_for_every_item(project):
    ensure_gui_application()
    document = build_document(project, PrintLayout())
    items = territory_items(project, list(range(12)), document.totals, document.metrics)
    width = document.content.width()
    columns = legend_columns(items, width, document.fonts)
    assert columns >= 2
    assert columns * MIN_ITEM_W <= width + ITEM_PAD
    first = document.pages[0]
    assert len(first.legend) == len(project.territories)  # all on the map page


@pytest.fixture(scope="module")
def crowded():
    """60 territories over three states' counties: more legend than a page holds."""
    from terrmap.core import Project, Territory
    from terrmap.core.palette import color_for_index
    from terrmap.core.plan import Plan
    from terrmap.sample import load_counties

    units = load_counties(("NY", "PA", "OH"))
    territories = [
        Territory(f"T{i:02d}", f"Territory number {i + 1}", f"Representative {i + 1}",
                  color_for_index(i))
        for i in range(60)
    ]  # fmt: skip
    codes = np.arange(len(units)) % 60
    return Project(units, territories=territories, plans=[Plan("Current", codes)])


def test_many_territories_continue_the_legend_and_table_on_later_pages(crowded):
    document = build_document(crowded, PrintLayout(page="a4", orientation="landscape"))
    first = document.pages[0]
    body = document.body_height(document.subtitle)
    assert first.map.height >= body * layout_document.MIN_MAP_SHARE
    assert 0 < len(first.legend) < 60
    assert sum(len(page.legend) for page in document.pages) == 60
    rows = [r for page in document.pages for t in page.tables for r in t.rows]
    assert rows == list(range(61))  # 60 territories and the total, each once, in order
    for page in document.pages:
        items = len(page.legend)
        assert (items + page.legend_columns - 1) // page.legend_columns * 30 <= body


@needs_poppler
def test_crowded_legend_text_does_not_overlap(crowded, tmp_path):
    path = tmp_path / "crowded.pdf"
    pages = write_pdf(path, crowded, PrintLayout(page="a4", orientation="landscape"))
    assert pdf_pages(path) == pages
    text = pdf_text(path)
    for i in range(60):  # every item readable whole: nothing drawn over it
        assert f"Territory number {i + 1} — Representative {i + 1}" in text


# -- SVG and PNG ------------------------------------------------------------------------


def test_svg_parses_and_holds_vector_paths(project, scene, tmp_path):
    path = tmp_path / "map.svg"
    write_svg(path, project, PrintLayout(), scene)
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("viewBox") == "0 0 816 1056"
    assert len(list(root.iter(f"{ns}path"))) > 100
    texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "Northeast sample" in texts


def test_png_has_the_size_of_the_paper_at_the_asked_dpi(project, scene, tmp_path):
    from PIL import Image

    path = tmp_path / "map.png"
    size = write_png(path, project, PrintLayout(orientation="landscape"), dpi=60, scene=scene)
    assert size == (660, 510)  # 11 × 8.5 in
    with Image.open(path) as image:
        assert image.size == (660, 510)
        assert round(image.info["dpi"][0]) == 60


def test_paint_layout_draws_onto_any_painter(project, scene):
    image = QImage(408, 528, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    try:
        pages = paint_layout(painter, QRectF(0, 0, 408, 528), project, PrintLayout(), scene)
    finally:
        painter.end()
    assert pages >= 1
    assert image.pixelColor(204, 200) != QColor("#FFFFFF")


# -- scale bar and north arrow -----------------------------------------------------------


def _ground_metres(crs, viewport: MapViewport, x0: float, x1: float, y: float) -> float:
    """Geodesic length between two view points, by pyproj alone."""
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    (wx0, wy0), (wx1, wy1) = viewport.screen_to_world(x0, y), viewport.screen_to_world(x1, y)
    lon0, lat0 = to_lonlat.transform(wx0, wy0)
    lon1, lat1 = to_lonlat.transform(wx1, wy1)
    return Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2]


@pytest.mark.parametrize("unit", ["km", "mi"])
def test_drawn_scale_bar_is_true_within_two_percent(project, scene, monkeypatch, unit):
    drawn = []
    real = layout_document.paint_scale_bar
    monkeypatch.setattr(
        layout_document,
        "paint_scale_bar",
        lambda painter, view, bar, font: (drawn.append(bar), real(painter, view, bar, font)),
    )
    document = build_document(project, PrintLayout(distance_unit=unit), scene)
    image = QImage(700, 500, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        viewport = document.paint_map(painter, QRectF(0, 0, 700, 500), document.pages[0].map)
    finally:
        painter.end()
    (bar,) = drawn
    assert bar.label.endswith(unit)
    assert str(bar.length).rstrip("0").rstrip(".")[0] in "125"
    cx, cy = viewport.width / 2, viewport.height / 2
    ground = _ground_metres(
        scene.projection.crs, viewport, cx - bar.width / 2, cx + bar.width / 2, cy
    )
    assert ground == pytest.approx(bar.length_m, rel=0.02)
    assert bar.width <= 700 * layout_document.SCALE_SHARE


@pytest.mark.parametrize(
    ("lon", "lat", "metres_across"), [(-70.0, 44.0, 400e3), (-122.3, 47.6, 30e3)]
)
def test_scale_bar_far_from_the_central_meridian(scene, lon, lat, metres_across):
    x, y = scene.projection.to_display([lon], [lat])
    viewport = MapViewport(float(x[0]), float(y[0]), 800 / metres_across, 800, 600)
    bar = scale_bar(viewport, scene.projection, 200)
    ground = _ground_metres(
        scene.projection.crs, viewport, 400 - bar.width / 2, 400 + bar.width / 2, 300
    )
    assert ground == pytest.approx(bar.length_m, rel=0.02)


def test_north_arrow_follows_the_meridian_convergence(scene):
    x, y = scene.projection.to_display([-70.0], [44.0])
    viewport = MapViewport(float(x[0]), float(y[0]), 0.001, 800, 600)
    convergence = Proj(scene.projection.crs).get_factors(-70.0, 44.0).meridian_convergence
    # Albers tilts meridians east of its central meridian (96° W) towards it: north is
    # turned anticlockwise on the page, by the meridian convergence.
    assert north_angle(viewport, scene.projection) == pytest.approx(-convergence, abs=0.05)
    assert north_angle(viewport, scene.projection) < -10


def test_focus_style_greys_other_territories(project):
    style = focus_style(PrintLayout().map_style(), project, [2])
    classes = np.asarray(style.choropleth.classes)
    codes = project.plan.codes
    assert (classes[codes == 2] == 0).all()
    assert (classes[(codes != 2) & (codes >= 0)] == 1).all()
    assert style.choropleth.colors[0] == project.territories[2].color


@needs_poppler
def test_print_to_a_printer(project, scene, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from terrmap.render.print_output import print_to

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    layout = PrintLayout(page="a3", orientation="landscape")
    pages = print_to(printer, project, layout, scene)
    assert pdf_pages(tmp_path / "printed.pdf") == pages
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "printed.pdf")], capture_output=True, text=True, check=True
    )
    assert "1191 x 842 pts" in info.stdout  # A3 landscape
    text = pdf_text(tmp_path / "printed.pdf", 1)
    assert all(t.name in text for t in project.territories)


@needs_poppler
def test_a_high_resolution_device_gets_the_same_page_scaled(project, scene, tmp_path):
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    path = tmp_path / "600dpi.pdf"
    writer = QPdfWriter(str(path))
    writer.setResolution(600)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    try:
        paint_layout(painter, QRectF(0, 0, 8.5 * 600, 11 * 600), project, PrintLayout(), scene)
    finally:
        painter.end()
    text = pdf_text(path, 1)
    for territory in project.territories:  # text set at its size: nothing elided away
        assert f"{territory.name} — {territory.owner}" in text
