"""Unit adjacency from shared boundaries, with islands linked to their nearest unit.

Territories must be contiguous, and contiguity is judged on this graph. Real layers
have islands (Nantucket, the Keys) and units that touch nothing (ZCTA gaps); without a
link they could never join a territory contiguously, so each such group is joined to
the nearest unit outside it and the link is reported.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from terrmap.optimize.problem import Adjacency


def unit_adjacency(geometries, crs=None) -> Adjacency:
    """Rook adjacency of polygons: units sharing a boundary of positive length.

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
    pairs = _touching_pairs(geoms)
    points = _plane_points(geoms, crs)
    attached = _island_links(len(geoms), pairs, points)
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


def _touching_pairs(geoms: np.ndarray) -> np.ndarray:
    """``(p, 2)`` pairs ``i < j`` whose boundaries share a line (or whose interiors overlap)."""
    if len(geoms) < 2:
        return np.empty((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    # DE-9IM: a 1-dimensional boundary/boundary intersection is a shared edge; a
    # 2-dimensional interior overlap (slivers in digitised data) also makes neighbours.
    # Corner-only contact (dimension 0) does not: a territory joined at a point is not
    # contiguous in any useful sense.
    a, b = geoms[left], geoms[right]
    edge = shapely.relate_pattern(a, b, "****1****") | shapely.relate_pattern(a, b, "2********")
    return np.column_stack([left[edge], right[edge]]).astype(np.int64)


def _plane_points(geoms: np.ndarray, crs) -> np.ndarray:
    points = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(points)
    if len(xy) != len(geoms):
        raise ValueError("every unit needs a non-empty geometry")
    if crs is None or _is_geographic(crs):
        from pyproj import Transformer

        from terrmap.core.geo import equal_area_crs_for

        target = equal_area_crs_for(geoms)
        transformer = Transformer.from_crs("EPSG:4326", target, always_xy=True)
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y]) / 1000.0
    return xy * _metres_per_unit(crs) / 1000.0


def _is_geographic(crs) -> bool:
    from pyproj import CRS

    return CRS.from_user_input(crs).is_geographic


def _metres_per_unit(crs) -> float:
    from pyproj import CRS

    axis = CRS.from_user_input(crs).axis_info
    return float(axis[0].unit_conversion_factor) if axis else 1.0


def _island_links(n: int, pairs: np.ndarray, points: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Links that join every connected group to the nearest unit outside it.

    Smallest groups are linked first, each to the closest unit (by representative
    point) of any other group, until one group remains — a greedy spanning forest
    over groups, which links an island to the mainland it lies off.
    """
    links: list[tuple[int, int]] = []
    if n < 2:
        return ()
    tree = cKDTree(points)
    current = pairs
    while True:
        n_groups, labels = connected_components(_sparse(n, current), directed=False)
        if n_groups <= 1:
            return tuple(links)
        sizes = np.bincount(labels)
        group = int(np.argmin(sizes))
        members = np.flatnonzero(labels == group)
        link = _nearest_outside(tree, points, labels, members)
        links.append(link)
        current = np.vstack([current, np.array([sorted(link)], dtype=np.int64)])


def _nearest_outside(
    tree: cKDTree, points: np.ndarray, labels: np.ndarray, members: np.ndarray
) -> tuple[int, int]:
    group = labels[members[0]]
    k = min(len(points), len(members) + 8)
    while True:
        dist, idx = tree.query(points[members], k=k)
        dist = np.where(labels[idx] != group, dist, np.inf)
        row, col = np.unravel_index(int(np.argmin(dist)), dist.shape)
        if np.isfinite(dist[row, col]):
            return int(members[row]), int(idx[row, col])
        k = min(len(points), k * 4)


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
