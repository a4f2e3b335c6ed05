"""The settings form of the Optimise dialog: mode, territories, metrics, limits, search.

The form only collects choices (`OptimiseChoices`); the controller
(`terrmap.ui.optimise_action`) turns them into optimiser parameters. Choices that are
not about one project (mode, metrics, tolerance, limits, seed, time) are remembered
between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.form_labels import buddy
from terrmap.ui.optimise_text import Text
from terrmap.ui.territory_model import metric_header, swatch_pixmap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from terrmap.core.territory import Territory

Mode = Literal["carve", "rebalance"]
MAX_METRICS = 3
DEFAULT_TOLERANCE = 2.0
DEFAULT_TIME_LIMIT = 10.0
DEFAULT_MAX_MOVED = 10.0
# Area is a property of the map, not of a rep's workload: never offered for balance.
_NOT_BALANCED = ("area_km2",)
LIST_ROWS = 5  # rows a checkable list shows before it scrolls


@dataclass(frozen=True)
class OptimiseChoices:
    """What the user chose in the form (territory ids, not codes: the plan may change)."""

    mode: Mode
    territories: int
    metrics: tuple[str, ...]
    tolerance_pct: float
    max_moved_pct: float | None
    disruption: str
    anchor_homes: bool
    locked_territories: tuple[str, ...]
    keep_selected: bool
    seed: int
    time_limit_s: float


class OptimiseForm(QWidget):
    """Inputs of one optimisation run.

    Parameters
    ----------
    territories
        The project's territories (lock list, default K).
    columns
        `TerritoryMetrics` columns that can be balanced or capped.
    selected_units
        How many units are selected on the map (0: the keep option is disabled).
    tolerance_pct
        The tolerance shown until the user picks one here (the Balance panel's).

    Signals
    -------
    validity_changed(bool)
        Whether the choices can be run (one to three metrics ticked).
    """

    validity_changed = Signal(bool)

    def __init__(
        self,
        territories: Sequence[Territory],
        columns: Sequence[str],
        selected_units: int,
        tolerance_pct: float = DEFAULT_TOLERANCE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._territories = tuple(territories)
        columns = [c for c in columns if c not in _NOT_BALANCED]
        self._build_plan()
        self._build_balance(columns, tolerance_pct)
        self._build_limits(columns, selected_units)
        self._build_search()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self._plan_box, 0, 0)
        grid.addWidget(self._balance_box, 1, 0)
        grid.addWidget(self._search_box, 2, 0)
        grid.addWidget(self._limits_box, 0, 1, 4, 1)
        grid.setRowStretch(3, 1)  # the left groups keep their height; spare room goes below
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        from terrmap.ui.optimise_settings import restore_form

        restore_form(self)
        self._mode_changed()
        self._metrics_changed()

    # -- reading ------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        """The chosen mode."""
        return "carve" if self.carve.isChecked() else "rebalance"

    def choices(self) -> OptimiseChoices:
        """The form's values (fields that do not apply to the mode are neutral)."""
        carve = self.mode == "carve"
        limit = not carve and self.limit_moves.isChecked()
        return OptimiseChoices(
            mode=self.mode,
            territories=self.territory_count.value() if carve else len(self._territories),
            metrics=self.checked_metrics(),
            tolerance_pct=self.tolerance.value(),
            max_moved_pct=self.max_moved.value() if limit else None,
            disruption=self.disruption.currentData(),
            anchor_homes=carve and self.anchor.isChecked(),
            locked_territories=tuple(
                t.id
                for t, item in zip(self._territories, self._lock_items(), strict=True)
                if item.checkState() == Qt.CheckState.Checked
            ),
            keep_selected=self.keep_selected.isEnabled() and self.keep_selected.isChecked(),
            seed=self.seed.value(),
            time_limit_s=self.time_limit.value(),
        )

    def checked_metrics(self) -> tuple[str, ...]:
        """Ticked metric columns, in list order."""
        items = (self.metrics.item(i) for i in range(self.metrics.count()))
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    def is_valid(self) -> bool:
        """Whether the choices can run."""
        return 1 <= len(self.checked_metrics()) <= MAX_METRICS

    def remember(self) -> None:
        """Store the choices that carry over to other projects and sessions."""
        from terrmap.ui.optimise_settings import remember_form

        remember_form(self)

    # -- building -----------------------------------------------------------------------
    def _build_plan(self) -> None:
        self.rebalance = _tipped(QRadioButton(Text.REBALANCE, self), Text.REBALANCE_TIP)
        self.carve = _tipped(QRadioButton(Text.CARVE, self), Text.CARVE_TIP)
        self._modes = QButtonGroup(self)
        for button in (self.rebalance, self.carve):
            self._modes.addButton(button)
        self.rebalance.setChecked(True)
        self.rebalance.setEnabled(bool(self._territories))  # nothing to rebalance
        self._modes.buttonToggled.connect(lambda *_args: self._mode_changed())
        self.territory_count = _tipped(QSpinBox(self), Text.TERRITORIES_TIP)
        self.territory_count.setRange(1, 999)
        self.territory_count.setValue(max(len(self._territories), 1))
        self.anchor = _tipped(QCheckBox(Text.ANCHOR, self), Text.ANCHOR_TIP)
        self._plan_box = QGroupBox(Text.PLAN_GROUP, self)
        form = QFormLayout(self._plan_box)
        form.addRow(self.rebalance)
        form.addRow(self.carve)
        form.addRow(buddy(Text.TERRITORIES, self.territory_count, self), self.territory_count)
        form.addRow(self.anchor)

    def _build_balance(self, columns: list[str], tolerance_pct: float) -> None:
        self.metrics = _tipped(QListWidget(self), Text.METRICS_TIP)
        for column in columns:
            item = QListWidgetItem(metric_header(column), self.metrics)
            item.setData(Qt.ItemDataRole.UserRole, column)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(Text.METRICS_TIP)
        _fit_rows(self.metrics, min(len(columns), LIST_ROWS + 1))
        self.metrics.itemChanged.connect(lambda _item: self._metrics_changed())
        self.tolerance = _tipped(QDoubleSpinBox(self), Text.TOLERANCE_TIP)
        self.tolerance.setRange(0.5, 50.0)
        self.tolerance.setSingleStep(0.5)
        self.tolerance.setDecimals(1)
        self.tolerance.setPrefix("±")
        self.tolerance.setSuffix(" %")
        self.tolerance.setValue(tolerance_pct)
        self.metric_hint = QLabel(Text.METRICS_LIMIT, self)
        self.metric_hint.setStyleSheet("color: #B42318;")
        self._balance_box = QGroupBox(Text.BALANCE_GROUP, self)
        form = QFormLayout(self._balance_box)
        form.addRow(buddy(Text.METRICS, self.metrics, self), self.metrics)
        form.addRow("", self.metric_hint)
        form.addRow(buddy(Text.TOLERANCE, self.tolerance, self), self.tolerance)

    def _build_limits(self, columns: list[str], selected_units: int) -> None:
        self.limit_moves = _tipped(QCheckBox(Text.LIMIT_MOVES, self), Text.LIMIT_MOVES_TIP)
        self.max_moved = _tipped(QDoubleSpinBox(self), Text.LIMIT_MOVES_TIP)
        self.max_moved.setRange(0.0, 100.0)
        self.max_moved.setDecimals(0)
        self.max_moved.setSuffix(" %")
        self.max_moved.setValue(DEFAULT_MAX_MOVED)
        self.disruption = _tipped(QComboBox(self), Text.MOVES_MEASURE_TIP)
        for column in columns:
            self.disruption.addItem(metric_header(column).lower(), column)
        self.limit_moves.toggled.connect(lambda _on: self._mode_changed())
        self.locks = _tipped(QListWidget(self), Text.LOCKS_TIP)
        for territory in self._territories:
            item = QListWidgetItem(QIcon(swatch_pixmap(territory.color)), territory.name)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(f"{territory.name} ({territory.id}): {Text.LOCKS_TIP.lower()}")
            self.locks.addItem(item)
        text = Text.KEEP_SELECTED.format(count=selected_units)
        self.keep_selected = QCheckBox(text if selected_units else Text.KEEP_SELECTED_NONE, self)
        self.keep_selected.setToolTip(Text.KEEP_SELECTED_TIP)
        self.keep_selected.setEnabled(selected_units > 0)
        moves = QHBoxLayout()
        moves.addWidget(self.limit_moves)
        moves.addWidget(self.max_moved)
        moves.addWidget(QLabel(Text.MOVES_OF, self))
        moves.addWidget(self.disruption, 1)
        self._limits_box = QGroupBox(Text.LIMITS_GROUP, self)
        layout = QVBoxLayout(self._limits_box)
        layout.addLayout(moves)
        layout.addWidget(buddy(Text.LOCKS, self.locks, self))
        layout.addWidget(self.locks, 1)
        layout.addWidget(self.keep_selected)

    def _build_search(self) -> None:
        self.seed = _tipped(QSpinBox(self), Text.SEED_TIP)
        self.seed.setRange(0, 999_999)
        self.time_limit = _tipped(QDoubleSpinBox(self), Text.TIME_LIMIT_TIP)
        self.time_limit.setRange(1.0, 600.0)
        self.time_limit.setDecimals(0)
        self.time_limit.setSuffix(Text.SECONDS)
        self.time_limit.setValue(DEFAULT_TIME_LIMIT)
        self._search_box = QGroupBox(Text.SEARCH_GROUP, self)
        form = QFormLayout(self._search_box)
        form.addRow(buddy(Text.SEED, self.seed, self), self.seed)
        form.addRow(buddy(Text.TIME_LIMIT, self.time_limit, self), self.time_limit)

    # -- behaviour ----------------------------------------------------------------------
    def _mode_changed(self) -> None:
        """Enable what applies to the mode; the rest stays visible so the form keeps its
        shape, with a tooltip saying which mode it belongs to."""
        carve = self.mode == "carve"
        self.territory_count.setEnabled(carve)
        if not carve:
            self.territory_count.setValue(max(len(self._territories), 1))
        self.anchor.setEnabled(carve)
        self.limit_moves.setEnabled(not carve)
        limited = not carve and self.limit_moves.isChecked()
        self.max_moved.setEnabled(limited)
        self.disruption.setEnabled(limited)

    def _metrics_changed(self) -> None:
        checked = self.checked_metrics()
        full = len(checked) >= MAX_METRICS
        self.metrics.blockSignals(True)  # flag changes below must not re-enter
        for i in range(self.metrics.count()):
            item = self.metrics.item(i)
            on = item.checkState() == Qt.CheckState.Checked
            flags = item.flags()
            enabled = on or not full
            flags = (
                flags | Qt.ItemFlag.ItemIsEnabled if enabled else flags & ~Qt.ItemFlag.ItemIsEnabled
            )
            item.setFlags(flags)
        self.metrics.blockSignals(False)
        self.metric_hint.setVisible(not self.is_valid())
        self.validity_changed.emit(self.is_valid())

    @property
    def has_territories(self) -> bool:
        """Whether the project has territories to rebalance or lock."""
        return bool(self._territories)

    def metric_items(self) -> list[QListWidgetItem]:
        """The rows of the metric list (column name in ``Qt.UserRole``)."""
        return [self.metrics.item(i) for i in range(self.metrics.count())]

    def _lock_items(self) -> list[QListWidgetItem]:
        return [self.locks.item(i) for i in range(self.locks.count())]


def _tipped(widget, tip: str):  # -> the widget
    widget.setToolTip(tip)
    if isinstance(widget, QAbstractSpinBox):
        # Numbers stay as wide as they need; a field across the whole group reads as text.
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return widget


def _fit_rows(view: QListWidget, rows: int) -> None:
    """Make a list exactly ``rows`` rows high, so short lists need no scroll bar."""
    row = view.sizeHintForRow(0) if view.count() else view.fontMetrics().height() + 4
    view.setFixedHeight(rows * row + 2 * view.frameWidth() + 2)
