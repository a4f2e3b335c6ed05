"""What every printed page shares: the offscreen GUI application, page units and fonts.

Page units are 1/96 inch: map styles are in pixels of a 96-dpi screen, so a page drawn in
these units matches the screen's line weights and text sizes. Used by the itinerary PDF and
the print layouts.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from terrmap.errors import TerrmapError

PAGE_DPI = 96  # page units per inch
MM_PER_INCH = 25.4
FONT_FAMILY = "DejaVu Sans"

_APP: QGuiApplication | None = None  # the offscreen application created here, kept alive


def ensure_gui_application() -> QGuiApplication:
    """The running QGuiApplication, or a new offscreen one when none runs (CLI, workers, tests).

    Fonts and the PDF writer need one; a running app (the desktop window) is used as it is. The
    one created here is a QApplication (a QGuiApplication that also allows widgets), so that a
    window opened later in the same process, as in a test session, still works.
    """
    global _APP
    app = QCoreApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP = QApplication(sys.argv[:1] or ["terrmap"])
        return _APP
    if not isinstance(app, QGuiApplication):
        raise TerrmapError("printing needs a Qt GUI application, not a console one")
    return app


def mm_to_units(mm: float) -> float:
    """Millimetres in page units."""
    return mm / MM_PER_INCH * PAGE_DPI


def page_font(
    points: float, *, bold: bool = False, italic: bool = False, condensed: bool = False
) -> QFont:
    """A print font of ``points`` size: DejaVu Sans when installed, unhinted, no ligatures.

    Without "fi"/"fl" ligatures a PDF viewer's search and copy find the words as typed.
    """
    families = QFontDatabase.families()
    font = QFont(FONT_FAMILY if FONT_FAMILY in families else QFont().family())
    # Sized in page units, not points: a device of any resolution (a 600-dpi printer under a
    # scaled painter) then sets and measures text the same as the 96-dpi page it was laid
    # out on.
    font.setPixelSize(max(1, round(points * PAGE_DPI / 72)))
    font.setBold(bold)
    font.setItalic(italic)
    if condensed:
        font.setStretch(QFont.Stretch.SemiCondensed)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setFeature(QFont.Tag.fromString("liga"), 0)
    return font


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(date: dt.date) -> str:
    """``"24 Nov 2026"``, in English whatever the locale (as every printed page)."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
