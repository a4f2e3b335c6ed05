"""The Routes dock: what to plan (rep, day or week, stops, rules), then the planned route.

The panel only collects choices (`RouteChoices`) and shows what it is given; it says what
the user asked for through its signals, and `terrmap.ui.route_action` plans, reorders and
exports. Choices that are not about one project are remembered between sessions
(QSettings, ``route/…``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.form_labels import buddy
from terrmap.ui.route_params import RouteParameters, tip
from terrmap.ui.route_stops import StopListModel, StopTable
from terrmap.ui.route_text import Text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from terrmap.core.territory import Territory

PREFIX = "route/"
UNPLACED_ROWS = 4  # rows the not-placed list shows before it scrolls
PROBLEM_COLOR = "#B3261E"


@dataclass(frozen=True)
class RouteChoices:
    """What the user chose in the panel (seconds since midnight for times of day)."""

    rep_id: str
    week: bool
    date: dt.date
    days: int
    source: str  # "due" or "selected"
    start_s: int
    length_s: int
    lunch: tuple[int, int, int] | None  # earliest, latest, duration (seconds)
    service_min: float
    speed_kmh: float
    detour: float
    roads: str  # path of an .osm.pbf extract, "" for straight lines
    time_limit: float
    seed: int
    start_at: str = ""  # "lat, lon", "" for the rep's home
    end_at: str = ""  # "lat, lon", "" for where the day starts


def next_working_day(today: dt.date) -> dt.date:
    """The first Monday–Friday after ``today``."""
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def next_monday(today: dt.date) -> dt.date:
    """The first Monday after ``today``."""
    return today + dt.timedelta(days=7 - today.weekday())


class RoutePanel(QWidget):
    """Inputs of a route and the stops of the planned one.

    Signals
    -------
    plan_requested(), reoptimise_requested(), export_requested(), clear_requested()
        The buttons of the same names.
    day_chosen(day)
        Show day ``day`` (index into the plan's days) or, with ``None``, every day.
    """

    plan_requested = Signal()
    reoptimise_requested = Signal()
    export_requested = Signal()
    clear_requested = Signal()
    day_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_form())
        layout.addWidget(self._build_parameters())
        layout.addLayout(self._build_result(), 1)
        self._restore()
        self.show_plan(None)

    # -- building -----------------------------------------------------------------------
    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rep = tip(QComboBox(self), Text.REP_TIP)
        form.addRow(buddy(Text.REP, self.rep, self), self.rep)
        self.day = tip(QRadioButton(Text.DAY, self), Text.DAY_TIP)
        self.week = tip(QRadioButton(Text.WEEK, self), Text.WEEK_TIP)
        self._period = QButtonGroup(self)
        for button in (self.day, self.week):
            self._period.addButton(button)
        self.day.setChecked(True)
        self.date = tip(QDateEdit(self), Text.DATE_TIP)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.days = tip(QSpinBox(self), Text.DAYS_TIP)
        self.days.setRange(2, 7)
        self.days.setValue(5)
        self.days.setSuffix(Text.DAYS)
        row = QHBoxLayout()
        for widget in (self.day, self.week, self.date, self.days):
            row.addWidget(widget)
        row.addStretch(1)
        form.addRow(row)
        self.source = tip(QComboBox(self), Text.SOURCE_TIP)
        for key, (text, hint) in Text.SOURCES.items():
            self.source.addItem(text, key)
            self.source.setItemData(self.source.count() - 1, hint, Qt.ItemDataRole.ToolTipRole)
        form.addRow(buddy(Text.SOURCE, self.source, self), self.source)
        self.week.toggled.connect(self._period_changed)
        return form

    def _build_parameters(self) -> QWidget:
        box = QWidget(self)
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        self.toggle = tip(QToolButton(box), Text.PARAMETERS_TIP)
        self.toggle.setText(Text.PARAMETERS)
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.params = RouteParameters(box)
        self.plan_button = tip(QPushButton(Text.PLAN, box), Text.PLAN_TIP)
        self.plan_button.clicked.connect(self.plan_requested)
        head = QHBoxLayout()
        head.addWidget(self.toggle)
        head.addStretch(1)
        head.addWidget(self.plan_button)
        outer.addLayout(head)
        outer.addWidget(self.params)
        self.toggle.toggled.connect(self._show_parameters)
        self._show_parameters(False)
        return box

    def _build_result(self) -> QVBoxLayout:
        self.day_combo = tip(QComboBox(self), Text.SHOW_DAY_TIP)
        self.day_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.day_combo.currentIndexChanged.connect(self._day_changed)
        self.totals = QLabel(self)
        self.totals.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.day_combo)
        head.addWidget(self.totals, 1)
        self.model = StopListModel(self)
        self.table = StopTable(self.model, self)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {PROBLEM_COLOR};")
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.unplaced_label = tip(QLabel(self), Text.UNPLACED_TIP)
        self.unplaced = tip(QListWidget(self), Text.UNPLACED_TIP)
        self.unplaced.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unplaced.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        row = self.unplaced.fontMetrics().height() + 4
        self.unplaced.setMaximumHeight(row * UNPLACED_ROWS + 2 * self.unplaced.frameWidth())
        self.reoptimise = tip(QPushButton(Text.REOPTIMISE, self), Text.REOPTIMISE_TIP)
        self.export = tip(QPushButton(Text.EXPORT, self), Text.EXPORT_TIP)
        self.clear = tip(QPushButton(Text.CLEAR, self), Text.CLEAR_TIP)
        self.reoptimise.clicked.connect(self.reoptimise_requested)
        self.export.clicked.connect(self.export_requested)
        self.clear.clicked.connect(self.clear_requested)
        buttons = QHBoxLayout()
        for button in (self.reoptimise, self.export):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear)
        layout = QVBoxLayout()
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        for widget in (self.problems, self.notes, self.unplaced_label, self.unplaced):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        return layout

    # -- inputs ---------------------------------------------------------------------------
    def set_territories(self, territories: Sequence[Territory]) -> None:
        """Offer the reps of ``territories``; vacant or homeless ones cannot be chosen."""
        wanted = self.rep.currentData() or QSettings().value(PREFIX + "rep", "")
        self.rep.clear()
        for territory in territories:
            text = Text.REP_ITEM if territory.owner else Text.REP_VACANT
            label = text.format(id=territory.id, owner=territory.owner)
            if territory.name and territory.name != territory.owner:
                label += f" ({territory.name})"
            self.rep.addItem(label, territory.id)
            why = Text.WHY_VACANT if territory.vacant else None
            why = why or (Text.WHY_NO_HOME if territory.home is None else None)
            item = self.rep.model().item(self.rep.count() - 1)
            item.setEnabled(why is None)
            item.setToolTip(why or label)
        usable = [i for i in range(self.rep.count()) if self.rep.model().item(i).isEnabled()]
        index = self.rep.findData(wanted)
        self.rep.setCurrentIndex(index if index in usable else (usable or [-1])[0])
        self.plan_button.setEnabled(bool(usable))

    def choices(self) -> RouteChoices:
        """The current choices."""
        week = self.week.isChecked()
        return RouteChoices(
            rep_id=self.rep.currentData() or "",
            week=week,
            date=self.date.date().toPython(),
            days=self.days.value() if week else 1,
            source=self.source.currentData(),
            **self.params.values(),
        )

    def _period_changed(self, week: bool) -> None:
        self.days.setEnabled(week)
        today = dt.date.today()
        self.date.setDate(QDate(next_monday(today) if week else next_working_day(today)))

    def _show_parameters(self, shown: bool) -> None:
        self.params.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # -- the result -------------------------------------------------------------------------
    def show_plan(self, plan, day: int | None = None) -> None:  # plan: RoutePlan | None
        """List ``plan`` (``None``: no route) showing day ``day`` (``None``: every day)."""
        self.day_combo.blockSignals(True)
        self.day_combo.clear()
        if plan is not None:
            self.day_combo.addItem(Text.ALL_DAYS, None)
            for index, route in enumerate(plan.days):
                self.day_combo.addItem(Text.DAY_ITEM.format(date=route.date), index)
            self.day_combo.setCurrentIndex(0 if day is None else day + 1)
        self.day_combo.blockSignals(False)
        self.model.set_plan(plan, day)
        has = plan is not None
        for widget in (self.day_combo, self.reoptimise, self.export, self.clear):
            widget.setEnabled(has)
        self.unplaced.clear()
        for item in plan.unplaced if has else ():
            text = Text.UNPLACED_ITEM.format(
                name=item.stop.name, id=item.stop.id, reason=item.reason
            )
            self.unplaced.addItem(text)
            self.unplaced.item(self.unplaced.count() - 1).setToolTip(text)
        count = len(plan.unplaced) if has else 0
        self.unplaced_label.setText(Text.UNPLACED.format(count=count))
        self.unplaced_label.setVisible(bool(count))
        self.unplaced.setVisible(bool(count))
        if not has:
            self.show_summary(Text.EMPTY, [], [])

    def show_summary(self, totals: str, problems: Sequence[str], notes: Sequence[str]) -> None:
        """Show the totals line, what the shown day breaks (red) and notes."""
        self.totals.setText(totals)
        self.problems.setText("\n".join(f"⚠ {p}" for p in problems))
        self.problems.setVisible(bool(problems))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def _day_changed(self, _index: int) -> None:
        self.day_chosen.emit(self.day_combo.currentData())

    # -- remembered choices -------------------------------------------------------------------
    def remember(self) -> None:
        """Store the lasting choices (not the dates: they go stale)."""
        store = QSettings()
        values = {
            "rep": self.rep.currentData() or "",
            "week": self.week.isChecked(),
            "days": self.days.value(),
            "source": self.source.currentData(),
        }
        for key, value in values.items():
            store.setValue(PREFIX + key, value)
        self.params.remember(store, PREFIX)

    def _restore(self) -> None:
        store = QSettings()
        self.week.setChecked(store.value(PREFIX + "week", False, type=bool))
        self._period_changed(self.week.isChecked())
        self.days.setValue(store.value(PREFIX + "days", 5, type=int))
        index = self.source.findData(store.value(PREFIX + "source", "due"))
        self.source.setCurrentIndex(max(0, index))
        self.params.restore(store, PREFIX)
