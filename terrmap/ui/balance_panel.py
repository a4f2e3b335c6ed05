"""The Balance panel: live gauges of how evenly territories share up to three metrics.

The panel follows a project and its `TerritoryMetrics`: every ``totals_changed``
refreshes the data of the existing plot items (no widget is rebuilt), and
`BalancePanel.set_preview` draws ghost bars of a move the user is still dragging.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QFont
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.balance_text import ALERT_COLOR, BALANCED_COLOR, Text, gauge_min_height
from terrmap.ui.territory_model import metric_header

if TYPE_CHECKING:
    import pyqtgraph as pg

    from terrmap.core.metrics import BalanceSummary, TerritoryMetrics
    from terrmap.core.project import Project
    from terrmap.ui.balance_plot import MetricPlot

__all__ = ["BalancePanel", "Text", "default_metrics"]

MAX_METRICS = 3
METRICS_KEY = "balance/metrics"
TOLERANCE_KEY = "balance/tolerance"
DEFAULT_TOLERANCE = 5.0
_REVENUE_HINTS = ("revenue",)
_WORKLOAD_HINTS = ("visits", "workload", "hours")


def default_metrics(columns: list[str]) -> list[str]:
    """Accounts, then the first revenue-like and workload-like columns that exist."""
    chosen = [c for c in ("accounts",) if c in columns]
    for hints in (_REVENUE_HINTS, _WORKLOAD_HINTS):
        match = next((c for c in columns if any(h in c.lower() for h in hints)), None)
        if match is not None and match not in chosen:
            chosen.append(match)
    return chosen or columns[:1]


class _Connections:
    """Callbacks connected to psygnal signals, so they can all be disconnected at once.

    Held apart from the widget: Qt's ``destroyed`` can call `disconnect` after the
    widget's C++ side is gone, without a reference cycle through the widget.
    """

    def __init__(self) -> None:
        self._pairs: list[tuple[object, Callable]] = []

    def connect(self, signal: object, callback: Callable) -> None:
        signal.connect(callback)  # type: ignore[attr-defined]
        self._pairs.append((signal, callback))

    def disconnect(self, *_args: object) -> None:
        for signal, callback in self._pairs:
            signal.disconnect(callback)  # type: ignore[attr-defined]
        self._pairs.clear()


class BalancePanel(QWidget):
    """Stacked balance gauges (one per chosen metric), tolerance and a balance score.

    Parameters
    ----------
    parent
        Owner widget (the main window's dock).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._metrics: TerritoryMetrics | None = None
        self._connections = _Connections()
        self.destroyed.connect(self._connections.disconnect)
        self._plots: list[MetricPlot] = []
        self._chosen: list[str] = []
        self._preview: np.ndarray | None = None
        self._weights = np.zeros(0)
        self._ids: list[str] = []
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(self._font.pointSizeF() - 0.5, 8.0))
        self._build()
        self._show_placeholder(Text.NO_PROJECT)

    # -- public API ----------------------------------------------------------------
    def set_source(self, project: Project | None, metrics: TerritoryMetrics | None) -> None:
        """Follow ``project`` and its live ``metrics``; ``None`` shows an empty panel."""
        self._connections.disconnect()
        self._project, self._metrics = project, metrics
        self._preview = None
        self._metric_button.setEnabled(metrics is not None)
        if project is None or metrics is None:
            for plot in self._plots:
                plot.show_preview(None, np.zeros(0, dtype=np.intp))
            self._show_placeholder(Text.NO_PROJECT)
            return
        connect = self._connections.connect
        connect(metrics.totals_changed, self._on_totals_changed)
        connect(project.territory_inserted, self._on_territories_changed)
        connect(project.territory_removed, self._on_territories_changed)
        connect(project.territory_updated, self._on_territories_changed)
        connect(project.plan_switched, self._on_territories_changed)
        self._ensure_view()
        self._chosen = _stored_metrics(metrics.columns)
        self._fill_metric_menu()
        if [plot.metric for plot in self._plots] == self._chosen:
            self._on_territories_changed()  # same gauges: keep them (building one costs)
        else:
            self._rebuild_plots()

    def set_preview(self, totals: np.ndarray | None) -> None:
        """Ghost bars for the would-be ``totals`` (shaped like ``metrics.totals``).

        Called on every drag-move, so it only changes the data of existing items.
        ``None`` removes the ghosts.
        """
        self._preview = totals
        for plot in self._plots:
            self._show_preview_of(plot)

    # -- reading (tests, the main window) -------------------------------------------
    @property
    def preview(self) -> np.ndarray | None:
        """The would-be totals drawn as ghost bars, if any."""
        return self._preview

    @property
    def metric_names(self) -> list[str]:
        """Metrics shown, top to bottom."""
        return list(self._chosen)

    @property
    def plots(self) -> list[MetricPlot]:
        """The gauges, top to bottom."""
        return list(self._plots)

    @property
    def tolerance(self) -> float:
        """Tolerance band half-width in percent."""
        return self._tolerance_box.value()

    def set_tolerance(self, tolerance_pct: float) -> None:
        """Set the tolerance (as if typed into the spin box)."""
        self._tolerance_box.setValue(tolerance_pct)

    def choose_metrics(self, names: list[str]) -> None:
        """Show these metrics (at most three, known columns only) and remember them."""
        columns = self._metrics.columns if self._metrics else []
        chosen = [n for n in dict.fromkeys(names) if n in columns][:MAX_METRICS]
        if not chosen or chosen == self._chosen:
            return
        self._chosen = chosen
        QSettings().setValue(METRICS_KEY, chosen)
        self._sync_metric_menu()
        self._rebuild_plots()

    def metric_action(self, name: str) -> QAction:
        """The menu entry that shows or hides metric ``name``."""
        return self._actions[name]

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        self._metric_button = QToolButton(self)
        self._metric_button.setText(Text.METRICS)
        self._metric_button.setToolTip(Text.METRICS_TIP)
        self._metric_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._metric_menu = QMenu(self._metric_button)
        self._metric_button.setMenu(self._metric_menu)
        self._actions: dict[str, QAction] = {}
        self._metric_button.setEnabled(False)  # until there are metrics to choose

        self._tolerance_box = QDoubleSpinBox(self)
        self._tolerance_box.setRange(0.5, 50.0)
        self._tolerance_box.setSingleStep(0.5)
        self._tolerance_box.setDecimals(1)
        self._tolerance_box.setPrefix("±")
        self._tolerance_box.setSuffix(" %")
        self._tolerance_box.setToolTip(Text.TOLERANCE_TIP)
        self._tolerance_box.setValue(_stored_tolerance())
        self._tolerance_box.valueChanged.connect(self._on_tolerance_changed)
        tolerance_label = QLabel(Text.TOLERANCE, self)
        tolerance_label.setBuddy(self._tolerance_box)

        self._score = QLabel(self)
        self._score.setWordWrap(True)

        controls = QHBoxLayout()
        controls.addWidget(self._metric_button)
        controls.addStretch(1)
        controls.addWidget(tolerance_label)
        controls.addWidget(self._tolerance_box)

        # The plotting view is made with the first project: pyqtgraph takes about a
        # second to import, and the window shows before that (see _ensure_view).
        self._view: pg.GraphicsLayoutWidget | None = None
        scroll = self._scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._placeholder = QLabel(self)
        self._placeholder.setWordWrap(True)
        self._placeholder.setStyleSheet("color: #666; padding: 12px;")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(scroll)
        self._stack.addWidget(self._placeholder)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addWidget(self._score)
        layout.addWidget(self._stack, 1)
        self.setMinimumWidth(280)

    def _ensure_view(self) -> pg.GraphicsLayoutWidget:
        """The plotting view, made on first use."""
        if self._view is not None:
            return self._view
        import pyqtgraph as pg

        self._view = pg.GraphicsLayoutWidget(self)
        self._view.setBackground("w")
        # Bars and grid lines are axis-aligned: antialiasing only blurs their edges (and
        # adds ~20 % to a paint). Text keeps its own antialiasing (Qt's TextAntialiasing
        # hint, on by default); the arrow-heads turn it on for themselves.
        self._view.setAntialiasing(False)
        self._view.ci.setContentsMargins(6, 6, 16, 4)  # right: the last tick label
        self._view.ci.setSpacing(0)
        self._view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._view.sigDeviceRangeChanged.connect(self._fit_width)  # the view was resized
        self._scroll.setWidget(self._view)
        return self._view

    def _fill_metric_menu(self) -> None:
        self._metric_menu.clear()
        self._actions = {}
        for column in self._metrics.columns if self._metrics else []:
            action = self._metric_menu.addAction(metric_header(column))
            action.setCheckable(True)
            action.toggled.connect(lambda checked, c=column: self._on_metric_toggled(c, checked))
            self._actions[column] = action
        self._sync_metric_menu()

    def _sync_metric_menu(self) -> None:
        full = len(self._chosen) >= MAX_METRICS
        for column, action in self._actions.items():
            shown = column in self._chosen
            action.blockSignals(True)  # echoing the choice back must not re-trigger it
            action.setChecked(shown)
            action.blockSignals(False)
            # At most three gauges, and never none: the last one cannot be unticked.
            action.setEnabled((not full or shown) and not (shown and len(self._chosen) == 1))

    def _rebuild_plots(self) -> None:
        """Make one gauge per chosen metric (only when the choice or source changes)."""
        from terrmap.ui.balance_plot import MetricPlot

        self._view.ci.clear()
        grid = self._view.ci.layout
        for row in range(grid.rowCount()):  # rows a longer choice stretched
            grid.setRowStretchFactor(row, 0)
        self._plots = []
        for i, metric in enumerate(self._chosen):
            plot = MetricPlot(self._view.ci, 3 * i, metric, metric_header(metric), self._font)
            self._plots.append(plot)
        # Emptied, the central layout shrank to fit nothing and would stay that small;
        # give it the view's size again (as GraphicsView does on a resize).
        view = self._view
        view.setRange(view.range, padding=0, disableAutoPixel=False)
        self._fit_width()
        self._on_territories_changed()

    # -- updates from the document -------------------------------------------------
    def _on_territories_changed(self) -> None:
        """Names, colours, targets or the plan changed: refresh rows, then values."""
        if self._project is None or self._metrics is None:
            return
        from terrmap.core.metrics import target_weights

        territories = self._project.territories
        self._ids = [t.id for t in territories]
        self._weights = target_weights(territories)
        for plot in self._plots:
            plot.set_territories(territories)
            plot.set_tolerance(self.tolerance)
        count = max(len(territories), 1)
        self._view.setMinimumHeight(len(self._plots) * gauge_min_height(count))
        if territories:
            self._stack.setCurrentIndex(0)
        else:
            self._show_placeholder(Text.NO_TERRITORIES)
        self._refresh_values()

    def _on_totals_changed(self, _rows: np.ndarray | None = None) -> None:
        # Inserting a territory reaches the metrics first; catch up on the rows here.
        if self._project is not None and len(self._ids) != len(self._project.territories):
            self._on_territories_changed()
        else:
            self._refresh_values()

    def _refresh_values(self) -> None:
        metrics = self._metrics
        if metrics is None or len(metrics.totals) != len(self._ids) + 1:
            return
        for plot in self._plots:
            column = metrics.columns.index(plot.metric)
            plot.show_balance(self._balance(metrics.totals, column), metrics.totals[-1, column])
            if self._preview is not None:
                self._show_preview_of(plot)
        self._update_score()

    def _show_preview_of(self, plot: MetricPlot) -> None:
        metrics, preview = self._metrics, self._preview
        # A preview of another shape is stale: territories changed since it was made.
        if preview is None or metrics is None or preview.shape != metrics.totals.shape:
            plot.show_preview(None, np.zeros(0, dtype=np.intp))
            return
        column = metrics.columns.index(plot.metric)
        after = self._balance(preview, column)
        # Ghosts only where a total changes: a move from or to Unassigned shifts every
        # target a little, and ghosts on every row would hide the rows that matter (the
        # header's "out of band → n" tells the net effect).
        moved = np.abs(preview[:-1, column] - metrics.totals[:-1, column]) > 1e-9
        plot.show_preview(after, np.flatnonzero(moved), preview[-1, column])

    def _balance(self, totals: np.ndarray, column: int) -> BalanceSummary:
        from terrmap.core.metrics import balance_of

        metric = self._metrics.columns[column] if self._metrics else ""
        return balance_of(
            totals[:-1, column], self._weights, metric, self.tolerance, territory_ids=self._ids
        )

    def _update_score(self) -> None:
        summary = self._plots[0].summary if self._plots else None
        if summary is None or not summary.rows:
            self._score.clear()
            self._score.setToolTip("")
            return
        count = len(summary.rows)
        inside = count - summary.out_of_band
        text = Text.SCORE.format(
            inside=inside,
            count=count,
            max_dev=summary.max_abs_deviation_pct,
            cv=100 * summary.coefficient_of_variation,
        )
        color = ALERT_COLOR if summary.out_of_band else BALANCED_COLOR
        self._score.setText(f"<span style='color:{color}'>{text}</span>")
        self._score.setToolTip(
            Text.SCORE_TIP.format(metric=self._plots[0].title, tolerance=summary.tolerance_pct)
        )

    # -- user actions --------------------------------------------------------------
    def _on_tolerance_changed(self, value: float) -> None:
        QSettings().setValue(TOLERANCE_KEY, value)
        for plot in self._plots:
            plot.set_tolerance(value)
        self._refresh_values()

    def _on_metric_toggled(self, column: str, checked: bool) -> None:
        if checked:
            self.choose_metrics([*self._chosen, column])
        else:
            self.choose_metrics([c for c in self._chosen if c != column])

    def _on_mouse_moved(self, position: QPointF) -> None:
        for plot in self._plots:
            box = plot.view
            if not box.sceneBoundingRect().contains(position):
                continue
            row = round(box.mapSceneToView(position).y())
            if self._project is not None and 0 <= row < len(self._project.territories):
                text = plot.tooltip(row, self._project.territories[row])
                QToolTip.showText(QCursor.pos(), text, self._view)
                return
        QToolTip.hideText()

    def _fit_width(self, *_args: object) -> None:
        if self._view is None:
            return
        for plot in self._plots:
            plot.fit_width(self._view.width())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._connections.disconnect()
        super().closeEvent(event)

    # -- helpers -------------------------------------------------------------------
    def _show_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        self._stack.setCurrentIndex(1)
        self._score.clear()


def _stored_metrics(columns: list[str]) -> list[str]:
    value = QSettings().value(METRICS_KEY, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    stored = [c for c in value or [] if c in columns][:MAX_METRICS]
    return stored or default_metrics(columns)


def _stored_tolerance() -> float:
    try:
        value = float(QSettings().value(TOLERANCE_KEY, DEFAULT_TOLERANCE))
    except (TypeError, ValueError):
        return DEFAULT_TOLERANCE
    return min(max(value, 0.5), 50.0)
