"""The options form of the Print Layout dialog: what to print, paper, heading, map, parts.

The form only collects choices (`PrintChoices`); the controller (`terrmap.ui.print_action`)
turns them into a `PrintLayout`. Choices that suit any project (paper, margins, resolution,
parts, metrics, extent, contents) are remembered between sessions (QSettings ``print/…``);
the title and subtitle belong to one print and start from the project's title and today's
date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QSettings, Qt, Signal
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
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from terrmap.ui.form_labels import buddy
from terrmap.ui.print_text import Text
from terrmap.ui.territory_model import metric_header

if TYPE_CHECKING:
    from collections.abc import Sequence

PREFIX = "print/"
DEFAULT_MARGIN_MM = 12.7
DEFAULT_DPI = 150
LIST_ROWS = 6  # metric rows shown before the list scrolls
T = TypeVar("T", bool, int, float, str)


@dataclass(frozen=True)
class PrintChoices:
    """What the user chose: ``contents`` is ``map``, or an atlas by ``territory``/``parent``."""

    contents: str
    page: str
    orientation: str
    margin_mm: float
    dpi: int
    title: str
    subtitle: str
    extent: str
    distance_unit: str
    toggles: tuple[tuple[str, bool], ...]
    metrics: tuple[str, ...]

    @property
    def atlas(self) -> bool:
        """Whether the choice is an atlas (PDF and paper only)."""
        return self.contents != "map"

    def shown(self, part: str) -> bool:
        """Whether the toggle ``part`` (a `PrintLayout` field) is on."""
        return dict(self.toggles)[part]


class PrintForm(QWidget):
    """Inputs of one print layout.

    Parameters
    ----------
    columns
        `TerritoryMetrics` columns the legend and table can show.
    default_metrics
        Ticked when nothing is remembered (the engine's default choice).
    title, subtitle
        The heading the form starts with.
    has_route
        Whether a route is planned (the Routes toggle is enabled only then).

    Signals
    -------
    changed()
        Any choice changed (the preview follows, debounced).
    """

    changed = Signal()

    def __init__(
        self,
        columns: Sequence[str],
        default_metrics: Sequence[str],
        title: str,
        subtitle: str,
        has_route: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._build_document()
        self._build_paper()
        self._build_heading(title, subtitle)
        self._build_map()
        self._build_toggles(has_route)
        self._build_metrics(columns)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (self._document_box, self._paper_box, self._heading_box, self._map_box):
            layout.addWidget(box)
        layout.addWidget(self._show_box)
        layout.addWidget(self._metrics_box)
        layout.addStretch(1)
        restore_form(self, default_metrics)
        self._connect()

    # -- reading ------------------------------------------------------------------------
    def choices(self) -> PrintChoices:
        """The form's values."""
        landscape = self.landscape.isChecked()
        return PrintChoices(
            contents=self.contents.currentData(),
            page=self.page.currentData(),
            orientation="landscape" if landscape else "portrait",
            margin_mm=float(self.margins.value()),
            dpi=self.dpi.value(),
            title=self.title.text().strip(),
            subtitle=self.subtitle.text().strip(),
            extent=self.extent.currentData(),
            distance_unit=self.distance.currentData(),
            toggles=tuple(
                (key, box.isEnabled() and box.isChecked()) for key, box in self.toggles.items()
            ),
            metrics=self.checked_metrics(),
        )

    def checked_metrics(self) -> tuple[str, ...]:
        """Ticked metric columns, in list order."""
        return tuple(
            item.data(Qt.ItemDataRole.UserRole)
            for item in self.metric_items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def metric_items(self) -> list[QListWidgetItem]:
        """The rows of the metric list (column name in ``Qt.UserRole``)."""
        return [self.metrics.item(i) for i in range(self.metrics.count())]

    def remember(self) -> None:
        """Store the choices that carry over to other prints and sessions."""
        remember_form(self)

    # -- building -----------------------------------------------------------------------
    def _build_document(self) -> None:
        self.contents = _combo(self, Text.CONTENT_CHOICES, Text.CONTENTS_TIP)
        self._document_box = QGroupBox(Text.DOCUMENT_GROUP, self)
        form = _form(self._document_box)
        form.addRow(buddy(Text.CONTENTS, self.contents, self), self.contents)

    def _build_paper(self) -> None:
        self.page = _combo(self, Text.PAGE_CHOICES, Text.PAGE_TIP)
        self.portrait = _tipped(QRadioButton(Text.PORTRAIT, self), Text.ORIENTATION_TIP)
        self.landscape = _tipped(QRadioButton(Text.LANDSCAPE, self), Text.ORIENTATION_TIP)
        self._orientation = QButtonGroup(self)
        self._orientation.addButton(self.portrait)
        self._orientation.addButton(self.landscape)
        self.portrait.setChecked(True)
        orientation = QHBoxLayout()
        orientation.addWidget(self.portrait)
        orientation.addWidget(self.landscape)
        orientation.addStretch(1)
        self.margins = _tipped(QDoubleSpinBox(self), Text.MARGINS_TIP)
        self.margins.setRange(0.0, 60.0)
        self.margins.setDecimals(1)
        self.margins.setValue(DEFAULT_MARGIN_MM)
        self.margins.setSuffix(Text.MM)
        self.dpi = _spin(self, 72, 600, DEFAULT_DPI, Text.DPI_SUFFIX, Text.DPI_TIP)
        self.dpi.setSingleStep(50)
        self._paper_box = QGroupBox(Text.PAPER_GROUP, self)
        form = _form(self._paper_box)
        form.addRow(buddy(Text.PAGE, self.page, self), self.page)
        label = buddy(Text.ORIENTATION, self.portrait, self)
        form.addRow(label, orientation)
        form.addRow(buddy(Text.MARGINS, self.margins, self), self.margins)
        form.addRow(buddy(Text.DPI, self.dpi, self), self.dpi)

    def _build_heading(self, title: str, subtitle: str) -> None:
        self.title = _tipped(QLineEdit(title, self), Text.TITLE_TIP)
        self.subtitle = _tipped(QLineEdit(subtitle, self), Text.SUBTITLE_TIP)
        for edit in (self.title, self.subtitle):
            edit.setClearButtonEnabled(True)
        self._heading_box = QGroupBox(Text.TEXT_GROUP, self)
        form = _form(self._heading_box)
        form.addRow(buddy(Text.HEADING_TITLE, self.title, self), self.title)
        form.addRow(buddy(Text.SUBTITLE, self.subtitle, self), self.subtitle)

    def _build_map(self) -> None:
        self.extent = _combo(self, Text.EXTENT_CHOICES, Text.EXTENT_TIP)
        self.distance = _combo(self, Text.DISTANCE_CHOICES, Text.DISTANCE_TIP)
        self._map_box = QGroupBox(Text.MAP_GROUP, self)
        form = _form(self._map_box)
        form.addRow(buddy(Text.EXTENT, self.extent, self), self.extent)
        form.addRow(buddy(Text.DISTANCE, self.distance, self), self.distance)

    def _build_toggles(self, has_route: bool) -> None:
        self.toggles: dict[str, QCheckBox] = {}
        self._show_box = QGroupBox(Text.SHOW_GROUP, self)
        grid = QGridLayout(self._show_box)
        for index, (key, (label, tip)) in enumerate(Text.TOGGLES.items()):
            box = _tipped(QCheckBox(label, self), tip)
            box.setChecked(key != "unit_labels")
            self.toggles[key] = box
            grid.addWidget(box, index // 2, index % 2)
        routes = self.toggles["routes"]
        routes.setEnabled(has_route)
        if not has_route:
            routes.setToolTip(Text.ROUTES_NONE_TIP)
            routes.setChecked(False)

    def _build_metrics(self, columns: Sequence[str]) -> None:
        self.metrics = _tipped(QListWidget(self), Text.METRICS_TIP)
        for column in columns:
            item = QListWidgetItem(metric_header(column), self.metrics)
            item.setData(Qt.ItemDataRole.UserRole, column)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(Text.METRICS_TIP)
        row = self.metrics.sizeHintForRow(0) if columns else self.metrics.fontMetrics().height()
        rows = min(max(len(columns), 1), LIST_ROWS)
        self.metrics.setFixedHeight(rows * row + 2 * self.metrics.frameWidth() + 2)
        self._metrics_box = QGroupBox(Text.METRICS_GROUP, self)
        QVBoxLayout(self._metrics_box).addWidget(self.metrics)

    def _connect(self) -> None:
        emit = self.changed.emit
        for combo in (self.contents, self.page, self.extent, self.distance):
            combo.currentIndexChanged.connect(lambda _i: emit())
        self._orientation.buttonToggled.connect(lambda *_args: emit())
        for spin in (self.margins, self.dpi):
            spin.valueChanged.connect(lambda _v: emit())
        for edit in (self.title, self.subtitle):
            edit.textChanged.connect(lambda _t: emit())
        for box in self.toggles.values():
            box.toggled.connect(lambda _on: emit())
        self.metrics.itemChanged.connect(lambda _item: emit())


# -- remembered choices ------------------------------------------------------------------
def remember_form(form: PrintForm) -> None:
    """Store ``form``'s lasting choices."""
    choices, store = form.choices(), QSettings()
    values = {
        "contents": choices.contents,
        "page": choices.page,
        "orientation": choices.orientation,
        "margin": choices.margin_mm,
        "dpi": choices.dpi,
        "extent": choices.extent,
        "distance": choices.distance_unit,
        "metrics": list(choices.metrics) or [""],  # [""]: none ticked, not "never stored"
    }
    # A disabled Routes box (no route planned) keeps the stored wish for the next route.
    values.update(
        {f"show/{key}": box.isChecked() for key, box in form.toggles.items() if box.isEnabled()}
    )
    for key, value in values.items():
        store.setValue(PREFIX + key, value)


def restore_form(form: PrintForm, default_metrics: Sequence[str]) -> None:
    """Put the stored choices into ``form`` (its own defaults where none are stored)."""
    store = QSettings()
    for combo, key in (
        (form.contents, "contents"),
        (form.page, "page"),
        (form.extent, "extent"),
        (form.distance, "distance"),
    ):
        index = combo.findData(stored(store, key, str(combo.currentData())))
        combo.setCurrentIndex(max(index, 0))
    landscape = stored(store, "orientation", "portrait") == "landscape"
    (form.landscape if landscape else form.portrait).setChecked(True)
    form.margins.setValue(stored(store, "margin", form.margins.value()))
    form.dpi.setValue(stored(store, "dpi", form.dpi.value()))
    for key, box in form.toggles.items():
        if box.isEnabled():
            box.setChecked(stored(store, f"show/{key}", box.isChecked()))
    value = store.value(PREFIX + "metrics", list(default_metrics))
    wanted = [value] if isinstance(value, str) else list(value or [])
    for item in form.metric_items():
        on = item.data(Qt.ItemDataRole.UserRole) in wanted
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def stored(store: QSettings, key: str, default: T) -> T:
    """A remembered value of ``default``'s type; the default if missing or unreadable."""
    try:
        return type(default)(store.value(PREFIX + key, default, type=type(default)))
    except (TypeError, ValueError):
        return default


# -- widgets -----------------------------------------------------------------------------
def _tipped(widget, tip: str):  # -> the widget
    widget.setToolTip(tip)
    if isinstance(widget, QAbstractSpinBox):
        # Numbers stay as wide as they need; a field across the whole group reads as text.
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return widget


def _combo(parent: QWidget, choices: dict[str, str], tip: str) -> QComboBox:
    combo = _tipped(QComboBox(parent), tip)
    for key, text in choices.items():
        combo.addItem(text, key)
    return combo


def _spin(parent: QWidget, low: int, high: int, value: int, suffix: str, tip: str) -> QSpinBox:
    spin = _tipped(QSpinBox(parent), tip)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form
