"""What the Optimise dialog remembers between sessions (QSettings, ``optimise/…``).

Only choices that make sense for any project: mode, metrics (kept if the next project
has them), tolerance, the move cap, anchoring, seed and time limit. The number of
territories and the locks belong to one project and start afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QSettings, Qt

if TYPE_CHECKING:
    from terrmap.ui.optimise_form import OptimiseForm

PREFIX = "optimise/"
T = TypeVar("T", bool, int, float, str)


def remember_form(form: OptimiseForm) -> None:
    """Store ``form``'s lasting choices."""
    choices, store = form.choices(), QSettings()
    values = {
        "mode": form.mode,
        "metrics": list(choices.metrics),
        "tolerance": choices.tolerance_pct,
        "limitMoves": form.limit_moves.isChecked(),
        "maxMoved": form.max_moved.value(),
        "disruption": choices.disruption,
        "anchor": form.anchor.isChecked(),
        "seed": choices.seed,
        "timeLimit": choices.time_limit_s,
    }
    for key, value in values.items():
        store.setValue(PREFIX + key, value)


def restore_form(form: OptimiseForm) -> None:
    """Put the stored choices into ``form`` (its own defaults where none are stored)."""
    from terrmap.ui.optimise_form import MAX_METRICS

    store = QSettings()
    if stored(store, "mode", "rebalance") == "carve" or not form.has_territories:
        form.carve.setChecked(True)
    value = store.value(PREFIX + "metrics", ["accounts"])
    # QSettings gives a lone string for a one-item list.
    wanted = [value] if isinstance(value, str) else list(value or [])
    items = form.metric_items()
    known = [item.data(Qt.ItemDataRole.UserRole) for item in items]
    chosen = [m for m in wanted if m in known][:MAX_METRICS] or known[:1]
    for item, column in zip(items, known, strict=True):
        if column in chosen:
            item.setCheckState(Qt.CheckState.Checked)
    form.tolerance.setValue(stored(store, "tolerance", form.tolerance.value()))
    form.limit_moves.setChecked(stored(store, "limitMoves", form.limit_moves.isChecked()))
    form.max_moved.setValue(stored(store, "maxMoved", form.max_moved.value()))
    index = form.disruption.findData(stored(store, "disruption", "units"))
    form.disruption.setCurrentIndex(max(index, 0))
    form.anchor.setChecked(stored(store, "anchor", form.anchor.isChecked()))
    form.seed.setValue(stored(store, "seed", form.seed.value()))
    form.time_limit.setValue(stored(store, "timeLimit", form.time_limit.value()))


def stored(store: QSettings, key: str, default: T) -> T:
    """A remembered value of ``default``'s type; the default if missing or unreadable."""
    try:
        return type(default)(store.value(PREFIX + key, default, type=type(default)))
    except (TypeError, ValueError):
        return default
