"""The main window: map canvas, territory panel, status bar and the File/View/Help menus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QWidget

from terrmap.ui import settings
from terrmap.ui.about import show_about
from terrmap.ui.document_jobs import DocumentJobs
from terrmap.ui.loading import LoadedDocument
from terrmap.ui.main_window_text import Text
from terrmap.ui.map_canvas import MapCanvas
from terrmap.ui.territory_table import TerritoryTable, TerritoryTableModel
from terrmap.ui.unsaved import UnsavedChangesGuard

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics


# The dock takes what the table needs, but never more than this share of the window.
DOCK_MAX_SHARE = 0.5
DOCK_MIN_WIDTH = 360
# First-run window size: room for the map and every table column, within the screen.
DEFAULT_SIZE = (1600, 1000)
SCREEN_SHARE = 0.92

# File actions that make sense only with a document open.
_NEED_DOCUMENT = ("save", "save_as", "import_accounts", "export_alignment")
# Actions that start a job; locked while one runs, so nothing changes a document being
# saved and no job cancels a save (see saving.py).
_STARTS_JOB = ("new", "open", "sample", *_NEED_DOCUMENT)


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
        self.metrics: TerritoryMetrics | None = None  # set with a document
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
        self.resizeDocks([self._dock], [DOCK_MIN_WIDTH], Qt.Orientation.Horizontal)
        self.jobs = DocumentJobs(self)
        self.jobs.loaded.connect(self.install_document)
        self.jobs.saved.connect(self._saved)
        self._guard = UnsavedChangesGuard(self)
        self.jobs.exported.connect(self._exported)
        self.jobs.busy_changed.connect(lambda _busy: self._enable_actions())
        self._build_status_bar()
        self._build_menus()
        self._update_title()
        self._resize_to_screen()
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
        # Imported here, not at the top: the window shows before geopandas has loaded.
        from terrmap.core.metrics import TerritoryMetrics
        from terrmap.render import MapRenderer

        self.metrics = TerritoryMetrics(document.project)
        self.canvas.set_renderer(MapRenderer(document.project, document.scene))
        self.table.set_source(TerritoryTableModel(document.project, self.metrics, self.table))
        self._fit_dock()
        self._show_summary(document)
        self._update_title()
        self._enable_actions()
        if document.path is not None:
            settings.remember_project(document.path)
        self._rebuild_recent_menu()
        self.document_installed.emit()

    def open_sample(self) -> None:
        """Load the bundled sample in the background (after asking about unsaved work)."""
        self._guard.proceed(Text.REPLACING, self.jobs.open_sample)

    def open_project_file(self, path: str) -> None:
        """Open a project file in the background (after asking about unsaved work)."""
        self._guard.proceed(Text.REPLACING, lambda: self.jobs.open_project(path))

    def _ask_new_project(self) -> None:
        self._guard.proceed(Text.REPLACING, self.jobs.ask_new_project)

    def _update_title(self) -> None:
        if self.document is None:
            self.setWindowTitle(Text.APP)
            self.setWindowModified(False)
            return
        project, path = self.document.project, self.document.path
        name = project.metadata.get("title") or (path.name.split(".")[0] if path else Text.UNTITLED)
        if path is not None:
            name = f"{name} ({path.name})"
        name += "[*]"  # Qt shows "*" here while the window is modified
        if project.metadata.get("synthetic") == "true":
            name = f"{name} {Text.SYNTHETIC}"
        self.setWindowTitle(f"{name} — {Text.APP}")
        self.setWindowModified(self.document.modified)

    def _enable_actions(self) -> None:
        """Lock job-starting actions while a job runs; document actions need a document."""
        idle = not self.jobs.busy
        for key in _STARTS_JOB:
            possible = self.document is not None or key not in _NEED_DOCUMENT
            self.file_actions[key].setEnabled(idle and possible)
        self._recent_menu.setEnabled(idle)

    def _fit_dock(self) -> None:
        """Widen the territory panel so every column shows, within a share of the window."""
        if self._dock.isFloating() or self._dock.isHidden():
            return  # the user placed or closed it; resizeDocks applies to docked panels only
        needed = max(DOCK_MIN_WIDTH, self.table.ideal_width())
        width = min(needed, round(self.width() * DOCK_MAX_SHARE))
        if self._dock.width() < width:
            self.resizeDocks([self._dock], [width], Qt.Orientation.Horizontal)

    # -- menus ------------------------------------------------------------------
    def _action(self, key: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        text, tip = Text.ACTIONS[key]
        action = QAction(text, self)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        self.file_actions = actions = {
            "new": self._action("new", self._ask_new_project, keys.New),
            "open": self._action("open", self._ask_open, keys.Open),
            "sample": self._action("sample", self.open_sample),
            "save": self._action("save", self.save, keys.Save),
            "save_as": self._action("save_as", self.save_as, "Ctrl+Shift+S"),
            "import_accounts": self._action("import_accounts", self._ask_import_accounts),
            "export_alignment": self._action("export_alignment", self._ask_export_alignment),
            "quit": self._action("quit", self.close, keys.Quit),
        }
        file_menu = self.menuBar().addMenu(Text.FILE)
        file_menu.addActions([actions["new"], actions["open"], actions["sample"]])
        self._recent_menu = file_menu.addMenu(Text.RECENT)
        self._rebuild_recent_menu()
        for group in (("save", "save_as"), ("import_accounts", "export_alignment"), ("quit",)):
            file_menu.addSeparator()
            file_menu.addActions([actions[key] for key in group])
        self._enable_actions()
        self._build_view_menu()
        help_menu = self.menuBar().addMenu(Text.HELP)
        help_menu.addAction(self._action("about", lambda: show_about(self)))

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu(Text.VIEW)
        view_menu.addAction(self._action("full_extent", self.canvas.zoom_to_full_extent, "Ctrl+0"))
        zoom_in = self._action("zoom_in", self.canvas.zoom_in)
        zoom_in.setShortcuts(
            [QKeySequence("+"), QKeySequence("="), QKeySequence.StandardKey.ZoomIn]
        )
        zoom_out = self._action("zoom_out", self.canvas.zoom_out)
        zoom_out.setShortcuts([QKeySequence("-"), QKeySequence.StandardKey.ZoomOut])
        view_menu.addActions([zoom_in, zoom_out])
        view_menu.addSeparator()
        toggle = self._dock.toggleViewAction()
        toggle.setStatusTip(Text.TERRITORIES_TIP)
        toggle.setToolTip(Text.TERRITORIES_TIP)
        view_menu.addAction(toggle)

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
            self, _plain(Text.ACTIONS["open"][0]), settings.last_directory(), Text.PROJECT_FILTER
        )
        if path:
            settings.remember_directory(Path(path).parent)
            self.open_project_file(path)

    def save(self) -> bool:
        """Save to the project's file in the background (asks for one if it has none).

        Returns whether a save was started; ``jobs.saved`` or an error box follows.
        """
        if self.document is None or self.jobs.busy:
            return False
        if self.document.path is None:
            return self.save_as()
        self.jobs.save(self.document, self.document.path)
        return True

    def save_as(self) -> bool:
        """Ask for a file name and save there in the background; whether a save started."""
        if self.document is None or self.jobs.busy:
            return False
        start = str(Path(settings.last_directory()) / "territories.terrmap.gpkg")
        path, _ = QFileDialog.getSaveFileName(
            self, _plain(Text.ACTIONS["save_as"][0]), start, Text.PROJECT_FILTER
        )
        if not path:
            return False
        from terrmap.io.projectfile import project_path

        self.jobs.save(self.document, project_path(path))
        return True

    def _saved(self, path: Path) -> None:
        # The document cannot have changed meanwhile: job actions are locked while busy.
        if self.document is None:
            return
        self.document.path = Path(path)
        self.document.modified = False
        settings.remember_project(path)
        self._rebuild_recent_menu()
        self._update_title()
        self.statusBar().showMessage(Text.SAVED.format(name=Path(path).name), 5000)

    def _ask_import_accounts(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            _plain(Text.ACTIONS["import_accounts"][0]),
            settings.last_directory(),
            Text.ACCOUNT_FILTER,
        )
        if path and self.document is not None:
            settings.remember_directory(Path(path).parent)
            self.jobs.import_accounts(self.document, path)

    def _ask_export_alignment(self) -> None:
        if self.document is None or self.jobs.busy:
            return
        start = str(Path(settings.last_directory()) / "alignment.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, _plain(Text.ACTIONS["export_alignment"][0]), start, Text.ALIGNMENT_FILTER
        )
        if path:
            settings.remember_directory(Path(path).parent)
            self.jobs.export_alignment(self.document, Path(path))

    def _exported(self, path: Path) -> None:
        self.statusBar().showMessage(Text.EXPORTED.format(name=Path(path).name), 5000)

    # -- status bar -------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self._summary_label = QLabel(self)
        self.statusBar().addWidget(self._summary_label)
        self._unit_label = QLabel(self)
        self._lonlat_label = QLabel(self)
        self._lonlat_label.setMinimumWidth(170)
        self._lonlat_label.setToolTip(Text.LONLAT_TIP)
        self._unit_label.setToolTip(Text.UNIT_TIP)
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
    def _resize_to_screen(self) -> None:
        screen = self.screen().availableGeometry()
        width, height = DEFAULT_SIZE
        self.resize(
            min(width, round(screen.width() * SCREEN_SHARE)),
            min(height, round(screen.height() * SCREEN_SHARE)),
        )

    def _restore_window(self) -> None:
        store = QSettings()
        geometry = store.value("mainWindow/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.value("mainWindow/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._guard.may_close():
            event.ignore()  # kept open; a chosen save closes the window when it is done
            return
        store = QSettings()
        store.setValue("mainWindow/geometry", self.saveGeometry())
        store.setValue("mainWindow/state", self.saveState())
        self.jobs.shutdown()
        self.table.set_source(None)
        if self.metrics is not None:
            self.metrics.disconnect()
        self.canvas.set_renderer(None)
        super().closeEvent(event)


def _plain(menu_text: str) -> str:
    """A menu text without its mnemonic and ellipsis, as a dialog title."""
    return menu_text.replace("&", "").removesuffix("…")
