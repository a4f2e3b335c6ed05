"""The main window's status bar: document summary, selection totals, the unit under the
pointer with its territory and values, and the pointer's latitude and longitude."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from terrmap.ui.main_window_text import Text
from terrmap.ui.selection_summary import selection_summary
from terrmap.ui.territory_table import format_number, metric_header

if TYPE_CHECKING:
    from terrmap.ui.main_window import MainWindow

CURSOR_VALUES = 2  # metric values shown for the unit under the pointer


class WindowStatus:
    """Fills the status bar of ``window`` from its document, selection and canvas."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        bar = window.statusBar()
        self.summary = QLabel(window)
        self.selection = QLabel(window)
        self.selection.setToolTip(Text.SELECTION_TIP)
        self.unit = QLabel(window)
        self.unit.setToolTip(Text.UNIT_TIP)
        self.lonlat = QLabel(window)
        self.lonlat.setMinimumWidth(170)
        self.lonlat.setToolTip(Text.LONLAT_TIP)
        bar.addWidget(self.summary)
        bar.addWidget(self.selection)
        bar.addPermanentWidget(self.unit)
        bar.addPermanentWidget(self.lonlat)
        window.canvas.cursor_moved.connect(self.show_cursor)
        window.canvas.cursor_left.connect(lambda: (self.unit.clear(), self.lonlat.clear()))

    def show_document(self) -> None:
        """Counts of the document, with the synthetic-data notice where it applies."""
        project = self.window.project
        text = Text.SUMMARY.format(
            units=len(project.units),
            accounts=len(project.accounts),
            territories=len(project.territories),
        )
        synthetic = project.metadata.get("synthetic") == "true"
        notice = project.metadata.get("notice") if synthetic else None
        self.summary.setText(f"{text}  ·  {notice}" if notice else text)
        self.show_selection()

    def show_selection(self) -> None:
        """What is selected and its totals."""
        window = self.window
        if window.selection is None:
            self.selection.clear()
            return
        self.selection.setText(selection_summary(window.project, window.metrics, window.selection))

    def show_cursor(self, lon: float, lat: float, unit: int) -> None:
        """The pointer's position and the unit under it."""
        self.lonlat.setText(Text.LONLAT.format(lon=lon, lat=lat))
        project, metrics = self.window.project, self.window.metrics
        if unit < 0 or project is None:
            self.unit.clear()
            return
        code = int(project.plan.codes[unit])
        territory = Text.UNASSIGNED if code < 0 else project.territories[code].name
        name = project.units.frame["name"].iat[unit]
        values = [
            f"{metric_header(c)} {format_number(metrics.unit_values(c)[unit])}"
            for c in metrics.columns
            if c not in ("units", "area_km2")
        ][:CURSOR_VALUES]
        text = Text.UNIT.format(name=name, territory=territory)
        self.unit.setText(" · ".join([text, *values]))
