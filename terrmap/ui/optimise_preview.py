"""The preview of an optimiser result: what would change and how balanced it would be.

Shown in the Optimise dialog after a run, before anything changes in the project: the
units that change territory (how many, from where to where), the balance of each chosen
metric before and after, territory by territory, contiguity and the optimiser's notes.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from terrmap.core.palette import UNASSIGNED_COLOR
from terrmap.ui.balance_text import ALERT_COLOR, BALANCED_COLOR
from terrmap.ui.optimise_text import Text
from terrmap.ui.territory_model import format_compact, metric_header, swatch_pixmap

if TYPE_CHECKING:
    from terrmap.core.territory import Territory
    from terrmap.ui.optimise_outcome import OptimiseOutcome

WARNING_COLOR = "#8A5A00"  # amber text that stays readable on white and in greyscale
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class OptimisePreview(QWidget):
    """Read-only view of one `OptimiseOutcome`.

    Signals
    -------
    zoom_requested()
        The user wants to see the units that would move on the map.
    """

    zoom_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: OptimiseOutcome | None = None
        self.headline = QLabel(self)
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        self.status = _wrapping(QLabel(self))
        self.moved = _wrapping(QLabel(self))
        self.shape = _wrapping(QLabel(self))
        self.balance_table = _table(self, Text.BALANCE_HEADERS)
        self.moves_table = _table(self, Text.MOVES_HEADERS)
        self.territory_table = _table(self, Text.TERRITORY_HEADERS)
        for column, tip in enumerate(Text.TERRITORY_HEADER_TIPS):
            self.territory_table.horizontalHeaderItem(column).setToolTip(tip)
        self.metric = QComboBox(self)
        self.metric.setToolTip(Text.SHOW_METRIC_TIP)
        self.metric.currentIndexChanged.connect(lambda _i: self._fill_territories())
        self.notes = _wrapping(QLabel(self))
        self.select_button = QPushButton(Text.ZOOM_CHANGES, self)
        self.select_button.setToolTip(Text.ZOOM_CHANGES_TIP)
        self.select_button.clicked.connect(self.zoom_requested)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._moves_page(), Text.MOVES_TAB)
        self.tabs.addTab(self._territories_page(), Text.TERRITORIES_TAB)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The optimiser's notes sit above the tabs: a shortfall must not hide in a tab.
        summary = (self.headline, self.status, self.moved, self.balance_table, self.shape)
        for widget in (*summary, self.notes):
            layout.addWidget(widget)
        layout.addWidget(self.tabs, 1)

    def _moves_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(self.moves_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.select_button)
        layout.addLayout(row)
        return page

    def _territories_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        label = QLabel(Text.SHOW_METRIC, page)
        label.setBuddy(self.metric)
        row.addWidget(label)
        row.addWidget(self.metric)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.territory_table, 1)
        return page

    # -- showing ------------------------------------------------------------------------
    def show_outcome(self, outcome: OptimiseOutcome, *, applicable: bool = True) -> None:
        """Show ``outcome``; ``applicable`` False says the plan changed since the run."""
        self.outcome = outcome
        result = outcome.result
        self.headline.setText(
            Text.HEADLINE[outcome.params.mode].format(
                territories=len(outcome.territories), seconds=result.elapsed_s
            )
        )
        self.set_applicable(applicable)
        self._fill_moved()
        self._fill_balance()
        self._fill_shape()
        self._fill_moves()
        self.metric.blockSignals(True)  # one fill below, not one per item
        self.metric.clear()
        for name in outcome.metrics:
            self.metric.addItem(metric_header(name), name)
        self.metric.blockSignals(False)
        self._fill_territories()
        notes = "".join(f"<li>{html.escape(m)}</li>" for m in result.messages)
        self.notes.setText(f"<ul style='margin-left: -20px'>{notes}</ul>" if notes else "")
        self.notes.setVisible(bool(notes))

    def set_applicable(self, applicable: bool) -> None:
        """Say whether the preview can still be applied (and why not)."""
        outcome = self.outcome
        if outcome is None:
            return
        lines = []
        color = WARNING_COLOR
        if not applicable:
            lines.append(Text.STALE)
            color = ALERT_COLOR
        elif outcome.result.stopped_early:
            lines.append(Text.STOPPED_EARLY)
        if applicable and outcome.edit(Text.EDIT_NAME) is None:
            lines.append(Text.NOTHING_CHANGES)
        self.status.setText(" ".join(lines))
        self.status.setStyleSheet(f"color: {color};")
        self.status.setVisible(bool(lines))

    def _fill_moved(self) -> None:
        outcome = self.outcome
        changed, total = len(outcome.changed), len(outcome.codes)
        text = Text.MOVED.format(units=changed, total=total, share=_share(changed, total))
        all_accounts = outcome.before[:, outcome.columns.index("accounts")].sum()
        if all_accounts > 0:
            moved = outcome.moved_accounts
            text += Text.MOVED_ACCOUNTS.format(
                accounts=round(moved), share=_share(moved, all_accounts)
            )
        self.moved.setText(text)

    def _fill_balance(self) -> None:
        from terrmap.optimize.evaluate import FORCED_BY_PHRASES

        outcome, table = self.outcome, self.balance_table
        table.setRowCount(len(outcome.metrics))
        for row, (name, optimised) in enumerate(
            zip(outcome.metrics, outcome.result.balance, strict=True)
        ):
            before = outcome.balance(name, after=False)
            after = outcome.balance(name, after=True)
            count = len(after.rows)
            if optimised.met:
                verdict, color = Text.MET, BALANCED_COLOR
            elif optimised.forced_bound_pct > outcome.params.tolerance_pct:
                why = FORCED_BY_PHRASES[optimised.forced_by]
                verdict = Text.FORCED.format(why=why, bound=optimised.forced_bound_pct)
                color = ALERT_COLOR
            else:
                verdict, color = Text.NOT_MET, ALERT_COLOR
            cells = (
                metric_header(name),
                Text.BALANCE_CHANGE.format(
                    before=before.max_abs_deviation_pct, after=after.max_abs_deviation_pct
                ),
                Text.IN_BAND_CHANGE.format(
                    before=len(before.rows) - before.out_of_band,
                    after=count - after.out_of_band,
                    count=count,
                ),
                f"±{outcome.params.tolerance_pct:g} % {verdict}",
            )
            for column, text in enumerate(cells):
                item = _item(text, align=_NUMBER if column in (1, 2) else None)
                if column == 3:
                    item.setForeground(QColor(color))
                table.setItem(row, column, item)
        _fit_height(table)

    def _fill_shape(self) -> None:
        outcome = self.outcome
        pieces = outcome.not_contiguous()
        lines = [Text.NOT_CONTIGUOUS.format(names=_names(pieces)) if pieces else Text.CONTIGUOUS]
        if outcome.new_territories:
            lines.append(Text.NEW_TERRITORIES.format(names=_names(outcome.new_territories)))
        emptied = outcome.emptied()
        if emptied:
            lines.append(Text.EMPTIED.format(names=_names(emptied)))
        self.shape.setText("<br>".join(lines))
        self.shape.setStyleSheet(f"color: {WARNING_COLOR};" if pieces or emptied else "")

    def _fill_moves(self) -> None:
        outcome, table = self.outcome, self.moves_table
        moves = outcome.moves()
        by_id = {t.id: t for t in outcome.territories}
        table.setRowCount(max(len(moves), 1))
        self.select_button.setEnabled(bool(moves))
        if not moves:
            table.setSpan(0, 0, 1, len(Text.MOVES_HEADERS))
            table.setItem(0, 0, _item(Text.NO_MOVES))
            return
        table.clearSpans()
        for row, move in enumerate(moves):
            source = None if move.source is None else by_id[move.source]
            table.setItem(row, 0, _territory_item(source))
            table.setItem(row, 1, _territory_item(by_id[move.target]))
            table.setItem(row, 2, _item(f"{move.units:,}", align=_NUMBER))
            table.setItem(row, 3, _item(format_compact(move.accounts), align=_NUMBER))

    def _fill_territories(self) -> None:
        outcome, table = self.outcome, self.territory_table
        name = self.metric.currentData()
        if outcome is None or name is None:
            table.setRowCount(0)
            return
        before_values = outcome.totals(name, after=False)
        after_values = outcome.totals(name, after=True)
        before = outcome.balance(name, after=False).rows
        after = outcome.balance(name, after=True).rows
        table.setRowCount(len(outcome.territories))
        for row, territory in enumerate(outcome.territories):
            new = row >= outcome.existing
            was, now = before_values[row], after_values[row]
            cells = (
                "—" if new else format_compact(was),
                format_compact(now),
                _signed(now - was),
                "—" if new else _percent(before[row].deviation_pct),
                _percent(after[row].deviation_pct),
            )
            table.setItem(row, 0, _territory_item(territory))
            for column, text in enumerate(cells, start=1):
                table.setItem(row, column, _item(text, align=_NUMBER))
            # Red only outside the band: colour on every row would drown the exceptions.
            for column, rows in ((4, before), (5, after)):
                if (column == 5 or not new) and not rows[row].in_band:
                    table.item(row, column).setForeground(QColor(ALERT_COLOR))


# -- helpers ----------------------------------------------------------------------------
def _percent(value: float) -> str:
    """A signed deviation with a true minus sign, like the Change column."""
    return f"{value:+.1f} %".replace("-", "−")


def _signed(value: float) -> str:
    return "0" if abs(value) < 1e-9 else ("+" if value > 0 else "−") + format_compact(abs(value))


def _share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _names(territories: tuple[Territory, ...] | list[Territory]) -> str:
    return ", ".join(t.name for t in territories)


def _wrapping(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def _item(text: str, align: Qt.AlignmentFlag | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align is not None:
        item.setTextAlignment(align)
    return item


def _territory_item(territory: Territory | None) -> QTableWidgetItem:
    if territory is None:
        item = _item(Text.UNASSIGNED)
        item.setIcon(QIcon(swatch_pixmap(UNASSIGNED_COLOR, hatched=True)))
        return item
    item = _item(territory.name)
    item.setIcon(QIcon(swatch_pixmap(territory.color)))
    item.setToolTip(f"{territory.name} ({territory.id})")
    return item


def _table(parent: QWidget, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    # Compact rows, as in the territory table: the preview has many to show.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    if headers == Text.MOVES_HEADERS:  # from and to read as a pair: equal widths
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    return table


def _fit_height(table: QTableWidget) -> None:
    """Show every row of a short table without a scroll bar."""
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(
        rows + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    )
