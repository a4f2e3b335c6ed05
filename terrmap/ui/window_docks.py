"""The main window's docks: Territories, Balance, Layers, Edit History and Routes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QUndoView, QWidget

from terrmap.ui.balance_panel import BalancePanel
from terrmap.ui.icons import icon
from terrmap.ui.layers_panel import LayersPanel
from terrmap.ui.route_panel import RoutePanel
from terrmap.ui.route_text import Text as RouteText
from terrmap.ui.territory_panel import TerritoryPanel

# The right-hand docks take what the territory table needs, within a share of the window.
DOCK_MAX_SHARE = 0.45
DOCK_MIN_WIDTH = 380
LEFT_DOCK_WIDTH = 260
# The territory table takes the rows it has, within a share of the dock column; the
# balance gauges get the rest.
TABLE_MAX_SHARE = 0.55
TABLE_MIN_HEIGHT = 160


class Text:
    """User-visible strings of the docks."""

    TERRITORIES = "Territories"
    BALANCE = "Balance"
    LAYERS = "Layers"
    HISTORY = "Edit History"
    EMPTY_HISTORY = "<project opened>"
    TIPS = {  # noqa: RUF012 - read-only table
        "territories": "Show or hide the territory table",
        "balance": "Show or hide the balance gauges",
        "layers": "Show or hide the layer list",
        "history": "Show or hide the list of edits (click one to go back to it)",
        "routes": RouteText.DOCK_TIP,
    }


class WindowDocks:
    """Builds the docks of ``window`` and keeps their panels.

    Parameters
    ----------
    window
        The main window; needs ``undo_stack``.
    """

    def __init__(self, window: QMainWindow) -> None:
        self.territories = TerritoryPanel(window)
        self.balance = BalancePanel(window)
        self.layers = LayersPanel(window)
        self.history = QUndoView(window.undo_stack, window)
        self.history.setEmptyLabel(Text.EMPTY_HISTORY)
        self.routes = RoutePanel(window)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.docks = {
            "territories": self._dock(
                window, "territories", Text.TERRITORIES, self.territories, right
            ),
            "balance": self._dock(window, "balance", Text.BALANCE, self.balance, right),
            "layers": self._dock(window, "layers", Text.LAYERS, self.layers, left),
            "history": self._dock(window, "history", Text.HISTORY, self.history, left),
            "routes": self._dock(window, "routes", RouteText.DOCK, self.routes, right),
        }
        window.splitDockWidget(
            self.docks["territories"], self.docks["balance"], Qt.Orientation.Vertical
        )
        window.splitDockWidget(self.docks["layers"], self.docks["history"], Qt.Orientation.Vertical)
        # A tab beside the territory table, hidden until asked for (Tools ▸ Plan Route…).
        window.tabifyDockWidget(self.docks["territories"], self.docks["routes"])
        self.docks["routes"].hide()
        window.resizeDocks(
            [self.docks["territories"], self.docks["layers"]],
            [DOCK_MIN_WIDTH, LEFT_DOCK_WIDTH],
            Qt.Orientation.Horizontal,
        )
        window.resizeDocks(
            [self.docks["layers"], self.docks["history"]], [65, 35], Qt.Orientation.Vertical
        )

    @staticmethod
    def _dock(
        window: QMainWindow, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, window)
        dock.setObjectName(f"{key}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        window.addDockWidget(area, dock)
        return dock

    def toggle_actions(self) -> list[QAction]:
        """View-menu actions that show or hide each dock."""
        icons = {
            "territories": "add-territory",
            "balance": "balance",
            "layers": "layers",
            "history": "history",
        }
        actions = []
        for key, dock in self.docks.items():
            action = dock.toggleViewAction()
            if key == "routes":
                from terrmap.ui.route_action import route_icon

                action.setIcon(route_icon())
            else:
                action.setIcon(icon(icons[key]))
            action.setStatusTip(Text.TIPS[key])
            action.setToolTip(Text.TIPS[key])
            actions.append(action)
        return actions

    def fit(self, window: QMainWindow) -> None:
        """Size the territory dock to its table (columns, then rows) within a share of the
        window; the balance dock below it takes the remaining height."""
        dock, balance = self.docks["territories"], self.docks["balance"]
        if dock.isFloating() or dock.isHidden():
            return  # the user placed or closed it; resizeDocks applies to docked panels only
        needed = max(DOCK_MIN_WIDTH, self.territories.ideal_width())
        width = min(needed, round(window.width() * DOCK_MAX_SHARE))
        if dock.width() < width:
            window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        if balance.isFloating() or balance.isHidden():
            return
        column = dock.height() + balance.height()
        height = min(max(self._table_height(), TABLE_MIN_HEIGHT), round(column * TABLE_MAX_SHARE))
        window.resizeDocks([dock, balance], [height, column - height], Qt.Orientation.Vertical)

    def _table_height(self) -> int:
        """Height that shows the toolbar, the header and every row of the territory table."""
        panel, table = self.territories, self.territories.table
        rows = table.model().rowCount() if table.model() is not None else 0
        body = rows * table.verticalHeader().defaultSectionSize()
        header = table.horizontalHeader().sizeHint().height()
        toolbar = panel.toolbar.sizeHint().height()
        margins = panel.layout().contentsMargins()
        spacing = panel.layout().spacing()
        frames = 2 * table.frameWidth() + margins.top() + margins.bottom() + spacing
        title = 24  # the dock's own title bar
        return toolbar + header + body + frames + title
