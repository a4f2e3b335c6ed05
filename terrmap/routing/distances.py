"""Travel distances and times between route points: straight line by default, roads on request.

Point 0 of every matrix is the route's start (home); the stops follow in order. The end point,
when it differs from the start, is the last point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from terrmap.errors import InputError

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 50.0

LegPath = Callable[[int, int], tuple[tuple[float, float], ...]]


@dataclass(frozen=True)
class TravelMatrix:
    """Metres and seconds from every point to every other (not necessarily symmetric).

    Attributes
    ----------
    distance_m, time_s
        ``(n, n)`` arrays; ``time_s`` holds whole seconds.
    describe
        How the figures were made, in words for the user.
    leg_path
        The drawn path of the leg from point ``i`` to point ``j`` as (lat, lon) pairs.
    """

    distance_m: np.ndarray
    time_s: np.ndarray
    describe: str
    leg_path: LegPath

    def __post_init__(self) -> None:
        n = len(self.distance_m)
        if self.distance_m.shape != (n, n) or self.time_s.shape != (n, n):
            raise ValueError("distance and time matrices must be square and of one size")


def straight_line(
    points: np.ndarray,
    *,
    detour: float = DEFAULT_DETOUR,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> TravelMatrix:
    """Great-circle distance times a detour factor, driven at an average speed.

    Parameters
    ----------
    points
        ``(n, 2)`` array of latitude, longitude in degrees.
    detour
        Road distance over straight-line distance; 1.3 is typical of rural and suburban roads.
    speed_kmh
        Average driving speed including junctions and traffic.
    """
    if not detour >= 1.0:
        raise InputError(f"the detour factor must be at least 1 (got {detour})")
    if not speed_kmh > 0.0:
        raise InputError(f"the average speed must be above 0 km/h (got {speed_kmh})")
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    metres = great_circle_m(points[:, None, :], points[None, :, :]) * detour
    seconds = np.rint(metres / (speed_kmh / 3.6)).astype(np.int64)
    coords = tuple((float(lat), float(lon)) for lat, lon in points)
    return TravelMatrix(
        distance_m=metres,
        time_s=seconds,
        describe=f"straight line × {detour:g} at {speed_kmh:g} km/h",
        leg_path=lambda i, j: (coords[i], coords[j]),
    )


def great_circle_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Haversine distance in metres between (lat, lon) arrays that broadcast together."""
    lat1, lon1 = np.radians(a[..., 0]), np.radians(a[..., 1])
    lat2, lon2 = np.radians(b[..., 0]), np.radians(b[..., 1])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
