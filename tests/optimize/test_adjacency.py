"""Unit adjacency: shared boundaries, and islands linked to the nearest unit."""

from __future__ import annotations

import numpy as np
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


def test_corner_contact_is_not_adjacency():
    squares = np.array(
        [shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2), shapely.box(1, 0, 2, 1)], dtype=object
    )
    adjacency = unit_adjacency(squares, crs="EPSG:5070")
    assert sorted(adjacency.neighbours(0).tolist()) == [2]
    assert sorted(adjacency.neighbours(1).tolist()) == [2]
    assert adjacency.attached == ()
