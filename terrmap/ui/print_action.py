"""Printing for one main window: the File menu actions, the Print Layout dialog, the files.

The flow is File ▸ Print… / Export Map… / Export Atlas… → the dialog (options and live
preview) → Print… (the system print dialog, then `paint_on_printer`) or Export PDF/SVG/PNG
(a save dialog, then the print engine's writers). A map page is written on the GUI thread
under a busy cursor (about a second for a large map); an atlas runs on the worker thread
with a progress dialog whose Cancel drops it before anything is written.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from terrmap.errors import TerrmapError
from terrmap.ui import settings
from terrmap.ui.actions import menu_action
from terrmap.ui.icons import icon
from terrmap.ui.print_text import Text
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.workers import JobRunner

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from terrmap.render.layout import LayoutDocument, PrintLayout
    from terrmap.ui.main_window import MainWindow
    from terrmap.ui.print_dialog import PrintDialog
    from terrmap.ui.print_form import PrintChoices

FOLDER_KEY = "print/folder"
STATUS_MS = 10_000


class _Cancelled(Exception):
    """The user cancelled the atlas (raised from its progress callback)."""


def atlas_job(document: LayoutDocument, path: Path, *, progress, stop) -> tuple[Path, int]:
    """Write the planned atlas ``document`` to ``path`` (runs on the worker thread).

    The engine's PDF writer reports each page; a cancel is honoured there by raising, so the
    file is written only when every page is done.
    """
    from terrmap.io.atomic import write_bytes_atomic
    from terrmap.render.print_output import pdf_bytes

    def page_done(fraction: float, message: str) -> None:
        if stop():
            raise _Cancelled
        progress(fraction, message)

    data = pdf_bytes(document, page_done)
    if stop():
        raise _Cancelled
    write_bytes_atomic(path, data)
    return path, len(document.pages)


class PrintController(QObject):
    """The print actions of one main window.

    Attributes
    ----------
    actions
        ``print`` (Ctrl+P), ``export_map`` and ``export_atlas``: each opens the dialog.
    dialog
        The open dialog, if any.
    runner
        The worker that writes atlases (``runner.finished`` fires when one is written).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions = {
            "print": self._action("print", lambda: self.open_dialog(None, "print")),
            "export_map": self._action("export_map", lambda: self.open_dialog("map", "pdf")),
            "export_atlas": self._action("export_atlas", lambda: self.open_dialog("atlas", "pdf")),
        }
        self.actions["print"].setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.actions["print"].setIcon(icon("print"))
        self.dialog: PrintDialog | None = None
        self._atlas_path = Path()
        self._progress: JobProgressDialog | None = None
        self.runner = JobRunner(self)
        self.runner.progressed.connect(self._progressed)
        self.runner.finished.connect(self._atlas_written)
        self.runner.failed.connect(self._atlas_failed)
        window.document_installed.connect(self._document_installed)
        self._document_installed()

    def _action(self, key: str, slot) -> QAction:
        return menu_action(self.window, *Text.ACTIONS[key], slot)

    def _document_installed(self) -> None:
        self.close()  # a dialog laid out for the old document must not print the new one
        for action in self.actions.values():
            action.setEnabled(self.window.project is not None)

    # -- the dialog -----------------------------------------------------------------------
    def open_dialog(self, contents: str | None = None, default: str = "print") -> None:
        """Show the dialog; ``contents`` ``"map"`` or ``"atlas"`` switches what it prints
        (an atlas keeps its remembered grouping), ``default`` picks the Enter button."""
        window = self.window
        if window.project is None or window.canvas.renderer is None:
            return
        if self.dialog is None:
            self.dialog = self._new_dialog()
        form = self.dialog.form
        if contents == "map" or (contents == "atlas" and not form.choices().atlas):
            # An atlas keeps the grouping last used; a map page has only one.
            wanted = "map" if contents == "map" else "territory"
            form.contents.setCurrentIndex(form.contents.findData(wanted))
        self.dialog.set_default(default)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _new_dialog(self) -> PrintDialog:
        from terrmap.render.layout import default_metrics
        from terrmap.render.page import short_date
        from terrmap.ui.print_dialog import PrintDialog
        from terrmap.ui.print_form import PrintForm

        project, window = self.window.project, self.window
        columns = window.metrics.columns if window.metrics is not None else ["units"]
        form = PrintForm(
            columns,
            default_metrics(project),
            project.metadata.get("title") or "Territory map",
            short_date(dt.date.today()),
            has_route=window.routes.result is not None,
        )
        dialog = PrintDialog(form, self.make_document, window)
        dialog.print_requested.connect(self.print_layout)
        dialog.export_requested.connect(self.export)
        dialog.finished.connect(self._dialog_closed)
        return dialog

    def close(self) -> None:
        """Close the dialog (e.g. the document is replaced)."""
        self.runner.cancel()
        self._close_progress()
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.close()
            dialog.deleteLater()

    def shutdown(self) -> None:
        """Stop the worker thread (the window is closing)."""
        self.close()
        self.runner.shutdown()

    def _dialog_closed(self, _result: int) -> None:
        if self.dialog is not None and not self.runner.busy:
            dialog, self.dialog = self.dialog, None
            dialog.deleteLater()

    # -- layouts --------------------------------------------------------------------------
    def layout_for(self, choices: PrintChoices) -> PrintLayout:
        """The engine's layout for ``choices`` on the window's current map and route."""
        from terrmap.render.layout import PrintLayout

        window, canvas = self.window, self.window.canvas
        bounds = None
        if choices.extent == "view" and canvas.viewport is not None:
            bounds = canvas.viewport.world_bounds
        route = None
        if choices.shown("routes") and window.routes.result is not None:
            from terrmap.render.route_layer import RouteOverlay

            route = RouteOverlay(window.routes.result.plan, day=window.routes.day)
        shown = dict(choices.toggles)
        shown.pop("routes")
        return PrintLayout(
            page=choices.page,
            orientation=choices.orientation,
            margins_mm=(choices.margin_mm,) * 4,
            dpi=choices.dpi,
            title=choices.title or None,
            subtitle=choices.subtitle,
            routes=route,
            metrics=choices.metrics,
            bounds=bounds,
            distance_unit=choices.distance_unit,
            style=canvas.style_options,
            **shown,
        )

    def make_document(self, choices: PrintChoices) -> LayoutDocument:
        """The planned pages of ``choices`` (a map page or an atlas)."""
        from terrmap.render.atlas import atlas_document
        from terrmap.render.layout import build_document

        project, scene = self.window.project, self.window.canvas.renderer.scene
        layout = self.layout_for(choices)
        if choices.atlas:
            return atlas_document(project, layout, choices.contents, scene)
        return build_document(project, layout, scene)

    # -- printing -------------------------------------------------------------------------
    def print_layout(self) -> None:
        """Ask the system print dialog for a printer and print every page on it."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        dialog = self.dialog
        if dialog is None:
            return
        dialog.form.remember()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        asked = QPrintDialog(printer, dialog)
        if asked.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            with _busy():
                pages = self._print_on(printer)
        except (TerrmapError, ValueError, OSError) as error:
            self._show_failure(Text.PRINT_FAILED, printer.printerName(), error)
            return
        name = printer.printerName() or printer.outputFileName()
        self._status(Text.PRINTED.format(pages=_pages(pages), printer=name))

    def _print_on(self, printer: QPrinter) -> int:
        from terrmap.render.print_output import paint_on_printer

        document = self.make_document(self.dialog.form.choices())
        paint_on_printer(printer, document)
        return len(document.pages)

    # -- exporting ------------------------------------------------------------------------
    def export(self, kind: str) -> None:
        """Ask for a file and write the layout there as ``kind`` (pdf, svg or png)."""
        dialog = self.dialog
        if dialog is None or self.runner.busy:
            return
        choices = dialog.form.choices()
        dialog.form.remember()
        path = self._ask_path(kind, choices)
        if path is None:
            return
        if choices.atlas:
            self._start_atlas(choices, path)
            return
        try:
            with _busy():
                pages = self._write(kind, choices, path, dialog.page_index + 1)
        except (TerrmapError, ValueError, OSError) as error:
            self._show_failure(Text.WRITE_FAILED.format(name=path.name), str(path), error)
            return
        self._status(Text.WROTE.format(name=path.name, pages=pages))

    def _ask_path(self, kind: str, choices: PrintChoices) -> Path | None:
        folder = QSettings().value(FOLDER_KEY, "") or settings.last_directory()
        if not Path(str(folder)).is_dir():
            folder = settings.last_directory()
        name = _file_stem(choices.title or Text.DEFAULT_NAME)
        if choices.atlas:
            name = _file_stem(Text.ATLAS_FILE.format(name=name))
        start = str(Path(str(folder)) / f"{name}.{kind}")
        title = Text.SAVE_TITLE.format(kind=kind.upper())
        chosen, _ = QFileDialog.getSaveFileName(self.dialog, title, start, Text.FILTERS[kind])
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        QSettings().setValue(FOLDER_KEY, str(path.parent))
        return path

    def _write(self, kind: str, choices: PrintChoices, path: Path, page: int) -> str:
        from terrmap.render import print_output

        project, scene = self.window.project, self.window.canvas.renderer.scene
        layout = self.layout_for(choices)
        self._status(Text.WRITING.format(name=path.name))
        if kind == "pdf":
            return _pages(print_output.write_pdf(path, project, layout, scene))
        if kind == "svg":
            print_output.write_svg(path, project, layout, scene, page=page)
            return f"page {page}"
        width, height = print_output.write_png(path, project, layout, scene=scene, page=page)
        return f"page {page}, {width} × {height} px at {layout.dpi} dpi"

    def _start_atlas(self, choices: PrintChoices, path: Path) -> None:
        try:
            with _busy():
                document = self.make_document(choices)
        except (TerrmapError, ValueError) as error:
            self._show_failure(Text.WRITE_FAILED.format(name=path.name), str(path), error)
            return
        progress = JobProgressDialog(
            self.dialog, cancellable=True, label=Text.WRITING.format(name=path.name)
        )
        progress.canceled.connect(self._cancel_atlas)
        progress.show()  # at once: the document must not change while the worker reads it
        self._progress = progress
        self._atlas_path = path
        self.runner.start("atlas", atlas_job, document, path)

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            name = self._atlas_path.name
            self._progress.set_progress(
                fraction, Text.ATLAS_PAGE.format(name=name, message=message)
            )

    def _atlas_written(self, _tag: object, value: Any) -> None:
        self._close_progress()
        path, pages = value
        self._status(Text.WROTE.format(name=Path(path).name, pages=_pages(pages)))

    def _atlas_failed(self, _tag: object, error: BaseException) -> None:
        self._close_progress()
        path = self._atlas_path
        self._show_failure(Text.WRITE_FAILED.format(name=path.name), str(path), error)

    def _cancel_atlas(self) -> None:
        self.runner.cancel()
        self._close_progress()
        self._status(Text.ATLAS_CANCELLED)

    # -- feedback -------------------------------------------------------------------------
    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, STATUS_MS)

    def _show_failure(self, title: str, where: str, error: BaseException) -> None:
        detail = str(error) if isinstance(error, TerrmapError | OSError) else repr(error)
        text = Text.FAILED_DETAIL.format(
            title=html.escape(title), path=html.escape(where), detail=html.escape(detail)
        )
        QMessageBox.critical(self.dialog or self.window, title, text)

    def _close_progress(self) -> None:
        if self._progress is not None:
            dialog, self._progress = self._progress, None
            dialog.dismiss()


class _busy:
    """A wait cursor for work on the GUI thread."""

    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QApplication.restoreOverrideCursor()


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _file_stem(text: str) -> str:
    """A file name from a title: letters, digits and dashes."""
    stem = re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-")
    return stem or Text.DEFAULT_NAME
