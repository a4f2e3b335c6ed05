"""Dragging the map selection onto a territory: on the map itself, or off it onto the
territory panel (through a Qt drag that the panel accepts).

While the pointer is over a unit, the canvas announces its territory (the window shows
would-be totals in the gauges) and a label next to the pointer names the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QDrag, QFont, QPainter, QPen

from terrmap.ui.drag import DraggedSelection

if TYPE_CHECKING:
    from terrmap.ui.map_canvas import MapCanvas


class Text:
    """User-visible strings of a selection drag."""

    DROP_ON = "{count:,} {kind} → {target}"
    UNASSIGNED = "Unassigned"


class SelectionDrag:
    """The state of one canvas's selection drag."""

    def __init__(self, canvas: MapCanvas) -> None:
        self.canvas = canvas
        self.over_unit = False  # the pointer is over a unit (a possible target)
        self.target: str | None = None  # that unit's territory (None: unassigned)
        self.pointer: QPointF | None = None

    def move_to(self, position: QPointF) -> None:
        """The selection is being dragged over a widget position."""
        canvas = self.canvas
        if not canvas.rect().contains(position.toPoint()):
            self._hand_to_qt()
            return
        self.pointer = position
        unit = canvas.picking.unit_at(position)
        target = (False, None) if unit is None else (True, self._owner_of(unit))
        if target != (self.over_unit, self.target):
            self.over_unit, self.target = target
            if self.over_unit:
                canvas.drag_hovered.emit(self.target)
            else:
                canvas.drag_left.emit()
        canvas.update()

    def drop_at(self, position: QPointF) -> None:
        """The dragged selection was released over a widget position."""
        unit = self.canvas.picking.unit_at(position)
        self.end()
        if unit is not None:
            self.canvas.selection_dropped.emit(self._owner_of(unit))

    def end(self) -> None:
        """Forget the target (drop done or drag abandoned)."""
        if self.over_unit:
            self.canvas.drag_left.emit()
        self.over_unit, self.target, self.pointer = False, None, None
        self.canvas.update()

    def paint_label(self, painter: QPainter) -> None:
        """Name the target next to the pointer: "12 units → Boston"."""
        canvas, selection = self.canvas, self.canvas.selection
        if self.pointer is None or not self.over_unit or not selection:
            return
        project = canvas.renderer.project
        name = Text.UNASSIGNED if self.target is None else project.territory(self.target).name
        text = Text.DROP_ON.format(count=len(selection), kind=selection.kind, target=name)
        font = QFont(canvas.font())
        font.setBold(True)
        painter.setFont(font)
        box = painter.fontMetrics().boundingRect(text).adjusted(-8, -5, 8, 5)
        box.moveTopLeft(QPoint(round(self.pointer.x()) + 16, round(self.pointer.y()) + 12))
        painter.setPen(QPen(QColor("#1F2933"), 1))
        painter.setBrush(QColor("#F2FFFFFF"))
        painter.drawRoundedRect(QRectF(box), 4, 4)
        painter.drawText(QRectF(box), Qt.AlignmentFlag.AlignCenter, text)

    def _owner_of(self, unit: int) -> str | None:
        project = self.canvas.renderer.project
        code = int(project.plan.codes[unit])
        return None if code < 0 else project.territories[code].id

    def _hand_to_qt(self) -> None:
        """Continue as a Qt drag, which can leave the map (e.g. onto the territory panel)."""
        canvas, selection = self.canvas, self.canvas.selection
        canvas.cancel_gesture()
        self.end()
        if selection is None or not len(selection):
            return
        drag = QDrag(canvas)
        drag.setMimeData(DraggedSelection(selection.kind, len(selection)).to_mime())
        drag.exec(Qt.DropAction.MoveAction)
