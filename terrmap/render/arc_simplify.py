"""Coverage-preserving Douglas–Peucker simplification for very large unit layers.

GEOS's ``coverage_simplify`` keeps a coverage exact but ran at 2–8 µs a vertex here, so
the first level of a national ZCTA layer at TIGER resolution (35M vertices) took many
minutes. This does the first cut the way TopoJSON and mapshaper do: split every ring
at its nodes (vertices where the set of neighbouring units changes) into arcs, orient
each arc canonically so the two rings sharing it see the same sequence, simplify all
arcs in one vectorised ``shapely.simplify`` call and put the rings back together. Both
sides of a shared boundary get the same simplified arc, so no gaps open; arcs are not
checked against each other, so near a node two arcs may cross by up to the tolerance,
which is why the renderer uses it only below a pixel and leaves the coarser levels to
``coverage_simplify`` once the layer is small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from terrmap.render.coverage_edges import _point_hash

RETRIES = 3  # finer passes for arcs of broken rings; the last keeps full detail


def arc_simplify(geometry: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygonal ``geometry`` (a coverage) arc by arc with Douglas–Peucker.

    Parameters
    ----------
    geometry
        (Multi)polygons that tile without overlaps, sharing exact vertices.
    tolerance
        Largest distance a simplified arc may stray from the original.

    Returns
    -------
    numpy.ndarray
        The simplified geometry, in the same order.
    """
    geometry = np.asarray(geometry, dtype=object)
    parts, part_owner = shapely.get_parts(geometry, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    # Drop each ring's closing point: rings are handled as cycles.
    keep = np.ones(len(coords), dtype=bool)
    keep[np.searchsorted(coord_ring, np.arange(len(rings)), side="right") - 1] = False
    xy, ring_of = coords[keep], coord_ring[keep]
    offset = np.searchsorted(ring_of, np.arange(len(rings) + 1))
    arcs, arc_ring, reverse, arc_key = _arcs(xy, _rotated_at_nodes(xy, offset), offset)
    simplified = shapely.simplify(arcs, tolerance, preserve_topology=False)
    ring_unit = part_owner[ring_part]

    def assemble(arc_shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        new_xy, new_ring = _rings_from_arcs(arc_shapes, arc_ring, reverse)
        collapsed = np.bincount(new_ring, minlength=len(rings)) < 3
        if collapsed.any():
            return geometry, collapsed
        closed_xy, closed_ring = _close(new_xy, new_ring, len(rings))
        new_rings = shapely.linearrings(closed_xy, indices=closed_ring)
        polygons = shapely.polygons(new_rings, indices=ring_part)
        result = _regroup(geometry, polygons, part_owner)
        return result, ~shapely.is_valid(result)[ring_unit]

    # A ring that collapses below a triangle, or a sliver narrower than the tolerance
    # that folds over itself (arcs are not checked against each other), has its arcs
    # simplified again at a quarter of the tolerance, then at full detail, in every
    # ring that shares them, so neighbours still match.
    for attempt in range(1, RETRIES + 1):
        result, bad_rings = assemble(simplified)
        if not bad_rings.any():
            return result
        redo = np.flatnonzero(np.isin(arc_key, arc_key[bad_rings[arc_ring]]))
        finer = tolerance / 4**attempt if attempt < RETRIES else 0.0
        simplified[redo] = shapely.simplify(arcs[redo], finer, preserve_topology=False)
    result, _ = assemble(simplified)
    broken = ~shapely.is_valid(result)
    result[broken] = geometry[broken]
    return result


def _rotated_at_nodes(xy: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices into ``xy`` of every ring rotated to start at a node, and the node flags."""
    length = np.diff(offset)
    start = np.repeat(offset[:-1], length)
    size = np.repeat(length, length)
    local = np.arange(len(xy)) - start
    point = _point_hash(xy[:, 0], xy[:, 1])
    # Group equal points with a hash table: an O(n) pass, where sorting 35M keys took
    # twice as long here.
    group = pd.factorize(point)[0]
    neighbours = point[start + (local - 1) % size] + point[start + (local + 1) % size]
    node = _nodes(group, neighbours)
    # Every ring needs two nodes so that its arcs are open lines; rings without them
    # (islands, enclaves, a unit wrapped in one neighbour) take their smallest and
    # largest point hash. Those points become nodes in every ring that has them, so the
    # ring on the other side splits its arc at the same places.
    few = np.add.reduceat(node.astype(np.intp), offset[:-1]) < 2
    if few.any():
        in_few = np.repeat(few, length)
        lowest = np.repeat(np.minimum.reduceat(point, offset[:-1]), length)
        highest = np.repeat(np.maximum.reduceat(point, offset[:-1]), length)
        extra = in_few & ((point == lowest) | (point == highest))
        marked = np.zeros(int(group.max()) + 1, dtype=bool)
        marked[group[extra]] = True
        node |= marked[group]
    first = np.maximum.reduceat(np.where(node, -local, -(2**62)), offset[:-1]) * -1
    return start + (local + np.repeat(first, length)) % size, node


def _nodes(group: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Whether each vertex occurrence is a node: it is not the inner vertex of one shared
    arc (two occurrences with the same pair of neighbours) or of an outer boundary."""
    groups = int(group.max()) + 1 if len(group) else 0
    count = np.bincount(group, minlength=groups)
    lowest = np.full(groups, np.iinfo(np.uint64).max, dtype=np.uint64)
    highest = np.zeros(groups, dtype=np.uint64)
    np.minimum.at(lowest, group, neighbours)
    np.maximum.at(highest, group, neighbours)
    simple = (count == 1) | ((count == 2) & (lowest == highest))
    return ~simple[group]


def _arcs(
    xy: np.ndarray, rotated: tuple[np.ndarray, np.ndarray], offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arcs between consecutive nodes of every ring, oriented canonically: the arcs,
    their ring, whether each runs backwards along its ring, and a key per arc."""
    cycle, node = rotated
    length = np.diff(offset)
    # Close each rotated ring with its first (node) point, so the last arc ends there.
    closed = np.insert(cycle, offset[1:], cycle[offset[:-1]])
    closed_node = node[closed]
    closed_offset = offset + np.arange(len(offset))
    ring_of_closed = np.repeat(np.arange(len(length)), length + 1)
    is_last = np.zeros(len(closed), dtype=bool)
    is_last[closed_offset[1:] - 1] = True
    starts = np.flatnonzero(closed_node & ~is_last)
    # Each arc runs from its start node to the next node of the same closed ring.
    node_positions = np.flatnonzero(closed_node)
    ends = node_positions[np.searchsorted(node_positions, starts, side="right")]
    counts = ends - starts + 1
    arc_id = np.repeat(np.arange(len(starts)), counts)
    step = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    hashes = _point_hash(xy[closed[starts], 0], xy[closed[starts], 1])
    end_hashes = _point_hash(xy[closed[ends], 0], xy[closed[ends], 1])
    reverse = hashes > end_hashes
    position = np.where(
        reverse[arc_id], np.repeat(ends, counts) - step, np.repeat(starts, counts) + step
    )
    ordered = closed[position]
    arcs = shapely.linestrings(xy[ordered], indices=arc_id)
    # Both rings sharing an arc hold it in the same canonical order, hence the same key.
    head = np.cumsum(counts) - counts
    key = _point_hash(xy[ordered[head], 0], xy[ordered[head], 1])
    second = _point_hash(xy[ordered[head + 1], 0], xy[ordered[head + 1], 1])
    with np.errstate(over="ignore"):
        key = key * np.uint64(3) + second * np.uint64(5) + np.minimum(hashes, end_hashes)
    return arcs, ring_of_closed[starts], reverse, key


def _rings_from_arcs(
    arcs: np.ndarray, arc_ring: np.ndarray, reverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ring coordinates (open, without the closing point) from simplified arcs."""
    xy, arc_id = shapely.get_coordinates(arcs, return_index=True)
    counts = np.bincount(arc_id, minlength=len(arcs))
    begin = np.cumsum(counts) - counts
    step = np.arange(len(xy)) - np.repeat(begin, counts)
    flip = reverse[arc_id]
    source = np.where(flip, np.repeat(begin + counts - 1, counts) - step, np.arange(len(xy)))
    xy = xy[source]
    # Drop each arc's last point: the next arc of the ring starts with it.
    last = step == np.repeat(counts - 1, counts)
    return xy[~last], arc_ring[arc_id[~last]]


def _close(xy: np.ndarray, ring: np.ndarray, ring_count: int) -> tuple[np.ndarray, np.ndarray]:
    first = np.searchsorted(ring, np.arange(ring_count))
    end = np.searchsorted(ring, np.arange(ring_count), side="right")
    xy = np.insert(xy, end, xy[np.minimum(first, len(xy) - 1)], axis=0)
    ring = np.insert(ring, end, np.arange(ring_count))
    return xy, ring


def _regroup(original: np.ndarray, polygons: np.ndarray, owner: np.ndarray) -> np.ndarray:
    result = original.copy()
    if not len(polygons):
        return result
    grouped = shapely.multipolygons(polygons, indices=owner)
    present = np.unique(owner)
    single = np.bincount(owner)[present] == 1
    result[present] = np.where(single, shapely.get_geometry(grouped, 0), grouped)
    return result
