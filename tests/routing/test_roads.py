"""Road matrices from real OSM extracts, checked against an independent networkx router.

The reference reads the extract again with osmium by node id (terrmap identifies nodes by
position and compresses chains between junctions), applies the tag rules written out
afresh below, builds an uncompressed networkx graph, snaps by brute-force haversine and
routes on time with networkx's Dijkstra.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pytest

from terrmap.errors import InputError
from terrmap.routing._osm_graph import DEFAULT_SPEED_KMH, parse_maxspeed, way_rule
from terrmap.routing.distances import great_circle_m
from terrmap.routing.roads import FAR_SNAP_M, SNAP_SPEED_KMH, Cancelled, RoadNetwork

OSM_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "osm"
EXTRACTS = ["bangor_maine.osm.pbf", "felton.osm.pbf"]

pytestmark = pytest.mark.skipif(
    not all((OSM_DIR / name).is_file() for name in EXTRACTS),
    reason=f"OSM test extracts not found in {OSM_DIR} (the shared data checkout beside the repo)",
)


# The independent reference -----------------------------------------------------------


def reference_rule(tags: dict[str, str]) -> tuple[float, bool, bool] | None:
    """(km/h, forward allowed, backward allowed) by the documented rules, or None."""
    highway = tags.get("highway")
    if highway not in DEFAULT_SPEED_KMH or tags.get("area") == "yes":
        return None
    if highway == "service" and tags.get("service") in {
        "parking_aisle",
        "driveway",
        "drive-through",
        "emergency_access",
    }:
        return None
    access = next(
        (tags[k] for k in ("motorcar", "motor_vehicle", "vehicle", "access") if k in tags), None
    )
    if access in {"no", "private"}:
        return None
    oneway = tags.get("oneway")
    implied = highway == "motorway" or tags.get("junction") in {"roundabout", "circular"}
    forward = oneway not in {"-1", "reverse"}
    backward = not (oneway in {"yes", "true", "1"} or (oneway is None and implied))
    speed = DEFAULT_SPEED_KMH[highway]
    text = tags.get("maxspeed", "").split(";")[0].strip()
    number = text.removesuffix("mph").strip()
    if number.replace(".", "", 1).isdigit() and float(number) > 0:
        speed = float(number) * (1.609344 if text.endswith("mph") else 1.0)
    elif text.endswith("km/h") and text[:-4].strip().isdigit():
        speed = float(text[:-4])
    return speed, forward, backward


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(h, 1.0)))


def reference_graph(path: Path) -> nx.DiGraph:
    """Uncompressed graph over OSM node ids, largest strongly connected component only."""
    graph = nx.DiGraph()
    reader = osmium.FileProcessor(str(path)).with_locations()
    for way in reader:
        if not way.is_way():
            continue
        rule = reference_rule(dict(way.tags))
        if rule is None:
            continue
        speed_ms = rule[0] / 3.6
        nodes = [(n.ref, (n.location.lat, n.location.lon)) for n in way.nodes]
        for (a, pa), (b, pb) in itertools.pairwise(nodes):
            graph.add_node(a, pos=pa)
            graph.add_node(b, pos=pb)
            metres = haversine(pa, pb)
            for u, v, allowed in ((a, b, rule[1]), (b, a, rule[2])):
                seconds = metres / speed_ms
                if allowed and (not graph.has_edge(u, v) or graph[u][v]["time"] > seconds):
                    graph.add_edge(u, v, time=seconds, length=metres)
    biggest = max(nx.strongly_connected_components(graph), key=len)
    return graph.subgraph(biggest).copy()


def reference_matrix(graph: nx.DiGraph, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and metres: snap by brute force, fastest route, distance along it."""
    ids = list(graph.nodes)
    positions = np.array([graph.nodes[i]["pos"] for i in ids])
    snapped, snap_m = [], []
    for point in points:
        metres = great_circle_m(point[None, :], positions)
        snapped.append(ids[int(np.argmin(metres))])
        snap_m.append(float(metres.min()))
    snap_s = np.array(snap_m) / (SNAP_SPEED_KMH / 3.6)
    n = len(points)
    seconds, metres = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        times, routes = nx.single_source_dijkstra(graph, snapped[i], weight="time")
        for j in range(n):
            if i == j:
                continue
            route = routes[snapped[j]]
            along = sum(graph[u][v]["length"] for u, v in itertools.pairwise(route))
            seconds[i, j] = snap_s[i] + times[snapped[j]] + snap_s[j]
            metres[i, j] = snap_m[i] + along + snap_m[j]
    return seconds, metres


