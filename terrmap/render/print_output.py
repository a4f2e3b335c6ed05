"""Print layouts to files and paper: vector PDF (every page), SVG, PNG and a QPrinter.

Each writer draws the same `LayoutDocument` pages; files are made in memory and written
atomically (`terrmap.io.atomic`), so an existing file is replaced whole or not at all. The PDF
and SVG stay vector: the map renderer draws paths and glyph outlines on those devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from terrmap.io.atomic import write_bytes_atomic
from terrmap.render.layout import PAGE_SIZES, LayoutDocument, PrintLayout, build_document
from terrmap.render.page import PAGE_DPI, ensure_gui_application

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtPrintSupport import QPrinter

    from terrmap.core.project import Project
    from terrmap.render.scene import MapScene

SUFFIXES = (".pdf", ".svg", ".png")


def write_pdf(
    path: str | Path, project: Project, layout: PrintLayout, scene: MapScene | None = None
) -> int:
    """Write every page of ``layout`` as a vector PDF; returns the page count."""
    document = build_document(project, layout, scene)
    write_bytes_atomic(path, pdf_bytes(document))
    return len(document.pages)


def write_svg(
    path: str | Path,
    project: Project,
    layout: PrintLayout,
    scene: MapScene | None = None,
    page: int = 1,
) -> None:
    """Write page ``page`` (from 1) of ``layout`` as SVG (an SVG file holds one page)."""
    document = build_document(project, layout, scene)
    write_bytes_atomic(path, svg_bytes(document, _index(document, page)))


def write_png(
    path: str | Path,
    project: Project,
    layout: PrintLayout,
    dpi: int | None = None,
    scene: MapScene | None = None,
    page: int = 1,
) -> tuple[int, int]:
    """Write page ``page`` of ``layout`` as PNG at ``dpi`` (default ``layout.dpi``); returns
    the image size in pixels (the paper's inches × dpi)."""
    if dpi is not None:
        from dataclasses import replace

        layout = replace(layout, dpi=dpi)
    document = build_document(project, layout, scene)
    image = page_image(document, _index(document, page))
    write_bytes_atomic(path, _png_bytes(image))
    return image.width(), image.height()


def print_to(
    printer: QPrinter, project: Project, layout: PrintLayout, scene: MapScene | None = None
) -> int:
    """Print every page of ``layout`` on ``printer`` (its paper set to the layout's);
    returns the page count. Also what a print preview's paint request calls."""
    document = build_document(project, layout, scene)
    paint_on_printer(printer, document)
    return len(document.pages)


# -- devices -------------------------------------------------------------------------------


def pdf_bytes(
    document: LayoutDocument, progress: Callable[[float, str], None] | None = None
) -> bytes:
    """All pages of ``document`` as a PDF."""
    ensure_gui_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PAGE_DPI)
    writer.setPageLayout(_page_layout(document.layout))
    writer.setTitle(document.title)
    writer.setCreator("terrmap")
    painter = QPainter(writer)
    try:
        for index in range(len(document.pages)):
            if index:
                writer.newPage()
            document.paint(painter, index)
            if progress is not None:
                progress((index + 1) / len(document.pages), f"page {index + 1}")
    finally:
        painter.end()
    buffer.close()
    return _bytes(buffer.data())


def svg_bytes(document: LayoutDocument, index: int = 0) -> bytes:
    """Page ``index`` (from 0) of ``document`` as SVG, sized in page units (1/96 inch)."""
    from PySide6.QtSvg import QSvgGenerator

    ensure_gui_application()
    width, height = document.layout.page_size()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setResolution(PAGE_DPI)
    generator.setSize(QSize(round(width), round(height)))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(document.title)
    generator.setDescription("terrmap print layout")
    painter = QPainter(generator)
    try:
        painter.fillRect(QRectF(0, 0, width, height), QColor("#FFFFFF"))
        document.paint(painter, index)
    finally:
        painter.end()
    buffer.close()
    return _bytes(buffer.data())


def page_image(document: LayoutDocument, index: int = 0) -> QImage:
    """Page ``index`` of ``document`` as an image at the layout's dpi, white paper."""
    ensure_gui_application()
    width, height = document.layout.page_size()
    ratio = document.layout.dpi / PAGE_DPI
    image = QImage(
        round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32_Premultiplied
    )
    # Drawn in page units on a high-density image: line widths and text keep their size.
    image.setDevicePixelRatio(ratio)
    image.setDotsPerMeterX(round(document.layout.dpi / 0.0254))
    image.setDotsPerMeterY(round(document.layout.dpi / 0.0254))
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        document.paint(painter, index)
    finally:
        painter.end()
    return image


def paint_on_printer(printer: QPrinter, document: LayoutDocument) -> None:
    """Paint every page of ``document`` on ``printer``, scaled from page units to its
    resolution."""
    ensure_gui_application()
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(document.layout))
    # Map line widths are cosmetic (device pixels): at 96 dpi they print as on the PDF. A
    # printer that keeps its own resolution gets the page scaled, with thinner lines.
    printer.setResolution(PAGE_DPI)
    scale = printer.resolution() / PAGE_DPI
    width, height = document.layout.page_size()
    painter = QPainter()
    if not painter.begin(printer):
        from terrmap.errors import TerrmapError

        raise TerrmapError("cannot start printing (is the printer available?)")
    try:
        for index in range(len(document.pages)):
            if index:
                printer.newPage()
            document.paint(painter, index, QRectF(0, 0, width * scale, height * scale))
    finally:
        painter.end()


def _page_layout(layout: PrintLayout) -> QPageLayout:
    orientation = (
        QPageLayout.Orientation.Landscape
        if layout.orientation == "landscape"
        else QPageLayout.Orientation.Portrait
    )
    # The layout draws its own margins: the device's page is the whole sheet.
    return QPageLayout(
        QPageSize(PAGE_SIZES[layout.page]),
        orientation,
        QMarginsF(0, 0, 0, 0),
        QPageLayout.Unit.Millimeter,
    )


def _index(document: LayoutDocument, page: int) -> int:
    if not 1 <= page <= len(document.pages):
        raise ValueError(f"page {page} out of 1–{len(document.pages)}")
    return page - 1


def _png_bytes(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        from terrmap.errors import TerrmapError

        raise TerrmapError("cannot encode the PNG")
    buffer.close()
    return _bytes(buffer.data())


def _bytes(data: QByteArray) -> bytes:
    return bytes(data.data())
