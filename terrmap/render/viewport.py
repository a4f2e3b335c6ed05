"""Which part of the map plane a screen (or page) shows: a pure-Python view transform.

World coordinates are display-plane metres with y pointing north; screen coordinates
are pixels with y pointing down. A viewport is an immutable value, so a canvas can tell
whether its cached frame is still right with ``==``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

Bounds = tuple[float, float, float, float]  # minx, miny, maxx, maxy

MIN_SCALE = 1e-7  # px per metre: the whole Earth fits a few pixels
MAX_SCALE = 10.0  # px per metre: 10 cm a pixel is closer than any boundary file needs


@dataclass(frozen=True)
class MapViewport:
    """A view of the map plane.

    Parameters
    ----------
    center_x, center_y
        World point at the centre of the view.
    scale
        Pixels per world unit (metre).
    width, height
        Size of the view in pixels.
    """

    center_x: float
    center_y: float
    scale: float
    width: int
    height: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"viewport scale must be positive, got {self.scale}")

    # -- mapping -------------------------------------------------------------
    def world_to_screen(self, x: float, y: float) -> tuple[float, float]:
        """Screen pixel of the world point ``(x, y)``."""
        return (
            self.width / 2 + (x - self.center_x) * self.scale,
            self.height / 2 - (y - self.center_y) * self.scale,
        )

    def screen_to_world(self, sx: float, sy: float) -> tuple[float, float]:
        """World point under the screen pixel ``(sx, sy)``."""
        return (
            self.center_x + (sx - self.width / 2) / self.scale,
            self.center_y - (sy - self.height / 2) / self.scale,
        )

    def transform(self) -> tuple[float, float, float, float]:
        """``(sx, sy, dx, dy)`` with screen = (x·sx + dx, y·sy + dy); sy is negative."""
        return (
            self.scale,
            -self.scale,
            self.width / 2 - self.center_x * self.scale,
            self.height / 2 + self.center_y * self.scale,
        )

    @property
    def world_bounds(self) -> Bounds:
        """The world rectangle the view shows."""
        half_w, half_h = self.width / 2 / self.scale, self.height / 2 / self.scale
        return (
            self.center_x - half_w,
            self.center_y - half_h,
            self.center_x + half_w,
            self.center_y + half_h,
        )

    @property
    def pixel_size(self) -> float:
        """World units per pixel."""
        return 1.0 / self.scale

    # -- new views -------------------------------------------------------------
    def zoomed_at(self, sx: float, sy: float, factor: float) -> MapViewport:
        """Zoom by ``factor`` keeping the world point under pixel ``(sx, sy)`` in place."""
        scale = min(max(self.scale * factor, MIN_SCALE), MAX_SCALE)
        wx, wy = self.screen_to_world(sx, sy)
        return replace(
            self,
            scale=scale,
            center_x=wx - (sx - self.width / 2) / scale,
            center_y=wy + (sy - self.height / 2) / scale,
        )

    def panned(self, dx_pixels: float, dy_pixels: float) -> MapViewport:
        """Move the map content by a screen offset (drag right → content moves right)."""
        return replace(
            self,
            center_x=self.center_x - dx_pixels / self.scale,
            center_y=self.center_y + dy_pixels / self.scale,
        )

    def resized(self, width: int, height: int) -> MapViewport:
        """The same centre and scale on a view of another size."""
        return replace(self, width=max(1, width), height=max(1, height))

    @classmethod
    def fit(cls, bounds: Bounds, width: int, height: int, margin: float = 0.04) -> MapViewport:
        """A view of ``width`` × ``height`` pixels showing ``bounds`` whole, with a margin."""
        minx, miny, maxx, maxy = bounds
        width, height = max(1, width), max(1, height)
        span_x = max(maxx - minx, 1e-9)
        span_y = max(maxy - miny, 1e-9)
        usable = 1.0 - 2 * margin
        scale = min(width * usable / span_x, height * usable / span_y)
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        return cls((minx + maxx) / 2, (miny + maxy) / 2, scale, width, height)
