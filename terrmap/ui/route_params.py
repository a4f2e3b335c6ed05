"""The Routes dock's parameters: working-day rules, travel and solver settings.

A compact two-column grid the panel shows or folds away; its values are remembered between
sessions with the rest of the panel's choices (QSettings, ``route/…``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QToolButton,
    QWidget,
)

from terrmap.ui.form_labels import buddy
from terrmap.ui.route_text import Text

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings


class RouteParameters(QWidget):
    """Day start and length, lunch, minutes per visit, travel, road network, search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = _time(self, "08:00", Text.START_TIP)
        self.length = _number(self, 9.0, (1, 24), Text.HOURS, Text.LENGTH_TIP, 1)
        self.lunch = tip(QCheckBox(Text.LUNCH, self), Text.LUNCH_TIP)
        self.lunch.setChecked(True)
        self.lunch_from = _time(self, "12:00", Text.LUNCH_FROM_TIP)
        self.lunch_to = _time(self, "14:00", Text.LUNCH_TO_TIP)
        self.lunch_min = _number(self, 30, (5, 180), Text.MINUTES, Text.LUNCH_MIN_TIP)
        self.service = _number(self, 30, (1, 480), Text.MINUTES, Text.SERVICE_TIP)
        self.time_limit = _number(self, 5.0, (0.5, 600), Text.SECONDS, Text.TIME_LIMIT_TIP, 1)
        self.speed = _number(self, 50.0, (5, 130), Text.KMH, Text.SPEED_TIP, 0)
        self.detour = _number(self, 1.3, (1, 3), "", Text.DETOUR_TIP, 2)
        self.seed = _number(self, 0, (0, 99_999), "", Text.SEED_TIP)
        self.start_at = tip(QLineEdit(self), Text.START_AT_TIP)
        self.start_at.setPlaceholderText(Text.HOME_PLACEHOLDER)
        self.end_at = tip(QLineEdit(self), Text.END_AT_TIP)
        self.end_at.setPlaceholderText(Text.START_PLACEHOLDER)
        self.roads = tip(QLineEdit(self), Text.ROADS_TIP)
        self.roads.setReadOnly(True)
        self.roads.setPlaceholderText(Text.ROADS_NONE)
        self.choose_roads = tip(QToolButton(self), Text.ROADS_CHOOSE_TIP)
        self.choose_roads.setText(Text.ROADS_CHOOSE)
        self.choose_roads.clicked.connect(self._choose_roads)
        self.clear_roads = tip(QToolButton(self), Text.ROADS_CLEAR_TIP)
        self.clear_roads.setText(Text.ROADS_CLEAR)
        self.clear_roads.clicked.connect(lambda: self.set_roads(""))
        self.lunch.toggled.connect(self._lunch_toggled)
        self._roads_path = ""
        self._lay_out()
        self.set_roads("")

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 0, 0, 0)
        cells = [
            (Text.START, self.start, Text.LENGTH, self.length),
            (Text.SERVICE, self.service, Text.TIME_LIMIT, self.time_limit),
            (Text.SPEED, self.speed, Text.DETOUR, self.detour),
        ]
        for row, (a, field_a, b, field_b) in enumerate(cells):
            grid.addWidget(buddy(a, field_a, self), row, 0)
            grid.addWidget(field_a, row, 1)
            grid.addWidget(buddy(b, field_b, self), row, 2)
            grid.addWidget(field_b, row, 3)
        lunch = QHBoxLayout()
        for widget in (self.lunch, self.lunch_from, QLabel("–"), self.lunch_to, self.lunch_min):
            lunch.addWidget(widget)
        lunch.addStretch(1)
        grid.addLayout(lunch, 3, 0, 1, 4)
        roads = QHBoxLayout()
        for widget in (self.roads, self.choose_roads, self.clear_roads):
            roads.addWidget(widget)
        grid.addWidget(buddy(Text.ROADS, self.roads, self), 4, 0)
        grid.addLayout(roads, 4, 1, 1, 3)
        grid.addWidget(buddy(Text.SEED, self.seed, self), 5, 0)
        grid.addWidget(self.seed, 5, 1)
        grid.addWidget(buddy(Text.START_AT, self.start_at, self), 6, 0)
        grid.addWidget(self.start_at, 6, 1, 1, 3)
        grid.addWidget(buddy(Text.END_AT, self.end_at, self), 7, 0)
        grid.addWidget(self.end_at, 7, 1, 1, 3)
        grid.setColumnStretch(4, 1)

    def values(self) -> dict[str, Any]:
        """The `RouteChoices` fields this widget sets."""
        lunch = None
        if self.lunch.isChecked():
            lunch = (seconds(self.lunch_from), seconds(self.lunch_to), self.lunch_min.value() * 60)
        return {
            "start_s": seconds(self.start),
            "length_s": round(self.length.value() * 3600),
            "lunch": lunch,
            "service_min": float(self.service.value()),
            "speed_kmh": self.speed.value(),
            "detour": self.detour.value(),
            "roads": self._roads_path,
            "time_limit": self.time_limit.value(),
            "seed": self.seed.value(),
            "start_at": self.start_at.text(),
            "end_at": self.end_at.text(),
        }

    def set_roads(self, path: str) -> None:
        """Measure on the roads of the extract at ``path`` ("": straight lines)."""
        self._roads_path = path
        self.roads.setText(Path(path).name if path else "")
        self.roads.setToolTip(path or Text.ROADS_TIP)
        self.clear_roads.setEnabled(bool(path))
        self.speed.setEnabled(not path)  # speed and detour only shape straight lines
        self.detour.setEnabled(not path)

    def _choose_roads(self) -> None:
        from terrmap.ui import settings

        path, _ = QFileDialog.getOpenFileName(
            self, Text.ROADS_TITLE, settings.last_directory(), Text.ROADS_FILTER
        )
        if path:
            self.set_roads(path)

    def _lunch_toggled(self, on: bool) -> None:
        for widget in (self.lunch_from, self.lunch_to, self.lunch_min):
            widget.setEnabled(on)

    # -- remembered ---------------------------------------------------------------------------
    def remember(self, store: QSettings, prefix: str) -> None:
        """Store every value under ``prefix``."""
        for key, value in self._stored().items():
            store.setValue(prefix + key, value)

    def restore(self, store: QSettings, prefix: str) -> None:
        """Put stored values back (the defaults where none or an unreadable one is stored)."""
        for key, default in self._stored().items():
            try:
                value = type(default)(store.value(prefix + key, default, type=type(default)))
            except (TypeError, ValueError):
                value = default
            self._put(key, value)

    def _stored(self) -> dict[str, Any]:
        return {
            "start": seconds(self.start),
            "length": self.length.value(),
            "lunch": self.lunch.isChecked(),
            "lunchFrom": seconds(self.lunch_from),
            "lunchTo": seconds(self.lunch_to),
            "lunchMin": self.lunch_min.value(),
            "service": self.service.value(),
            "speed": self.speed.value(),
            "detour": self.detour.value(),
            "roads": self._roads_path,
            "timeLimit": self.time_limit.value(),
            "seed": self.seed.value(),
            "startAt": self.start_at.text(),
            "endAt": self.end_at.text(),
        }

    def _put(self, key: str, value: Any) -> None:
        times = {"start": self.start, "lunchFrom": self.lunch_from, "lunchTo": self.lunch_to}
        boxes = {
            "length": self.length,
            "lunchMin": self.lunch_min,
            "service": self.service,
            "speed": self.speed,
            "detour": self.detour,
            "timeLimit": self.time_limit,
            "seed": self.seed,
        }
        if key in times:
            times[key].setTime(QTime(0, 0).addSecs(int(value)))
        elif key in boxes:
            boxes[key].setValue(value)
        elif key == "lunch":
            self.lunch.setChecked(value)
        elif key == "roads":
            self.set_roads(value)
        elif key in ("startAt", "endAt"):
            (self.start_at if key == "startAt" else self.end_at).setText(value)


def tip(widget, text: str):
    """``widget`` with the tooltip ``text``."""
    widget.setToolTip(text)
    return widget


def seconds(edit: QTimeEdit) -> int:
    """Seconds since midnight shown by ``edit``."""
    return edit.time().msecsSinceStartOfDay() // 1000


def _time(parent: QWidget, value: str, text: str) -> QTimeEdit:
    edit = tip(QTimeEdit(QTime.fromString(value, "HH:mm"), parent), text)
    edit.setDisplayFormat("HH:mm")
    return edit


def _number(parent, value, bounds, suffix: str, text: str, decimals: int | None = None):
    box = QSpinBox(parent) if decimals is None else QDoubleSpinBox(parent)
    if decimals is not None:
        box.setDecimals(decimals)
        box.setSingleStep(10**-decimals if decimals else 5)
    box.setRange(*bounds)
    box.setValue(value)
    box.setSuffix(suffix)
    return tip(box, text)
