"""The main window: map canvas, territory panel, status bar and the File/View/Help menus."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QWidget

from terrmap.core.metrics import TerritoryMetrics
from terrmap.render import MapRenderer
from terrmap.ui import settings
from terrmap.ui.about import show_about
from terrmap.ui.document_jobs import DocumentJobs
from terrmap.ui.loading import LoadedDocument
from terrmap.ui.map_canvas import MapCanvas
from terrmap.ui.territory_table import TerritoryTable, TerritoryTableModel


class Text:
    """User-visible strings of the main window."""

    APP = "Terrmap"
    UNTITLED = "Untitled"
    SYNTHETIC = "[synthetic sample]"
    FILE, VIEW, HELP = "&File", "&View", "&Help"
    NEW = "&New Project…"
    OPEN = "&Open…"
    OPEN_SAMPLE = "Open &Sample"
    RECENT = "Open &Recent"
    NO_RECENT = "(none)"
    SAVE, SAVE_AS = "&Save", "Save &As…"
    IMPORT_ACCOUNTS = "&Import Accounts…"
    EXPORT_ALIGNMENT = "&Export Alignment…"
    QUIT = "&Quit"
    FULL_EXTENT = "Zoom to &Full Extent"
    ZOOM_IN, ZOOM_OUT = "Zoom &In", "Zoom &Out"
    ABOUT = "&About Terrmap"
    TERRITORIES = "Territories"
    PROJECT_FILTER = "Terrmap projects (*.terrmap.gpkg *.gpkg);;All files (*)"
    ALIGNMENT_FILTER = "CSV files (*.csv)"
    ACCOUNT_FILTER = "Account books (*.csv *.xlsx *.txt);;All files (*)"
    SAVE_FAILED = "Could not save"
    EXPORT_FAILED = "Could not export"
    LONLAT = "{lat:.4f}°, {lon:.4f}°"
    UNIT = "{name} — {territory}"
    UNASSIGNED = "unassigned"
    SAVED = "Saved {name}"
    SUMMARY = "{units:,} units · {accounts:,} accounts · {territories} territories"
    EXPORTED = "Alignment written to {name}"


DOCK_WIDTH = 560  # room for the name and four totals; the map keeps the rest

# File actions that make sense only with a document open.
_NEED_DOCUMENT = ("save", "save_as", "import_accounts", "export_alignment")


class MainWindow(QMainWindow):
    """The application window.

    Signals
    -------
    document_installed()
        A project was opened, built or replaced and is now shown.
    """

    document_installed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: LoadedDocument | None = None
        self.metrics: TerritoryMetrics | None = None
        self.canvas = MapCanvas(self)
        self.setCentralWidget(self.canvas)
        self.table = TerritoryTable(self)
        self._dock = QDockWidget(Text.TERRITORIES, self)
        self._dock.setObjectName("territoriesDock")
        self._dock.setWidget(self.table)
        self._dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self._dock)
        self.resizeDocks([self._dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.jobs = DocumentJobs(self)
        self.jobs.loaded.connect(self.install_document)
        self._build_status_bar()
        self._build_menus()
        self._update_title()
        self.resize(1400, 860)
        self._restore_window()

    # -- document ---------------------------------------------------------------
    @property
    def project(self):  # -> Project | None
        """The project shown, if any."""
        return None if self.document is None else self.document.project

    def install_document(self, document: LoadedDocument) -> None:
        """Show ``document``, replacing the current one (called on the GUI thread)."""
        self.table.set_source(None)
        if self.metrics is not None:
            self.metrics.disconnect()
        self.document = document
        self.metrics = TerritoryMetrics(document.project)
        self.canvas.set_renderer(MapRenderer(document.project, document.scene))
        self.table.set_source(TerritoryTableModel(document.project, self.metrics, self.table))
        self._show_summary(document)
        self._update_title()
        for key in _NEED_DOCUMENT:
            self.file_actions[key].setEnabled(True)
        if document.path is not None:
            settings.remember_project(document.path)
        self._rebuild_recent_menu()
        self.document_installed.emit()

    def open_sample(self) -> None:
        """Load the bundled sample in the background."""
        self.jobs.open_sample()

    def open_project_file(self, path: str) -> None:
        """Open a project file in the background."""
        self.jobs.open_project(path)

    def _update_title(self) -> None:
        if self.document is None:
            self.setWindowTitle(Text.APP)
            return
        project, path = self.document.project, self.document.path
        name = project.metadata.get("title") or (path.name.split(".")[0] if path else Text.UNTITLED)
        if path is not None:
            name = f"{name} ({path.name})"
        if project.metadata.get("synthetic") == "true":
            name = f"{name} {Text.SYNTHETIC}"
        self.setWindowTitle(f"{name} — {Text.APP}")

    # -- menus ------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        self.file_actions = actions = {
            "new": self._action(Text.NEW, self.jobs.ask_new_project, keys.New),
            "open": self._action(Text.OPEN, self._ask_open, keys.Open),
            "sample": self._action(Text.OPEN_SAMPLE, self.open_sample),
            "save": self._action(Text.SAVE, self.save, keys.Save),
            "save_as": self._action(Text.SAVE_AS, self.save_as, "Ctrl+Shift+S"),
            "import_accounts": self._action(Text.IMPORT_ACCOUNTS, self._ask_import_accounts),
            "export_alignment": self._action(Text.EXPORT_ALIGNMENT, self._ask_export_alignment),
            "quit": self._action(Text.QUIT, self.close, keys.Quit),
        }
        for key in _NEED_DOCUMENT:
            actions[key].setEnabled(False)
        file_menu = self.menuBar().addMenu(Text.FILE)
        file_menu.addActions([actions["new"], actions["open"], actions["sample"]])
        self._recent_menu = file_menu.addMenu(Text.RECENT)
        self._rebuild_recent_menu()
        for group in (("save", "save_as"), ("import_accounts", "export_alignment"), ("quit",)):
            file_menu.addSeparator()
            file_menu.addActions([actions[key] for key in group])
        view_menu = self.menuBar().addMenu(Text.VIEW)
        view_menu.addAction(
            self._action(Text.FULL_EXTENT, self.canvas.zoom_to_full_extent, "Ctrl+0")
        )
        zoom_in = self._action(Text.ZOOM_IN, self.canvas.zoom_in)
        zoom_in.setShortcuts(
            [QKeySequence("+"), QKeySequence("="), QKeySequence.StandardKey.ZoomIn]
        )
        zoom_out = self._action(Text.ZOOM_OUT, self.canvas.zoom_out)
        zoom_out.setShortcuts([QKeySequence("-"), QKeySequence.StandardKey.ZoomOut])
        view_menu.addActions([zoom_in, zoom_out])
        view_menu.addSeparator()
        view_menu.addAction(self._dock.toggleViewAction())
        help_menu = self.menuBar().addMenu(Text.HELP)
        help_menu.addAction(self._action(Text.ABOUT, lambda: show_about(self)))

    def _rebuild_recent_menu(self) -> None:
        self._recent_menu.clear()
        recent = settings.recent_projects()
        for path in recent:
            action = self._recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_project_file(p))
        if not recent:
            self._recent_menu.addAction(Text.NO_RECENT).setEnabled(False)

    # -- file actions -----------------------------------------------------------
    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, Text.OPEN, settings.last_directory(), Text.PROJECT_FILTER
        )
        if path:
            settings.remember_directory(Path(path).parent)
            self.open_project_file(path)

    def save(self) -> bool:
        """Save to the project's file, asking for one if it has none."""
        if self.document is None:
            return False
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        if self.document is None:
            return False
        start = str(Path(settings.last_directory()) / "territories.terrmap.gpkg")
        path, _ = QFileDialog.getSaveFileName(self, Text.SAVE_AS, start, Text.PROJECT_FILTER)
        if not path:
            return False
        from terrmap.io.projectfile import project_path

        return self._save_to(project_path(path))

    def _save_to(self, path: Path) -> bool:
        from terrmap.io.projectfile import save_project

        try:
            save_project(self.document.project, path)
        except Exception as error:
            self.jobs.show_error(Text.SAVE_FAILED, error)
            return False
        self.document.path = Path(path)
        settings.remember_project(path)
        self._rebuild_recent_menu()
        self._update_title()
        self.statusBar().showMessage(Text.SAVED.format(name=Path(path).name), 5000)
        return True

    def _ask_import_accounts(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, Text.IMPORT_ACCOUNTS, settings.last_directory(), Text.ACCOUNT_FILTER
        )
        if path and self.document is not None:
            settings.remember_directory(Path(path).parent)
            self.jobs.import_accounts(self.document, path)

    def _ask_export_alignment(self) -> None:
        if self.document is None:
            return
        start = str(Path(settings.last_directory()) / "alignment.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, Text.EXPORT_ALIGNMENT, start, Text.ALIGNMENT_FILTER
        )
        if not path:
            return
        from terrmap.io.alignment import write_alignment

        try:
            write_alignment(self.document.project, path)
        except Exception as error:
            self.jobs.show_error(Text.EXPORT_FAILED, error)
            return
        settings.remember_directory(Path(path).parent)
        self.statusBar().showMessage(Text.EXPORTED.format(name=Path(path).name), 5000)

    # -- status bar -------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self._summary_label = QLabel(self)
        self.statusBar().addWidget(self._summary_label)
        self._unit_label = QLabel(self)
        self._lonlat_label = QLabel(self)
        self._lonlat_label.setMinimumWidth(170)
        self.statusBar().addPermanentWidget(self._unit_label)
        self.statusBar().addPermanentWidget(self._lonlat_label)
        self.canvas.cursor_moved.connect(self._show_cursor)
        self.canvas.cursor_left.connect(
            lambda: (self._unit_label.clear(), self._lonlat_label.clear())
        )

    def _show_summary(self, document: LoadedDocument) -> None:
        project = document.project
        text = Text.SUMMARY.format(
            units=len(project.units),
            accounts=len(project.accounts),
            territories=len(project.territories),
        )
        notice = (
            project.metadata.get("notice") if project.metadata.get("synthetic") == "true" else None
        )
        self._summary_label.setText(f"{text}  ·  {notice}" if notice else text)

    def _show_cursor(self, lon: float, lat: float, unit: int) -> None:
        self._lonlat_label.setText(Text.LONLAT.format(lon=lon, lat=lat))
        project = self.project
        if unit < 0 or project is None:
            self._unit_label.clear()
            return
        code = int(project.plan.codes[unit])
        territory = Text.UNASSIGNED if code < 0 else project.territories[code].name
        name = project.units.frame["name"].iat[unit]
        self._unit_label.setText(Text.UNIT.format(name=name, territory=territory))

    # -- window state -----------------------------------------------------------
    def _restore_window(self) -> None:
        store = QSettings()
        geometry = store.value("mainWindow/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.value("mainWindow/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        store = QSettings()
        store.setValue("mainWindow/geometry", self.saveGeometry())
        store.setValue("mainWindow/state", self.saveState())
        self.jobs.shutdown()
        self.table.set_source(None)
        if self.metrics is not None:
            self.metrics.disconnect()
        self.canvas.set_renderer(None)
        super().closeEvent(event)
