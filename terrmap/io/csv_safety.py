"""Text from account data made harmless for spreadsheets (CSV injection, OWASP).

Excel, LibreOffice and Google Sheets run a CSV cell that starts with ``=``, ``+``, ``-``,
``@``, tab or carriage return as a formula (``=HYPERLINK(...)`` can leak data or open a
page). `safe` puts a leading apostrophe before such text, which every spreadsheet shows as
plain text; numbers written by terrmap are never passed through it. Every CSV exporter that
writes names, ids or addresses from data uses this one guard.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_START", "clean_text", "safe"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""The characters that make a spreadsheet read a cell as a formula."""

# C0 controls other than tab and line feed: invalid in XML 1.0 (so in XLSX) and in
# iCalendar TEXT; CRM exports do carry them (Excel writes vertical tabs for in-cell breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with Windows and old Mac line ends made ``\\n`` and control characters dropped."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def safe(text: str) -> str:
    """``text`` from account data, made harmless for spreadsheets.

    Line ends are normalised (the csv module quotes cells that hold them), control
    characters dropped, and a leading apostrophe is added when the text would start a
    formula.
    """
    text = clean_text(text)
    return f"'{text}" if text.startswith(FORMULA_START) else text
