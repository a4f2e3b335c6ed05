"""Territory outlines dissolved from units, rebuilt only where units changed.

Each frame hands in the plan's current codes; comparing them with the codes of the last
build tells which territories gained or lost units, so a move of ten units rebuilds two
outlines, not all. The comparison also covers plan switches and inserted or removed
territories (which shift codes) without listening to any signal.

Fills stay one path per unit: a merged path per territory was tried and made the
national-county frame 1.7× (plain) to 2× (antialiased) slower, as Qt's rasterisers
handle one path with thousands of sub-paths worse than thousands of small paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from PySide6.QtGui import QPainterPath
from shapely.errors import GEOSException

from terrmap.core.plan import UNASSIGNED
from terrmap.render.geometry_cache import GeometryCache
from terrmap.render.qt_geometry import line_paths


@dataclass
class _LevelPaths:
    codes: np.ndarray | None = None
    outlines: dict[int, QPainterPath] = field(default_factory=dict)


class TerritoryPaths:
    """The outline path of every territory at each level of detail.

    Parameters
    ----------
    units
        The unit layer's display geometry.
    """

    def __init__(self, units: GeometryCache) -> None:
        self._units = units
        self._levels: dict[int, _LevelPaths] = {}

    def update(self, level: int, codes: np.ndarray) -> None:
        """Bring the paths of ``level`` up to date with the plan ``codes``."""
        state = self._levels.setdefault(level, _LevelPaths())
        if state.codes is None or len(state.codes) != len(codes):
            dirty = np.unique(codes)
        else:
            changed = state.codes != codes
            if not changed.any():
                return
            dirty = np.union1d(state.codes[changed], codes[changed])
        for code in dirty[dirty != UNASSIGNED].tolist():
            self._rebuild(state, level, code, np.flatnonzero(codes == code))
        state.codes = codes.copy()

    def outlines(self, level: int) -> dict[int, QPainterPath]:
        """Territory code → dissolved outline (unassigned units have none)."""
        return self._levels[level].outlines

    def _rebuild(self, state: _LevelPaths, level: int, code: int, members: np.ndarray) -> None:
        if not len(members):
            state.outlines.pop(code, None)
            return
        geometry = self._units.levels[level].geometry[members]
        state.outlines[code] = line_paths(np.array([_dissolve(geometry)], dtype=object))[0]


def _dissolve(members: np.ndarray) -> shapely.Geometry:
    try:
        # Units of a coverage share edges exactly, so the fast coverage union applies.
        merged = shapely.coverage_union_all(members)
        if shapely.is_valid(merged):
            return merged
    except GEOSException:
        pass
    return shapely.union_all(shapely.make_valid(members))
