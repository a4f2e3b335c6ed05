"""Real-data fixtures of the optimiser tests: Census counties and ZCTAs, the sample."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from terrmap.optimize import (
    OptimiseParams,
    OptimiseProblem,
    problem_from_frame,
    problem_from_project,
)
from terrmap.optimize.contiguity import repair_contiguity
from terrmap.optimize.local_search import LocalSearch
from terrmap.optimize.model import build_model
from terrmap.resources import resource_path

ZCTA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "zcta"


def counties(*states: str) -> gpd.GeoDataFrame:
    """Bundled US counties of ``states`` (postal codes), in file order."""
    frame = gpd.read_parquet(resource_path("boundaries", "us_counties.parquet"))
    return frame[frame["STUSPS"].isin(states)].reset_index(drop=True)


@pytest.fixture(scope="session")
def northeast_frame() -> gpd.GeoDataFrame:
    """Counties of NY, PA, NJ (150 units), with land area in km² to balance."""
    frame = counties("NY", "PA", "NJ")
    frame["land_km2"] = frame["ALAND"] / 1e6
    return frame


@pytest.fixture(scope="session")
def northeast(northeast_frame: gpd.GeoDataFrame) -> OptimiseProblem:
    """The NY/PA/NJ counties as a plain-file problem balanced on land area."""
    return problem_from_frame(northeast_frame, "GEOID", ["land_km2"])


@pytest.fixture(scope="session")
def ri_zcta_frame() -> gpd.GeoDataFrame:
    """Rhode Island's 2010 ZCTAs (77 polygons, three of them islands)."""
    path = ZCTA_DIR / "ri_zcta2010.geojson"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return gpd.read_file(path)


@pytest.fixture(scope="session")
def ri_zcta(ri_zcta_frame: gpd.GeoDataFrame) -> OptimiseProblem:
    """RI ZCTAs balanced on land area."""
    return problem_from_frame(ri_zcta_frame, "ZCTA5CE10", ["ALAND10"])


@pytest.fixture(scope="session")
def de_zcta() -> OptimiseProblem:
    """Delaware's 2010 ZCTAs (68 polygons) balanced on land area."""
    path = ZCTA_DIR / "de_zcta2010.geojson"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return problem_from_frame(gpd.read_file(path), "ZCTA5CE10", ["ALAND10"])


@pytest.fixture(scope="session")
def sample_project():
    """The bundled Northeast sample project (synthetic accounts and reps)."""
    from terrmap.sample import load_sample_project

    return load_sample_project()


@pytest.fixture(scope="session")
def sample_problem(sample_project) -> OptimiseProblem:
    """The sample project balanced on accounts."""
    return problem_from_project(sample_project, ("accounts",))


def pieces(problem: OptimiseProblem, codes: np.ndarray) -> np.ndarray:
    """Number of connected pieces per territory, computed independently of the package."""
    adj = problem.adjacency
    src = np.repeat(np.arange(problem.n_units), np.diff(adj.indptr))
    dst = adj.indices
    same = codes[src] == codes[dst]
    n = problem.n_units
    graph = coo_array((np.ones(int(same.sum())), (src[same], dst[same])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    k = int(codes.max()) + 1
    return np.array([len(np.unique(labels[codes == c])) for c in range(k)])


def check_plan(problem: OptimiseProblem, result, k: int) -> None:
    """Invariants every plan must hold: one code per unit, totals kept, contiguous."""
    codes = result.codes
    assert codes.shape == (problem.n_units,)
    assert codes.min() >= 0
    assert codes.max() < k
    for j, balance in enumerate(result.balance):
        assert balance.totals.sum() == pytest.approx(problem.weights[:, j].sum())
        expected = np.bincount(codes, weights=problem.weights[:, j], minlength=k)
        np.testing.assert_allclose(balance.totals, expected)
    assert (pieces(problem, codes) == 1).all()
    assert result.contiguous.all()


def stripes_search(problem: OptimiseProblem, k: int, seed: int = 0) -> LocalSearch:
    """A local search (polishing weights) over a contiguous but poor plan: k stripes
    sorted by x."""
    params = OptimiseParams(territories=k, tolerance_pct=5.0, seed=seed)
    model = build_model(problem, params)
    order = np.argsort(problem.xy_km[:, 0], kind="stable")
    codes = np.empty(problem.n_units, dtype=np.int64)
    codes[order] = np.arange(problem.n_units) * k // problem.n_units
    codes = repair_contiguity(model, problem.adjacency, codes)
    search = LocalSearch(
        model,
        problem.adjacency,
        codes,
        disruption_weight=0.0,
        deadline=time.perf_counter() + 60.0,
        stop=lambda: False,
    )
    search.spread_weight = 0.05
    return search
