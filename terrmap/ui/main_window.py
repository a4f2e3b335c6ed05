"""The main window: the map in the middle; territories, balance, layers and edit history
in docks around it; File/Edit/Tools/View/Help menus and a map toolbar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from terrmap.ui import settings
from terrmap.ui.about import show_about
from terrmap.ui.document_jobs import DocumentJobs
from terrmap.ui.edit_actions import EditActions
from terrmap.ui.edit_actions import Text as EditText
from terrmap.ui.icons import icon
from terrmap.ui.loading import LoadedDocument
from terrmap.ui.main_window_text import Text
from terrmap.ui.map_canvas import MapCanvas
from terrmap.ui.optimise_action import OptimiseController
from terrmap.ui.print_action import PrintController
from terrmap.ui.route_action import RouteController
from terrmap.ui.share_action import ShareController
from terrmap.ui.unsaved import UnsavedChangesGuard
from terrmap.ui.window_docks import WindowDocks
from terrmap.ui.window_status import WindowStatus

if TYPE_CHECKING:
    from terrmap.core.metrics import TerritoryMetrics
    from terrmap.core.selection import Selection
    from terrmap.ui.map_editing import TerritoryEditing
    from terrmap.ui.query_dialog import QueryDialog


# First-run window size: room for the map and every table column, within the screen.
DEFAULT_SIZE = (1600, 1000)
SCREEN_SHARE = 0.92

# Menu actions with an icon: key → icon name (terrmap.ui.icons).
_ICONS = {
    "new": "new",
    "open": "open",
    "sample": "sample",
    "save": "save",
    "import_accounts": "import",
    "export_alignment": "export",
}
# File actions that make sense only with a document open.
_NEED_DOCUMENT = ("save", "save_as", "import_accounts", "export_alignment")
# Actions that start a job; locked while one runs, so nothing changes a document being
# saved and no job cancels a save (see saving.py).
_STARTS_JOB = ("new", "open", "sample", *_NEED_DOCUMENT)


class MainWindow(QMainWindow):
    """The application window.

    Parameters
    ----------
    restore_layout
        Put size, docks and toolbars back as the user left them (QSettings); screenshots
        pass False to get the default layout.

    Signals
    -------
    document_installed()
        A project was opened, built or replaced and is now shown.
    """

    document_installed = Signal()

    def __init__(self, parent: QWidget | None = None, *, restore_layout: bool = True) -> None:
        super().__init__(parent)
        self.document: LoadedDocument | None = None
        self.metrics: TerritoryMetrics | None = None  # set with a document
        self.selection: Selection | None = None
        self.editing: TerritoryEditing | None = None
        self._query: QueryDialog | None = None
        self._base_modified = False  # unsaved work that is not on the undo stack (a build)
        self.undo_stack = QUndoStack(self)
        # A bound method, not a lambda: Qt drops the connection when the window goes.
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.canvas = MapCanvas(self)
        self.setCentralWidget(self.canvas)
        self.docks = WindowDocks(self)
        self.panel = self.docks.territories
        self.table = self.panel.table
        self.balance = self.docks.balance
        self.layers = self.docks.layers
        self._connect_editing()
        self.jobs = DocumentJobs(self)
        self.jobs.loaded.connect(self.install_document)
        self.jobs.saved.connect(self._saved)
        self._guard = UnsavedChangesGuard(self)
        self.jobs.exported.connect(self._exported)
        self.jobs.busy_changed.connect(lambda _busy: self._enable_actions())
        self.edit_actions = EditActions(self)
        self.optimiser = OptimiseController(self)
        self.routes = RouteController(self)
        self.printing = PrintController(self)
        self.sharing = ShareController(self)
        self.status = WindowStatus(self)
        self._build_menus()
        self._build_toolbar()
        self._update_title()
        self._resize_to_screen()
        if restore_layout:
            self._restore_window()

    # -- document ---------------------------------------------------------------
    @property
    def project(self):  # -> Project | None
        """The project shown, if any."""
        return None if self.document is None else self.document.project

    def install_document(self, document: LoadedDocument) -> None:
        """Show ``document``, replacing the current one (called on the GUI thread)."""
        self._release_document()
        self.document = document
        self._base_modified = document.modified
        # Imported here, not at the top: the window shows before geopandas has loaded.
        from terrmap.core.metrics import TerritoryMetrics
        from terrmap.core.selection import Selection
        from terrmap.render import MapRenderer
        from terrmap.ui.map_editing import TerritoryEditing

        project = document.project
        self.metrics = TerritoryMetrics(project)
        self.selection = Selection(len(project.units), len(project.accounts))
        self.selection.changed.connect(self.status.show_selection)
        self.editing = TerritoryEditing(
            project, self.metrics, self.selection, self.undo_stack, self
        )
        self.editing.preview_changed.connect(self.balance.set_preview)
        self.editing.failed.connect(self._edit_failed)
        self.canvas.set_renderer(MapRenderer(project, document.scene), self.selection)
        self.panel.set_source(project, self.metrics)
        self.balance.set_source(project, self.metrics)
        self.layers.set_source(project, self.metrics, self.canvas.style_options)
        self.canvas.brush_territory = self.panel.active_territory_id()
        self.docks.fit(self)
        self.status.show_document()
        self._update_title()
        self._enable_actions()
        if document.path is not None:
            settings.remember_project(document.path)
        self._rebuild_recent_menu()
        self.document_installed.emit()

    def _release_document(self) -> None:
        """Disconnect every view from the current document before another replaces it."""
        self.optimiser.close()  # a preview of the old document must not apply to the new
        self.undo_stack.clear()
        self.panel.set_source(None, None)
        self.balance.set_source(None, None)
        if self.selection is not None:
            self.selection.changed.disconnect(self.status.show_selection)
        if self.editing is not None:
            self.editing.deleteLater()
        self.editing = self.selection = None
        if self.metrics is not None:
            self.metrics.disconnect()
        if self._query is not None:
            self._query.close()
            self._query = None

    @property
    def modified(self) -> bool:
        """Whether the document holds work that is in no file yet."""
        return self._base_modified or not self.undo_stack.isClean()

    # -- editing ------------------------------------------------------------------
    def _connect_editing(self) -> None:
        canvas, panel = self.canvas, self.panel
        canvas.selection_dropped.connect(self.assign_selection)
        canvas.drag_hovered.connect(self._preview)
        canvas.drag_left.connect(self._clear_preview)
        canvas.units_painted.connect(self._paint_units)
        canvas.context_menu_requested.connect(self._show_map_menu)
        panel.selection_dropped.connect(self.assign_selection)
        panel.drag_hovered.connect(self._preview)
        panel.drag_left.connect(self._clear_preview)
        panel.edit_requested.connect(lambda edit: self.editing and self.editing.push(edit))
        panel.active_territory_changed.connect(self._brush_territory_changed)
        panel.zoom_requested.connect(self.zoom_to_territory)
        self.layers.style_changed.connect(canvas.set_style)

    def assign_selection(self, territory_id: str | None) -> None:
        """Give the selected units or accounts to a territory (None: unassign) as one step."""
        if self.editing is not None:
            self.editing.assign_selection(territory_id)

    def zoom_to_territory(self, territory_id: str) -> None:
        """Show one territory's units whole."""
        project = self.project
        if project is not None and project.has_territory(territory_id):
            code = project.territory_index(territory_id)
            self.canvas.zoom_to_units(np.flatnonzero(project.plan.codes == code))

    def show_query(self) -> None:
        """Open the Select by Attribute dialog (modeless)."""
        if self.project is None:
            return
        if self._query is None:
            from terrmap.core.attributes import attribute_table
            from terrmap.ui.query_dialog import QueryDialog, apply_query_result

            self._query = QueryDialog(
                lambda kind: attribute_table(self.project, self.metrics, kind), self
            )
            self._query.selected.connect(
                lambda kind, pos, mode: apply_query_result(self.selection, kind, pos, mode)
            )
        self._query.show()
        self._query.raise_()

    def _preview(self, territory_id: str | None) -> None:
        if self.editing is not None:
            self.editing.preview(territory_id)

    def _clear_preview(self) -> None:
        if self.editing is not None:
            self.editing.clear_preview()

    def _paint_units(self, positions, stroke: int) -> None:
        if self.editing is not None:
            self.editing.paint_units(positions, stroke, self.canvas.brush_territory)

    def _brush_territory_changed(self, territory_id: str | None) -> None:
        self.canvas.brush_territory = territory_id
        self.canvas.update()

    def _show_map_menu(self, at: QPoint) -> None:
        if self.project is None:
            return
        menu = QMenu(self)
        menu.addMenu(self.edit_actions.assign_menu())
        menu.addSeparator()
        for key in ("zoom_selection", "clear_selection", "query"):
            menu.addAction(self.edit_actions.actions[key])
        menu.exec(at)

    def _edit_failed(self, message: str) -> None:
        QMessageBox.warning(self, Text.EDIT_FAILED, message)

    def open_sample(self) -> None:
        """Load the bundled sample in the background (after asking about unsaved work)."""
        self._guard.proceed(Text.REPLACING, self.jobs.open_sample)

    def open_project_file(self, path: str) -> None:
        """Open a project file in the background (after asking about unsaved work)."""
        self._guard.proceed(Text.REPLACING, lambda: self.jobs.open_project(path))

    def _ask_new_project(self) -> None:
        self._guard.proceed(Text.REPLACING, self.jobs.ask_new_project)

    def _update_title(self, *_clean: bool) -> None:
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
        # The unsaved-work guard reads the document's flag; the undo stack drives it.
        self.document.modified = self.modified
        self.setWindowModified(self.modified)

    def _enable_actions(self) -> None:
        """Lock job-starting actions while a job runs; document actions need a document."""
        idle = not self.jobs.busy
        for key in _STARTS_JOB:
            possible = self.document is not None or key not in _NEED_DOCUMENT
            self.file_actions[key].setEnabled(idle and possible)
        self._recent_menu.setEnabled(idle)
        self.edit_actions.set_enabled(self.document is not None)
        self.optimiser.action.setEnabled(idle and self.document is not None)

    # -- menus ------------------------------------------------------------------
    def _action(self, key: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:
        text, tip = Text.ACTIONS[key]
        action = QAction(text, self)
        if key in _ICONS:
            action.setIcon(icon(_ICONS[key]))
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
        for group in (("save", "save_as"), ("import_accounts", "export_alignment")):
            file_menu.addSeparator()
            file_menu.addActions([actions[key] for key in group])
        file_menu.addSeparator()
        file_menu.addActions(list(self.printing.actions.values()))
        file_menu.addActions(list(self.sharing.actions.values()))
        file_menu.addSeparator()
        file_menu.addAction(actions["quit"])
        self._enable_actions()
        edit_menu = self.menuBar().addMenu(EditText.EDIT)
        self.edit_actions.fill_edit_menu(edit_menu)
        self._build_view_menu()
        tools_menu = self.menuBar().addMenu(EditText.TOOLS)
        self.edit_actions.fill_tools_menu(tools_menu)
        tools_menu.addSeparator()
        tools_menu.addAction(self.optimiser.action)
        tools_menu.addAction(self.routes.action)
        help_menu = self.menuBar().addMenu(Text.HELP)
        help_menu.addAction(self._action("about", lambda: show_about(self)))

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu(Text.VIEW)
        self._full_extent = self._action("full_extent", self.canvas.zoom_to_full_extent, "Ctrl+0")
        self._full_extent.setIcon(icon("zoom-extent"))
        view_menu.addAction(self._full_extent)
        zoom_in = self._action("zoom_in", self.canvas.zoom_in)
        zoom_in.setShortcuts(
            [QKeySequence("+"), QKeySequence("="), QKeySequence.StandardKey.ZoomIn]
        )
        zoom_out = self._action("zoom_out", self.canvas.zoom_out)
        zoom_out.setShortcuts([QKeySequence("-"), QKeySequence.StandardKey.ZoomOut])
        zoom_in.setIcon(icon("zoom-in"))
        zoom_out.setIcon(icon("zoom-out"))
        self._zoom_actions = (zoom_in, zoom_out)
        view_menu.addActions([zoom_in, zoom_out])
        view_menu.addSeparator()
        view_menu.addActions(self.docks.toggle_actions())

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(EditText.TOOLBAR, self)
        toolbar.setObjectName("mapToolbar")
        toolbar.setMovable(False)
        toolbar.addActions([self.file_actions["open"], self.file_actions["save"]])
        toolbar.addSeparator()
        self.edit_actions.fill_toolbar(toolbar)
        toolbar.addSeparator()
        toolbar.addAction(self.optimiser.action)
        toolbar.addSeparator()
        toolbar.addActions([*self._zoom_actions, self._full_extent])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

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
        self._base_modified = False
        self.undo_stack.setClean()
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
        self.optimiser.shutdown()
        self.routes.shutdown()
        self.printing.shutdown()
        self.sharing.shutdown()
        self._release_document()
        self.canvas.set_renderer(None)
        super().closeEvent(event)


def _plain(menu_text: str) -> str:
    """A menu text without its mnemonic and ellipsis, as a dialog title."""
    return menu_text.replace("&", "").removesuffix("…")
