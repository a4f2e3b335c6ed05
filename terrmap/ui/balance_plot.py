"""One balance gauge: every territory's total of one metric as a percentage of its target.

Bars are horizontal and diverge from the 100 % target line, so a few percent of
imbalance is as visible as the tolerance band it is compared with (bars from zero
would squeeze 95–105 % into a sliver). Every graphics item is made once; updates only
change their data (a 1,000-unit move costs the three gauges of 60 territories a few ms:
``benchmarks/balance_panel.py``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem

from terrmap.ui.balance_items import (
    ArrowHeads,
    GaugeHeader,
    PercentAxis,
    TerritoryAxis,
    nice_half_range,
)
from terrmap.ui.balance_text import (
    ALERT_COLOR,
    Text,
)
from terrmap.ui.territory_model import format_number

if TYPE_CHECKING:
    from terrmap.core.metrics import BalanceSummary
    from terrmap.core.territory import Territory


TEXT_COLOR = "#333333"
AXIS_COLOR = "#8C8C8C"
TARGET_LINE_COLOR = "#404040"
BAND_COLOR = (68, 170, 119, 46)  # translucent green
GHOST_COLOR = "#202020"
BAR_HEIGHT = 0.62
THIN_BAR_HEIGHT = 0.8  # rows of a few pixels: less gap, or the bars vanish
GHOST_HEIGHT = 0.9
NAME_SHARE = 0.26  # of the gauge's width, within:
NAME_WIDTH_RANGE = (60, 130)
RANGE_MARGIN = 1.15  # room beyond the longest bar for its arrow-head
THIN_ROW_PX = 10  # rows lower than this get thin bars: no outline, less gap
HEADER_PX = 24


class MetricPlot:
    """The gauge of one metric: a header line and a plot of one bar per territory.

    Parameters
    ----------
    layout
        The graphics layout the gauge is added to: three rows from ``row``, the names
        in column 0 and the bars in column 1.
    row
        First layout row of the gauge.
    metric, title
        Metric column and its readable name.
    font
        Font of the labels.
    """

    def __init__(
        self, layout: pg.GraphicsLayout, row: int, metric: str, title: str, font: QFont
    ) -> None:
        self.metric = metric
        self.title = title
        self.summary: BalanceSummary | None = None
        self.preview: BalanceSummary | None = None
        self.preview_rows = np.zeros(0, dtype=np.intp)
        self._limits = (0.0, 0.0)
        self._count = 0
        self._bar_pens: list[QPen] = []
        self._thin: bool | None = None  # bars too low for outlines (None: not decided)
        self._outside = np.zeros(0, dtype=bool)
        self.flagged = np.zeros(0, dtype=np.intp)  # rows drawn as out of band
        self._unassigned = 0.0
        self._preview_unassigned: float | None = None
        self._percent = np.zeros(0)  # live bar ends, % of target
        self._preview_percent = np.zeros(0)  # ghost bar ends of preview_rows

        # A bare ViewBox and two axes instead of a PlotItem: a PlotItem also builds a
        # context menu of a dozen widgets, ~100 ms a gauge against ~25 ms for these.
        self.header = GaugeHeader(font, HEADER_PX, TEXT_COLOR, AXIS_COLOR)
        layout.addItem(self.header, row=row, col=0, colspan=2)
        self.view = pg.ViewBox(enableMenu=False, invertY=True, defaultPadding=0)
        self.view.setMouseEnabled(x=False, y=False)
        self.view.disableAutoRange()
        self.axis = TerritoryAxis(font)
        self.bottom_axis = PercentAxis(font)
        for axis in (self.axis, self.bottom_axis):
            axis.linkToView(self.view)
            # Else every range change re-renders the (empty) axis title as HTML.
            axis.enableAutoSIPrefix(False)
            axis.setPen(pg.mkPen(AXIS_COLOR))
            axis.setTextPen(pg.mkPen(TEXT_COLOR))
        self.bottom_axis.setGrid(46)  # faint vertical lines at the ticks
        # Under the (transparent) view, which pyqtgraph puts at z = -100: grid behind bars.
        self.bottom_axis.setZValue(-200)
        # The axes (whose grid lines overlap the bars) and the header change far less often
        # than the bars; cached as pixmaps, repainting after a small edit halves (measured
        # 24 → 13 ms for three gauges of 60 territories).
        for item in (self.header, self.axis, self.bottom_axis):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        layout.addItem(self.axis, row=row + 1, col=0)
        layout.addItem(self.view, row=row + 1, col=1)
        layout.addItem(self.bottom_axis, row=row + 2, col=1)
        self.view.sigResized.connect(_weak_slot(self._fit_rows))
        # Only the bars' row grows with the dock; header and axis keep their height.
        grid = layout.layout
        for offset, stretch in enumerate((0, 1, 0)):
            grid.setRowStretchFactor(row + offset, stretch)
        self._add_items()

    def _add_items(self) -> None:
        self.band = pg.LinearRegionItem(
            values=(95, 105),
            movable=False,
            brush=pg.mkBrush(BAND_COLOR),
            pen=pg.mkPen(None),
        )
        self.band.setZValue(-20)
        self.target_line = pg.InfiniteLine(pos=100, angle=90, pen=pg.mkPen(TARGET_LINE_COLOR))
        self.target_line.setZValue(-10)
        self.bars = pg.BarGraphItem(x0=[], width=[], y=[], height=BAR_HEIGHT, pen=None)
        self.ghosts = pg.BarGraphItem(x0=[], width=[], y=[], height=GHOST_HEIGHT, pen=None)
        self.ghosts.setZValue(5)
        self.ghosts.setVisible(False)
        self.markers = ArrowHeads(ALERT_COLOR, 8)
        self.markers.setZValue(6)
        for item in (self.band, self.target_line, self.bars, self.ghosts, self.markers):
            self.view.addItem(item)
        self._alert_pen = pg.mkPen(ALERT_COLOR, width=1.5)
        self._ghost_pens = {
            True: pg.mkPen(GHOST_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
            False: pg.mkPen(ALERT_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
        }
        self._ghost_brush = pg.mkBrush(255, 255, 255, 90)

    # -- updates -------------------------------------------------------------------
    def set_territories(self, territories: tuple[Territory, ...]) -> None:
        """Names, colours and row count (called when territories change, not per edit)."""
        self._count = len(territories)
        self.axis.set_names([t.name or t.id for t in territories])
        colors = [QColor(t.color) for t in territories]
        self._bar_pens = [pg.mkPen(c.darker(135), width=1) for c in colors]
        if territories:
            zeros = np.zeros(self._count)
            self.bars.setOpts(x0=zeros + 100, width=zeros, y=np.arange(self._count), brushes=colors)
        self.bars.setVisible(bool(territories))
        self.view.setYRange(-0.6, max(self._count, 1) - 0.4, padding=0)
        self._thin = None  # decided anew for this many rows
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Style the bars for their height in pixels (on resize and new territories).

        Outlines on bars a few pixels high would hide their colour: thin bars get
        none, less gap between them, and the arrow-heads alone flag rows out of band.
        """
        thin = self.view.height() < THIN_ROW_PX * max(self._count, 1)
        if thin == self._thin or not self._count:
            return
        self._thin = thin
        self._outside = np.zeros(0, dtype=bool)  # the next show_balance sets the pens
        self.markers.set_size(6 if thin else 8)
        self.bars.setOpts(
            height=THIN_BAR_HEIGHT if thin else BAR_HEIGHT,
            pen=None,
            pens=None if thin else [self._alert_pen if o else p for o, p in self._flag_pairs()],
        )

    def _flag_pairs(self) -> list[tuple[bool, QPen]]:
        flagged = set(self.flagged.tolist()) if len(self._percent) == self._count else set()
        return [(i in flagged, pen) for i, pen in enumerate(self._bar_pens)]

    def set_tolerance(self, tolerance_pct: float) -> None:
        """Move the shaded band to 100 ± ``tolerance_pct``."""
        self.band.setRegion((100 - tolerance_pct, 100 + tolerance_pct))

    def show_balance(self, summary: BalanceSummary, unassigned: float) -> None:
        """Draw the live totals (``summary`` rows in territory order)."""
        self.summary = summary
        if len(summary.rows) != self._count or not self._count:
            return
        percent = self._percent = _percent_of_target(summary)
        outside = np.fromiter((not r.in_band for r in summary.rows), bool, self._count)
        ends = {"x0": np.minimum(percent, 100.0), "width": np.abs(percent - 100.0)}
        # New pens make the bar item rebuild its pen list; most edits flag no new row.
        if not self._thin and not np.array_equal(outside, self._outside):
            self._outside = outside
            ends["pens"] = [
                self._alert_pen if o else p for o, p in zip(outside, self._bar_pens, strict=True)
            ]
        self.bars.setOpts(**ends)
        rows = self.flagged = np.flatnonzero(outside)
        self.markers.set_points(percent[rows], rows.astype(float), percent[rows] > 100.0)
        self._unassigned = unassigned
        self._fit_range()
        self._update_header()

    def show_preview(
        self, preview: BalanceSummary | None, rows: np.ndarray, unassigned: float | None = None
    ) -> None:
        """Ghost bars of the would-be values of ``rows``; ``None`` removes them.

        ``unassigned`` is the would-be unassigned total, shown when it differs.
        """
        shown = preview is not None and len(rows) > 0 and len(preview.rows) == self._count
        self.preview = preview
        self._preview_unassigned = unassigned if preview is not None else None
        self.preview_rows = np.asarray(rows if shown else (), dtype=np.intp)
        if shown:
            percent = self._preview_percent = _percent_of_target(preview)[self.preview_rows]
            self.ghosts.setOpts(
                x0=np.minimum(percent, 100.0),
                width=np.abs(percent - 100.0),
                y=self.preview_rows.astype(float),
                height=1.0 if self._thin else GHOST_HEIGHT,
                pens=[self._ghost_pens[preview.rows[r].in_band] for r in self.preview_rows],
                brush=self._ghost_brush,
            )
        else:
            self._preview_percent = np.zeros(0)
        self.ghosts.setVisible(shown)
        self._fit_range()
        self._update_header()

    # -- reading -------------------------------------------------------------------
    def displayed_percent(self) -> np.ndarray:
        """The bars' ends in % of target, read back from the bar item."""
        x0 = np.asarray(self.bars.opts["x0"], dtype=float)
        width = np.asarray(self.bars.opts["width"], dtype=float)
        return np.where(x0 < 100.0, x0, x0 + width)

    def outlined_rows(self) -> np.ndarray:
        """Rows whose bar has the red out-of-band outline (none when bars are thin)."""
        pens = self.bars.opts["pens"] or []
        return np.array([i for i, p in enumerate(pens) if p is self._alert_pen], dtype=np.intp)

    def tooltip(self, row: int, territory: Territory) -> str:
        """Hover text of one bar: territory, rep, value, target and deviation."""
        if self.summary is None or not 0 <= row < len(self.summary.rows):
            return ""
        live = self.summary.rows[row]
        lines = [
            Text.TIP_TITLE.format(name=territory.name or territory.id, id=territory.id),
            Text.TIP_REP.format(owner=territory.owner) if territory.owner else Text.TIP_VACANT,
            Text.TIP_VALUE.format(metric=self.title, value=format_number(live.value)),
            Text.TIP_TARGET.format(target=format_number(live.target)),
            Text.TIP_DEVIATION.format(
                deviation=live.deviation_pct, band=Text.BAND_STATE[live.in_band]
            ),
        ]
        if self.preview is not None and row in self.preview_rows:
            after = self.preview.rows[row]
            lines.append(
                Text.TIP_PREVIEW.format(
                    value=format_number(after.value),
                    deviation=after.deviation_pct,
                    band=Text.BAND_STATE[after.in_band],
                )
            )
        return "<br>".join(lines)

    # -- helpers -------------------------------------------------------------------
    def _fit_range(self) -> None:
        """Span the deviations either side of 100 %, widening in nice steps only.

        Fixed steps keep the axis still while the user edits: it moves only when a
        deviation outgrows it. Nothing is below 0 %, so the left side stops there.
        """
        values = np.concatenate([self._percent, self._preview_percent])
        if not len(values):
            values = np.full(1, 100.0)
        floor = (self.summary.tolerance_pct if self.summary else 5.0) * RANGE_MARGIN
        below = nice_half_range(max(100.0 - values.min(), 0.0) * RANGE_MARGIN, floor)
        above = nice_half_range(max(values.max() - 100.0, 0.0) * RANGE_MARGIN, floor)
        limits = (100.0 - min(below, 100.0), 100.0 + above)
        if limits != self._limits:
            self._limits = limits
            self.view.setXRange(*limits, padding=0)

    def fit_width(self, pixels: int) -> None:
        """Give the names their share of ``pixels`` of width; the bars get the rest."""
        low, high = NAME_WIDTH_RANGE
        self.axis.set_name_width(int(min(max(pixels * NAME_SHARE, low), high)))

    def _update_header(self) -> None:
        summary = self.summary
        if summary is None:
            return
        after = self.preview.out_of_band if self.preview is not None else None
        unassigned_after = self._preview_unassigned
        if unassigned_after is not None and abs(unassigned_after - self._unassigned) < 1e-9:
            unassigned_after = None
        self.header.set_content(
            self.title,
            tuple(_band_flag(summary.out_of_band, after, short) for short in (False, True)),
            ALERT_COLOR if summary.out_of_band else AXIS_COLOR,
            tuple(
                _unassigned_text(self._unassigned, unassigned_after, short)
                for short in (False, True)
            ),
        )


