"""Fill thousands of unit polygons into an image with a few numpy passes.

Qt fills a path in about 6–8 µs plus 2 µs of Python call overhead, so 33k ZIP polygons
cost 220–250 ms a frame whatever the zoom (measured here). This scanline fill instead
walks every ring edge once, vectorised: where an edge crosses a pixel row's centre it
adds the unit's colour (edges running down in screen space, i.e. the polygon's left
side under counter-clockwise orientation) or subtracts it (edges running up), and one
cumulative sum along the rows turns those steps into the fill. In a coverage each pixel
centre lies in at most one unit, so the running sum is exactly that unit's colour and 0
(transparent) outside every unit; uint32 wrap-around keeps the arithmetic exact.

The cost is one pass per crossing plus a handful of passes over the frame's pixels
(about 10 ms at 1600 × 1000 for the national counties and 20–25 ms for 33k ZIPs at full
extent, against 22–30 ms and 220–250 ms with Qt; see docs/DESIGN.md). Edges are
sampled at pixel centres, as Qt's aliased fill does, so neighbours meet without gaps;
there is no anti-aliasing, and the renderer draws outlines over unit edges that matter.
Where polygons overlap (not a clean coverage) the overlap shows a sum of colours; the
vector path used for print is exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from terrmap.render.coverage_edges import LevelEdges

HATCH_SPACING = 8  # px between hatch lines, as Qt's BDiagPattern


class ScanEdges:
    """A level's edges prepared for the fill: each shared edge once, top end first.

    Everything that does not depend on the view is computed here once per level: which
    end is on top, the slope, and the two units an edge separates. A shared edge adds
    one unit's colour and subtracts the other's in a single crossing, which halves the
    crossings against walking both rings.

    Parameters
    ----------
    edges
        The level's ring edges (counter-clockwise exteriors).
    """

    def __init__(self, edges: LevelEdges) -> None:
        neighbour = edges.neighbour
        once = (neighbour < 0) | (edges.unit < neighbour)
        x0, y0, x1, y1 = edges.x0[once], edges.y0[once], edges.x1[once], edges.y1[once]
        # Screen y grows downwards: the top end is the one with the larger world y.
        sloped = y0 != y1
        x0, y0, x1, y1 = x0[sloped], y0[sloped], x1[sloped], y1[sloped]
        first_on_top = y0 > y1
        self.x_top = np.where(first_on_top, x0, x1)
        self.y_top = np.where(first_on_top, y0, y1)
        self.y_bottom = np.where(first_on_top, y1, y0)
        self.slope = (np.where(first_on_top, x1, x0) - self.x_top) / (self.y_bottom - self.y_top)
        # Running down the screen along a counter-clockwise ring, the unit lies to the
        # right of the edge: the fill steps up by its colour there.
        self.down = first_on_top
        self.unit = edges.unit[once][sloped]
        self.other = neighbour[once][sloped]
        self._sort_by_unit()

    def __len__(self) -> int:
        return len(self.x_top)

    def near(self, visible: np.ndarray, unit_count: int) -> ScanEdges:
        """The edges touching a ``visible`` unit (all of them when most are visible)."""
        if len(visible) > unit_count // 3:
            return self
        shown = np.zeros(unit_count, dtype=bool)
        shown[visible] = True
        own = _ranges(self._unit_start, visible)
        # Edges whose far side is visible but whose own unit is not.
        far = self._by_other[_ranges(self._other_start, visible)]
        far = far[~shown[self.unit[far]]]
        return self._take(np.concatenate([own, far]))

    def _sort_by_unit(self) -> None:
        order = np.argsort(self.unit, kind="stable")
        for name in ("x_top", "y_top", "y_bottom", "slope", "down", "unit", "other"):
            setattr(self, name, getattr(self, name)[order])
        count = int(max(self.unit.max(initial=-1), self.other.max(initial=-1))) + 1
        self._unit_start = np.searchsorted(self.unit, np.arange(count + 1))
        self._by_other = np.argsort(self.other, kind="stable")
        self._other_start = np.searchsorted(self.other[self._by_other], np.arange(count + 1))

    def _take(self, index: np.ndarray) -> ScanEdges:
        part = ScanEdges.__new__(ScanEdges)
        for name in ("x_top", "y_top", "y_bottom", "slope", "down", "unit", "other"):
            setattr(part, name, getattr(self, name)[index])
        return part


def _ranges(start: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start[g], start[g + 1])`` over ``groups``."""
    groups = groups[groups < len(start) - 1]
    low, high = start[groups], start[groups + 1]
    counts = high - low
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts - low, counts)


