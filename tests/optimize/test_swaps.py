"""Swaps of boundary units between neighbouring territories, and the search around them."""

from __future__ import annotations

import numpy as np

from terrmap.optimize import OptimiseParams, optimise
from terrmap.optimize.swaps import improve_with_swaps, swap_pass
from tests.optimize.conftest import pieces, stripes_search


def test_swaps_keep_territories_contiguous_and_improve(northeast):
    search = stripes_search(northeast, 5)
    search.improve()
    before = search.objective()
    swapped = swap_pass(search)
    after = search.objective()
    assert (pieces(northeast, search.codes) == 1).all()
    if swapped:
        assert after < before
    # The running sums still match a recount.
    totals = np.bincount(search.codes, weights=northeast.weights[:, 0], minlength=5)
    np.testing.assert_allclose(np.asarray(search.totals)[:, 0], totals)


def test_swaps_preserve_totals_roughly_and_never_worsen(northeast):
    search = stripes_search(northeast, 8, seed=3)
    search.improve()
    violation = search.violation()
    before = search.objective()
    improve_with_swaps(search)
    assert search.objective() <= before + 1e-9
    assert search.violation() <= violation + 1e-9
    assert (pieces(northeast, search.codes) == 1).all()


def test_deadline_passed_is_reported_as_stopped_early(northeast):
    result = optimise(northeast, OptimiseParams(territories=8, time_limit_s=0.01))
    assert result.stopped_early
    assert (pieces(northeast, result.codes) == 1).all()


def test_converged_run_is_not_stopped_early(ri_zcta):
    result = optimise(ri_zcta, OptimiseParams(territories=3, tolerance_pct=10.0, time_limit_s=30))
    assert not result.stopped_early
