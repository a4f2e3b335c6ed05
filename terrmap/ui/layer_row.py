"""Building blocks of the Layers panel: one row per layer, and classed-colour controls.

A `LayerRow` is a header (expander, visibility box, symbol, name) over a form of
options that opens below it, like a layer in QGIS's Layers panel. `ClassedColourControls`
adds "Colour by", method/classes and a legend to a row's form, so units and accounts
share one implementation.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from terrmap.core.classify import METHODS, Classification, Method
from terrmap.render.style import LayerStyle
from terrmap.ui.layer_icons import ICON_SIZE
from terrmap.ui.layers_text import Text
from terrmap.ui.legend_widget import LegendWidget
from terrmap.ui.territory_model import metric_header

MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5
HEADER_MARGINS = (4, 3, 8, 3)
SPACING = 4
EXPANDER = 16
COMBO_MIN_CHARS = 5  # combos shrink to this many characters before the dock must widen


class LayerRow(QWidget):
    """One layer: visibility, symbol and name; opacity and labels when expanded.

    Signals
    -------
    style_edited()
        The user changed visibility, opacity or labels (read `layer_style`).
    expanded_changed(bool)
        The options were opened or closed.
    """

    style_edited = Signal()
    expanded_changed = Signal(bool)

    def __init__(self, key: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"layerRow_{key}")
        self.expander = _tool_button()
        self.visible_box = QCheckBox()
        self.symbol = QLabel()
        self.symbol.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.name_label = QLabel()
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.header = _Header(self)
        header = QHBoxLayout(self.header)
        header.setContentsMargins(*HEADER_MARGINS)
        header.setSpacing(SPACING)
        for widget in (self.expander, self.visible_box, self.symbol):
            header.addWidget(widget)
        header.addWidget(self.name_label, 1)

        self.body = QWidget(self)
        self.form = _form(self.body)
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setPageStep(10)
        self.opacity_value = QLabel()
        self.opacity_value.setFixedWidth(self.fontMetrics().horizontalAdvance("100 %") + 2)
        self.opacity_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        opacity = QHBoxLayout()
        opacity.setSpacing(6)
        opacity.addWidget(self.opacity_slider, 1)
        opacity.addWidget(self.opacity_value)
        self.form.addRow(form_label(Text.OPACITY), opacity)
        self.labels_box: QCheckBox | None = None
        if key in Text.LABEL_NAMES:
            self.labels_box = QCheckBox(Text.LABEL_NAMES[key])
            self.labels_box.setToolTip(Text.LABELS_TIP[key])
            self.form.addRow(form_label(Text.LABELS), self.labels_box)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.body)
        self.set_name(name)
        self.set_layer_style(LayerStyle())
        self.set_expanded(False)
        self.expander.clicked.connect(lambda: self.set_expanded(not self.is_expanded()))
        self.header.clicked.connect(lambda: self.set_expanded(not self.is_expanded()))
        self.visible_box.toggled.connect(self._edited)
        self.opacity_slider.valueChanged.connect(self._edited)
        if self.labels_box is not None:
            self.labels_box.toggled.connect(self._edited)

    # -- state ---------------------------------------------------------------------
    def set_name(self, name: str) -> None:
        """Show ``name`` and word the tooltips after it."""
        self.name_label.setText(name)
        self.visible_box.setAccessibleName(name)  # the box has no text of its own
        lowered = name[:1].lower() + name[1:] if not name[:3].isupper() else name
        self.visible_box.setToolTip(Text.VISIBLE_TIP.format(layer=lowered))
        self.expander.setToolTip(Text.EXPAND_TIP.format(layer=lowered))
        self.name_label.setToolTip(Text.EXPAND_TIP.format(layer=lowered))
        self.symbol.setToolTip(Text.ICON_TIP.format(layer=lowered))
        tip = Text.OPACITY_TIP.format(layer=lowered)
        self.opacity_slider.setToolTip(tip)
        self.opacity_value.setToolTip(tip)

    def layer_style(self) -> LayerStyle:
        """Visibility, opacity and labels as the controls show them."""
        return LayerStyle(
            visible=self.visible_box.isChecked(),
            opacity=self.opacity_slider.value() / 100,
            labels=self.labels_box is not None and self.labels_box.isChecked(),
        )

    def set_layer_style(self, style: LayerStyle) -> None:
        """Show ``style`` without announcing it as an edit."""
        widgets = (self.visible_box, self.opacity_slider, self.labels_box)
        for widget in widgets:
            if widget is not None:
                widget.blockSignals(True)
        self.visible_box.setChecked(style.visible)
        self.opacity_slider.setValue(round(style.opacity * 100))
        if self.labels_box is not None:
            self.labels_box.setChecked(style.labels)
        for widget in widgets:
            if widget is not None:
                widget.blockSignals(False)
        self._show_state()

    def set_symbol(self, pixmap: QPixmap) -> None:
        """Show the layer's symbol."""
        self.symbol.setPixmap(pixmap)

    def is_expanded(self) -> bool:
        """Whether the options are open."""
        return not self.body.isHidden()

    def set_expanded(self, expanded: bool) -> None:
        """Open or close the options."""
        changed = expanded != self.is_expanded()
        self.body.setHidden(not expanded)
        self.expander.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        if changed:
            self.expanded_changed.emit(expanded)

    # -- Qt ------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        # A hairline under each layer separates rows the way a list view would.
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Midlight))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        painter.end()

    # -- helpers -------------------------------------------------------------------
    def _edited(self) -> None:
        self._show_state()
        self.style_edited.emit()

    def _show_state(self) -> None:
        self.opacity_value.setText(Text.PERCENT.format(value=self.opacity_slider.value()))
        # A hidden layer's name and symbol grey out, as in a GIS layer list.
        shown = self.visible_box.isChecked()
        self.name_label.setEnabled(shown)
        self.symbol.setEnabled(shown)


