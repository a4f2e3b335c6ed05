"""Unit adjacency from shared boundaries, with islands linked to their nearest unit.

Territories must be contiguous, and contiguity is judged on this graph. Real layers
have islands (Nantucket, the Keys) and units that touch nothing (ZCTA gaps); without a
link they could never join a territory contiguously, so each such group is joined to
the nearest unit outside it and the link is reported. "Nearest" is by the distance
between the polygons (on an equal-area plane), not between representative points: a
point can sit far inland of a large unit, which would send Jamestown RI to the ZCTA
behind Newport's or Martha's Vineyard to Rhode Island.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from terrmap.errors import Cancelled
from terrmap.optimize.problem import Adjacency

# Reports how far the work has got (0–1) and raises `Cancelled` if the caller said stop.
Checkpoint = Callable[[float], None]

# Candidate links reach this far beyond the first unit outside a group (in the
# layer's coordinates): enough for degrees of longitude at 70° latitude.
NEAREST_SLACK = 3.0
# Shared boundaries this short (metres) are corner contacts drawn with a sliver of
# overlap, e.g. where state lines meet; a territory joined there is not contiguous.
MIN_SHARED_M = 1.0
# Candidate pairs given the exact test at a time, between checks of Stop: about a second
# of work on detailed polygons (Rhode Island's ZCTAs: 450 pairs a second). A layer whose
# neighbours share no vertices sends every pair there.
EXACT_CHUNK = 500
# Odd multipliers mixing a vertex's coordinates (as float bits) into one key.
_EDGE_HASH = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9],
    dtype=np.uint64,
)


def unit_adjacency(
    geometries,
    crs=None,
    *,
    progress: Callable[[float], object] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Adjacency:
    """Rook adjacency of polygons: units sharing a boundary longer than ``MIN_SHARED_M``.

    Parameters
    ----------
    geometries
        Polygons as a numpy array of shapely geometries or a GeoSeries.
    crs
        CRS of the geometries (taken from a GeoSeries if omitted). Geographic
        coordinates are projected to an equal-area plane to find nearest units.
    progress
        Called with the share of the work done (0–1) between its steps.
    stop
        Polled between steps; when it returns true the call raises `Cancelled`. A
        national ZCTA layer takes some 20 s here, too long to wait for after Stop.

    Returns
    -------
    Adjacency
        Symmetric neighbour lists; ``attached`` lists the links added to connect
        islands and units without neighbours to the nearest unit of another group.
    """
    geoms, crs = _as_array(geometries, crs)
    reached = _checkpoint(progress, stop)
    pairs = _touching_pairs(geoms, _plane_transform(geoms, crs), reached)
    attached = _island_links(geoms, crs, pairs, reached)
    reached(1.0)
    return _csr(len(geoms), pairs, attached)


def _checkpoint(
    progress: Callable[[float], object] | None, stop: Callable[[], bool] | None
) -> Checkpoint:
    def reached(fraction: float) -> None:
        if stop is not None and stop():
            raise Cancelled
        if progress is not None:
            progress(fraction)

    return reached


def _unchecked(fraction: float) -> None:
    """A `Checkpoint` for callers that neither follow progress nor stop."""


def representative_points_km(geometries, crs=None) -> np.ndarray:
    """Points on the surface of each unit, projected to an equal-area plane, in km."""
    geoms, crs = _as_array(geometries, crs)
    return _plane_points(geoms, crs)


def _as_array(geometries, crs) -> tuple[np.ndarray, object]:
    if crs is None:
        crs = getattr(geometries, "crs", None)
    if hasattr(geometries, "to_numpy"):
        geometries = geometries.to_numpy()
    return np.asarray(geometries, dtype=object), crs


def _touching_pairs(
    geoms: np.ndarray,
    to_plane_km: Callable[[np.ndarray], np.ndarray],
    reached: Checkpoint = _unchecked,
) -> np.ndarray:
    """``(p, 2)`` pairs ``i < j`` whose boundaries share a line (or whose interiors overlap).

    Candidates come from an STRtree ``intersects`` query. On a clean coverage (county
    or ZCTA layers) neighbours share exact vertices, so a ring edge that occurs in two
    units' rings proves a shared boundary of positive length without any geometry
    work; only the remaining candidates (corner contacts, layers whose neighbours do
    not share vertices) go through the exact DE-9IM test, which dominated the time.
    """
    n = len(geoms)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    reached(0.19)
    shared = np.isin(left * n + right, _shared_edge_pairs(geoms, to_plane_km, reached))
    unproved = np.flatnonzero(~shared)
    reached(0.9)
    edge = np.zeros(len(unproved), dtype=bool)
    for start in range(0, len(unproved), EXACT_CHUNK):
        chunk = unproved[start : start + EXACT_CHUNK]
        edge[start : start + len(chunk)] = _shares_edge(
            geoms[left[chunk]], geoms[right[chunk]], to_plane_km
        )
        reached(0.9 + 0.08 * (start + len(chunk)) / len(unproved))
    checked = unproved[edge]
    found = np.sort(np.concatenate([np.flatnonzero(shared), checked]))
    return np.column_stack([left[found], right[found]]).astype(np.int64)


def _shares_edge(
    a: np.ndarray, b: np.ndarray, to_plane_km: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Whether each pair of polygons shares a boundary longer than ``MIN_SHARED_M``."""
    # DE-9IM: a 1-dimensional boundary/boundary intersection is a shared edge; a
    # 2-dimensional interior overlap (slivers in digitised data) also makes neighbours.
    # Corner-only contact (dimension 0) does not: a territory joined at a point is not
    # contiguous in any useful sense.
    edge = shapely.relate_pattern(a, b, "****1****") | shapely.relate_pattern(a, b, "2********")
    edge[edge] = _shared_length_m(a[edge], b[edge], to_plane_km) > MIN_SHARED_M
    return edge


