"""Territory-optimisation benchmark instances: real boundaries with real demand proxies.

Every builder returns an :class:`Instance` whose ``frame`` is a GeoDataFrame of units (id column,
geometry in EPSG:4326, weight columns), usable as
``terrmap.optimize.problem_from_frame(inst.frame, inst.id_field, inst.weight_columns)``.

Instances (``INSTANCES``):

- ``tx_counties_12``: the 254 Texas counties into 12 territories, weighted by active ZIP codes.
- ``us_counties_60``: the ~3,108 contiguous-US counties into 60 territories, active ZIP codes.
- ``tx_counties_12_pop`` / ``us_counties_60_pop``: the same, balancing active ZIP codes *and*
  2010 county population at once (two metrics, the tolerance applies to both).
- ``de_zcta_8`` / ``ri_zcta_8``: real Census 2010 ZCTAs of Delaware / Rhode Island into 8
  territories by land area (``ALAND10``). The synthetic sample account book (Northeast US) has
  no accounts in Delaware, so Delaware is by land area only.
- ``ri_zcta_8_accounts``: Rhode Island by the 81 sample accounts that fall in its ZCTAs
  (granular: ~10 accounts a territory, so ±2 % is unreachable by integer counts alone).
- ``us_counties_60_rebalance``: a good plan of ``us_counties_60`` (cached), with ZIP demand in the
  South Atlantic Census division raised by 30 %; rebalance moving at most 10 % of the units.
- ``us_zip_like_100`` / ``us_zip_like_100_rebalance`` (not run by default): the national
  ZIP-like layer (33,300 cells) → 100 territories, one demand per ZIP; and a good plan of it
  (cached) with the demand of its eastern fifth (by x) raised by 30 %, rebalanced moving at
  most 10 % of the cells within 60 s.

Demand proxy: the number of active ZIP codes (``zipcodes`` PyPI package, ``active``, ``lat``,
``long``) whose point falls inside the county (points that fall just outside every county, e.g. on
the coast, go to the nearest county within 10 km). Derived tables are cached in
``benchmarks/.cache/``.

Usage from elsewhere::

    sys.path.insert(0, "benchmarks")
    from optimize_instances import build_instance
    inst = build_instance("tx_counties_12")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "benchmarks" / ".cache"
COUNTIES = REPO / "resources" / "boundaries" / "us_counties.parquet"
SHARED = REPO.parent / "shared" / "data"
COUNTY_POP = SHARED / "population" / "county_pop2010.csv"
ZCTA_DIR = SHARED / "zcta"
SAMPLE_ACCOUNTS = REPO / "resources" / "sample" / "accounts.csv"

EQUAL_AREA = "EPSG:5070"
NON_CONTIGUOUS_STATES = ("02", "15", "60", "66", "69", "72", "78")
# Census division 5, South Atlantic: DE DC FL GA MD NC SC VA WV.
SOUTH_ATLANTIC = ("10", "11", "12", "13", "24", "37", "45", "51", "54")
REBALANCE_INCREASE = 0.30
REBALANCE_MAX_MOVED_PCT = 10.0
ZIP_CACHE_VERSION = 1


@dataclass(frozen=True)
class Instance:
    """One benchmark instance.

    Attributes
    ----------
    name
        Short id, e.g. ``"us_counties_60"``.
    frame
        Units: ``id_field``, ``geometry`` (EPSG:4326) and the ``weight_columns``.
    id_field, weight_columns
        Arguments for ``problem_from_frame``; the first weight is also the activity
        (compactness weight).
    territories
        Number of territories K.
    mode
        ``"carve"`` or ``"rebalance"``.
    current
        Rebalance only: ``(n,)`` int territory code per unit of the plan to rebalance.
    max_moved_pct
        Rebalance only: cap on the share of units that may change owner.
    time_limit_s
        terrmap's time limit here, when the benchmark's default does not suit the instance.
    notes
        Provenance and caveats, printed with the results.
    """

    name: str
    frame: gpd.GeoDataFrame
    id_field: str
    weight_columns: tuple[str, ...]
    territories: int
    mode: str = "carve"
    current: np.ndarray | None = None
    max_moved_pct: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    time_limit_s: float | None = None

    @property
    def weights(self) -> np.ndarray:
        """``(n, m)`` float weights in frame order."""
        return self.frame[list(self.weight_columns)].to_numpy(dtype=float)


# --- source data ---------------------------------------------------------------------------------


def contiguous_us_counties() -> gpd.GeoDataFrame:
    """The lower-48 + DC counties (2016 cartographic boundaries), EPSG:4326, sorted by GEOID."""
    counties = gpd.read_parquet(COUNTIES).to_crs("EPSG:4326")
    keep = ~counties["STATEFP"].isin(NON_CONTIGUOUS_STATES)
    counties = counties.loc[keep, ["GEOID", "STATEFP", "NAME", "ALAND", "geometry"]]
    return counties.sort_values("GEOID").reset_index(drop=True)


def active_zip_points() -> gpd.GeoDataFrame:
    """Active ZIP codes of the ``zipcodes`` package as points (EPSG:4326)."""
    import zipcodes

    rows = [
        (z["zip_code"], float(z["lat"]), float(z["long"]))
        for z in zipcodes.list_all()
        if z["active"] and z["lat"] and z["long"]
    ]
    frame = pd.DataFrame(rows, columns=["zip", "lat", "lon"])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def count_points_in_units(
    points: gpd.GeoDataFrame, units: gpd.GeoDataFrame, id_field: str, snap_m: float = 10_000
) -> pd.Series:
    """Number of points inside each unit; points outside all units go to the nearest one
    within ``snap_m`` metres (coastal ZIP points). Indexed by ``id_field``, zeros included."""
    units = units[[id_field, "geometry"]]
    points = points[["geometry"]]
    joined = gpd.sjoin(points, units, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    owner = joined[id_field]
    missing = owner.isna().to_numpy().copy()
    if missing.any():
        reach = units.to_crs(EQUAL_AREA).total_bounds + np.array([-1, -1, 1, 1]) * snap_m
        xy = points.to_crs(EQUAL_AREA).get_coordinates().to_numpy()
        missing &= (xy[:, 0] >= reach[0]) & (xy[:, 1] >= reach[1])
        missing &= (xy[:, 0] <= reach[2]) & (xy[:, 1] <= reach[3])
    if missing.any():
        near = gpd.sjoin_nearest(
            points.loc[missing].to_crs(EQUAL_AREA),
            units.to_crs(EQUAL_AREA),
            how="left",
            max_distance=snap_m,
        )
        near = near[~near.index.duplicated()]
        owner.loc[near.index] = near[id_field]
    counts = owner.dropna().value_counts()
    return counts.reindex(units[id_field], fill_value=0).astype(float)


def county_zip_counts() -> pd.Series:
    """Active ZIP codes per contiguous-US county (GEOID index), cached."""
    path = CACHE / f"county_zip_counts_v{ZIP_CACHE_VERSION}.csv"
    if path.exists():
        return pd.read_csv(path, dtype={"GEOID": str}).set_index("GEOID")["zips"]
    counts = count_points_in_units(active_zip_points(), contiguous_us_counties(), "GEOID")
    CACHE.mkdir(parents=True, exist_ok=True)
    counts.rename("zips").rename_axis("GEOID").reset_index().to_csv(path, index=False)
    return counts.rename("zips")


def county_population() -> pd.Series:
    """2010 Census population per county (GEOID index) from ``county_pop2010.csv``."""
    table = pd.read_csv(COUNTY_POP, dtype={"GEOID": str}, usecols=["GEOID", "POP10"])
    return table.set_index("GEOID")["POP10"].astype(float)


def county_frame() -> gpd.GeoDataFrame:
    """Contiguous-US counties with ``zips`` (active ZIP codes) and ``pop`` (2010) columns."""
    counties = contiguous_us_counties()
    counties["zips"] = county_zip_counts().reindex(counties["GEOID"]).fillna(0).to_numpy()
    counties["pop"] = county_population().reindex(counties["GEOID"]).to_numpy()
    if counties["pop"].isna().any():
        missing = counties.loc[counties["pop"].isna(), "GEOID"].tolist()
        raise ValueError(f"no 2010 population for counties {missing[:10]}")
    return counties


def read_zcta(state: str) -> gpd.GeoDataFrame:
    """Census 2010 ZCTAs of a state (``de`` or ``ri``), EPSG:4326, sorted by GEOID10."""
    frame = gpd.read_file(ZCTA_DIR / f"{state}_zcta2010.geojson").to_crs("EPSG:4326")
    frame = frame[["GEOID10", "ALAND10", "geometry"]].copy()
    frame["ALAND10"] = frame["ALAND10"].astype(float)
    return frame.sort_values("GEOID10").reset_index(drop=True)


def sample_account_points() -> gpd.GeoDataFrame:
    """The bundled synthetic sample accounts as points (EPSG:4326)."""
    table = pd.read_csv(SAMPLE_ACCOUNTS, dtype={"zip": str})
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )


# --- instances -----------------------------------------------------------------------------------


ZIP_NOTE = "weight zips = active ZIP codes (zipcodes package) whose point falls in the county"
POP_NOTE = "weight pop = 2010 Census county population (county_pop2010.csv POP10)"


def texas_counties(with_population: bool = False) -> Instance:
    """Texas (STATEFP 48) counties → 12 territories by active ZIP codes (and population)."""
    frame = county_frame()
    frame = frame[frame["STATEFP"] == "48"].reset_index(drop=True)
    weights = ("zips", "pop") if with_population else ("zips",)
    return Instance(
        name="tx_counties_12_pop" if with_population else "tx_counties_12",
        frame=frame,
        id_field="GEOID",
        weight_columns=weights,
        territories=12,
        notes=(ZIP_NOTE, POP_NOTE) if with_population else (ZIP_NOTE,),
    )


def us_counties(with_population: bool = False) -> Instance:
    """Contiguous-US counties → 60 territories by active ZIP codes (and population)."""
    weights = ("zips", "pop") if with_population else ("zips",)
    return Instance(
        name="us_counties_60_pop" if with_population else "us_counties_60",
        frame=county_frame(),
        id_field="GEOID",
        weight_columns=weights,
        territories=60,
        notes=(ZIP_NOTE, POP_NOTE) if with_population else (ZIP_NOTE,),
    )


def zcta_land_area(state: str) -> Instance:
    """Census 2010 ZCTAs of ``de`` / ``ri`` → 8 territories by land area (ALAND10)."""
    note = "weight ALAND10 = land area (m²); the sample account book has no accounts in DE"
    return Instance(
        name=f"{state}_zcta_8",
        frame=read_zcta(state),
        id_field="GEOID10",
        weight_columns=("ALAND10",),
        territories=8,
        notes=(note,) if state == "de" else ("weight ALAND10 = land area (m²)",),
    )


def ri_zcta_accounts() -> Instance:
    """Rhode Island ZCTAs → 8 territories by synthetic sample accounts (+ land area as 2nd)."""
    frame = read_zcta("ri")
    frame["accounts"] = count_points_in_units(
        sample_account_points(), frame, "GEOID10", snap_m=2_000
    ).to_numpy()
    total = int(frame["accounts"].sum())
    return Instance(
        name="ri_zcta_8_accounts",
        frame=frame,
        id_field="GEOID10",
        weight_columns=("accounts",),
        territories=8,
        notes=(
            f"weight accounts = {total} synthetic sample accounts in RI ZCTAs "
            f"(~{total / 8:.1f} a territory: integer granularity alone forces several %)",
        ),
    )


def us_zip_like() -> Instance:
    """The national ZIP-like layer (33,300 cells, `zip_like.py`) → 100 territories, one
    demand per ZIP: the scale of a real national ZCTA layer, to time the optimiser on."""
    from zip_like import zip_like_units

    frame = zip_like_units().frame.reset_index()
    frame["zips"] = 1.0
    return Instance(
        name="us_zip_like_100",
        frame=frame[["unit_id", "zips", "geometry"]],
        id_field="unit_id",
        weight_columns=("zips",),
        territories=100,
        notes=(
            "Voronoi cells of the contiguous-US ZIP points clipped to land and densified like "
            "TIGER ZCTAs (benchmarks/zip_like.py); weight zips = 1 per ZIP, the ZIP-count "
            "demand of the county instances at ZIP level",
        ),
    )


def perturbed_rebalance(
    base: Instance,
    base_codes: np.ndarray,
    source: str,
    region: np.ndarray,
    where: str,
    time_limit_s: float | None = None,
) -> Instance:
    """``base`` with the demand of the units in ``region`` (described by ``where``) +30 %,
    to rebalance from ``base_codes``."""
    frame = base.frame.copy()
    for column in base.weight_columns:
        frame[column] = frame[column].astype(float) * np.where(region, 1 + REBALANCE_INCREASE, 1.0)
    return Instance(
        name=f"{base.name}_rebalance",
        frame=frame,
        id_field=base.id_field,
        weight_columns=base.weight_columns,
        territories=base.territories,
        mode="rebalance",
        current=np.asarray(base_codes, dtype=np.int64),
        max_moved_pct=REBALANCE_MAX_MOVED_PCT,
        notes=(
            *base.notes,
            f"demand in {where} ({int(region.sum())} units) +30 %",
            f"base plan: {source}; rebalance moving ≤ {REBALANCE_MAX_MOVED_PCT:g} % of units",
        ),
        time_limit_s=time_limit_s,
    )


def rebalance_base_plan(base: Instance, seed: int = 0) -> tuple[np.ndarray, str]:
    """A good contiguous plan of ``base``: terrmap's optimiser if it works (cached), else
    GerryChain's recursive tree partition (not cached). Returns ``(codes, provenance)``."""
    path = CACHE / f"{base.name}_rebalance_base.json"
    ids = base.frame[base.id_field].tolist()
    if path.exists():
        stored = json.loads(path.read_text())
        if stored["ids"] == ids:
            return np.asarray(stored["codes"], dtype=np.int64), stored["source"]
    codes, source = _terrmap_base_plan(base, seed)
    if codes is None:  # not cached: use terrmap's plan once the optimiser works
        from optimize_eval import make_context
        from optimize_peers import gerrychain_tree_plan

        codes = gerrychain_tree_plan(make_context(base), epsilon=0.05, seed=seed)
        return codes, f"GerryChain recursive_tree_part (epsilon 0.05, seed {seed})"
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ids": ids, "codes": codes.tolist(), "source": source}))
    return codes, source