def _weak_slot(method: Callable[[], None]) -> Callable[..., None]:
    """A slot calling ``method`` while its object lives.

    The view would otherwise keep a replaced gauge alive through the connection.
    """
    ref = weakref.WeakMethod(method)

    def slot(*_args: object) -> None:
        target = ref()
        if target is not None:
            target()

    return slot


def _band_flag(out_of_band: int, after: int | None, short: bool) -> str:
    if out_of_band:
        text = (Text.OUT_SHORT if short else Text.OUT_OF_BAND).format(count=out_of_band)
    else:
        text = Text.ALL_IN_BAND
    if after is not None and after != out_of_band:
        text += Text.PREVIEW_ARROW.format(count=after)
    return text


def _unassigned_text(value: float, after: float | None, short: bool) -> str:
    number = compact_number if short else format_number
    if after is None:
        return Text.UNASSIGNED.format(value=number(value))
    return Text.UNASSIGNED_PREVIEW.format(value=number(value), after=number(after))


def compact_number(value: float) -> str:
    """A total in at most four digits and a suffix ("1,234", "526k", "12.3M")."""
    size = abs(value)
    if size < 10_000:
        return format_number(value)
    for limit, divisor, suffix in ((1e6, 1e3, "k"), (1e9, 1e6, "M"), (math.inf, 1e9, "B")):
        if size < limit:
            scaled = value / divisor
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:.0f}{suffix}"
    return format_number(value)  # unreachable: the last limit is infinite


def _percent_of_target(summary: BalanceSummary) -> np.ndarray:
    return 100.0 + np.fromiter((r.deviation_pct for r in summary.rows), float, len(summary.rows))
