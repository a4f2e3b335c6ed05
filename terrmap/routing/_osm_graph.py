"""Read drivable OpenStreetMap ways and compress them into a directed road graph (numpy only).

Which ways count as roads, their direction and their speed follow the usual car-routing
conventions (OSRM's car profile, simplified):

- ``highway`` in `DEFAULT_SPEED_KMH`; paths for feet, bikes or horses, tracks, steps and
  roads under construction are not in the table and so never routed on;
- ``service`` roads, except ``parking_aisle``, ``driveway``, ``drive-through`` and
  ``emergency_access``: aisles and drive-throughs invent short cuts across car parks and
  driveways lead only to one private lot, while a stop is snapped to the nearest public road;
- excluded when the most specific of ``motorcar``, ``motor_vehicle``, ``vehicle``, ``access``
  that is tagged says ``no`` or ``private`` (so ``access=no`` + ``motor_vehicle=yes`` is open),
  and when ``area=yes`` (a pedestrian square outlined as a road);
- one way for ``oneway=yes/true/1`` (``-1``/``reverse`` against the drawing direction), and
  implied for ``junction=roundabout/circular`` and ``highway=motorway`` unless ``oneway=no``;
- speed from ``maxspeed`` when it reads as a number (km/h, or ``mph``), else the highway's
  default. Legal limits, not traffic: the defaults below are set under the usual limits so
  that ordinary roads are not faster than their real average.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from terrmap.routing.distances import great_circle_m

DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 35.0,
    "secondary": 55.0,
    "secondary_link": 30.0,
    "tertiary": 45.0,
    "tertiary_link": 25.0,
    "unclassified": 35.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
}
EXCLUDED_SERVICE = frozenset({"parking_aisle", "driveway", "drive-through", "emergency_access"})
CLOSED_ACCESS = frozenset({"no", "private"})
# Most specific first: the first one tagged decides whether a car may drive there.
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
MPH_TO_KMH = 1.609344

BOTH_WAYS, FORWARD, BACKWARD = 0, 1, -1

_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$")


def parse_maxspeed(text: str | None) -> float | None:
    """``maxspeed`` in km/h, or ``None`` when it is not a plain figure (``none``, ``RU:urban``).

    Of several values (``50;30``, lane by lane or by time) the first is taken.
    """
    if not text:
        return None
    match = _MAXSPEED.match(text.split(";")[0])
    if match is None:
        return None
    value = float(match.group(1))
    if match.group(2) == "mph":
        value *= MPH_TO_KMH
    return value if value > 0 else None


def way_rule(tags: Callable[[str], str | None]) -> tuple[float, int] | None:
    """Speed (km/h) and direction of a way given its tag lookup, or ``None`` if not drivable.

    Parameters
    ----------
    tags
        ``tags(key)`` returns the value or ``None`` (``osmium`` ``TagList.get`` or ``dict.get``).

    Returns
    -------
    tuple or None
        ``(speed_kmh, direction)`` with direction `BOTH_WAYS`, `FORWARD` or `BACKWARD`
        (relative to the order of the way's nodes).
    """
    highway = tags("highway")
    default = DEFAULT_SPEED_KMH.get(highway) if highway else None
    if default is None or tags("area") == "yes":
        return None
    if highway == "service" and tags("service") in EXCLUDED_SERVICE:
        return None
    for key in ACCESS_KEYS:
        value = tags(key)
        if value is not None:
            if value in CLOSED_ACCESS:
                return None
            break
    oneway = tags("oneway")
    if oneway in ONEWAY_FORWARD:
        direction = FORWARD
    elif oneway in ONEWAY_BACKWARD:
        direction = BACKWARD
    elif oneway is None and (highway == "motorway" or tags("junction") in IMPLIED_ONEWAY_JUNCTIONS):
        direction = FORWARD
    else:
        direction = BOTH_WAYS
    return parse_maxspeed(tags("maxspeed")) or default, direction


@dataclass
class RawWays:
    """The drivable ways of an extract, their node positions concatenated.

    Attributes
    ----------
    lat, lon
        ``(P,)`` degrees, way after way; NaN for a node missing from the extract.
    offsets
        ``(W + 1,)`` way ``w`` is ``lat[offsets[w]:offsets[w + 1]]``.
    speed_kmh, direction
        ``(W,)`` per way, see `way_rule`.
    """

    lat: np.ndarray
    lon: np.ndarray
    offsets: np.ndarray
    speed_kmh: np.ndarray
    direction: np.ndarray


def read_ways(path: Path, check: Callable[[], object] = lambda: None) -> RawWays:
    """Drivable ways of a PBF file with their node positions, in one pass.

    ``osmium`` locates the nodes in C++ and hands each way's geometry over as one WKB
    string: touching its nodes one Python object at a time is several times slower (about
    25 µs per node), which matters for county extracts with millions of road nodes.

    Parameters
    ----------
    path
        The ``.osm.pbf`` file.
    check
        Called every few thousand highways; raise from it to abandon the reading.

    Raises
    ------
    RuntimeError
        From ``osmium`` when the file is not a readable OSM PBF.
    """
    wkb = osmium.geom.WKBFactory()
    every_node = osmium.geom.use_nodes.ALL
    chunks: list[str] = []
    lengths = array("q")
    speeds = array("d")
    directions = array("b")
    broken: dict[int, np.ndarray] = {}  # way number -> (n, 2) lon/lat with NaN where missing
    reader = osmium.FileProcessor(
        osmium.io.File(str(path), "pbf"), osmium.osm.NODE | osmium.osm.WAY
    )
    # Both filters run in C++: Python sees only ways tagged highway=*, never a node.
    reader = reader.with_locations().with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    for count, way in enumerate(reader.with_filter(osmium.filter.KeyFilter("highway"))):
        if count % 4096 == 0:
            check()
        rule = way_rule(way.tags.get)
        if rule is None or len(way.nodes) < 2:
            continue
        try:
            text = wkb.create_linestring(way, every_node)
            # WKB linestring: 1 byte order + 4 type + 4 count, then (x, y) float64 pairs.
            chunks.append(text[18:])
            lengths.append((len(text) - 18) // 32)
        except osmium.InvalidLocationError:
            points = _located_nodes(way)
            broken[len(lengths)] = points
            lengths.append(len(points))
        except RuntimeError:
            continue  # all nodes at one spot: no line to drive
        speeds.append(rule[0])
        directions.append(rule[1])
    return _raw_ways(chunks, broken, lengths, speeds, directions)


def _located_nodes(way: osmium.osm.Way) -> np.ndarray:
    """``(n, 2)`` lon/lat of a way some of whose nodes the extract lacks (NaN for those)."""
    return np.array(
        [
            (node.location.lon, node.location.lat) if node.location.valid() else (np.nan, np.nan)
            for node in way.nodes
        ]
    )


def _raw_ways(
    chunks: list[str],
    broken: dict[int, np.ndarray],
    lengths: array,
    speeds: array,
    directions: array,
) -> RawWays:
    """Assemble `RawWays` from WKB coordinate chunks and the few ways read node by node."""
    counts = np.frombuffer(lengths, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    xy = np.empty((offsets[-1], 2))
    whole = np.ones(len(counts), bool)
    whole[list(broken)] = False
    if chunks:
        # osmium writes WKB in the machine's byte order (a leading "01", little-endian, on
        # x86 and ARM); the 9-byte headers were cut off, leaving bare float64 pairs.
        whole_xy = np.frombuffer(bytes.fromhex("".join(chunks)), dtype=np.float64).reshape(-1, 2)
        xy[np.repeat(whole, counts)] = whole_xy
    for way, points in broken.items():
        xy[offsets[way] : offsets[way + 1]] = points
    return RawWays(
        lat=xy[:, 1].copy(),
        lon=xy[:, 0].copy(),
        offsets=offsets,
        speed_kmh=np.frombuffer(speeds, dtype=np.float64).copy(),
        direction=np.frombuffer(directions, dtype=np.int8).copy(),
    )


@dataclass
class RoadArrays:
    """The compressed road graph: everything `RoadNetwork` keeps and caches.

    A *segment* is a stretch of one way between two junctions (way ends or nodes shared by
    ways); each drivable direction of a segment is an *edge* of the graph, whose vertices are
    the junctions. Positions index the concatenated node lists of the ways.

    Attributes
    ----------
    node_lat, node_lon
        ``(N,)`` degrees, one per OSM node used.
    pos_node
        ``(P,)`` node of each position.
    pos_cum_m
        ``(P,)`` metres from an arbitrary origin along the concatenated ways: the length of
        a stretch of one way is a difference of two entries.
    seg_start, seg_end
        ``(S,)`` first and last position of each segment (both junctions).
    seg_u, seg_v
        ``(S,)`` vertices at the segment's start and end, ``-1`` where the segment lies
        outside the largest strongly connected component.
    seg_speed_ms, seg_direction
        ``(S,)`` metres per second, and `BOTH_WAYS`, `FORWARD` or `BACKWARD`.
    vertex_node
        ``(V,)`` node of each vertex.
    edge_src, edge_dst, edge_seg, edge_reversed
        ``(E,)`` the edges, sorted by ``(src, dst)`` with one edge (the fastest) per pair;
        ``edge_reversed`` means the edge runs against its segment's node order.
    dropped_vertices
        Junctions outside the largest strongly connected component.
    """

    node_lat: np.ndarray
    node_lon: np.ndarray
    pos_node: np.ndarray
    pos_cum_m: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_u: np.ndarray
    seg_v: np.ndarray
    seg_speed_ms: np.ndarray
    seg_direction: np.ndarray
    vertex_node: np.ndarray
    edge_src: np.ndarray
    edge_dst: np.ndarray
    edge_seg: np.ndarray
    edge_reversed: np.ndarray
    dropped_vertices: int

    @property
    def seg_length_m(self) -> np.ndarray:
        """``(S,)`` metres along each segment."""
        return self.pos_cum_m[self.seg_end] - self.pos_cum_m[self.seg_start]

    @property
    def edge_length_m(self) -> np.ndarray:
        """``(E,)`` metres along each edge."""
        seg = self.edge_seg
        return self.pos_cum_m[self.seg_end[seg]] - self.pos_cum_m[self.seg_start[seg]]

    @property
    def edge_time_s(self) -> np.ndarray:
        """``(E,)`` seconds to drive each edge (never exactly 0: sparse graphs drop zeros)."""
        return np.maximum(self.edge_length_m / self.seg_speed_ms[self.edge_seg], 1e-6)


def build_arrays(ways: RawWays) -> RoadArrays:
    """Compress drivable ways into a road graph.

    Nodes are identified by their exact position (OSM stores 1e-7° fixed point): pyosmium
    gives a way's geometry in one call but its node ids only one Python object at a time.
    Two distinct nodes at the very same spot, a data error validators flag, are joined.
    """
    way_of_pos = np.repeat(np.arange(len(ways.speed_kmh)), np.diff(ways.offsets))
    kept, run_of_pos = _split_at_missing_nodes(way_of_pos, ways.lat, ways.lon)
    way_of_pos, lat, lon = way_of_pos[kept], ways.lat[kept], ways.lon[kept]
    _, first_pos, pos_node = np.unique(
        _position_key(lat, lon), return_index=True, return_inverse=True
    )
    node_lat, node_lon = lat[first_pos], lon[first_pos]
    first = np.r_[True, run_of_pos[1:] != run_of_pos[:-1]]
    last = np.r_[first[1:], True]
    # Junctions: nodes used twice or more (shared by ways, or a way's closing node) and ends.
    junction_node = np.bincount(pos_node, minlength=len(node_lat)) > 1
    junction_node[pos_node[first | last]] = True
    step = great_circle_m(np.c_[lat[:-1], lon[:-1]], np.c_[lat[1:], lon[1:]])
    step[last[:-1]] = 0.0  # no length from one way's end to the next way's start
    pos_cum_m = np.r_[0.0, np.cumsum(step)]
    # Consecutive junction positions within one way bound a segment.
    junction_pos = np.flatnonzero(junction_node[pos_node])
    same_way = run_of_pos[junction_pos[:-1]] == run_of_pos[junction_pos[1:]]
    seg_start, seg_end = junction_pos[:-1][same_way], junction_pos[1:][same_way]
    seg_way = way_of_pos[seg_start]
    vertex_of_node = np.cumsum(junction_node) - 1
    arrays = RoadArrays(
        node_lat=node_lat,
        node_lon=node_lon,
        pos_node=pos_node.astype(np.int32),
        pos_cum_m=pos_cum_m,
        seg_start=seg_start,
        seg_end=seg_end,
        seg_u=vertex_of_node[pos_node[seg_start]],
        seg_v=vertex_of_node[pos_node[seg_end]],
        seg_speed_ms=ways.speed_kmh[seg_way] / 3.6,
        seg_direction=ways.direction[seg_way],
        vertex_node=np.flatnonzero(junction_node).astype(np.int32),
        edge_src=np.empty(0, np.int32),
        edge_dst=np.empty(0, np.int32),
        edge_seg=np.empty(0, np.int32),
        edge_reversed=np.empty(0, bool),
        dropped_vertices=0,
    )
    _set_edges(arrays)
    _keep_largest_component(arrays)
    return arrays


def _position_key(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """One int64 per position on OSM's 1e-7° grid (fits: 1.8e9 × 3.6e9 < 2**63)."""
    y = np.rint(lat * 1e7).astype(np.int64) + 900_000_000
    x = np.rint(lon * 1e7).astype(np.int64) + 1_800_000_000
    return y * 3_600_000_001 + x


def _split_at_missing_nodes(
    way_of_pos: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions to keep, and the unbroken run of each kept position.

    Nodes the extract lacks (ways cut at its border) are dropped and split their way there,
    so that no segment bridges the gap; a run shorter than two nodes disappears.
    """
    ok = np.isfinite(lat) & np.isfinite(lon)
    if ok.all():
        return ok, way_of_pos
    new_run = ok & np.r_[True, (way_of_pos[1:] != way_of_pos[:-1]) | ~ok[:-1]]
    run = np.cumsum(new_run)
    long_enough = np.bincount(run[ok])[run] >= 2
    kept = ok & long_enough
    return kept, run[kept]


def _set_edges(arrays: RoadArrays) -> None:
    """Edges from segments: one per drivable direction, the fastest of parallel ones, no loops."""
    seg = np.arange(len(arrays.seg_start))
    direction = arrays.seg_direction
    forward = seg[direction != BACKWARD]
    backward = seg[direction != FORWARD]
    src = np.r_[arrays.seg_u[forward], arrays.seg_v[backward]]
    dst = np.r_[arrays.seg_v[forward], arrays.seg_u[backward]]
    edge_seg = np.r_[forward, backward]
    reversed_ = np.r_[np.zeros(len(forward), bool), np.ones(len(backward), bool)]
    time = (arrays.pos_cum_m[arrays.seg_end] - arrays.pos_cum_m[arrays.seg_start])[edge_seg]
    time = time / arrays.seg_speed_ms[edge_seg]
    useful = (src != dst) & (src >= 0) & (dst >= 0)
    src, dst, edge_seg, reversed_, time = (a[useful] for a in (src, dst, edge_seg, reversed_, time))
    # Sort by pair then time; the first of each pair is the fastest.
    order = np.lexsort((time, dst, src))
    src, dst = src[order], dst[order]
    first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
    arrays.edge_src = src[first].astype(np.int32)
    arrays.edge_dst = dst[first].astype(np.int32)
    arrays.edge_seg = edge_seg[order][first].astype(np.int32)
    arrays.edge_reversed = reversed_[order][first]


def _keep_largest_component(arrays: RoadArrays) -> None:
    """Keep the largest strongly connected set of junctions, so every stop reaches every other.

    Vertices are renumbered; segments touching a dropped junction get ``seg_u = seg_v = -1``.
    """
    n = len(arrays.vertex_node)
    graph = csr_matrix(
        (np.ones(len(arrays.edge_src)), (arrays.edge_src, arrays.edge_dst)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=True, connection="strong")
    kept = labels == np.argmax(np.bincount(labels)) if n else np.zeros(0, bool)
    new_id = np.where(kept, np.cumsum(kept) - 1, -1)
    arrays.dropped_vertices = int(n - kept.sum())
    arrays.vertex_node = arrays.vertex_node[kept]
    u, v = new_id[arrays.seg_u], new_id[arrays.seg_v]
    inside = (u >= 0) & (v >= 0)
    arrays.seg_u = np.where(inside, u, -1).astype(np.int32)
    arrays.seg_v = np.where(inside, v, -1).astype(np.int32)
    src, dst = new_id[arrays.edge_src], new_id[arrays.edge_dst]
    keep = (src >= 0) & (dst >= 0)
    # Renumbering keeps the vertex order, so the edges stay sorted by (src, dst).
    arrays.edge_src = src[keep].astype(np.int32)
    arrays.edge_dst = dst[keep].astype(np.int32)
    arrays.edge_seg = arrays.edge_seg[keep]
    arrays.edge_reversed = arrays.edge_reversed[keep]
