"""Bad inputs give an InputError with a clear message, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest

from terrmap.errors import InputError
from terrmap.optimize import OptimiseParams, optimise, problem_from_frame, problem_from_project


def test_unknown_column(northeast_frame):
    with pytest.raises(InputError, match="no column named 'nope'"):
        problem_from_frame(northeast_frame, "GEOID", ["nope"])


def test_unknown_id_field(northeast_frame):
    with pytest.raises(InputError, match="unit ids"):
        problem_from_frame(northeast_frame, "ZCTA", ["land_km2"])


def test_non_numeric_column(northeast_frame):
    frame = northeast_frame.copy()
    frame["land_km2"] = frame["land_km2"].astype(object)
    frame.loc[2, "land_km2"] = "lots"
    with pytest.raises(InputError, match=r"not numeric: row 3 .*'lots'"):
        problem_from_frame(frame, "GEOID", ["land_km2"])


def test_negative_value(northeast_frame):
    frame = northeast_frame.copy()
    frame.loc[4, "land_km2"] = -1.0
    with pytest.raises(InputError, match="≥ 0: row 5"):
        problem_from_frame(frame, "GEOID", ["land_km2"])


def test_duplicate_id(northeast_frame):
    frame = northeast_frame.copy()
    frame.loc[1, "GEOID"] = frame.loc[0, "GEOID"]
    with pytest.raises(InputError, match="more than once"):
        problem_from_frame(frame, "GEOID", ["land_km2"])


def test_too_many_metrics(northeast_frame):
    with pytest.raises(InputError, match="one to three"):
        problem_from_frame(northeast_frame, "GEOID", ["ALAND", "AWATER", "land_km2", "ALAND"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"territories": 0}, "at least 1"),
        ({"tolerance_pct": 0.0}, "above 0"),
        ({"mode": "shuffle"}, "mode"),
        ({"max_moved_pct": 150.0}, "between 0 and 100"),
        ({"time_limit_s": 0.0}, "time limit"),
    ],
)
def test_bad_parameters(changes, message):
    with pytest.raises(InputError, match=message):
        OptimiseParams(**{"territories": 3, **changes})


def test_more_territories_than_units(northeast):
    with pytest.raises(InputError, match="cannot make"):
        optimise(northeast, OptimiseParams(territories=northeast.n_units + 1))


def test_rebalance_without_a_plan(northeast):
    with pytest.raises(InputError, match="existing plan"):
        optimise(northeast, OptimiseParams(territories=3, mode="rebalance"))


def test_locks_need_a_plan(northeast):
    locked = np.zeros(northeast.n_units, dtype=bool)
    locked[0] = True
    with pytest.raises(InputError, match="locked"):
        optimise(northeast, OptimiseParams(territories=3, locked_units=locked))


def test_unknown_project_metric(sample_project):
    with pytest.raises(InputError, match="no metric named 'profit'"):
        problem_from_project(sample_project, ("profit",))


def test_a_metric_that_is_zero_everywhere_is_refused(northeast_frame):
    frame = northeast_frame.assign(nothing=0.0)
    with pytest.raises(InputError, match="nothing is 0 in every unit"):
        problem_from_frame(frame, "GEOID", ["land_km2", "nothing"])
