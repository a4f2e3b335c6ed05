"""File ▸ Export Web Map… and Export Report…: the shareable files, written in the background.

The web map (`terrmap.web`) and the reports (`terrmap.io.reports`) are the same functions the
``terrmap web`` / ``terrmap report`` / ``terrmap export-accounts`` commands call. Each file is
built in a worker with a progress dialog; Cancel drops it before anything is written.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from terrmap.errors import TerrmapError
from terrmap.ui.actions import menu_action
from terrmap.ui.progress_dialog import JobProgressDialog
from terrmap.ui.workers import JobRunner

if TYPE_CHECKING:
    from terrmap.core.project import Project
    from terrmap.routing.model import RoutePlan
    from terrmap.ui.main_window import MainWindow

STATUS_MS = 10_000


class Text:
    """User-visible strings of the share exports."""

    WEB = "Export &Web Map…"
    WEB_TIP = "Write the map as an HTML page to open in any browser (tooltips, totals, accounts)"
    WEB_OFFLINE = "Web map that works offline (*.html)"
    WEB_ONLINE = "Web map with an online basemap (*.html)"
    REPORT = "Export &Report…"
    REPORT_TIP = "Write the territory totals as an Excel workbook or CSV, or the account owners"
    REPORT_XLSX = "Excel workbook: territories, accounts, alignment (*.xlsx)"
    REPORT_CSV = "Territory summary (*.csv)"
    REPORT_OWNERS = "Account owners for the CRM (*.csv)"
    WRITING = "Writing {name}…"
    WROTE = "Wrote {name}"
    CANCELLED = "Export cancelled; nothing was written"
    FAILED = "Could not write {name}"
    FAILED_DETAIL = "<p><b>{title}</b></p><p>{path}</p><p>{detail}</p>"


class _Cancelled(Exception):
    """The user cancelled before the file was written."""


def web_job(
    project: Project, path: Path, offline: bool, routes: RoutePlan | None, *, progress, stop
) -> Path:
    """Build the web page, then write it unless cancelled (runs on the worker thread)."""
    from terrmap.io.atomic import write_text_atomic
    from terrmap.web.webmap import web_map_html

    progress(0.1, "Building the page")
    page = web_map_html(project, offline=offline, routes=routes)
    if stop():
        raise _Cancelled
    write_text_atomic(path, page)
    return path


def report_job(
    project: Project, path: Path, kind: str, tolerance: float, source: str, *, progress, stop
) -> Path:
    """Build the report ``kind`` (xlsx, summary or owners), then write it unless cancelled."""
    from terrmap.io import reports
    from terrmap.io.atomic import write_bytes_atomic
    from terrmap.io.report_workbook import report_xlsx_bytes

    progress(0.1, "Adding up the territories")
    if kind == "owners":
        reports.write_accounts_csv(project, path)
        return path
    summary = reports.territory_summary(project, tolerance_pct=tolerance)
    if kind == "summary":
        reports.write_summary_csv(summary, path)
        return path
    data = report_xlsx_bytes(summary, source_name=source)
    if stop():
        raise _Cancelled
    write_bytes_atomic(path, data)
    return path


class ShareController(QObject):
    """The web map and report exports of one main window (``actions``: ``web``, ``report``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions = {
            "web": menu_action(window, Text.WEB, Text.WEB_TIP, self.export_web_map),
            "report": menu_action(window, Text.REPORT, Text.REPORT_TIP, self.export_report),
        }
        self.runner = JobRunner(self)
        self.runner.finished.connect(self._written)
        self.runner.failed.connect(self._failed)
        self.runner.progressed.connect(self._progressed)
        self._progress: JobProgressDialog | None = None
        self._path = Path()
        window.document_installed.connect(self._document_installed)
        self._document_installed()

    def _document_installed(self) -> None:
        for action in self.actions.values():
            action.setEnabled(self.window.project is not None)

    def export_web_map(self) -> None:
        """Ask where (and whether offline), then write the web map."""
        project = self.window.project
        if project is None:
            return
        filters = [Text.WEB_OFFLINE, Text.WEB_ONLINE]
        path, chosen = self._ask(Text.WEB, self._stem() + ".html", filters)
        if path is None:
            return
        result = self.window.routes.result
        routes = result.plan if result is not None else None
        self._start(path, web_job, project, path, chosen == Text.WEB_OFFLINE, routes)

    def export_report(self) -> None:
        """Ask where and which report, then write it."""
        project = self.window.project
        if project is None:
            return
        filters = [Text.REPORT_XLSX, Text.REPORT_CSV, Text.REPORT_OWNERS]
        path, chosen = self._ask(Text.REPORT, self._stem() + ".xlsx", filters)
        if path is None:
            return
        kind = {Text.REPORT_XLSX: "xlsx", Text.REPORT_CSV: "summary"}.get(chosen, "owners")
        if kind != "xlsx" and path.suffix.lower() == ".xlsx":
            path = path.with_suffix(".csv")
        tolerance = self.window.balance.tolerance
        source = self.window.document.path.name if self.window.document.path else ""
        self._start(path, report_job, project, path, kind, tolerance, source)

    def shutdown(self) -> None:
        """Stop the worker thread (the window is closing)."""
        self.runner.shutdown()

    # -- running ----------------------------------------------------------------------------
    def _ask(self, action: str, name: str, filters: list[str]) -> tuple[Path | None, str]:
        from terrmap.ui import settings

        title = action.replace("&", "").rstrip("…")
        start = str(Path(settings.last_directory()) / name)
        path, chosen = QFileDialog.getSaveFileName(
            self.window, title, start, ";;".join(filters), filters[0]
        )
        if not path:
            return None, ""
        settings.remember_directory(Path(path).parent)
        return Path(path), chosen or filters[0]

    def _stem(self) -> str:
        document = self.window.document
        if document.path is not None:
            return document.path.name.split(".")[0]
        return "territories"

    def _start(self, path: Path, job, *args: Any) -> None:
        self._path = path
        progress = JobProgressDialog(
            self.window, cancellable=True, label=Text.WRITING.format(name=path.name)
        )
        progress.canceled.connect(self._cancel)
        progress.show()  # modal: the project must not change while the worker reads it
        self._progress = progress
        self.runner.start("share", job, *args)

    def _progressed(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress.set_progress(fraction, message)

    def _written(self, _tag: object, path: Path) -> None:
        self._close_progress()
        self.window.statusBar().showMessage(Text.WROTE.format(name=Path(path).name), STATUS_MS)

    def _failed(self, _tag: object, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, _Cancelled):
            return
        detail = str(error) if isinstance(error, TerrmapError | OSError) else repr(error)
        title = Text.FAILED.format(name=self._path.name)
        text = Text.FAILED_DETAIL.format(
            title=html.escape(title), path=html.escape(str(self._path)), detail=html.escape(detail)
        )
        QMessageBox.critical(self.window, title, text)

    def _cancel(self) -> None:
        self.runner.cancel()
        self._close_progress()
        self.window.statusBar().showMessage(Text.CANCELLED, STATUS_MS)

    def _close_progress(self) -> None:
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.close()
            progress.deleteLater()
