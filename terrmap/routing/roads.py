"""Road distances and times from an OpenStreetMap extract (``.osm.pbf``) the user opens.

`RoadNetwork.from_pbf` reads the drivable ways (rules in `terrmap.routing._osm_graph`) into a
directed graph whose vertices are junctions and whose edges are stretches of road between
them, keeping each stretch's node chain for drawing. `RoadNetwork.travel_matrix` then gives
a `TravelMatrix` between any points.

Design choices:

- **Fastest, not shortest.** The matrix holds the least driving *time* between points and
  the distance *along that fastest route* (what the rep will see on the odometer), so
  ``distance_m`` can exceed the shortest road distance.
- **Snapping to the road, not to the nearest junction.** Each point joins the road at the
  nearest node of any drivable way (junction or the interior of a stretch), found with a
  k-d tree in a local equirectangular projection. From a stretch's interior the car drives
  on to either end the stretch allows (one-way streets are respected there too); two points
  on the same stretch drive along it directly. The straight line from the point to the road
  counts at `SNAP_SPEED_KMH` (a car park, a drive) at both ends of a leg. Points more than
  `FAR_SNAP_M` from any road are still snapped but listed in `RoadMatrix.far_points`.
- **One strongly connected network.** Only the largest strongly connected component of
  junctions is kept, so every snapped point reaches every other;
  `RoadNetwork.dropped_vertices` says how many junctions that removed.
- **Cache.** The graph arrays are saved with `numpy.savez` (never pickle) under
  ``cache_dir``, keyed by the extract's absolute path, size, modification time and
  `CACHE_FORMAT`; a damaged cache file is ignored and rebuilt.
- **Cancelling.** ``stop()`` is polled between phases (and every few thousand ways while
  reading); when it returns true the call raises `Cancelled`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from terrmap.errors import Cancelled, InputError
from terrmap.optimize.problem import NEVER, NO_PROGRESS, Progress, Stop
from terrmap.routing._osm_graph import RoadArrays, build_arrays, read_ways
from terrmap.routing._road_legs import Legs, RoadGraph, SnapTargets
from terrmap.routing.distances import TravelMatrix

__all__ = ["CACHE_FORMAT", "FAR_SNAP_M", "SNAP_SPEED_KMH", "Cancelled", "RoadMatrix", "RoadNetwork"]

CACHE_FORMAT = 1
SNAP_SPEED_KMH = 15.0
FAR_SNAP_M = 5000.0


@dataclass(frozen=True)
class RoadMatrix(TravelMatrix):
    """A `TravelMatrix` over roads, with the points that lie far from any road.

    Attributes
    ----------
    far_points
        ``(point index, metres to the nearest road)`` for points over `FAR_SNAP_M` away:
        their figures rest on a long straight line the UI should warn about.
    snap_m
        ``(n,)`` metres from each point to where it joins the road.
    """

    far_points: tuple[tuple[int, float], ...] = ()
    snap_m: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _check(stop: Stop) -> None:
    if stop():
        raise Cancelled


class RoadNetwork:
    """A drivable road graph read from one OpenStreetMap extract.

    Build it with `from_pbf`; the constructor takes already built arrays.

    Attributes
    ----------
    path
        The extract it was read from.
    from_cache
        Whether the graph came from the cache rather than the extract.
    """

    def __init__(self, arrays: RoadArrays, path: Path, *, from_cache: bool = False) -> None:
        self.path = path
        self.from_cache = from_cache
        self._a = arrays
        self._graph = RoadGraph(arrays)
        self._snap = SnapTargets(arrays)

    @classmethod
    def from_pbf(
        cls,
        path: str | Path,
        *,
        cache_dir: Path | None = None,
        progress: Progress = NO_PROGRESS,
        stop: Stop = NEVER,
    ) -> RoadNetwork:
        """Read the drivable roads of an ``.osm.pbf`` extract, or their cached graph.

        Parameters
        ----------
        path
            The extract.
        cache_dir
            Folder for the built graph (created if missing); ``None`` for no cache.
        progress, stop
            Progress reports; ``stop()`` is polled between phases.

        Raises
        ------
        InputError
            The file is missing, is not an OSM PBF, or has no drivable roads.
        Cancelled
            ``stop()`` returned true.
        """
        path = Path(path).absolute()
        if not path.is_file():
            raise InputError("the road extract does not exist", file=path)
        stat = path.stat()
        key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{CACHE_FORMAT}"
        cache_file = _cache_file(Path(cache_dir), path, key) if cache_dir is not None else None
        if cache_file is not None:
            arrays = _load_cache(cache_file, key)
            if arrays is not None:
                progress(1.0, f"Roads of {path.name} loaded")
                return cls(arrays, path, from_cache=True)
        _check(stop)
        progress(0.0, f"Reading the roads of {path.name}")
        try:
            ways = read_ways(path, check=lambda: _check(stop))
        except RuntimeError as error:
            raise InputError(
                f"cannot be read as an OpenStreetMap .osm.pbf extract ({error})", file=path
            ) from None
        if len(ways.speed_kmh) == 0:
            raise InputError("the extract has no drivable roads", file=path)
        _check(stop)
        progress(0.8, f"Building the road network of {path.name}")
        arrays = build_arrays(ways)
        if len(arrays.edge_src) == 0:
            raise InputError("the extract has no connected drivable roads", file=path)
        _check(stop)
        if cache_file is not None:
            _save_cache(cache_file, key, arrays)
        progress(1.0, f"Roads of {path.name} read")
        return cls(arrays, path)

    @property
    def vertex_count(self) -> int:
        """Junctions in the kept network."""
        return len(self._a.vertex_node)

    @property
    def edge_count(self) -> int:
        """Directed edges (one per drivable direction of a stretch between junctions)."""
        return len(self._a.edge_src)

    @property
    def dropped_vertices(self) -> int:
        """Junctions left out because they are not in the largest strongly connected part."""
        return self._a.dropped_vertices

    @property
    def vertex_positions(self) -> np.ndarray:
        """``(V, 2)`` latitude, longitude of the junctions."""
        nodes = self._a.vertex_node
        return np.c_[self._a.node_lat[nodes], self._a.node_lon[nodes]]

    def travel_matrix(self, points: np.ndarray, *, stop: Stop = NEVER) -> RoadMatrix:
        """Fastest driving times between points, and the distances along those routes.

        Parameters
        ----------
        points
            ``(n, 2)`` latitude, longitude in degrees.
        stop
            Polled between batches of shortest-path searches.

        Raises
        ------
        InputError
            A point is not a finite latitude/longitude.
        Cancelled
            ``stop()`` returned true.
        """
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        bad = ~np.isfinite(points).all(axis=1) | (np.abs(points[:, 0]) > 90)
        if bad.any():
            raise InputError(f"point {int(np.flatnonzero(bad)[0])} has no valid position")
        ends = self._snap.attach(points)
        legs = Legs(self._graph, ends, points)
        for rows in np.array_split(np.arange(len(points)), legs.batches()):
            _check(stop)
            legs.solve(rows)
        snap_m = ends.snap_m
        snap_s = snap_m / (SNAP_SPEED_KMH / 3.6)
        seconds = legs.time_s + snap_s[:, None] + snap_s[None, :]
        metres = legs.length_m + snap_m[:, None] + snap_m[None, :]
        np.fill_diagonal(seconds, 0.0)
        np.fill_diagonal(metres, 0.0)
        far = np.flatnonzero(snap_m > FAR_SNAP_M)
        return RoadMatrix(
            distance_m=metres,
            time_s=np.rint(seconds).astype(np.int64),
            describe=f"roads of {self.path.name}",
            leg_path=legs.path,
            far_points=tuple((int(i), float(snap_m[i])) for i in far),
            snap_m=snap_m,
        )


def _cache_file(cache_dir: Path, extract: Path, key: str) -> Path:
    """Cache file of an extract: its name for people, a hash of the key for uniqueness."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir / f"roads-{extract.name.split('.')[0]}-{digest}.npz"


