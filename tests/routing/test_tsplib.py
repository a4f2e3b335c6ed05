"""TSPLIB and Solomon readers: TSPLIB's rounding rules and clear errors."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from terrmap.errors import InputError
from terrmap.routing.solomon import read_solomon
from terrmap.routing.tsplib import distance_matrix, read_tsplib


def test_euc_2d_rounds_to_nearest_and_ceil_2d_rounds_up():
    coords = np.array([[0.0, 0.0], [3.0, 4.4]])  # 5.28...
    assert distance_matrix(coords, "EUC_2D")[0, 1] == 5
    assert distance_matrix(coords, "CEIL_2D")[0, 1] == 6


def test_att_pseudo_euclidean_rule():
    coords = np.array([[0.0, 0.0], [10.0, 0.0], [30.0, 40.0]])
    d = distance_matrix(coords, "ATT")
    # sqrt(100 / 10) = 3.162 -> nint 3 < 3.162 -> 4; sqrt(2500 / 10) = 15.81 -> 16.
    assert d[0, 1] == 4
    assert d[0, 2] == 16


def test_geo_rule_matches_tsplib_formula():
    # Two points in DDD.MM: 38.24 (38°24') N 20.42 E and 39.57 N 26.15 E.
    coords = np.array([[38.24, 20.42], [39.57, 26.15]])

    def rad(v):
        deg = math.trunc(v)
        return 3.141592 * (deg + 5.0 * (v - deg) / 3.0) / 180.0

    lat1, lon1, lat2, lon2 = rad(38.24), rad(20.42), rad(39.57), rad(26.15)
    q1, q2, q3 = math.cos(lon1 - lon2), math.cos(lat1 - lat2), math.cos(lat1 + lat2)
    expected = int(6378.388 * math.acos(0.5 * ((1 + q1) * q2 - (1 - q1) * q3)) + 1.0)
    assert distance_matrix(coords, "GEO")[0, 1] == expected


def test_known_optimal_tours_have_their_published_length(bench_dir):
    # berlin52's optimal tour is published with TSPLIB; reading it checks the EUC_2D rule.
    instance = read_tsplib(bench_dir / "tsp" / "berlin52.tsp")
    assert instance.weight_type == "EUC_2D"
    assert instance.coords.shape == (52, 2)
    optimal = [1, 49, 32, 45, 19, 41, 8, 9, 10, 43, 33, 51, 11, 52, 14, 13, 47, 26, 27, 28, 12,
               25, 4, 6, 15, 5, 24, 48, 38, 37, 40, 39, 36, 35, 34, 44, 46, 16, 29, 50, 20, 23,
               30, 2, 7, 42, 21, 17, 3, 18, 31, 22]  # fmt: skip
    assert instance.tour_length([i - 1 for i in optimal]) == 7542


def test_every_bench_instance_reads(bench_dir):
    with (bench_dir / "tsp" / "optima.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        instance = read_tsplib(bench_dir / "tsp" / f"{row['name']}.tsp")
        assert len(instance.coords) == int(row["n"])
        assert instance.weight_type == row["edge_weight_type"]


def test_solomon_reader(bench_dir):
    instance = read_solomon(bench_dir / "solomon" / "C101.txt")
    assert instance.vehicles == 25
    assert instance.capacity == 200
    assert len(instance.coords) == 101
    assert tuple(instance.coords[0]) == (40.0, 50.0)
    assert instance.due[0] == 1236
    assert instance.service[1] == 90


def test_unsupported_weight_type_is_named(tmp_path):
    path = tmp_path / "x.tsp"
    path.write_text("NAME : x\nTYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : MAN_2D\n"
                    "NODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n")  # fmt: skip
    with pytest.raises(InputError, match=r"x\.tsp: EDGE_WEIGHT_TYPE MAN_2D is not supported"):
        read_tsplib(path)


def test_bad_coordinate_line_is_named(tmp_path):
    path = tmp_path / "bad.tsp"
    path.write_text("NAME : bad\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
                    "NODE_COORD_SECTION\n1 0 0\n2 one 1\n3 2 2\n")  # fmt: skip
    with pytest.raises(InputError, match=r"bad\.tsp, line 6: expected node 2"):
        read_tsplib(path)


def test_solomon_bad_row_is_named(tmp_path):
    path = tmp_path / "S.txt"
    header = "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n"
    path.write_text("S\n\nVEHICLE\nNUMBER     CAPACITY\n  2  10\n\nCUSTOMER\n" + header
                    + "0 0 0 0 0 100 0\n1 1 1 1 0 x 5\n")  # fmt: skip
    with pytest.raises(InputError, match=r"S\.txt, line 10: expected 7 numbers"):
        read_solomon(path)
