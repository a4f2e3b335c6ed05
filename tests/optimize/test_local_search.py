"""The local search's contiguity test and greedy descent on real county plans."""

from __future__ import annotations

import time

import numpy as np
import pytest

from terrmap.optimize import OptimiseParams
from terrmap.optimize.contiguity import repair_contiguity
from terrmap.optimize.local_search import EPS, LocalSearch
from terrmap.optimize.model import build_model
from tests.optimize.conftest import pieces


def _stripes(problem, k: int) -> LocalSearch:
    """A search over a contiguous but poor plan: k stripes sorted by x."""
    model = build_model(problem, OptimiseParams(territories=k, tolerance_pct=5.0))
    order = np.argsort(problem.xy_km[:, 0], kind="stable")
    codes = np.empty(problem.n_units, dtype=np.int64)
    codes[order] = np.arange(problem.n_units) * k // problem.n_units
    codes = repair_contiguity(model, problem.adjacency, codes)
    return LocalSearch(
        model,
        problem.adjacency,
        codes,
        disruption_weight=0.0,
        deadline=time.perf_counter() + 60.0,
        stop=lambda: False,
    )


def _keeps_contiguity(problem, codes: np.ndarray, i: int, b: int) -> bool:
    """Brute force: does moving ``i`` to ``b`` leave every territory in one piece?"""
    after = codes.copy()
    after[i] = b
    counts = pieces(problem, after)
    return bool((counts[np.unique(after)] == 1).all() and (after == codes[i]).any())


@pytest.mark.parametrize("fixture", ["northeast", "ri_zcta"])
def test_can_move_agrees_with_brute_force_as_moves_are_made(fixture, request):
    """Every boundary move's contiguity verdict, checked against connected components,
    on a plan that changes as moves are applied (so cached answers must follow)."""
    problem = request.getfixturevalue(fixture)
    search = _stripes(problem, 5)
    rng = np.random.default_rng(0)
    checked = refused = 0
    for _ in range(25):
        units, to, _ = search.candidate_moves()
        verdicts = []
        for i, b in zip(units.tolist(), to.tolist(), strict=True):
            verdict = search.can_move(i, b)
            assert verdict == _keeps_contiguity(problem, search.codes, i, b), (i, b)
            verdicts.append(verdict)
            checked += 1
            refused += not verdict
        allowed = np.flatnonzero(verdicts)
        pick = int(rng.choice(allowed))
        search.apply(int(units[pick]), int(to[pick]))
    # Both answers were exercised.
    assert checked > 1000
    assert refused > 50


def test_greedy_descent_ends_where_no_allowed_move_improves(northeast):
    search = _stripes(northeast, 6)
    search.spread_weight = 0.5
    before = search.objective()
    assert search.improve() > 0
    assert search.objective() < before
    assert (pieces(northeast, search.codes) == 1).all()
    units, to, delta = search.candidate_moves()
    for i, b, d in zip(units.tolist(), to.tolist(), delta.tolist(), strict=True):
        if d < -EPS:
            assert not search.can_move(i, b), (i, b, d)
