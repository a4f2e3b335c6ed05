"""Tables of the printed itinerary: fixed-height, one-line rows that page predictably.

Every row is one line high and every cell is elided to its column, so a table of ``n`` rows
always takes the same room and the page count of an itinerary follows from row counts alone
(:func:`split_rows`). Widths and heights are in page units of 1/96 inch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from terrmap.render.route_layer import paint_marker

ROW_H = 18.0  # one body row (9 pt text)
HEADER_H = 20.0  # the column header row
PAD = 4.0  # text inset from the cell edges
TABLE_MARKER = 15.0  # the numbered disc in the "#" column (the map's are 17)

INK = "#1F2933"
MUTED = "#52606D"
RULE = "#9AA5B1"
HEADER_FILL = "#E4E7EB"
ZEBRA_FILL = "#F3F5F7"
BREAK_FILL = "#FBF3D5"  # light enough to read as a plain tint in greyscale
TOTAL_FILL = "#E4E7EB"
GROUP_FILL = "#EEF2F6"
SWATCH_ROOM = 18.0  # a legend row's colour bar before its first cell's text

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column:
    """A table column.

    A column without ``flex`` is as wide as its widest text (header included), up to ``width``
    page units when that is given. Columns with ``flex`` share what the others leave: each gets
    what its widest text needs if its share allows, and the rest is split by ``flex``.
    """

    title: str
    width: float = 0.0
    flex: float = 0.0
    align: Qt.AlignmentFlag = LEFT


@dataclass(frozen=True)
class Row:
    """One table line.

    Attributes
    ----------
    cells
        One text per column (elided to fit).
    kind
        ``visit``, ``place`` (start and return), ``break`` (lunch), ``total``, ``plain`` or
        ``group`` (a heading line across the whole table: its first cell).
    marker
        Day colour: the first cell is drawn as the map's numbered marker in that colour.
    locked
        With ``marker``: the square marker of a visit pinned in place, as on the map.
    swatch
        Day colour drawn as a small bar before the first cell's text (legend rows).
    """

    cells: tuple[str, ...]
    kind: str = "visit"
    marker: str | None = None
    locked: bool = False
    swatch: str | None = None


@dataclass(frozen=True)
class Table:
    """Columns and rows of one section."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...] = field(default=())


@dataclass(frozen=True)
class Fonts:
    """The fonts of a table: body, header, the body's bold and italic cuts, marker digits."""

    body: QFont
    header: QFont
    bold: QFont
    italic: QFont
    marker: QFont


def split_rows(count: int, first: int, more: int) -> list[range]:
    """The rows of each page of a table of ``count`` rows: ``first`` fit on its first page,
    ``more`` on each page after. A table without rows still takes one page (its header)."""
    first, more = max(1, first), max(1, more)
    pages = [range(0, min(count, first))]
    start = first
    for _ in range(max(0, math.ceil((count - first) / more))):
        pages.append(range(start, min(count, start + more)))
        start += more
    return pages


def column_widths(painter: QPainter, table: Table, width: float, fonts: Fonts) -> list[float]:
    """Widths of the columns of ``table`` filling ``width`` (see :class:`Column`)."""
    natural = _natural_widths(painter, table, fonts)
    widths = [0.0] * len(table.columns)
    flexible = []
    for i, column in enumerate(table.columns):
        if column.flex:
            flexible.append(i)
        else:
            widths[i] = min(natural[i], column.width) if column.width else natural[i]
    rest = width - sum(widths)
    if not flexible:
        return widths
    # Water-filling: a column whose text needs less than its share takes just that.
    open_ = sorted(flexible, key=lambda i: natural[i] / table.columns[i].flex)
    while open_:
        share = rest / sum(table.columns[i].flex for i in open_)
        i = open_[0]
        if natural[i] > share * table.columns[i].flex:
            break
        widths[i] = natural[i]
        rest -= natural[i]
        open_.pop(0)
    if open_:
        total = sum(table.columns[i].flex for i in open_)
        for i in open_:
            widths[i] = max(0.0, rest * table.columns[i].flex / total)
    else:  # everything fits: the spare room goes to the flexible columns
        total = sum(table.columns[i].flex for i in flexible)
        for i in flexible:
            widths[i] += rest * table.columns[i].flex / total
    return widths