def _shared_length_m(
    a: np.ndarray, b: np.ndarray, to_plane_km: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Length in metres of the boundary each pair shares (or of their overlap's outline)."""
    if not len(a):
        return np.zeros(0)
    common = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    overlap = shapely.intersection(a, b)
    lines = np.where(shapely.area(overlap) > 0, shapely.boundary(overlap), common)
    planar = shapely.transform(lines, to_plane_km)
    return 1000.0 * shapely.length(planar)


def _shared_edge_pairs(
    geoms: np.ndarray,
    to_plane_km: Callable[[np.ndarray], np.ndarray],
    reached: Checkpoint = _unchecked,
) -> np.ndarray:
    """Sorted codes ``i * n + j`` (``i < j``) of units with identical ring edges that add
    up to more than ``MIN_SHARED_M``."""
    n = len(geoms)
    coords, ring_start, ring_unit = _rings(geoms)
    reached(0.42)
    # A national ZCTA layer has ~35 million ring edges: edges are the positions of their
    # first vertex, points are single complex numbers (one read each), only candidate
    # twins are gathered, and what is done with goes early; random reads are most of
    # the time here, and memory is what a laptop runs out of.
    point = np.ascontiguousarray(coords).view(np.complex128)[:, 0]
    index = np.int32 if len(point) < 2**31 else np.int64
    starts_edge = np.ones(len(point), dtype=bool)
    starts_edge[ring_start[1:] - 1] = False  # a ring's last vertex closes it
    starts_edge[:-1] &= point[:-1] != point[1:]  # no zero-length edges
    starts_edge[-1] = False
    first = np.flatnonzero(starts_edge).astype(index)
    del starts_edge
    # The same edge whichever way a ring runs: a key symmetric in its two ends. Its high
    # bits and the edge's position share one integer, so a plain sort (several times
    # faster than an argsort) brings twins together. Keys equal only in those bits are
    # weeded out below; a twin missed because one of them sorts between the two only
    # sends that pair of units to the exact test in `_touching_pairs`.
    bits = max(int(len(first) - 1).bit_length(), 1)
    vertex = _vertex_hash(coords)
    with np.errstate(over="ignore"):
        key = vertex[first] + vertex[first + 1]
    del vertex
    low = np.uint64((1 << bits) - 1)
    key &= ~low
    key |= np.arange(len(first), dtype=np.uint64)
    reached(0.46)
    key.sort()
    reached(0.48)
    at = np.flatnonzero((key[1:] & ~low) == (key[:-1] & ~low))
    edge = (key & low).astype(index)
    del key
    a, b = first[edge[at]], first[edge[at + 1]]
    del first, edge, at
    # Equal keys, confirmed by exact coordinates either way round (hashes can collide):
    # valid rings run shared edges in opposite directions, so that test goes first.
    pa, qb = point[a], point[b + 1]
    same = pa == qb
    del qb
    qa, pb = point[a + 1], point[b]
    same &= qa == pb
    same |= (pa == pb) & (qa == point[b + 1])
    del pa, qa, pb
    reached(0.62)
    unit_a = ring_unit[np.searchsorted(ring_start, a, side="right") - 1]
    unit_b = ring_unit[np.searchsorted(ring_start, b, side="right") - 1]
    twin = same & (unit_a != unit_b)
    a, i, j = a[twin], unit_a[twin], unit_b[twin]
    del b, unit_a, unit_b, same, twin
    reached(0.75)
    # Each vertex projected once, though it ends two edges of a border.
    used = np.zeros(len(coords) + 1, dtype=bool)
    used[a] = used[a + 1] = True
    slot = np.cumsum(used, dtype=index) - 1
    plane = np.ascontiguousarray(to_plane_km(coords[used[:-1]])).view(np.complex128)[:, 0]
    metres = 1000.0 * np.abs(plane[slot[a + 1]] - plane[slot[a]])
    reached(0.85)
    # Shared length per pair: summed by a sparse matrix (cheaper than sorting the pairs).
    length = coo_array((metres, (np.minimum(i, j), np.maximum(i, j))), shape=(n, n)).tocsr()
    length.sum_duplicates()
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(length.indptr))
    codes = rows * n + length.indices
    return codes[length.data > MIN_SHARED_M]


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(coords, ring_start, ring_unit)``: every ring's vertices in one ``(N, 2)``
    array, where each ring starts in it (plus N at the end), and the unit it belongs to.

    Read straight from the geometries' buffers (`shapely.to_ragged_array`) where the
    layer is all polygons, without making a geometry object per part and ring.
    """
    try:
        kind, coords, offsets = shapely.to_ragged_array(geoms, include_z=False)
    except (ValueError, TypeError):  # mixed geometry types: go part by part
        kind = None
    if kind == shapely.GeometryType.POLYGON:
        ring_offsets, polygon_offsets = offsets
        return coords, ring_offsets, np.repeat(np.arange(len(geoms)), np.diff(polygon_offsets))
    if kind == shapely.GeometryType.MULTIPOLYGON:
        ring_offsets, polygon_offsets, multi_offsets = offsets
        part_unit = np.repeat(np.arange(len(geoms)), np.diff(multi_offsets))
        return coords, ring_offsets, np.repeat(part_unit, np.diff(polygon_offsets))
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    ring_start = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(np.bincount(coord_ring, minlength=len(rings)), out=ring_start[1:])
    return coords, ring_start, part_owner[ring_part]


def _vertex_hash(coords: np.ndarray) -> np.ndarray:
    """One well-mixed ``uint64`` per vertex from the bits of its two coordinates."""
    bits = np.ascontiguousarray(coords).view(np.uint64)
    with np.errstate(over="ignore"):
        h = bits[:, 0] * _EDGE_HASH[0] + bits[:, 1] * _EDGE_HASH[1]
        h ^= h >> np.uint64(29)
        h *= _EDGE_HASH[2]
        h ^= h >> np.uint64(32)
    return h


def _same_points(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise equality of two ``(k, 2)`` arrays (column by column: far faster than
    ``.all(axis=1)`` on millions of rows)."""
    return (p[:, 0] == q[:, 0]) & (p[:, 1] == q[:, 1])


def _plane_points(geoms: np.ndarray, crs) -> np.ndarray:
    points = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(points)
    if len(xy) != len(geoms):
        raise ValueError("every unit needs a non-empty geometry")
    return _plane_transform(geoms, crs)(xy)


def _plane_transform(geoms: np.ndarray, crs) -> Callable[[np.ndarray], np.ndarray]:
    """A function mapping ``(p, 2)`` coordinates of ``geoms`` to an equal-area plane in km."""
    if crs is None or _is_geographic(crs):
        from pyproj import Transformer

        from terrmap.core.geo import equal_area_crs_for

        target = equal_area_crs_for(geoms)
        transformer = Transformer.from_crs("EPSG:4326", target, always_xy=True)

        def project(xy: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y]) / 1000.0

        return project
    scale = _metres_per_unit(crs) / 1000.0
    return lambda xy: xy * scale


