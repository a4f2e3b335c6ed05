"""The local search's contiguity test and greedy descent on real county plans."""

from __future__ import annotations

import numpy as np
import pytest

from terrmap.optimize.local_search import EPS, _smallest
from tests.optimize.conftest import pieces, stripes_search


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
    search = stripes_search(problem, 5)
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
    search = stripes_search(northeast, 6)
    search.spread_weight = 0.5
    before = search.objective()
    assert search.improve() > 0
    assert search.objective() < before
    assert (pieces(northeast, search.codes) == 1).all()
    units, to, delta = search.candidate_moves()
    for i, b, d in zip(units.tolist(), to.tolist(), delta.tolist(), strict=True):
        if d < -EPS:
            assert not search.can_move(i, b), (i, b, d)


def test_scores_kept_up_move_by_move_equal_a_full_rescoring(northeast):
    """A tabu walk scores again only the edges of the two territories a move changed;
    after every move those kept-up scores equal scoring every edge afresh."""
    search = stripes_search(northeast, 6)
    search.spread_weight = 0.5
    every = np.arange(len(search._edge_src))

    def fresh() -> np.ndarray:
        scores = np.full(len(every), np.inf)
        live = search._moves_among(every)
        scores[live] = search._scores(live)
        return scores

    kept = fresh()
    rng = np.random.default_rng(1)
    for _ in range(40):
        units, to, _ = search.candidate_moves()
        allowed = [k for k in range(len(units)) if search.can_move(int(units[k]), int(to[k]))]
        pick = int(rng.choice(allowed))
        i, b = int(units[pick]), int(to[pick])
        a = search.code[i]
        search.apply(i, b)
        search._rescore(kept, a, b)
        np.testing.assert_array_equal(kept, fresh())


@pytest.mark.parametrize("count", [1, 5, 200, 5000])
def test_smallest_is_the_head_of_a_stable_argsort(count):
    """A tabu step picks its candidates by `_smallest`: the same positions, in the same
    order, as the finite head of a stable argsort, ties and infinities included."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, 3000).astype(float)  # many ties
    values[rng.random(3000) < 0.4] = np.inf
    order = np.argsort(values, kind="stable")
    expected = order[np.isfinite(values[order])][:count]
    np.testing.assert_array_equal(_smallest(values, count), expected)
