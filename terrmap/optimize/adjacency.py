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

from terrmap.optimize.problem import Adjacency

# Candidate links reach this far beyond the first unit outside a group (in the
# layer's coordinates): enough for degrees of longitude at 70° latitude.
NEAREST_SLACK = 3.0
# Shared boundaries this short (metres) are corner contacts drawn with a sliver of
# overlap, e.g. where state lines meet; a territory joined there is not contiguous.
MIN_SHARED_M = 1.0
# Odd multipliers mixing an edge's four coordinates (as float bits) into one key.
_EDGE_HASH = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)


def unit_adjacency(geometries, crs=None) -> Adjacency:
    """Rook adjacency of polygons: units sharing a boundary longer than ``MIN_SHARED_M``.

    Parameters
    ----------
    geometries
        Polygons as a numpy array of shapely geometries or a GeoSeries.
    crs
        CRS of the geometries (taken from a GeoSeries if omitted). Geographic
        coordinates are projected to an equal-area plane to find nearest units.

    Returns
    -------
    Adjacency
        Symmetric neighbour lists; ``attached`` lists the links added to connect
        islands and units without neighbours to the nearest unit of another group.
    """
    geoms, crs = _as_array(geometries, crs)
    pairs = _touching_pairs(geoms, _plane_transform(geoms, crs))
    attached = _island_links(geoms, crs, pairs)
    return _csr(len(geoms), pairs, attached)


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
    geoms: np.ndarray, to_plane_km: Callable[[np.ndarray], np.ndarray]
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
    shared = np.isin(left * n + right, _shared_edge_pairs(geoms, to_plane_km))
    a, b = geoms[left[~shared]], geoms[right[~shared]]
    # DE-9IM: a 1-dimensional boundary/boundary intersection is a shared edge; a
    # 2-dimensional interior overlap (slivers in digitised data) also makes neighbours.
    # Corner-only contact (dimension 0) does not: a territory joined at a point is not
    # contiguous in any useful sense.
    edge = shapely.relate_pattern(a, b, "****1****") | shapely.relate_pattern(a, b, "2********")
    edge[edge] = _shared_length_m(a[edge], b[edge], to_plane_km) > MIN_SHARED_M
    checked = np.flatnonzero(~shared)[edge]
    found = np.sort(np.concatenate([np.flatnonzero(shared), checked]))
    return np.column_stack([left[found], right[found]]).astype(np.int64)


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
    geoms: np.ndarray, to_plane_km: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Sorted codes ``i * n + j`` (``i < j``) of units with identical ring edges that add
    up to more than ``MIN_SHARED_M``."""
    n = len(geoms)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(coord_ring[:-1] == coord_ring[1:])
    unit = part_owner[ring_part[coord_ring[start]]]
    p, q = coords[start], coords[start + 1]
    # Same edge whichever way a ring runs: order the ends; drop zero-length edges.
    swap = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
    p[swap], q[swap] = q[swap], p[swap].copy()
    ends = np.column_stack([p, q])
    long = (ends[:, 0] != ends[:, 2]) | (ends[:, 1] != ends[:, 3])
    ends, unit = ends[long], unit[long]
    bits = np.ascontiguousarray(ends).view(np.uint64)
    with np.errstate(over="ignore"):
        key = (bits * _EDGE_HASH[None, :]).sum(axis=1)
    order = np.argsort(key, kind="stable")
    key, ends, unit = key[order], ends[order], unit[order]
    # Neighbouring equal keys, confirmed by exact coordinates (hashes can collide).
    twin = (key[1:] == key[:-1]) & (ends[1:] == ends[:-1]).all(axis=1) & (unit[1:] != unit[:-1])
    i, j = unit[:-1][twin], unit[1:][twin]
    codes, slot = np.unique(
        np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j), return_inverse=True
    )
    shared = ends[:-1][twin]
    metres = 1000.0 * np.hypot(*(to_plane_km(shared[:, 2:]) - to_plane_km(shared[:, :2])).T)
    return codes[np.bincount(slot, weights=metres, minlength=len(codes)) > MIN_SHARED_M]


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


def _island_links(geoms: np.ndarray, crs, pairs: np.ndarray) -> tuple[tuple[int, int], ...]:
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