def _is_geographic(crs) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(crs).is_geographic


def _metres_per_unit(crs) -> float:
    from pyproj import CRS

    axis = CRS.from_user_input(crs).axis_info
    return float(axis[0].unit_conversion_factor) if axis else 1.0


def _island_links(
    geoms: np.ndarray, crs, pairs: np.ndarray, reached: Checkpoint = _unchecked
) -> tuple[tuple[int, int], ...]:
    """Links that join every connected group to the nearest unit outside it.

    Smallest groups are linked first, each to the unit of any other group whose
    polygon is closest to one of the group's polygons, until one group remains — a
    greedy spanning forest over groups, which links an island to the mainland it lies
    off.
    """
    n = len(geoms)
    links: list[tuple[int, int]] = []
    if n < 2:
        return ()
    tree = shapely.STRtree(geoms)
    project = None
    current = pairs
    while True:
        n_groups, labels = connected_components(_sparse(n, current), directed=False)
        if n_groups <= 1:
            return tuple(links)
        reached(0.98)
        if project is None:
            project = _plane_transform(geoms, crs)  # only when there is an island
        sizes = np.bincount(labels)
        group = int(np.argmin(sizes))
        members = np.flatnonzero(labels == group)
        link = _nearest_outside(tree, geoms, project, labels, members)
        links.append(link)
        current = np.vstack([current, np.array([sorted(link)], dtype=np.int64)])