def sample_points(network: RoadNetwork, count: int, seed: int) -> np.ndarray:
    """Junctions of the network moved up to ~150 m: some snap mid-road, some to junctions."""
    rng = np.random.default_rng(seed)
    junctions = network.vertex_positions
    picked = junctions[rng.choice(len(junctions), count, replace=False)]
    return picked + rng.uniform(-0.0015, 0.0015, size=picked.shape)


@pytest.fixture(scope="module", params=EXTRACTS)
def extract(request) -> Path:
    return OSM_DIR / request.param


@pytest.fixture(scope="module")
def network(extract) -> RoadNetwork:
    return RoadNetwork.from_pbf(extract)


@pytest.fixture(scope="module")
def reference(extract) -> nx.DiGraph:
    return reference_graph(extract)


# The tests -----------------------------------------------------------------------------


def test_matrix_matches_independent_router(network, reference):
    points = sample_points(network, 10, seed=7)
    matrix = network.travel_matrix(points)
    seconds, metres = reference_matrix(reference, points)
    assert matrix.describe == f"roads of {network.path.name}"
    assert matrix.time_s.dtype == np.int64
    np.testing.assert_allclose(matrix.time_s, np.rint(seconds), atol=1)
    np.testing.assert_allclose(matrix.distance_m, metres, rtol=1e-6, atol=0.01)
    assert (matrix.time_s != matrix.time_s.T).any(), "one-way streets make some legs asymmetric"


def test_network_keeps_one_strongly_connected_part(network, reference):
    kept = network.vertex_positions
    assert network.dropped_vertices > 0  # both extracts have cut-off or one-way-trapped bits
    ref_positions = {
        tuple(np.round(p, 7)) for p in nx.get_node_attributes(reference, "pos").values()
    }
    assert all(tuple(np.round(p, 7)) in ref_positions for p in kept)


def test_one_way_streets_are_driven_only_their_way(network, extract):
    # Legs between the two ends of tagged one-way streets: the way back never uses the
    # street against its flow, and is sometimes a detour (not where a parallel one-way
    # carriageway takes the traffic back).
    detours, follows, checked = 0, 0, 0
    for way in osmium.FileProcessor(str(extract)).with_locations():
        if checked == 30:
            break
        if not (way.is_way() and way.tags.get("oneway") == "yes" and way_rule(way.tags.get)):
            continue
        line = [(n.location.lat, n.location.lon) for n in way.nodes]
        matrix = network.travel_matrix(np.array([line[0], line[-1]]))
        if matrix.snap_m.max() > 0.01:  # an end outside the kept network
            continue
        back = matrix.leg_path(1, 0)
        against = set(itertools.pairwise(line[::-1]))
        assert not against & set(itertools.pairwise(back)), f"way {way.id} driven backwards"
        # The test's coordinates are comparable with the path's: the way forward is itself.
        follows += set(itertools.pairwise(line)) <= set(itertools.pairwise(matrix.leg_path(0, 1)))
        detours += bool(matrix.time_s[1, 0] > matrix.time_s[0, 1])
        checked += 1
    assert follows > checked // 2
    assert detours > 0


def test_leg_path_follows_the_roads_of_the_matrix(network):
    points = sample_points(network, 8, seed=3)
    matrix = network.travel_matrix(points)
    for i in range(len(points)):
        for j in range(len(points)):
            path = np.array(matrix.leg_path(i, j))
            np.testing.assert_allclose(path[0], points[i])
            np.testing.assert_allclose(path[-1], points[j])
            if i != j:
                along = great_circle_m(path[:-1], path[1:]).sum()
                assert along == pytest.approx(matrix.distance_m[i, j], rel=1e-9, abs=1e-6)
                road_start = great_circle_m(path[0], path[1])
                assert road_start == pytest.approx(matrix.snap_m[i], abs=1e-6)


def test_points_far_from_roads_are_listed(network):
    near = network.vertex_positions[0]
    far = near + np.array([0.3, 0.0])  # ~33 km north
    matrix = network.travel_matrix(np.array([near, far]))
    assert [index for index, _ in matrix.far_points] == [1]
    assert matrix.far_points[0][1] > FAR_SNAP_M
    assert matrix.time_s[0, 1] > 0