def _natural_widths(painter: QPainter, table: Table, fonts: Fonts) -> list[float]:
    device = painter.device()
    header = QFontMetricsF(fonts.header, device)
    measures = {
        font_name: QFontMetricsF(getattr(fonts, font_name), device)
        for font_name in ("body", "bold", "italic")
    }
    widths = [header.horizontalAdvance(c.title) + 2 * PAD + 1 for c in table.columns]
    for row in table.rows:
        if row.kind == "group":
            continue
        metrics = measures[_font_name(row)]
        for i, text in enumerate(row.cells):
            if i == 0 and row.marker:
                need = TABLE_MARKER + 2 * PAD
            else:
                need = metrics.horizontalAdvance(text) + 2 * PAD + 1
                if i == 0 and row.swatch:
                    need += SWATCH_ROOM
            widths[i] = max(widths[i], need)
    return widths


def paint_table(painter: QPainter, rect: QRectF, table: Table, rows: range, fonts: Fonts) -> float:
    """Draw the header and ``rows`` of ``table`` from the top of ``rect``; returns the height used.

    The header is repeated on every page a table continues onto; zebra stripes keep a long row
    readable across the page in greyscale.
    """
    widths = column_widths(painter, table, rect.width(), fonts)
    lefts = [rect.left() + sum(widths[:i]) for i in range(len(widths))]
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        header = QRectF(rect.left(), rect.top(), rect.width(), HEADER_H)
        painter.fillRect(header, QColor(HEADER_FILL))
        painter.setFont(fonts.header)
        painter.setPen(QColor(INK))
        for column, left, width in zip(table.columns, lefts, widths, strict=True):
            cell = QRectF(left, header.top(), width, HEADER_H)
            _text(painter, cell, column.title, column.align)
        y = header.bottom()
        for stripe, index in enumerate(rows):
            row = table.rows[index]
            line = QRectF(rect.left(), y, rect.width(), ROW_H)
            _row_background(painter, line, row, stripe)
            painter.setFont(getattr(fonts, _font_name(row)))
            if row.kind == "group":
                painter.setPen(QColor(INK))
                _text(painter, line, row.cells[0], LEFT)
                y += ROW_H
                continue
            painter.setPen(QColor(MUTED if row.kind in ("place", "break") else INK))
            for position, (text, column, left, width) in enumerate(
                zip(row.cells, table.columns, lefts, widths, strict=True)
            ):
                cell = QRectF(left, y, width, ROW_H)
                if position == 0 and row.marker:
                    _table_marker(painter, cell, row, fonts)
                    continue
                if position == 0 and row.swatch:
                    swatch = QRectF(cell.left() + PAD, y + ROW_H / 2 - 4, 14, 8)
                    painter.fillRect(swatch, QColor(row.swatch))
                    cell = cell.adjusted(SWATCH_ROOM, 0, 0, 0)
                _text(painter, cell, text, column.align)
            y += ROW_H
        painter.setPen(QPen(QColor(RULE), 0.8))
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        return y - rect.top()
    finally:
        painter.restore()


def elide(painter: QPainter, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` in the painter's font on its device."""
    metrics = QFontMetricsF(painter.font(), painter.device())
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0.0, width))


def _text(painter: QPainter, cell: QRectF, text: str, align: Qt.AlignmentFlag) -> None:
    if not text:
        return
    inner = cell.adjusted(PAD, 0, -PAD, 0)
    painter.drawText(inner, align | Qt.TextFlag.TextSingleLine, elide(painter, text, inner.width()))


def _row_background(painter: QPainter, line: QRectF, row: Row, stripe: int) -> None:
    fill = {"break": BREAK_FILL, "total": TOTAL_FILL, "group": GROUP_FILL}.get(row.kind)
    if fill is None and stripe % 2 == 1:
        fill = ZEBRA_FILL
    if fill is not None:
        painter.fillRect(line, QColor(fill))
    if row.kind in ("total", "group"):
        painter.setPen(QPen(QColor(RULE), 0.8))
        painter.drawLine(line.topLeft(), line.topRight())


def _font_name(row: Row) -> str:
    if row.kind in ("total", "group"):
        return "bold"
    if row.kind in ("place", "break"):
        return "italic"
    return "body"


def _table_marker(painter: QPainter, cell: QRectF, row: Row, fonts: Fonts) -> None:
    # The map's own marker painter, so a printed row and its map marker look the same (the
    # square of a locked visit included).
    painter.save()
    painter.setFont(fonts.marker)
    paint_marker(
        painter, cell.center(), TABLE_MARKER, row.marker or INK, row.cells[0], locked=row.locked
    )
    painter.restore()
