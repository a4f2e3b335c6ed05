"""The Print Layout dialog on the bundled sample: the File menu actions, the live preview,
atlas pages, exports to PDF/PNG (checked with pdfinfo and the image size), the printer,
remembered settings and write errors."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from terrmap.ui.print_dialog import PrintDialog

# The dialog is raised when opened; the offscreen platform cannot do that. (A marker on
# each test: pytest-qt reads only the closest one, and conftest adds one to every test.)
RAISES = pytest.mark.qt_log_ignore("does not support raise", "does not support propagateSizeHints")
LEFT = Qt.MouseButton.LeftButton
WRITE_TIMEOUT_MS = 60_000
PREVIEW_TIMEOUT_MS = 10_000
LETTER_IN = (8.5, 11.0)


@pytest.fixture
def dialog(qtbot, window) -> PrintDialog:
    """The dialog opened with File ▸ Print…, its first preview drawn."""
    window.printing.actions["print"].trigger()
    opened = window.printing.dialog
    assert opened is not None
    qtbot.waitExposed(opened)
    with qtbot.waitSignal(opened.preview_updated, timeout=WRITE_TIMEOUT_MS):
        pass
    return opened


def changed(qtbot, dialog: PrintDialog, act) -> None:
    """Do ``act`` (clicks, keys) and wait for the debounced preview."""
    with qtbot.waitSignal(dialog.preview_updated, timeout=PREVIEW_TIMEOUT_MS):
        act()


def pixels(image: QImage) -> bytes:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return bytes(image.constBits())


def pdf_pages(path) -> int:
    tool = shutil.which("pdfinfo")
    if tool is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))


def save_as(monkeypatch, target) -> list[tuple]:
    asked: list[tuple] = []

    def answer(*args, **_kwargs):
        asked.append(args)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return asked


def click(qtbot, dialog: PrintDialog, widget) -> None:
    """Click ``widget`` of the form, scrolled into view first."""
    dialog.scroll.ensureWidgetVisible(widget)
    # Near the left edge: on the indicator, wherever the grid stretched the box to.
    qtbot.mouseClick(widget, LEFT, pos=QPoint(8, widget.height() // 2))


def choose(qtbot, combo, data: str) -> None:
    """Pick the item with ``data`` in ``combo`` with the keyboard, as a user would."""
    combo.setFocus()
    steps = combo.findData(data) - combo.currentIndex()
    key = Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up
    for _ in range(abs(steps)):
        qtbot.keyClick(combo, key)
    assert combo.currentData() == data


def atlas_without_lists(qtbot, dialog: PrintDialog) -> None:
    """An atlas by territory without account lists or tables: a page per territory."""
    form = dialog.form
    for key in ("accounts", "summary_table"):
        if form.toggles[key].isChecked():
            click(qtbot, dialog, form.toggles[key])
    changed(qtbot, dialog, lambda: choose(qtbot, form.contents, "territory"))


# -- actions and preview ----------------------------------------------------------------
@RAISES
def test_file_menu_opens_the_dialog_with_a_preview(window, dialog):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    actions = window.printing.actions
    for key in ("print", "export_map", "export_atlas"):
        assert actions[key] in file_menu.actions()
        assert actions[key].isEnabled()
    assert actions["print"].shortcut().toString() == "Ctrl+P"
    assert dialog.isVisible()
    assert dialog.page_count >= 1
    assert dialog.page_label.text() == f"Page 1 of {dialog.page_count}"
    assert dialog.preview.image is not None
    assert dialog.form.title.text() == window.project.metadata["title"]
    assert not dialog.form.toggles["routes"].isEnabled()  # no route planned


@RAISES
def test_preview_follows_clicks_and_keys(qtbot, dialog):
    form = dialog.form
    before = pixels(dialog.preview.image)
    changed(qtbot, dialog, lambda: click(qtbot, dialog, form.toggles["legend"]))
    assert not form.choices().shown("legend")
    without_legend = pixels(dialog.preview.image)
    assert without_legend != before

    portrait = dialog.preview.image
    assert portrait.height() > portrait.width()
    changed(qtbot, dialog, lambda: click(qtbot, dialog, form.landscape))
    landscape = dialog.preview.image
    assert landscape.width() > landscape.height()

    def retitle() -> None:
        form.title.selectAll()
        qtbot.keyClicks(form.title, "Wall map")

    changed(qtbot, dialog, retitle)
    assert dialog.document.title == "Wall map"


@RAISES
def test_atlas_preview_has_a_cover_and_a_page_per_territory(qtbot, window, dialog):
    atlas_without_lists(qtbot, dialog)
    territories = len(window.project.territories)
    assert dialog.page_count == territories + 1
    assert [page.kind for page in dialog.document.pages].count("territory") == territories
    assert dialog.page_label.text() == f"Page 1 of {territories + 1}"
    cover = pixels(dialog.preview.image)
    changed(qtbot, dialog, lambda: qtbot.mouseClick(dialog.next, LEFT))
    assert dialog.page_label.text() == f"Page 2 of {territories + 1}"
    assert pixels(dialog.preview.image) != cover
    changed(qtbot, dialog, lambda: qtbot.keyClick(dialog, Qt.Key.Key_PageDown))
    assert dialog.page_index == 2
    assert not dialog.export_buttons["svg"].isEnabled()  # an atlas is PDF only
    assert not dialog.export_buttons["png"].isEnabled()


# -- exports --------------------------------------------------------------------------------
@RAISES
def test_export_pdf_writes_every_page(qtbot, monkeypatch, window, dialog, tmp_path):
    target = tmp_path / "wall map.pdf"
    asked = save_as(monkeypatch, target)
    qtbot.mouseClick(dialog.export_buttons["pdf"], LEFT)
    assert asked
    assert asked[0][2].endswith(".pdf")
    assert target.is_file()
    assert pdf_pages(target) == dialog.page_count
    assert target.name in window.statusBar().currentMessage()


@RAISES
def test_png_export_is_the_page_size_times_the_dpi(qtbot, monkeypatch, dialog, tmp_path):
    form = dialog.form

    def set_dpi() -> None:
        form.dpi.setFocus()
        form.dpi.selectAll()
        qtbot.keyClicks(form.dpi, "100")

    changed(qtbot, dialog, set_dpi)
    assert form.dpi.value() == 100
    target = tmp_path / "map.png"
    save_as(monkeypatch, target)
    qtbot.mouseClick(dialog.export_buttons["png"], LEFT)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (LETTER_IN[0] * 100, LETTER_IN[1] * 100)


@RAISES
def test_atlas_pdf_is_written_in_the_background(qtbot, monkeypatch, window, dialog, tmp_path):
    atlas_without_lists(qtbot, dialog)
    target = tmp_path / "atlas.pdf"
    save_as(monkeypatch, target)
    runner = window.printing.runner
    with qtbot.waitSignal(runner.finished, timeout=WRITE_TIMEOUT_MS):
        qtbot.mouseClick(dialog.export_buttons["pdf"], LEFT)
    assert pdf_pages(target) == len(window.project.territories) + 1
    assert "atlas.pdf" in window.statusBar().currentMessage()


@RAISES
def test_unwritable_file_shows_an_error_naming_it(qtbot, monkeypatch, dialog, tmp_path):
    target = tmp_path / "no such folder" / "map.pdf"
    save_as(monkeypatch, target)
    shown: list[tuple] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1:]))
    qtbot.mouseClick(dialog.export_buttons["pdf"], LEFT)
    assert len(shown) == 1
    title, text = shown[0][:2]
    assert "map.pdf" in title
    assert "no such folder" in text
    assert not target.exists()
    assert dialog.isVisible()  # the choices are still there to try again


@RAISES
def test_print_goes_to_the_chosen_printer(qtbot, monkeypatch, window, dialog, tmp_path):
    target = tmp_path / "printed.pdf"

    def accept(self) -> int:
        printer = self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    qtbot.mouseClick(dialog.print_button, LEFT)
    assert pdf_pages(target) == dialog.page_count


# -- settings -------------------------------------------------------------------------------
@RAISES
def test_settings_are_remembered_by_the_next_dialog(qtbot, window, dialog):
    form = dialog.form
    choose(qtbot, form.page, "a4")
    click(qtbot, dialog, form.landscape)
    click(qtbot, dialog, form.toggles["footer"])
    chosen = form.choices()
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert window.printing.dialog is None

    window.printing.actions["export_map"].trigger()
    again = window.printing.dialog
    assert again is not None
    assert again is not dialog
    choices = again.form.choices()
    assert (choices.page, choices.orientation) == ("a4", "landscape")
    assert not choices.shown("footer")
    assert choices.metrics == chosen.metrics
    assert again.export_buttons["pdf"].isDefault()