def _nearest_outside(
    tree: shapely.STRtree,
    geoms: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
    labels: np.ndarray,
    members: np.ndarray,
) -> tuple[int, int]:
    """``(member, unit)``: the closest pair of polygons between a group and the rest.

    Candidates are found in the layer's own coordinates (a growing ``dwithin`` radius
    until some unit outside the group is in reach, then that radius times
    `NEAREST_SLACK`, since degrees of longitude shrink towards the poles); the winner
    is chosen by the distance between the projected polygons.
    """
    group = labels[members[0]]
    parts = geoms[members]
    (_, nearest), gaps = tree.query_nearest(parts, exclusive=True, return_distance=True)
    outside_gap = gaps[labels[nearest] != group]
    radius = float(outside_gap.min()) if len(outside_gap) else float(gaps.max())
    radius = max(radius, 1e-9)
    while True:
        left, right = tree.query(parts, predicate="dwithin", distance=radius * NEAREST_SLACK)
        keep = labels[right] != group
        if keep.any():
            break
        radius *= 4.0
    left, right = members[left[keep]], right[keep]
    planar = {i: shapely.transform(geoms[i], project) for i in {*left.tolist(), *right.tolist()}}
    dist = [shapely.distance(planar[a], planar[b]) for a, b in zip(left, right, strict=True)]
    best = int(np.argmin(dist))
    return int(left[best]), int(right[best])


def _sparse(n: int, pairs: np.ndarray):  # -> coo_array
    data = np.ones(len(pairs), dtype=np.int8)
    return coo_array((data, (pairs[:, 0], pairs[:, 1])), shape=(n, n))


def _csr(n: int, pairs: np.ndarray, attached: tuple[tuple[int, int], ...]) -> Adjacency:
    extra = np.array(attached, dtype=np.int64).reshape(-1, 2)
    both = np.vstack([pairs, extra])
    src = np.concatenate([both[:, 0], both[:, 1]])
    dst = np.concatenate([both[:, 1], both[:, 0]])
    keys = np.unique(src * n + dst)
    src, dst = keys // n, keys % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    return Adjacency(np.cumsum(indptr), dst.astype(np.int64), attached)