def _terrmap_base_plan(base: Instance, seed: int) -> tuple[np.ndarray | None, str]:
    """terrmap's carve plan of ``base`` if the optimiser is importable and the plan is valid."""
    try:
        from terrmap.optimize import OptimiseParams, optimise, problem_from_frame

        problem = problem_from_frame(base.frame, base.id_field, list(base.weight_columns))
        params = OptimiseParams(territories=base.territories, seed=seed, time_limit_s=20.0)
        result = optimise(problem, params)
    except Exception:
        return None, ""
    if not bool(np.all(result.contiguous)):
        return None, ""
    deviation = max(b.max_abs_deviation_pct for b in result.balance)
    return np.asarray(result.codes, dtype=np.int64), (
        f"terrmap.optimize carve (seed {seed}, max deviation {deviation:.2f} %)"
    )


def us_counties_rebalance() -> Instance:
    """``us_counties_60`` perturbed (+30 % South Atlantic) to rebalance from a cached good plan."""
    base = us_counties()
    codes, source = rebalance_base_plan(base)
    region = base.frame["STATEFP"].isin(SOUTH_ATLANTIC).to_numpy()
    return perturbed_rebalance(base, codes, source, region, "the South Atlantic division")


def us_zip_like_rebalance() -> Instance:
    """``us_zip_like_100`` with the demand of its eastern fifth +30 %, to rebalance from a
    cached good plan within 60 s (a national layer's rebalance needs more than the default
    10 s: its first flows alone take a few seconds)."""
    base = us_zip_like()
    codes, source = rebalance_base_plan(base)
    x = base.frame.geometry.to_crs(EQUAL_AREA).representative_point().x.to_numpy()
    region = x > np.quantile(x, 0.8)
    return perturbed_rebalance(
        base, codes, source, region, "the eastern fifth of the cells (by x)", time_limit_s=60.0
    )


