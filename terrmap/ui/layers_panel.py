"""The Layers panel: which map layers show, how opaque, labelled and coloured.

It edits one value, the canvas's `MapStyle`, and announces each new value with
`style_changed`; it never touches the document. Layers are listed top to bottom in the
order they are drawn on top of each other, as in QGIS. Choices are remembered in
QSettings (``layers/...``) and restored for the next project where its columns allow.

Choropleth upkeep: a unit's metric value changes only when named-account overrides
move accounts in or out of its count (or another plan is switched in); plain unit moves
change territory totals, not unit values. So on `TerritoryMetrics.totals_changed` the
panel waits for the edits to pause (`RECLASSIFY_MS`), compares the unit values with
the ones it classified (microseconds) and classifies again only if they differ.
Classifying is cheap anyway (33k units: ≈ 5 ms quantile, ≈ 50 ms natural breaks).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from terrmap.core.classify import Classification, Method, classify
from terrmap.core.palette import TERRITORY_COLORS
from terrmap.render.style import MapStyle
from terrmap.ui import layer_icons
from terrmap.ui.layer_row import (
    ClassedColourControls,
    LayerRow,
    compact_combo,
    fill_combo,
    form_label,
)
from terrmap.ui.layers_settings import (
    load_colouring,
    load_layer,
    remember,
    remembered,
    save_colouring,
    save_layer,
)
from terrmap.ui.layers_text import Text

if TYPE_CHECKING:
    from collections.abc import Callable

    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.project import Project

# Top to bottom: drawn last (on top) first, as a GIS layer list reads.
LAYERS = ("homes", "accounts", "territories", "units", "context")
RECLASSIFY_MS = 200
PREFERRED_WIDTH = 300
_NAMES = {
    "homes": Text.HOMES,
    "accounts": Text.ACCOUNTS,
    "territories": Text.TERRITORIES,
    "units": Text.UNITS,  # renamed after the project's kind of unit
    "context": Text.STATES,
}
# Every unit counts 1 in the "units" metric, so colouring by it would be one flat class.
_NOT_MAPPABLE = frozenset({"units"})


class LayersPanel(QWidget):
    """Layer list that edits the map style.

    Signals
    -------
    style_changed(MapStyle)
        The user (or restored settings) changed the style; the new value.
    """

    style_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._style = MapStyle()
        self._classified_unit_values: np.ndarray | None = None
        self.rows = {key: LayerRow(key, name, self) for key, name in _NAMES.items()}
        self.unit_colours = ClassedColourControls(
            self.rows["units"].form, Text.BY_TERRITORY, Text.UNIT_COLOUR_TIP, self
        )
        self.account_size_combo = compact_combo(Text.ACCOUNT_SIZE_TIP)
        self.rows["accounts"].form.addRow(form_label(Text.SIZE_BY), self.account_size_combo)
        self.account_colours = ClassedColourControls(
            self.rows["accounts"].form, Text.NOTHING, Text.ACCOUNT_COLOUR_TIP, self
        )
        self._reclassify_timer = QTimer(self)
        self._reclassify_timer.setSingleShot(True)
        self._reclassify_timer.setInterval(RECLASSIFY_MS)
        self._reclassify_timer.timeout.connect(self._reclassify_units)
        self._metrics_link = _MetricsLink(self._totals_changed)
        # The C++ timer dies with the widget; a later totals_changed must not reach it.
        self.destroyed.connect(self._metrics_link.cut)
        self._build_layout()
        self._connect_controls()
        self.set_source(None, None, self._style)

    # -- public --------------------------------------------------------------------
    @property
    def style(self) -> MapStyle:
        """The style the panel shows."""
        return self._style

    def set_source(
        self, project: Project | None, metrics: TerritoryMetrics | None, style: MapStyle
    ) -> None:
        """Show ``project``'s layers over ``style``, restoring the remembered choices.

        Emits `style_changed` before returning when the remembered choices change
        ``style`` (connect first, or apply `style` after calling).
        """
        self._reclassify_timer.stop()
        self._metrics_link.follow(metrics)
        self._project = project
        self._classified_unit_values = None
        self._offer_choices(project, metrics)
        if project is None:
            restored = replace(
                style, choropleth=None, account_colors=None, account_size_column=None
            )
        else:
            restored = self._restored(style)
        self._show_style(restored)
        if restored != style:
            self.style_changed.emit(restored)

    def sizeHint(self) -> QSize:
        # The scroll area would ask for almost nothing; open the dock at a usable width.
        return QSize(PREFERRED_WIDTH, 480)

    # -- building ------------------------------------------------------------------
    def _build_layout(self) -> None:
        content = QWidget()
        # A list-like white sheet, as layer lists are in GIS apps.
        content.setBackgroundRole(QPalette.ColorRole.Base)
        content.setAutoFillBackground(True)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for row in self.rows.values():
            column.addWidget(row)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _connect_controls(self) -> None:
        for key, row in self.rows.items():
            row.style_edited.connect(lambda key=key: self._layer_edited(key))
            row.expanded_changed.connect(
                lambda expanded, key=key: remember(key, "expanded", expanded)
            )
        self.unit_colours.choice_edited.connect(self._unit_colouring_edited)
        self.account_colours.choice_edited.connect(self._account_colouring_edited)
        self.account_size_combo.currentIndexChanged.connect(self._account_size_edited)

    def _offer_choices(self, project: Project | None, metrics: TerritoryMetrics | None) -> None:
        units_name = Text.UNITS
        if project is not None:
            units_name = Text.UNITS_BY_KIND.get(project.units.kind, Text.UNITS)
        self.rows["units"].set_name(units_name)
        self.rows["context"].setVisible(project is not None and bool(project.context))
        self.rows["context"].set_name(
            Text.STATES if project is None or "states" in project.context else Text.CONTEXT
        )
        unit_columns = [c for c in metrics.columns if c not in _NOT_MAPPABLE] if metrics else []
        account_columns = list(project.accounts.numeric_columns) if project is not None else []
        self.unit_colours.set_columns(unit_columns)
        self.account_colours.set_columns(account_columns)
        fill_combo(self.account_size_combo, Text.NOTHING, account_columns)
        for row in self.rows.values():
            row.setEnabled(project is not None)

    # -- edits ---------------------------------------------------------------------
    def _layer_edited(self, key: str) -> None:
        layer = self.rows[key].layer_style()
        save_layer(key, layer)
        self._set_style(replace(self._style, **{key: layer}))

    def _unit_colouring_edited(self) -> None:
        controls = self.unit_colours
        save_colouring("units", controls.column, controls.method, controls.k)
        self._classified_unit_values = None
        self._set_style(
            replace(
                self._style,
                choropleth=self._unit_classes(controls.column, controls.method, controls.k),
            )
        )

    def _account_colouring_edited(self) -> None:
        controls = self.account_colours
        save_colouring("accounts", controls.column, controls.method, controls.k)
        classes = self._account_classes(controls.column, controls.method, controls.k)
        self._set_style(replace(self._style, account_colors=classes))

    def _account_size_edited(self) -> None:
        column = self.account_size_combo.currentData()
        remember("accounts", "sizeBy", column or "")
        self._set_style(replace(self._style, account_size_column=column))

    # -- classification ------------------------------------------------------------
    def _unit_classes(self, column: str | None, method: Method, k: int) -> Classification | None:
        if column is None or self._metrics is None or column not in self._metrics.columns:
            self._classified_unit_values = None
            return None
        values = self._metrics.unit_values(column).copy()
        self._classified_unit_values = values
        return classify(values, column, method, k)

    def _account_classes(self, column: str | None, method: Method, k: int) -> Classification | None:
        project = self._project
        if column is None or project is None or column not in project.accounts.frame:
            return None
        import pandas as pd  # loaded by then (the project holds frames); not at window start

        values = pd.to_numeric(project.accounts.frame[column], errors="coerce")
        return classify(values.to_numpy(dtype=float, na_value=np.nan), column, method, k)

    @property
    def _metrics(self) -> TerritoryMetrics | None:
        return self._metrics_link.metrics

    def _totals_changed(self, _rows: object) -> None:
        if self._style.choropleth is not None:
            self._reclassify_timer.start()  # restarts: one reclassification per pause

    def _reclassify_units(self) -> None:
        current = self._style.choropleth
        if current is None or self._metrics is None:
            return
        values = self._metrics.unit_values(current.column)
        if self._classified_unit_values is not None and np.array_equal(
            values, self._classified_unit_values
        ):
            return
        self._set_style(
            replace(
                self._style,
                choropleth=self._unit_classes(current.column, current.method, current.k),
            )
        )

    # -- style ---------------------------------------------------------------------
    def _restored(self, style: MapStyle) -> MapStyle:
        """``style`` with the remembered layer options and colourings that still apply."""
        layers = {key: load_layer(key, getattr(style, key)) for key in LAYERS}
        for key, row in self.rows.items():
            # The units row starts open on first use: "Colour by" is what people look for.
            row.set_expanded(remembered(key, "expanded", key == "units"))
        unit_choice = load_colouring("units")
        account_choice = load_colouring("accounts")
        self.unit_colours.set_choice(*unit_choice)
        self.account_colours.set_choice(*account_choice)
        size = remembered("accounts", "sizeBy", "") or None
        self.account_size_combo.blockSignals(True)
        self.account_size_combo.setCurrentIndex(max(0, self.account_size_combo.findData(size)))
        self.account_size_combo.blockSignals(False)
        return replace(
            style,
            **layers,
            choropleth=self._unit_classes(self.unit_colours.column, *unit_choice[1:]),
            account_colors=self._account_classes(self.account_colours.column, *account_choice[1:]),
            account_size_column=self.account_size_combo.currentData(),
        )

    def _set_style(self, style: MapStyle) -> None:
        """Show and announce an edited style (nothing if it did not really change)."""
        if style != self._style:
            self._show_style(style)
            self.style_changed.emit(style)

    def _show_style(self, style: MapStyle) -> None:
        self._style = style
        for key, row in self.rows.items():
            row.set_layer_style(getattr(style, key))
        self.unit_colours.show_classification(style.choropleth)
        self.account_colours.show_classification(style.account_colors)
        self._update_symbols()

    def _update_symbols(self) -> None:
        style = self._style
        fills = style.choropleth.colors if style.choropleth else TERRITORY_COLORS[:4]
        self.rows["units"].set_symbol(layer_icons.units_symbol(fills, style.unit_border))
        dots = style.account_colors.colors if style.account_colors else (style.account_color,)
        self.rows["accounts"].set_symbol(
            layer_icons.dots_symbol(dots, sized=style.account_size_column is not None)
        )
        self.rows["territories"].set_symbol(
            layer_icons.outline_symbol(style.territory_border, style.territory_border_width)
        )
        self.rows["context"].set_symbol(
            layer_icons.outline_symbol(
                style.context_border, style.context_border_width + 0.4, fill=style.context_fill
            )
        )
        self.rows["homes"].set_symbol(
            layer_icons.home_symbol(style.home_fill, style.home_border, TERRITORY_COLORS[0])
        )


class _MetricsLink:
    """The panel's subscription to `TerritoryMetrics.totals_changed`.

    A plain object, so the panel's ``destroyed`` signal can cut the subscription after
    the widget (and its timer) are gone.
    """

    def __init__(self, slot: Callable[[object], None]) -> None:
        self.metrics: TerritoryMetrics | None = None
        self._slot = slot

    def follow(self, metrics: TerritoryMetrics | None) -> None:
        if self.metrics is not None:
            self.metrics.totals_changed.disconnect(self._slot)
        self.metrics = metrics
        if metrics is not None:
            metrics.totals_changed.connect(self._slot)

    def cut(self, *_args: object) -> None:
        self.follow(None)