class FillRaster:
    """Reusable scanline filler; keeps its pixel buffer between frames.

    The image returned by `render` shares that buffer: draw it before the next call.
    """

    def __init__(self) -> None:
        self._buffer = np.zeros(0, dtype=np.uint32)

    def render(
        self,
        edges: ScanEdges,
        colors: np.ndarray,
        transform: tuple[float, float, float, float],
        width: int,
        rows: tuple[int, int],
        hatch: tuple[int, int] | None = None,
    ) -> QImage:
        """Fill units into a ``width`` × (``rows[1] - rows[0]``) premultiplied ARGB image.

        Parameters
        ----------
        edges
            The level's edges.
        colors
            Premultiplied ARGB (uint32) per layer position; 0 leaves a unit out, and
            must be 0 for every unit outside the view (their edges are skipped).
        transform
            ``(sx, sy, dx, dy)`` from world to device pixels (``sy`` negative).
        width, rows
            Device columns ``0..width`` and the band of device rows ``[top, bottom)`` to
            fill; the image's first row is device row ``top``.
        hatch
            ``(fill, line)``: pixels of colour ``fill`` on a diagonal hatch line become
            ``line`` (unassigned units).
        """
        top, bottom = rows
        height = max(bottom - top, 0)
        stride = width + 1  # a spare column catches crossings right of the view
        buffer = self._frame_buffer(height * stride)
        buffer.fill(0)
        if height and len(edges):
            index, weight = _crossings(edges, colors, transform, width, top, height)
            np.add.at(buffer, index, weight)
            np.cumsum(buffer, out=buffer)
            if hatch is not None:
                self._hatch(buffer, hatch, width, top, height)
        return QImage(
            buffer.data, width, height, stride * 4, QImage.Format.Format_ARGB32_Premultiplied
        )

    def _frame_buffer(self, size: int) -> np.ndarray:
        # Reused: a fresh 6 MB array a frame costs page faults worth several ms here.
        if len(self._buffer) < size:
            self._buffer = np.zeros(size, dtype=np.uint32)
        return self._buffer[:size]

    def _hatch(
        self, buffer: np.ndarray, hatch: tuple[int, int], width: int, top: int, height: int
    ) -> None:
        fill, line = (np.uint32(v) for v in hatch)
        pixels = buffer.reshape(height, width + 1)
        # Pixel (row, column) is on a hatch line when row + column is a multiple of the
        # spacing: walk each of the spacing's row phases as one strided view.
        for phase in range(HATCH_SPACING):
            first_column = -(top + phase) % HATCH_SPACING
            on_line = pixels[phase::HATCH_SPACING, first_column::HATCH_SPACING]
            on_line[on_line == fill] = line


def _crossings(
    edges: ScanEdges,
    colors: np.ndarray,
    transform: tuple[float, float, float, float],
    width: int,
    top: int,
    height: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Buffer index and colour step of every crossing of an edge with a row centre."""
    sx, sy, dx, dy = transform
    dy -= top
    unit_color = colors[edges.unit]
    other = edges.other
    other_color = np.where(other >= 0, colors[np.maximum(other, 0)], np.uint32(0))
    # Edges between two units out of view (both colours 0) change nothing.
    wanted = (unit_color | other_color) != 0
    y_top = edges.y_top * sy + dy
    y_bottom = edges.y_bottom * sy + dy
    first_row = np.clip(np.ceil(y_top - 0.5), 0, height)
    rows = (np.clip(np.ceil(y_bottom - 0.5), 0, height) - first_row).astype(np.intp)
    keep = np.flatnonzero(wanted & (rows > 0))
    rows, first_row, y_top = rows[keep], first_row[keep], y_top[keep]
    slope = edges.slope[keep] * (sx / sy)  # device x per device row
    x_first = edges.x_top[keep] * sx + dx + (first_row + 0.5 - y_top) * slope
    step_color = unit_color[keep] - other_color[keep]
    weight = np.where(edges.down[keep], step_color, np.uint32(0) - step_color)
    # One entry per (edge, row) crossing; float32 is exact enough within a frame and
    # halves the memory traffic of these, the largest arrays.
    total = int(rows.sum())
    step = np.arange(total, dtype=np.intp)
    step -= np.repeat(np.cumsum(rows) - rows, rows)
    x = np.repeat(x_first.astype(np.float32), rows)
    x += step.astype(np.float32) * np.repeat(slope.astype(np.float32), rows)
    column = np.clip(np.ceil(x - np.float32(0.5)), 0, width).astype(np.intp)
    stride = width + 1
    index = np.repeat(first_row.astype(np.intp) * stride, rows)
    index += step * stride
    index += column
    return index, np.repeat(weight, rows)
