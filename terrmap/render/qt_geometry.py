"""Turn shapely geometry into Qt drawing primitives through numpy memory.

Filling a ``QPolygonF`` through its buffer is 7–27× faster than building it from a list
of ``QPointF`` (measured, see DESIGN.md), so every ring is copied in one ``memcpy``.
Units are wrapped in a ``QPainterPath`` because PySide's ``drawPath`` dispatches in
about 2 µs against 5 µs for ``drawPolygon`` (measured here), and a path holds holes and
islands natively.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
import shiboken6
from PySide6.QtGui import QPainterPath, QPolygonF

_POINT_BYTES = 16  # QPointF is two doubles


def polygon_from_xy(xy: np.ndarray) -> QPolygonF:
    """A ``QPolygonF`` holding the ``(n, 2)`` coordinates ``xy``."""
    polygon = QPolygonF()
    polygon.resize(len(xy))
    if len(xy):
        xy_view(polygon)[:] = xy
    return polygon


def xy_view(polygon: QPolygonF) -> np.ndarray:
    """A writable ``(n, 2)`` float64 view of a ``QPolygonF``'s memory.

    The view is only valid while ``polygon`` lives and is not resized.
    """
    buffer = shiboken6.VoidPtr(polygon.data(), len(polygon) * _POINT_BYTES, True)
    return np.frombuffer(buffer, dtype=np.float64).reshape(-1, 2)


def ring_coordinates(geometries: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Every ring of polygonal ``geometries`` as coordinates, with its geometry index.

    Works for Polygon and MultiPolygon alike (``shapely.get_rings`` alone skips
    multi-part geometries).
    """
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(coord_ring, np.arange(len(rings) + 1))
    pieces = [coords[starts[i] : starts[i + 1]] for i in range(len(rings))]
    return pieces, part_owner[ring_part]


def unit_paths(geometries: np.ndarray) -> list[QPainterPath]:
    """One closed ``QPainterPath`` per geometry (odd-even fill, so holes stay holes)."""
    paths = [QPainterPath() for _ in range(len(geometries))]
    pieces, owner = ring_coordinates(geometries)
    for xy, index in zip(pieces, owner, strict=True):
        paths[index].addPolygon(polygon_from_xy(xy))
        paths[index].closeSubpath()
    return paths


def polylines_path(polylines: Iterable[np.ndarray]) -> QPainterPath:
    """One open ``QPainterPath`` holding each ``(k, 2)`` polyline as a subpath."""
    path = QPainterPath()
    for xy in polylines:
        path.addPolygon(polygon_from_xy(xy))
    return path


def line_paths(geometries: np.ndarray) -> list[QPainterPath]:
    """One open ``QPainterPath`` per (multi)line or polygon outline geometry."""
    lines = shapely.boundary(geometries)
    lines = np.where(shapely.is_empty(lines) | shapely.is_missing(lines), geometries, lines)
    parts, owner = shapely.get_parts(lines, return_index=True)
    paths = [QPainterPath() for _ in range(len(geometries))]
    for part, index in zip(parts, owner, strict=True):
        xy = shapely.get_coordinates(part)
        if len(xy) > 1:
            paths[index].addPolygon(polygon_from_xy(xy))
    return paths
