"""Unit adjacency: shared boundaries, and islands linked to the nearest unit."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from terrmap.optimize import unit_adjacency


def test_matches_an_independent_shapely_check(ri_zcta_frame):
    geoms = ri_zcta_frame.geometry.to_numpy()
    adjacency = unit_adjacency(ri_zcta_frame.geometry)
    attached = {tuple(sorted(link)) for link in adjacency.attached}
    found = set()
    for i in range(len(geoms)):
        for j in adjacency.neighbours(i):
            if (min(i, j), max(i, j)) not in attached:
                found.add((min(i, j), max(i, j)))
    expected = set()
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            shared = shapely.intersection(geoms[i].boundary, geoms[j].boundary)
            overlap = shapely.intersection(geoms[i], geoms[j]).area
            if shared.length > 0 or overlap > 0:
                expected.add((i, j))
    assert found == expected


def test_symmetric_without_self_loops(northeast):
    adjacency = northeast.adjacency
    matrix = adjacency.matrix().toarray()
    assert (matrix == matrix.T).all()
    assert not np.diag(matrix).any()


def test_islands_are_linked_and_named(ri_zcta, ri_zcta_frame):
    # Block Island (02807) and the Narragansett Bay islands touch no other ZCTA.
    linked = {ri_zcta.unit_ids[a] for a, _ in ri_zcta.adjacency.attached}
    assert "02807" in linked
    from scipy.sparse.csgraph import connected_components

    assert connected_components(ri_zcta.adjacency.matrix(), directed=False)[0] == 1


def _km(*boxes: tuple[float, float, float, float]) -> np.ndarray:
    """Boxes given in km, as EPSG:5070 polygons (metres)."""
    return np.array([shapely.box(*(1000 * v for v in box)) for box in boxes], dtype=object)


def test_corner_contact_is_not_adjacency():
    squares = _km((0, 0, 1, 1), (1, 1, 2, 2), (1, 0, 2, 1))
    adjacency = unit_adjacency(squares, crs="EPSG:5070")
    assert sorted(adjacency.neighbours(0).tolist()) == [2]
    assert sorted(adjacency.neighbours(1).tolist()) == [2]
    assert adjacency.attached == ()


def test_islands_link_to_the_nearest_polygon_not_the_nearest_point():
    # The mainland (two touching boxes) is 0.5 away from the island but its
    # representative points are ~25 away; a small unit is ~10 away on both counts.
    geoms = _km(
        (0, 0, 1, 1),  # the island
        (1.5, -50, 50, 50),
        (50, -50, 100, 50),
        (-5, 10, -4, 11),
    )
    adjacency = unit_adjacency(geoms, crs="EPSG:5070")
    links = {tuple(sorted(link)) for link in adjacency.attached}
    assert (0, 1) in links
    assert (1, 3) in links  # the small unit is 6.5 from the mainland, 9.8 from the island
    assert len(links) == 2


def test_jamestown_links_to_newport(ri_zcta):
    # Jamestown (02835) is 0.3 km from Newport (02840) across the East Passage.
    ids = ri_zcta.unit_ids
    links = {(ids[a], ids[b]) for a, b in ri_zcta.adjacency.attached}
    assert ("02835", "02840") in links


def test_neighbours_without_shared_vertices_fall_back_to_geometry():
    # Not a coverage: the right box's edge lies inside the left box's edge, with no
    # common vertex, so only the exact DE-9IM test can see the shared boundary.
    geoms = _km((0, 0, 1, 1), (1, 0.2, 2, 0.8), (2, 0.8, 3, 2))
    adjacency = unit_adjacency(geoms, crs="EPSG:5070")
    assert adjacency.neighbours(0).tolist() == [1]
    # The third box meets the second at a corner only: an island, linked (distance 0).
    assert {tuple(sorted(link)) for link in adjacency.attached} == {(1, 2)}


def test_shared_edge_hashing_matches_the_geometry_test(northeast_frame):
    from terrmap.optimize.adjacency import _shared_edge_pairs

    geoms = np.asarray(northeast_frame.geometry.to_numpy(), dtype=object)
    n = len(geoms)
    codes = _shared_edge_pairs(geoms, lambda xy: xy)  # any plane: only the pairs matter
    left, right = codes // n, codes % n
    assert len(codes) > 0
    assert shapely.relate_pattern(geoms[left], geoms[right], "****1****").all()


def test_a_sliver_of_shared_boundary_is_not_adjacency():
    # Two units meeting over 40 cm (a corner drawn with a sliver of overlap, as where
    # state lines meet) are not neighbours; over 5 m they are.
    left = shapely.box(0, 0, 1000, 1000)
    sliver = np.array([left, shapely.box(1000, 999.6, 2000, 2000)], dtype=object)
    wide = np.array([left, shapely.box(1000, 995, 2000, 2000)], dtype=object)
    assert unit_adjacency(sliver, crs="EPSG:5070").attached  # linked as an island
    assert unit_adjacency(wide, crs="EPSG:5070").neighbours(0).tolist() == [1]
    assert not unit_adjacency(wide, crs="EPSG:5070").attached


def test_shared_edge_pairs_equal_a_brute_force_edge_count(ri_zcta_frame):
    """Every pair of units with identical ring edges (either way round) adding up to
    more than the threshold, found by a plain dictionary of edges."""
    from collections import defaultdict
    from itertools import pairwise

    from terrmap.optimize.adjacency import MIN_SHARED_M, _shared_edge_pairs

    geoms = np.asarray(ri_zcta_frame.geometry.to_numpy(), dtype=object)
    n = len(geoms)
    owners: dict[frozenset, set[int]] = defaultdict(set)
    for unit, geom in enumerate(geoms):
        for part in shapely.get_parts(geom):
            for ring in shapely.get_rings(part):
                xy = [tuple(p) for p in shapely.get_coordinates(ring)]
                for p, q in pairwise(xy):
                    if p != q:
                        owners[frozenset((p, q))].add(unit)
    length: dict[tuple[int, int], float] = defaultdict(float)
    for edge, units in owners.items():
        if len(units) == 2:
            p, q = tuple(edge)
            length[tuple(sorted(units))] += 1000.0 * float(np.hypot(p[0] - q[0], p[1] - q[1]))
    expected = sorted(i * n + j for (i, j), metres in length.items() if metres > MIN_SHARED_M)
    # Plane = the layer's degrees, so the threshold applies to 1000 × degrees here.
    assert _shared_edge_pairs(geoms, lambda xy: xy).tolist() == expected


def test_a_shared_edge_is_found_whichever_way_the_rings_run():
    from terrmap.optimize.adjacency import _shared_edge_pairs

    left = shapely.box(0, 0, 1000, 1000)
    right = shapely.box(1000, 0, 2000, 1000)
    for b in (right, right.reverse()):  # opposite directions (valid), then the same
        geoms = np.array([left, b], dtype=object)
        assert unit_adjacency(geoms, crs="EPSG:5070").neighbours(0).tolist() == [1]
        assert _shared_edge_pairs(geoms, lambda xy: xy).tolist() == [1]


def test_rings_read_from_buffers_match_the_part_by_part_reading(northeast_frame):
    """A layer of polygons is read through `to_ragged_array`; a layer it cannot take
    (here a geometry collection among the polygons) part by part, with the same edges."""
    from terrmap.optimize.adjacency import _rings, _shared_edge_pairs

    geoms = np.asarray(northeast_frame.geometry.to_numpy(), dtype=object)
    mixed = geoms.copy()
    mixed[0] = shapely.GeometryCollection(list(shapely.get_parts(geoms[0])))
    coords, starts, units = _rings(geoms)
    coords2, starts2, units2 = _rings(mixed)
    np.testing.assert_array_equal(coords, coords2)
    np.testing.assert_array_equal(starts, starts2)
    np.testing.assert_array_equal(units, units2)
    found = [_shared_edge_pairs(layer, lambda xy: xy).tolist() for layer in (geoms, mixed)]
    assert found[0] == found[1]


def test_progress_rises_to_one_and_stop_cancels(ri_zcta_frame):
    from terrmap.errors import Cancelled

    reports: list[float] = []
    full = unit_adjacency(ri_zcta_frame.geometry, progress=reports.append, stop=lambda: False)
    assert reports == sorted(reports)
    assert reports[-1] == 1.0
    assert len(reports) >= 8  # enough steps that Stop is heard within seconds on any layer
    assert np.array_equal(full.indices, unit_adjacency(ri_zcta_frame.geometry).indices)

    polls: list[int] = []

    def stop_on_third_poll() -> bool:
        polls.append(1)
        return len(polls) >= 3

    with pytest.raises(Cancelled):
        unit_adjacency(ri_zcta_frame.geometry, stop=stop_on_third_poll)
    assert len(polls) == 3


def _grid_without_shared_vertices(side: int) -> np.ndarray:
    """Squares of 1/128° (exact in binary, so corners meet exactly) whose sides are cut
    into other numbers of pieces than their neighbours': neighbours share boundary lines
    but not a single ring edge."""
    cells, size = [], 1 / 128
    for row in range(side):
        for col in range(side):
            x, y = -71.5 + size * col, 41.5 + size * row
            pieces = 1 + col + 2 * row
            t = np.linspace(0.0, size, pieces + 1)[:-1]
            ring = np.concatenate(
                [
                    np.column_stack([x + t, np.full_like(t, y)]),
                    np.column_stack([np.full_like(t, x + size), y + t]),
                    np.column_stack([x + size - t, np.full_like(t, y + size)]),
                    np.column_stack([np.full_like(t, x), y + size - t]),
                ]
            )
            cells.append(shapely.Polygon(ring))
    return np.array(cells, dtype=object)


def test_exact_test_is_done_in_chunks_that_check_stop(monkeypatch):
    from terrmap.errors import Cancelled
    from terrmap.optimize import adjacency as module

    monkeypatch.setattr(module, "EXACT_CHUNK", 20)
    side = 8
    cells = _grid_without_shared_vertices(side)
    reports: list[float] = []
    found = unit_adjacency(cells, crs="EPSG:4326", progress=reports.append)
    rook = {
        (r * side + c, r * side + c + step)
        for r in range(side)
        for c in range(side)
        for step, ok in ((1, c + 1 < side), (side, r + 1 < side))
        if ok
    }
    pairs = {(i, j) for i in range(len(cells)) for j in found.neighbours(i) if i < j}
    assert pairs == rook  # corner contacts are not neighbours
    exact_steps = [f for f in reports if 0.9 < f < 0.98]
    assert len(exact_steps) >= 5
    before_exact = len([f for f in reports if f <= 0.9])
    polls: list[int] = []

    def stop_during_exact_test() -> bool:
        polls.append(1)
        return len(polls) > before_exact + 1

    with pytest.raises(Cancelled):
        unit_adjacency(cells, crs="EPSG:4326", stop=stop_during_exact_test)
    assert len(polls) == before_exact + 2
