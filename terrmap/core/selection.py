"""What the user has selected on the map: units or accounts, as layer positions.

A selection is view state, not part of the saved document, but it is plain data with
psygnal events so that the map, the panels and the status bar follow it without Qt.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from psygnal import Signal

Kind = Literal["units", "accounts"]
Mode = Literal["replace", "add", "toggle", "remove"]
KINDS: tuple[Kind, ...] = ("units", "accounts")


class Selection:
    """Selected unit or account positions (never both: selecting one kind clears the other).

    Parameters
    ----------
    n_units, n_accounts
        Sizes of the project's layers; positions outside them are rejected.
    """

    changed = Signal()  # the selected kind or positions changed

    def __init__(self, n_units: int, n_accounts: int) -> None:
        self._sizes = {"units": n_units, "accounts": n_accounts}
        self._kind: Kind = "units"
        self._positions = np.empty(0, dtype=np.intp)

    @property
    def kind(self) -> Kind:
        """``"units"`` or ``"accounts"``: what the positions refer to."""
        return self._kind

    @property
    def positions(self) -> np.ndarray:
        """Sorted unique layer positions of the selected items (read-only)."""
        view = self._positions.view()
        view.flags.writeable = False
        return view

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, position: int) -> bool:
        index = np.searchsorted(self._positions, position)
        return bool(index < len(self._positions) and self._positions[index] == position)

    def select(self, kind: Kind, positions: np.ndarray, mode: Mode = "replace") -> None:
        """Combine ``positions`` of ``kind`` with the selection by ``mode``.

        ``replace`` selects exactly them; ``add`` adds; ``toggle`` flips each; ``remove``
        deselects them. Changing kind starts from an empty selection.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown selection kind {kind!r}")
        new = np.unique(np.asarray(positions, dtype=np.intp).reshape(-1))
        if len(new) and (new[0] < 0 or new[-1] >= self._sizes[kind]):
            raise IndexError(f"{kind} position out of range")
        current = self._positions if kind == self._kind else np.empty(0, dtype=np.intp)
        if mode == "replace":
            result = new
        elif mode == "add":
            result = np.union1d(current, new)
        elif mode == "toggle":
            result = np.setxor1d(current, new)
        elif mode == "remove":
            result = np.setdiff1d(current, new)
        else:
            raise ValueError(f"unknown selection mode {mode!r}")
        self._set(kind, result.astype(np.intp))

    def clear(self) -> None:
        """Select nothing."""
        self._set(self._kind, np.empty(0, dtype=np.intp))

    def _set(self, kind: Kind, positions: np.ndarray) -> None:
        if kind == self._kind and np.array_equal(positions, self._positions):
            return
        self._kind, self._positions = kind, positions
        self.changed.emit()


def mode_for(shift: bool, ctrl: bool) -> Mode:
    """The selection mode of a click or drag with these modifiers held.

    Shift adds, Ctrl (Cmd on macOS) toggles, neither replaces.
    """
    if ctrl:
        return "toggle"
    if shift:
        return "add"
    return "replace"
