"""Workbook for sharing the territory summary: Territories, Accounts, Alignment, About.

`write_report_xlsx` (and `report_xlsx_bytes`, the same workbook in memory) only lays out
the tables `terrmap.io.reports` builds, so the workbook holds the same columns and values
as the CSV files:

- "Territories": `TerritorySummary.rows` plus its totals row.
- "Accounts": `account_owner_rows`.
- "Alignment": `alignment_rows`.
- "About": project, plan, date, the synthetic-data notice.

Every text cell is stored as text, so a name like ``=HYPERLINK(...)`` is shown, never run.
The file is written whole or not at all (`terrmap.io.atomic`). openpyxl is imported only
when a workbook is built. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from terrmap.io.alignment import ALIGNMENT_COLUMNS
from terrmap.io.atomic import write_bytes_atomic
from terrmap.io.csv_safety import clean_text
from terrmap.io.reports import (
    ACCOUNT_COLUMNS,
    Cell,
    TerritorySummary,
    account_owner_rows,
    alignment_rows,
)

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.worksheet.worksheet import Worksheet

    from terrmap.core.project import Project

__all__ = ["report_xlsx_bytes", "write_report_xlsx"]

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
        The per-territory summary (`terrmap.io.reports.territory_summary`); its project
        gives the accounts
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