def _load_cache(file: Path, key: str) -> RoadArrays | None:
    """The cached graph, or ``None`` if absent, for another key, or damaged in any way."""
    try:
        # Opened here so that the handle is closed even when numpy rejects the content.
        with file.open("rb") as handle, np.load(handle, allow_pickle=False) as saved:
            if str(saved["key"]) != key:
                return None
            values = {f.name: saved[f.name] for f in fields(RoadArrays)}
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None
    values["dropped_vertices"] = int(values["dropped_vertices"])
    arrays = RoadArrays(**values)
    return arrays if _consistent(arrays) else None


def _consistent(a: RoadArrays) -> bool:
    """Whether ``a`` has the right kinds and lengths, and every index points inside its target.

    A cache that unpacks but fails this (edited, or from a buggy build) must not crash a search.
    """
    n_nodes, n_pos = len(a.node_lat), len(a.pos_node)
    n_seg, n_edges = len(a.seg_start), len(a.edge_src)
    n_vertices = len(a.vertex_node)
    # (array, dtype kind, length, exclusive upper bound of its values or None)
    checks = [
        (a.node_lat, "f", n_nodes, None),
        (a.node_lon, "f", n_nodes, None),
        (a.pos_node, "i", n_pos, n_nodes),
        (a.pos_cum_m, "f", n_pos, None),
        (a.seg_start, "i", n_seg, n_pos),
        (a.seg_end, "i", n_seg, n_pos),
        (a.seg_u, "i", n_seg, n_vertices),
        (a.seg_v, "i", n_seg, n_vertices),
        (a.seg_speed_ms, "f", n_seg, None),
        (a.seg_direction, "i", n_seg, None),
        (a.vertex_node, "i", n_vertices, n_nodes),
        (a.edge_src, "i", n_edges, n_vertices),
        (a.edge_dst, "i", n_edges, n_vertices),
        (a.edge_seg, "i", n_edges, n_seg),
        (a.edge_reversed, "b", n_edges, None),
    ]
    for values, kind, length, bound in checks:
        if values.dtype.kind != kind or values.shape != (length,):
            return False
        if bound is not None and length and (values.min() < -1 or values.max() >= bound):
            return False
    return n_edges > 0


def _save_cache(file: Path, key: str, arrays: RoadArrays) -> None:
    """Write the cache in one step (temporary file, then rename); failing only loses the cache."""
    temp = file.with_name(f".{file.name}.{secrets.token_hex(4)}.tmp")
    values = {f.name: getattr(arrays, f.name) for f in fields(RoadArrays)}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("wb") as handle:
            np.savez(handle, key=np.array(key), **values)
        os.replace(temp, file)
    except OSError:
        pass  # a read-only or full disk: the next open just reads the extract again
    finally:
        temp.unlink(missing_ok=True)