def test_cache_hit_is_identical_and_faster(extract, tmp_path):
    started = time.perf_counter()
    built = RoadNetwork.from_pbf(extract, cache_dir=tmp_path)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    cached = RoadNetwork.from_pbf(extract, cache_dir=tmp_path)
    load_s = time.perf_counter() - started
    assert not built.from_cache
    assert cached.from_cache
    assert load_s < build_s
    points = sample_points(built, 12, seed=11)
    first, second = built.travel_matrix(points), cached.travel_matrix(points)
    np.testing.assert_array_equal(first.distance_m, second.distance_m)
    np.testing.assert_array_equal(first.time_s, second.time_s)
    assert first.leg_path(2, 5) == second.leg_path(2, 5)


def test_corrupt_cache_is_rebuilt(extract, tmp_path):
    RoadNetwork.from_pbf(extract, cache_dir=tmp_path)
    (cache_file,) = tmp_path.glob("*.npz")
    cache_file.write_bytes(cache_file.read_bytes()[:500])
    rebuilt = RoadNetwork.from_pbf(extract, cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert RoadNetwork.from_pbf(extract, cache_dir=tmp_path).from_cache
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


def test_changed_extract_is_read_again(tmp_path):
    extract = tmp_path / "felton.osm.pbf"
    extract.write_bytes((OSM_DIR / "felton.osm.pbf").read_bytes())
    cache = tmp_path / "cache"
    RoadNetwork.from_pbf(extract, cache_dir=cache)
    stat = extract.stat()
    os.utime(extract, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert not RoadNetwork.from_pbf(extract, cache_dir=cache).from_cache


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.osm\.pbf: .*does not exist"):
        RoadNetwork.from_pbf(tmp_path / "nowhere.osm.pbf")


@pytest.mark.parametrize("content", [b"", b"<osm version='0.6'></osm>\n", b"\x00\x01junk" * 99])
def test_file_that_is_not_a_pbf_is_named(tmp_path, content):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=r"bad\.osm\.pbf: .*OpenStreetMap"):
        RoadNetwork.from_pbf(bad)


def test_extract_without_drivable_roads_is_named(tmp_path):
    path = tmp_path / "paths.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(-68.7, 44.8)))
        writer.add_node(osmium.osm.mutable.Node(id=2, location=(-68.71, 44.8)))
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2], tags={"highway": "footway"}))
    with pytest.raises(InputError, match=r"paths\.osm\.pbf: .*no drivable roads"):
        RoadNetwork.from_pbf(path)


def test_stop_cancels_reading_and_matrix(network):
    with pytest.raises(Cancelled):
        RoadNetwork.from_pbf(OSM_DIR / EXTRACTS[1], stop=lambda: True)
    with pytest.raises(Cancelled):
        network.travel_matrix(network.vertex_positions[:3], stop=lambda: True)


# The tag rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kmh"),
    [("50", 50.0), ("30 mph", 48.28032), ("25mph", 40.2336), ("70 km/h", 70.0),
     ("50;30", 50.0), ("none", None), ("RU:urban", None), ("", None), ("0", None)],
)  # fmt: skip
def test_maxspeed_is_parsed(text, kmh):
    assert parse_maxspeed(text) == (pytest.approx(kmh) if kmh else None)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, (30.0, 0)),
        ({"highway": "residential", "oneway": "-1"}, (30.0, -1)),
        ({"highway": "motorway", "maxspeed": "65 mph"}, (pytest.approx(104.60736), 1)),
        ({"highway": "motorway", "oneway": "no"}, (100.0, 0)),
        ({"highway": "primary", "junction": "roundabout"}, (65.0, 1)),
        ({"highway": "service", "service": "parking_aisle"}, None),
        ({"highway": "service", "service": "alley"}, (15.0, 0)),
        ({"highway": "residential", "access": "private"}, None),
        ({"highway": "residential", "access": "no", "motor_vehicle": "yes"}, (30.0, 0)),
        ({"highway": "pedestrian"}, None),
        ({"highway": "track"}, None),
        ({"highway": "residential", "area": "yes"}, None),
    ],
)
def test_way_rules(tags, expected):
    assert way_rule(tags.get) == expected
