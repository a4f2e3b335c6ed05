"""Read TSPLIB ``.tsp`` files with node coordinates, and their integer distances.

Distances follow TSPLIB's own rules (Reinelt, *TSPLIB 95*, section 2), so tour lengths are
comparable with the published optima:

- ``EUC_2D``: Euclidean distance rounded to the nearest integer;
- ``CEIL_2D``: Euclidean distance rounded up;
- ``ATT``: pseudo-Euclidean, ``sqrt((dx² + dy²) / 10)`` rounded up unless it is whole;
- ``GEO``: great-circle on TSPLIB's sphere (radius 6378.388 km, π as 3.141592) with
  coordinates in DDD.MM (degrees and minutes), truncated after adding 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from terrmap.errors import InputError

WEIGHT_TYPES = ("EUC_2D", "CEIL_2D", "ATT", "GEO")


@dataclass(frozen=True)
class TsplibInstance:
    """A symmetric TSP: a name, the distance rule and the node coordinates."""

    name: str
    weight_type: str
    coords: np.ndarray

    def matrix(self) -> np.ndarray:
        """Integer distances between every pair of nodes, by TSPLIB's rule."""
        return distance_matrix(self.coords, self.weight_type)

    def tour_length(self, tour: list[int]) -> int:
        """Length of the closed tour visiting node indices ``tour`` in order."""
        d = self.matrix()
        order = np.asarray(tour)
        return int(d[order, np.roll(order, -1)].sum())


def read_tsplib(path: str | Path) -> TsplibInstance:
    """Read a TSPLIB ``.tsp`` file (``TYPE : TSP`` with a ``NODE_COORD_SECTION``).

    Raises
    ------
    InputError
        The file is missing, of another type, uses an unsupported distance rule, or has a
        malformed coordinate line (the message names the line).
    """
    path = Path(path)
    lines = read_lines(path)
    spec, first_coord = _read_spec(lines, path)
    weight_type = spec.get("EDGE_WEIGHT_TYPE", "")
    if weight_type not in WEIGHT_TYPES:
        raise InputError(
            f"EDGE_WEIGHT_TYPE {weight_type or '(missing)'} is not supported; "
            f"terrmap reads {', '.join(WEIGHT_TYPES)}",
            file=path,
        )
    try:
        dimension = int(spec.get("DIMENSION", ""))
    except ValueError:
        raise InputError("DIMENSION is missing or not a whole number", file=path) from None
    coords = _read_coords(lines, first_coord, dimension, path)
    return TsplibInstance(spec.get("NAME", path.stem), weight_type, coords)


def read_lines(path: Path) -> list[str]:
    """The lines of a text instance file; `InputError` naming the file if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=path) from None


def distance_matrix(coords: np.ndarray, weight_type: str) -> np.ndarray:
    """Integer distance matrix of ``coords`` (n × 2) under a TSPLIB distance rule."""
    x, y = coords[:, 0], coords[:, 1]
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    if weight_type == "EUC_2D":
        return np.floor(np.hypot(dx, dy) + 0.5).astype(np.int64)
    if weight_type == "CEIL_2D":
        return np.ceil(np.hypot(dx, dy)).astype(np.int64)
    if weight_type == "ATT":
        r = np.sqrt((dx * dx + dy * dy) / 10.0)
        t = np.floor(r + 0.5)
        return np.where(t < r, t + 1, t).astype(np.int64)
    if weight_type == "GEO":
        return _geo_matrix(x, y)
    raise ValueError(f"unknown TSPLIB EDGE_WEIGHT_TYPE {weight_type}")


def _geo_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    lat, lon = _geo_radians(x), _geo_radians(y)
    q1 = np.cos(lon[:, None] - lon[None, :])
    q2 = np.cos(lat[:, None] - lat[None, :])
    q3 = np.cos(lat[:, None] + lat[None, :])
    arc = np.arccos(np.clip(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3), -1.0, 1.0))
    d = np.trunc(6378.388 * arc + 1.0).astype(np.int64)
    np.fill_diagonal(d, 0)
    return d


def _geo_radians(values: np.ndarray) -> np.ndarray:
    # TSPLIB truncates to whole degrees (C's (int) cast), then reads the rest as minutes.
    degrees = np.trunc(values)
    minutes = values - degrees
    return 3.141592 * (degrees + 5.0 * minutes / 3.0) / 180.0


def _read_spec(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    spec: dict[str, str] = {}
    for number, line in enumerate(lines):
        text = line.strip()
        if text.startswith("NODE_COORD_SECTION"):
            if spec.get("TYPE", "TSP").split()[0] != "TSP":
                raise InputError(f"TYPE {spec['TYPE']} is not a symmetric TSP", file=path)
            return spec, number + 1
        if ":" in text:
            key, value = text.split(":", 1)
            spec[key.strip().upper()] = value.strip()
    raise InputError("no NODE_COORD_SECTION: not a TSPLIB file with coordinates", file=path)


def _read_coords(lines: list[str], first: int, dimension: int, path: Path) -> np.ndarray:
    coords = np.empty((dimension, 2))
    for k in range(dimension):
        number = first + k
        parts = lines[number].split() if number < len(lines) else []
        try:
            coords[k] = float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            found = lines[number].strip() if number < len(lines) else "end of file"
            raise InputError(
                f"expected node {k + 1} as 'index x y', found {found!r}",
                file=path,
                line=number + 1,
            ) from None
    return coords
