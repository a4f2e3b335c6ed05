"""What a drag of the map selection carries between the canvas and drop targets.

The payload only says what is being dragged (units or accounts) and how many: the
selection itself stays in the window, which applies the drop as one undoable edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QMimeData

SELECTION_MIME = "application/x-terrmap-selection"


@dataclass(frozen=True)
class DraggedSelection:
    """A dragged selection: ``kind`` is ``"units"`` or ``"accounts"``."""

    kind: str
    count: int

    def to_mime(self) -> QMimeData:
        """Mime data for a ``QDrag``."""
        data = QMimeData()
        payload = json.dumps({"kind": self.kind, "count": self.count})
        data.setData(SELECTION_MIME, payload.encode("utf-8"))
        data.setText(f"{self.count} {self.kind}")
        return data

    @classmethod
    def from_mime(cls, data: QMimeData) -> DraggedSelection | None:
        """The selection a drag carries, or None when it carries something else."""
        if not data.hasFormat(SELECTION_MIME):
            return None
        try:
            payload = json.loads(bytes(data.data(SELECTION_MIME).data()).decode("utf-8"))
            return cls(str(payload["kind"]), int(payload["count"]))
        except (ValueError, KeyError, TypeError):
            return None