INSTANCES: dict[str, Callable[[], Instance]] = {
    "tx_counties_12": texas_counties,
    "us_counties_60": us_counties,
    "tx_counties_12_pop": lambda: texas_counties(with_population=True),
    "us_counties_60_pop": lambda: us_counties(with_population=True),
    "de_zcta_8": lambda: zcta_land_area("de"),
    "ri_zcta_8": lambda: zcta_land_area("ri"),
    "ri_zcta_8_accounts": ri_zcta_accounts,
    "us_counties_60_rebalance": us_counties_rebalance,
    # Not run by default: its peers (spopt, GerryChain) would take hours at this size.
    "us_zip_like_100": us_zip_like,
    "us_zip_like_100_rebalance": us_zip_like_rebalance,
}


def build_instance(name: str) -> Instance:
    """The instance called ``name`` (one of ``INSTANCES``)."""
    if name not in INSTANCES:
        raise KeyError(f"unknown instance {name!r}; choose from {', '.join(INSTANCES)}")
    return INSTANCES[name]()


def describe(instance: Instance) -> dict[str, object]:
    """Size and totals of an instance, for a quick look."""
    weights = instance.weights
    return {
        "name": instance.name,
        "units": len(instance.frame),
        "territories": instance.territories,
        "weights": {c: float(weights[:, j].sum()) for j, c in enumerate(instance.weight_columns)},
        "mode": instance.mode,
        "notes": list(instance.notes),
    }


if __name__ == "__main__":
    import sys

    names = sys.argv[1:] or [n for n in INSTANCES if not n.endswith("_rebalance")]
    print(json.dumps([describe(build_instance(n)) for n in names], indent=2, ensure_ascii=False))