class ClassedColourControls(QObject):
    """ "Colour by" a column, classification method and class count, and the legend.

    The controls go into ``form`` (a `LayerRow`'s options); the method, class count and
    legend rows show only while a column is chosen.

    Signals
    -------
    choice_edited()
        The user picked another column, method or class count.
    """

    choice_edited = Signal()

    def __init__(self, form: QFormLayout, none_text: str, tip: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._form = form
        self._none_text = none_text
        self.column_combo = compact_combo(tip)
        self.method_combo = compact_combo(Text.METHOD_TIP)
        for method in METHODS:
            self.method_combo.addItem(Text.METHODS[method], method)
        self.classes_spin = QSpinBox()
        self.classes_spin.setRange(MIN_CLASSES, MAX_CLASSES)
        self.classes_spin.setValue(DEFAULT_CLASSES)
        self.classes_spin.setToolTip(Text.CLASS_COUNT_TIP)
        self.classes_spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.classes_spin.setMinimumWidth(self.classes_spin.sizeHint().width() + 8)
        self.legend = LegendWidget()
        self.legend.setToolTip(Text.LEGEND_TIP)
        form.addRow(form_label(Text.COLOUR_BY), self.column_combo)
        # Method and count on rows of their own: side by side they would set the
        # panel's minimum width above a narrow dock's.
        form.addRow(form_label(Text.METHOD), self.method_combo)
        form.addRow(form_label(Text.CLASSES), self.classes_spin)
        form.addRow(self.legend)
        self.set_columns([])
        self.column_combo.currentIndexChanged.connect(self._edited)
        self.method_combo.currentIndexChanged.connect(self._edited)
        self.classes_spin.valueChanged.connect(self._edited)

    @property
    def column(self) -> str | None:
        """The chosen column, or ``None`` for the plain colouring."""
        return self.column_combo.currentData()

    @property
    def method(self) -> Method:
        """The chosen classification method."""
        return self.method_combo.currentData()

    @property
    def k(self) -> int:
        """The chosen number of classes."""
        return self.classes_spin.value()

    def set_columns(self, columns: list[str]) -> None:
        """Offer the plain colouring and ``columns`` (by readable name)."""
        fill_combo(self.column_combo, self._none_text, columns)
        self._show_rows()

    def set_choice(self, column: str | None, method: Method, k: int) -> None:
        """Select a choice without announcing it as an edit."""
        for widget in (self.column_combo, self.method_combo, self.classes_spin):
            widget.blockSignals(True)
        self.column_combo.setCurrentIndex(max(0, self.column_combo.findData(column)))
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(method)))
        self.classes_spin.setValue(k)
        for widget in (self.column_combo, self.method_combo, self.classes_spin):
            widget.blockSignals(False)
        self._show_rows()

    def show_classification(self, classification: Classification | None) -> None:
        """Show the legend of ``classification`` (nothing when ``None``)."""
        self.legend.set_classification(classification)
        self._form.setRowVisible(self.legend, classification is not None)

    def _edited(self) -> None:
        self._show_rows()
        self.choice_edited.emit()

    def _show_rows(self) -> None:
        for widget in (self.method_combo, self.classes_spin):
            self._form.setRowVisible(widget, self.column is not None)


def form_label(text: str) -> QLabel:
    """An option label as wide as the widest, so fields line up across every layer."""
    label = QLabel(text)
    widest = max(label.fontMetrics().horizontalAdvance(t) for t in Text.FORM_LABELS)
    label.setMinimumWidth(widest + 2)
    return label


def compact_combo(tip: str) -> QComboBox:
    """A combo box that shrinks with a narrow dock instead of widening it."""
    combo = QComboBox()
    combo.setToolTip(tip)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_MIN_CHARS)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def fill_combo(combo: QComboBox, none_text: str, columns: list[str]) -> None:
    """Put ``none_text`` (data ``None``) and ``columns`` in ``combo``, keeping the choice."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(none_text, None)
    for column in columns:
        combo.addItem(metric_header(column), column)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)


class _Header(QWidget):
    """The always-visible part of a row; a click on it opens or closes the options."""

    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
            event.accept()
        else:
            super().mousePressEvent(event)


def _tool_button() -> QToolButton:
    button = QToolButton()
    button.setAutoRaise(True)
    button.setFixedSize(QSize(EXPANDER, EXPANDER))
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


def _form(parent: QWidget) -> QFormLayout:
    form = QFormLayout(parent)
    # Options sit under the layer name: indent past the expander and the check box.
    left = HEADER_MARGINS[0] + EXPANDER + SPACING
    form.setContentsMargins(left, 2, HEADER_MARGINS[2], 8)
    form.setHorizontalSpacing(8)
    form.setVerticalSpacing(5)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form
