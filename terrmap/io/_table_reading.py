"""Read CSV and XLSX account books as all-text Arrow tables with physical line numbers.

Every value is read as text first so ZIP codes keep their leading zeros; the caller converts
columns afterwards. Line numbers are the file's physical line of each record's start (the
header is line 1), also after quoted fields that span several lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from terrmap.errors import InputError
from terrmap.io._files import require_file

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
_DELIMITERS = (",", ";", "\t", "|")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """Source columns as Arrow text (null = empty cell), one line number per record."""

    table: pa.Table
    lines: np.ndarray
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    encoding: str = "utf-8"


def read_table(path: Path) -> RawTable:
    """Read ``path`` (CSV or first sheet of an XLSX) as text columns with line numbers."""
    suffix = require_file(
        path, TABLE_SUFFIXES, "unsupported account file type '{suffix}' (use {known})"
    )
    raw = _read_xlsx(path) if suffix in (".xlsx", ".xlsm") else _read_csv(path)
    if raw.table.num_columns == 0:
        raise InputError("the file has no header row", file=path)
    return raw


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    encoding = "utf-8"
    try:
        if not data.isascii():  # isascii is 10x faster than a trial decode
            data.decode("utf-8")
    except UnicodeDecodeError:
        # CRM exports opened and saved by Excel on Windows come back as Windows-1252.
        encoding = "cp1252"
        text = data.decode("cp1252", errors="replace")
        data = text.encode("utf-8")
    header, header_lines, delimiter = _parse_header(data, path)
    try:
        raw = _read_csv_fast(data, header, header_lines, delimiter)
    except pa.ArrowInvalid:
        raw = None  # ragged rows or odd line ends: the csv module copes with those
    if raw is None:
        raw = _read_csv_exact(data.decode("utf-8"), header, delimiter)
    raw.encoding = encoding
    return raw


def _parse_header(data: bytes, path: Path) -> tuple[list[str], int, str]:
    """Return unique column names, the physical lines the header spans, and the delimiter."""
    first_line = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8")
    counts = {d: _count_outside_quotes(first_line, d) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])  # ties keep the comma
    start = io.StringIO(data[:1_000_000].decode("utf-8", "ignore"), newline="")
    reader = csv.reader(start, delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise InputError("the file is empty or has no header row", file=path)
    return unique_names(header), reader.line_num, delimiter


def _count_outside_quotes(line: str, delimiter: str) -> int:
    return sum(part.count(delimiter) for part in line.split('"')[::2])


def unique_names(header: list[str]) -> list[str]:
    """Strip names, name blank columns by position and number repeats ("Phone", "Phone_2")."""
    names: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{position}"
        candidate, repeat = name, 1
        while candidate.casefold() in seen:
            repeat += 1
            candidate = f"{name}_{repeat}"
        seen.add(candidate.casefold())
        names.append(candidate)
    return names


def _read_csv_fast(
    data: bytes, header: list[str], header_lines: int, delimiter: str
) -> RawTable | None:
    """Parse with Arrow's multi-threaded reader; None when line numbers cannot be trusted."""
    try:
        # Splitting the file at any line break is much faster; a split inside a quoted
        # value makes Arrow raise (it never silently misparses), and then we parse again.
        table = _arrow_csv(data, header, delimiter, multiline=False)
    except pa.ArrowInvalid:
        table = _arrow_csv(data, header, delimiter, multiline=True)
    # With no line breaks inside values and no blank lines, record i is on line i + 2:
    # then the file has exactly one line break per record (and header line).
    breaks = data.count(b"\n", 0, _content_end(data))
    if breaks == header_lines + table.num_rows - 1:
        return RawTable(table, np.arange(table.num_rows, dtype=np.int64) + header_lines + 1)
    lines = _record_start_lines(data)
    return RawTable(table, lines) if len(lines) == table.num_rows else None


def _content_end(data: bytes) -> int:
    """Length of ``data`` without trailing line breaks (bytes.rstrip would copy the file)."""
    end = len(data)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    return end


def _arrow_csv(data: bytes, header: list[str], delimiter: str, *, multiline: bool) -> pa.Table:
    return pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            # Only empty cells are missing: "NA" may be Namibia and "null" a company name.
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


def _record_start_lines(data: bytes, chunk: int = 1 << 24) -> np.ndarray:
    """Return the first physical line of every record after the header, as Arrow sees them.

    A line break ends a record when an even number of quote characters precede it; records
    that would be empty lines are skipped (Arrow skips them too).
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    starts, quotes_before, newlines_before = [], 0, 0
    for offset in range(0, len(raw), chunk):
        part = raw[offset : offset + chunk]
        quotes = np.flatnonzero(part == ord('"'))
        breaks = np.flatnonzero(part == ord("\n"))
        outside = (quotes_before + np.searchsorted(quotes, breaks)) % 2 == 0
        # The record after newline number k (0-based) starts on line k + 2.
        starts.append(np.flatnonzero(outside) + newlines_before + 2)
        ends = breaks[outside] + offset
        starts[-1] = starts[-1][~_empty_line_after(raw, ends)]
        quotes_before += len(quotes)
        newlines_before += len(breaks)
    return np.concatenate(starts) if starts else np.empty(0, dtype=np.int64)


def _empty_line_after(raw: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """True where the line after the break at ``ends`` is empty or absent (end of file)."""
    after = ends + 1
    at_end = after >= len(raw)
    nxt = raw[np.minimum(after, len(raw) - 1)]
    nxt2 = raw[np.minimum(after + 1, len(raw) - 1)]
    crlf_blank = (nxt == ord("\r")) & (after + 1 < len(raw)) & (nxt2 == ord("\n"))
    return at_end | (nxt == ord("\n")) | crlf_blank


def _read_csv_exact(text: str, header: list[str], delimiter: str) -> RawTable:
    """Parse with the csv module, tracking each record's first physical line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    width = len(header)
    rows, lines, malformed = [], [], []
    previous_end = reader.line_num
    for row in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(value.strip() for value in row):
            continue  # blank line, not a record
        if len(row) > width:
            malformed.append((start, f"{len(row)} fields but the header has {width}"))
            continue
        rows.append(row + [""] * (width - len(row)))
        lines.append(start)
    columns = zip(*rows, strict=True) if rows else [()] * width
    arrays = [pa.array([v if v != "" else None for v in c], pa.string()) for c in columns]
    table = pa.table(arrays, names=header)
    return RawTable(table, np.asarray(lines, dtype=np.int64), malformed)


def _read_xlsx(path: Path) -> RawTable:
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="openpyxl")
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read the workbook: {exc}", file=path) from exc
    filled = sheet.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise InputError("the first sheet is empty", file=path)
    header_row = int(np.flatnonzero(filled)[0])
    header = unique_names([str(v) if pd.notna(v) else "" for v in sheet.iloc[header_row]])
    body = sheet.iloc[header_row + 1 :]
    keep = filled[header_row + 1 :]
    body = body.loc[keep]
    lines = np.flatnonzero(keep) + header_row + 2  # sheet rows are 1-based
    arrays = [pa.array(body[c].tolist(), pa.string(), from_pandas=True) for c in body.columns]
    return RawTable(pa.table(arrays, names=header), lines.astype(np.int64))
