"""Stops from a project: the rep's accounts, which are due, and the columns they read."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from terrmap.errors import InputError
from terrmap.routing.from_project import (
    due_visits,
    find_territory,
    rep_account_positions,
    request_for,
    stops_for,
    working_days,
)
from terrmap.sample import load_sample_project

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def project():
    return load_sample_project()


def test_find_territory_by_id_rep_or_name(project):
    assert find_territory(project, "t03").id == "T03"
    assert find_territory(project, "Marcus Hollis").id == "T03"
    assert find_territory(project, "albany").id == "T03"
    with pytest.raises(InputError, match="no territory or rep called 'Nobody'"):
        find_territory(project, "Nobody")


def test_rep_accounts_are_the_ones_in_the_territory(project):
    territory = find_territory(project, "T03")
    positions = rep_account_positions(project, territory)
    owners = project.ids_for(project.account_codes()[positions])
    assert len(positions) > 100
    assert set(owners) == {"T03"}


def test_due_visits_follow_frequency_and_last_visit(project):
    frame = project.accounts.frame
    positions = np.arange(len(frame))
    due = due_visits(project, positions, MONDAY, days=5)
    friday = pd.Timestamp(MONDAY + dt.timedelta(days=4))
    rate = frame["visits_per_year"].astype(float)
    next_due = pd.to_datetime(frame["last_visit"]) + pd.to_timedelta(365.0 / rate, unit="D")
    expected = set(np.flatnonzero((next_due <= friday).to_numpy()))
    assert set(due) == expected
    assert set(due.values()) == {1}  # nobody in the sample needs more than one visit a week


def test_weekly_accounts_get_several_visits(project):
    frame = project.accounts.frame
    frame.loc[0, "visits_per_year"] = 104
    frame.loc[1, "visits_per_year"] = 260
    frame.loc[[0, 1], "last_visit"] = "2026-11-27"
    due = due_visits(project, np.array([0, 1]), MONDAY, days=5)
    assert due == {0: 2, 1: 5}


def test_stops_read_service_minutes_windows_and_address(project):
    frame = project.accounts.frame
    frame["visit_minutes"] = 45.0
    frame.loc[1, "visit_minutes"] = np.nan
    frame["opens"] = ""
    frame["closes"] = ""
    frame.loc[0, ["opens", "closes"]] = ["09:30", "11:00"]
    stops = stops_for(project, [0, 1], service_min=20)
    assert stops[0].service_s == 45 * 60
    assert stops[1].service_s == 20 * 60  # blank cell: the default
    assert stops[0].window == (9 * 3600 + 1800, 11 * 3600)
    assert stops[1].window is None
    row = frame.iloc[0]
    assert stops[0].address == f"{row['street']}, {row['city']} {row['state']} {row['zip']}"
    assert (stops[0].lat, stops[0].lon) == (row.geometry.y, row.geometry.x)


def test_a_window_that_closes_before_it_opens_is_named(project):
    frame = project.accounts.frame
    frame["window_start"] = "14:00"
    frame["window_end"] = "10:00"
    with pytest.raises(InputError, match=r"account A000001: its window 14:00–10:00 closes"):
        stops_for(project, [0])


def test_request_for_a_week_puts_long_overdue_accounts_first(project):
    dates = working_days(MONDAY, 5)
    request = request_for(project, "T03", dates)
    assert request.rep_id == "T03"
    assert request.start.name == "Marcus Hollis"
    assert request.dates == dates
    priorities = [s.priority for s in request.stops]
    assert priorities == sorted(priorities, reverse=True)
    assert max(priorities) == 2


def test_working_days_skip_weekends():
    assert working_days(dt.date(2026, 12, 4), 3) == (
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 8),
    )


def test_territory_without_home_is_refused(project):
    territory = find_territory(project, "T03")
    index = project.territory_index("T03")
    project.replace_territory(index, territory.with_changes(home=None))
    with pytest.raises(InputError, match=r"territory T03 .* has no home location"):
        request_for(project, "T03", (MONDAY,))
