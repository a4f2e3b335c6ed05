"""Reports to share: the per-territory summary, the account → owner list and the workbook.

One builder per table, and writers that only lay them out, so the CSV and the XLSX hold the
same columns and values:

- `territory_summary`: one row per territory (id, name, owner, parent, units, accounts,
  area, the total of each metric, and the balance of the first metric: target, deviation
  from it in percent, in band), then the unassigned row. `write_summary_csv` writes it.
- `account_owner_rows`: account id, name, owner (the rep's name), territory id and name, in
  the layout CRMs import (id, name, owner first). `write_accounts_csv` writes it.
- `alignment_rows`: what ``terrmap export-alignment`` writes (``unit_id,territory,...``).
- `write_report_xlsx`: a workbook with the sheets "Territories" (the summary plus a totals
  row), "Accounts", "Alignment" and "About" (project, plan, date, the synthetic-data notice).

CSV files are UTF-8 with a byte-order mark (Excel then reads accents right) and text from
data goes through `terrmap.io.csv_safety.safe`. In the workbook every text cell is stored as
text, so a name like ``=HYPERLINK(...)`` is shown, never run. Every file is written whole or
not at all (`terrmap.io.atomic`). No Qt here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from terrmap.core.plan import UNASSIGNED
from terrmap.errors import TerrmapError
from terrmap.io.alignment import ALIGNMENT_COLUMNS
from terrmap.io.atomic import write_bytes_atomic
from terrmap.io.csv_safety import clean_text, safe

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.worksheet.worksheet import Worksheet

    from terrmap.core.metrics import BalanceSummary
    from terrmap.core.project import Project

__all__ = [
    "ACCOUNT_COLUMNS",
    "TerritorySummary",
    "account_owner_rows",
    "alignment_rows",
    "territory_summary",
    "write_accounts_csv",
    "write_report_xlsx",
    "write_summary_csv",
]

Cell = str | int | float | bool

ACCOUNT_COLUMNS = ("account_id", "name", "owner", "territory_id", "territory_name")
"""The account → owner list: the CRM import layout, id, name and owner first."""

SUMMARY_LEAD_COLUMNS = ("territory_id", "name", "owner", "parent", "units", "accounts", "area_km2")
SUMMARY_BALANCE_COLUMNS = ("target", "deviation_pct", "in_band")
UNASSIGNED_LABEL = "unassigned"
TOTAL_LABEL = "Total"


@dataclass(frozen=True)
class TerritorySummary:
    """Per-territory totals of chosen metrics and the balance of the first one.

    Attributes
    ----------
    project
        The project summarised (its active plan).
    metrics
        The metric columns summed, in order; the balance is on the first (or on the
        account count when there is none).
    totals
        `TerritoryMetrics.frame`: one row per territory id, then ``"unassigned"``.
    balance
        Target, deviation and band of each territory on the balance metric.
    """

    project: Project
    metrics: tuple[str, ...]
    totals: pd.DataFrame
    balance: BalanceSummary

    @property
    def columns(self) -> tuple[str, ...]:
        """Header of the summary table (CSV and the "Territories" sheet)."""
        return (*SUMMARY_LEAD_COLUMNS, *self.metrics, *SUMMARY_BALANCE_COLUMNS)

    def rows(self) -> list[list[Cell]]:
        """One row per territory in display order, then the unassigned row.

        Counts are ints, areas km² to 0.01, metric totals and targets floats, the deviation
        a percentage (``+12.5``) to 4 decimals, ``in_band`` a bool. The unassigned row has
        an empty id, ``"unassigned"`` as its name and no balance cells.
        """
        rows: list[list[Cell]] = []
        territories = self.project.territories
        for territory, balance in zip(territories, self.balance.rows, strict=True):
            totals = self.totals.loc[territory.id]
            rows.append(
                [
                    territory.id,
                    territory.name,
                    territory.owner,
                    territory.parent or "",
                    *self._numbers(totals),
                    float(balance.target),
                    round(float(balance.deviation_pct), 4),
                    bool(balance.in_band),
                ]
            )
        unassigned = self.totals.iloc[-1]
        rows.append(["", UNASSIGNED_LABEL, "", "", *self._numbers(unassigned), "", "", ""])
        return rows

    def total_row(self) -> list[Cell]:
        """Column sums of `rows` (territories and unassigned): the whole project.

        The deviation and band cells are empty; the target total is the assigned total of
        the balance metric.
        """
        rows = self.rows()
        total: list[Cell] = ["", TOTAL_LABEL, "", ""]
        # units ... target: every column but the text lead and the deviation and band.
        for column in range(SUMMARY_LEAD_COLUMNS.index("units"), len(self.columns) - 2):
            values = [row[column] for row in rows if row[column] != ""]
            summed = sum(values)
            total.append(int(summed) if all(isinstance(v, int) for v in values) else summed)
        return [*total, "", ""]

    def _numbers(self, totals: pd.Series) -> list[Cell]:
        return [
            round(float(totals["units"])),
            round(float(totals["accounts"])),
            round(float(totals["area_km2"]), 2),
            *(float(totals[m]) for m in self.metrics),
        ]


def territory_summary(
    project: Project, metrics: Sequence[str] | None = None, tolerance_pct: float = 5.0
) -> TerritorySummary:
    """Totals per territory for ``metrics`` (default: every numeric account column).

    Parameters
    ----------
    project
        The project; its active plan decides who owns what.
    metrics
        Metric columns to sum (see `TerritoryMetrics.columns`); duplicates count once.
    tolerance_pct
        Half-width of the balance band around each target, in percent.

    Raises
    ------
    TerrmapError
        A metric is not a column of the project.
    """
    from terrmap.core.metrics import TerritoryMetrics, balance_table

    live = TerritoryMetrics(project)
    live.disconnect()  # a one-off report; no need to follow edits
    chosen = list(dict.fromkeys(metrics)) if metrics else list(project.accounts.numeric_columns)
    unknown = [m for m in chosen if m not in live.columns]
    if unknown:
        raise TerrmapError(f"no metric named {unknown[0]!r}; choose from {', '.join(live.columns)}")
    balance = balance_table(live, chosen[0] if chosen else "accounts", tolerance_pct)
    return TerritorySummary(project, tuple(chosen), live.frame(), balance)


def account_owner_rows(project: Project) -> list[list[str]]:
    """``account_id, name, owner, territory_id, territory_name`` for every account.

    Accounts are in layer order; the territory is the effective one (a named-account
    override, else the unit's). The owner is the territory's rep, empty when the territory
    is vacant; all three territory cells are empty for an unassigned account.
    """
    territories = project.territories
    names = project.accounts.frame["name"]
    names = names.astype(object).where(names.notna(), "").astype(str).to_numpy()
    rows = []
    for account_id, name, code in zip(
        project.accounts.ids, names, project.account_codes(), strict=True
    ):
        if code == UNASSIGNED:
            rows.append([str(account_id), name, "", "", ""])
        else:
            t = territories[code]
            rows.append([str(account_id), name, t.owner, t.id, t.name])
    return rows


def alignment_rows(project: Project) -> list[list[str]]:
    """``unit_id, territory, territory_name, owner`` per unit, as ``export-alignment`` writes."""
    territories = project.territories
    rows = []
    for unit_id, code in zip(project.units.ids, project.plan.codes, strict=True):
        if code == UNASSIGNED:
            rows.append([str(unit_id), "", "", ""])
        else:
            t = territories[code]
            rows.append([str(unit_id), t.id, t.name, t.owner])
    return rows


# -- CSV ---------------------------------------------------------------------
def write_summary_csv(summary: TerritorySummary, out_path: str | Path) -> None:
    """Write the summary table as CSV: header, territories, the unassigned row.

    No totals row: a CSV is data for other tools, where a sum row would count twice.
    """
    _write_csv(out_path, summary.columns, summary.rows())


def write_accounts_csv(project: Project, out_path: str | Path) -> int:
    """Write the account → owner list (`ACCOUNT_COLUMNS`) as CSV; return the row count."""
    rows = account_owner_rows(project)
    _write_csv(out_path, ACCOUNT_COLUMNS, rows)
    return len(rows)


def _write_csv(out_path: str | Path, header: Sequence[str], rows: list[list[Cell]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe(c) if isinstance(c, str) else c for c in row] for row in rows)
    write_bytes_atomic(out_path, buffer.getvalue().encode("utf-8-sig"))


# -- XLSX ----------------------------------------------------------------------
_COUNT_FORMAT = "#,##0"
_AREA_FORMAT = "#,##0.0"
_WHOLE_FORMAT = "#,##0"
_DECIMAL_FORMAT = "#,##0.00"
_PERCENT_POINTS_FORMAT = '+0.0"%";-0.0"%";0.0"%"'
_DATE_FORMAT = "yyyy-mm-dd"
_MIN_WIDTH, _MAX_WIDTH = 6, 60


def write_report_xlsx(
    summary: TerritorySummary,
    out_path: str | Path,
    *,
    source_name: str = "",
    generated: dt.date | None = None,
) -> None:
    """Write the report workbook: Territories, Accounts, Alignment and About sheets.

    Parameters
    ----------
    summary
        The per-territory summary (`territory_summary`); its project gives the accounts
        and the alignment.
    out_path
        The ``.xlsx`` to create or replace (atomically).
    source_name
        The project's file name, shown on the About sheet.
    generated
        The report date on the About sheet (default today).
    """
    data = report_xlsx_bytes(summary, source_name=source_name, generated=generated)
    write_bytes_atomic(out_path, data)


def report_xlsx_bytes(
    summary: TerritorySummary, *, source_name: str = "", generated: dt.date | None = None
) -> bytes:
    """The workbook of `write_report_xlsx`, built in memory."""
    from openpyxl import Workbook

    project = summary.project
    book = Workbook()
    territories = book.active
    territories.title = "Territories"
    _territories_sheet(territories, summary)
    _table_sheet(
        book.create_sheet("Accounts"), ACCOUNT_COLUMNS, account_owner_rows(project), formats={}
    )
    _table_sheet(
        book.create_sheet("Alignment"), ALIGNMENT_COLUMNS, alignment_rows(project), formats={}
    )
    _about_sheet(book.create_sheet("About"), summary, source_name, generated or dt.date.today())
    book.properties.title = _title(project, source_name)
    book.properties.creator = "terrmap"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _territories_sheet(sheet: Worksheet, summary: TerritorySummary) -> None:
    from openpyxl.styles import Font

    formats = {"units": _COUNT_FORMAT, "accounts": _COUNT_FORMAT, "area_km2": _AREA_FORMAT}
    for metric in summary.metrics:
        formats[metric] = _value_format(summary.totals[metric].to_numpy())
    balanced = summary.balance.metric
    formats["target"] = formats.get(balanced) or _value_format(summary.totals[balanced].to_numpy())
    formats["deviation_pct"] = _PERCENT_POINTS_FORMAT
    rows = summary.rows()
    _table_sheet(sheet, summary.columns, rows, formats, footer=summary.total_row())
    bold = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = bold


def _table_sheet(
    sheet: Worksheet,
    header: Sequence[str],
    rows: list[list[Cell]],
    formats: dict[str, str],
    footer: list[Cell] | None = None,
) -> None:
    """A table: bold frozen header, autofilter over the data, number formats, widths.

    The footer row (totals) sits right under the data, outside the autofilter, so sorting
    and filtering leave it at the bottom.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for column, name in enumerate(header, 1):
        _put(sheet, 1, column, name).font = bold
    number_formats = [formats.get(name) for name in header]
    widths = [len(name) for name in header]
    for r, row in enumerate([*rows, *([footer] if footer else [])], 2):
        for column, value in enumerate(row, 1):
            cell = _put(sheet, r, column, value)
            number_format = number_formats[column - 1]
            if number_format and not isinstance(value, (str, bool)):
                cell.number_format = number_format
            widths[column - 1] = max(widths[column - 1], _shown_width(value))
    last_column = get_column_letter(len(header))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{len(rows) + 1}"
    for column, width in enumerate(widths, 1):
        # +3: room for the autofilter arrow beside the header text.
        fitted = min(max(width + 3, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column)].width = fitted


def _about_sheet(
    sheet: Worksheet, summary: TerritorySummary, source_name: str, generated: dt.date
) -> None:
    from openpyxl.styles import Alignment, Font

    project = summary.project
    balance = summary.balance
    notice = project.synthetic_notice
    rows: list[tuple[str, Cell | dt.date]] = [
        ("Report", _title(project, source_name)),
        ("Project file", source_name),
        ("Title", project.metadata.get("title", "")),
        ("Plan", project.plan.name),
        ("Date", generated),
        ("Units", f"{len(project.units):,} {project.units.kind} from {project.units.source}"),
        ("Accounts", f"{len(project.accounts):,} from {project.accounts.source or '-'}"),
        ("Territories", len(project.territories)),
        ("Metrics", ", ".join(summary.metrics) or "-"),
        ("Balance", f"{balance.metric}, target band ±{balance.tolerance_pct:g}%"),
        (
            "Within band",
            f"{len(balance.rows) - balance.out_of_band} of {len(balance.rows)} territories",
        ),
    ]
    if notice:
        rows.append(("Notice", notice))
    bold = Font(bold=True)
    for r, (key, value) in enumerate(rows, 1):
        _put(sheet, r, 1, key).font = bold
        cell = _put(sheet, r, 2, value)
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
        if isinstance(value, dt.date):
            cell.number_format = _DATE_FORMAT
        if key == "Notice":
            cell.font = bold
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70


def _title(project: Project, source_name: str) -> str:
    name = project.metadata.get("title") or Path(source_name).name or "terrmap project"
    return f"Territory report: {name}"


def _put(sheet: Worksheet, row: int, column: int, value: Cell | dt.date) -> SheetCell:
    """Set a cell; text is cleaned of XML-invalid characters and always stored as text.

    openpyxl turns any string that starts with ``=`` into a formula; data must never run.
    """
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=column, value=clean_text(value))
        cell.data_type = "s"
        return cell
    return sheet.cell(row=row, column=column, value=value)


def _value_format(values: np.ndarray) -> str:
    values = np.asarray(values, dtype=float)
    whole = np.allclose(values, np.round(values), rtol=0.0, atol=1e-9)
    return _WHOLE_FORMAT if whole else _DECIMAL_FORMAT


def _shown_width(value: Cell | None) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).split("\n")), default=0)
