"""The bundled sample: real Northeast US counties, synthetic accounts and reps.

The counties and states are US Census 2016 cartographic boundaries; the accounts and
the rep roster are made up by ``resources/make_sample.py`` and marked synthetic so the
app can say so wherever they show.
"""

from __future__ import annotations

import csv
from collections.abc import Callable

import geopandas as gpd

from terrmap.core.build import plan_from_assignment
from terrmap.core.layers import AccountLayer, UnitLayer
from terrmap.core.project import SYNTHETIC_NOTICE, Project
from terrmap.io.accounts import import_accounts
from terrmap.io.reps import read_reps
from terrmap.resources import resource_path

SAMPLE_STATES = ("CT", "MA", "ME", "NH", "RI", "VT", "NY", "NJ", "PA")
SAMPLE_TITLE = "Northeast sample"


def load_counties(states: tuple[str, ...] | None = None) -> UnitLayer:
    """The bundled US counties as a unit layer, optionally only those of ``states``."""
    frame = gpd.read_parquet(resource_path("boundaries", "us_counties.parquet"))
    if states is not None:
        frame = frame[frame["STUSPS"].isin(states)]
    frame = frame.set_index("GEOID")
    frame["name"] = frame["NAME"] + ", " + frame["STUSPS"]
    # Land/water areas are source bookkeeping; area_km2 is measured by the metrics.
    frame = frame[["name", "STATEFP", "STUSPS", "geometry"]]
    return UnitLayer(
        frame, kind="county", source="US Census 2016 counties (cb_2016_us_county_500k)"
    )


def load_states() -> gpd.GeoDataFrame:
    """The bundled US state outlines (display context)."""
    return gpd.read_parquet(resource_path("boundaries", "us_states.parquet"))


def load_sample_project(progress: Callable[[float, str], None] | None = None) -> Project:
    """Build the sample project: 12 synthetic reps over the Northeast's counties."""
    report = progress or (lambda _f, _m: None)
    report(0.0, "Loading counties")
    units = load_counties(SAMPLE_STATES)
    report(0.3, "Loading sample accounts")
    imported = import_accounts(resource_path("sample", "accounts.csv"), units.frame)
    accounts = AccountLayer(imported.frame, units, source="sample accounts (synthetic)")
    report(0.8, "Loading reps and territories")
    territories = read_reps(resource_path("sample", "reps.csv"))
    plan, problems = plan_from_assignment(units, territories, _read_alignment())
    if problems:
        raise RuntimeError(f"the bundled sample alignment is inconsistent: {problems[0]}")
    project = Project(
        units,
        accounts,
        territories,
        [plan],
        context={"states": load_states()},
        metadata={"title": SAMPLE_TITLE, "synthetic": "true", "notice": SYNTHETIC_NOTICE},
    )
    report(1.0, "Sample ready")
    return project


def _read_alignment() -> dict[str, str | None]:
    with resource_path("sample", "alignment.csv").open(newline="", encoding="utf-8") as handle:
        return {row["unit_id"]: row["territory"] or None for row in csv.DictReader(handle)}
