"""Write terrmap's SYNTHETIC sample: 12 reps, ~5,000 accounts and a county alignment.

Everything here is made up: the people, the companies, the streets, the revenues. Only the
geography is real (Census counties and ZIP points from ``build_resources.py``), so the sample
looks like a plausible Northeast US sales force on a map. Run from the repository root after
``build_resources.py`` (needs the ``dev`` extra for ``zipcodes``' city names)::

    .venv/bin/python resources/make_sample.py

Seeded and deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import zipcodes

from terrmap.core.palette import TERRITORY_COLORS

RESOURCES = Path(__file__).resolve().parent
SAMPLE = RESOURCES / "sample"
SEED = 20261123
# Fixed "today" for last_visit dates, so rebuilding later gives the same files.
AS_OF = dt.date(2026, 11, 1)

REGION_STATES = ("CT", "MA", "ME", "NH", "RI", "VT", "NY", "NJ", "PA")
N_ACCOUNTS = 4980  # plus the deliberate duplicates -> 5,000 rows
N_DUPLICATES = 20
N_MISSING_COORDS = 30
# Equal-area CRS for the contiguous US: distances and buffers in metres.
EQUAL_AREA = 5070
DENSITY_RADIUS_M = 15_000
JITTER_SD_M = 300.0
# A territory may take a county at most this many times farther from its rep's home than
# the nearest rep's home is (while any such move remains).
HOME_SLACK = 1.5

# Paul Tol's "muted"/"bright" colour-blind-safe colours; grey (#BBBBBB) is swapped for indigo
# because grey means "unassigned" in terrmap.
PALETTE = TERRITORY_COLORS[:12]

# (city, lat, lon, district): 12 real home bases spread over the region, placed where the
# accounts are: the New York metro holds a third of them, so it gets three reps (Manhattan,
# Long Island, Newark), while Vermont is left to the reps in Albany and Portland.
HOMES = (
    ("Boston", 42.3601, -71.0589, "NE-North"),
    ("Portland ME", 43.6591, -70.2568, "NE-North"),
    ("Albany", 42.6526, -73.7562, "NE-North"),
    ("Hartford", 41.7658, -72.6734, "NE-North"),
    ("New York City", 40.7128, -74.0060, "NE-Metro"),
    ("Long Island", 40.7062, -73.6187, "NE-Metro"),
    ("Newark", 40.7357, -74.1724, "NE-Metro"),
    ("Philadelphia", 39.9526, -75.1652, "NE-Metro"),
    ("Buffalo", 42.8864, -78.8784, "NE-West"),
    ("Syracuse", 43.0481, -76.1474, "NE-West"),
    ("Pittsburgh", 40.4406, -79.9959, "NE-West"),
    ("Harrisburg", 40.2732, -76.8867, "NE-West"),
)

FIRST_NAMES = (
    "Avery", "Jordan", "Priya", "Marcus", "Elena", "Darnell", "Sofia", "Connor", "Mei",
    "Rafael", "Hannah", "Tobias", "Keisha", "Liam", "Noor", "Gabriel", "Ingrid", "Malik",
)  # fmt: skip
LAST_NAMES = (
    "Callahan", "Okafor", "Lindqvist", "Moreau", "Castellano", "Brennan", "Nakamura",
    "Whitfield", "Dubois", "Kowalski", "Ashworth", "Delgado", "Fairbanks", "Hollis", "Varga",
)  # fmt: skip

NAME_WORDS = (
    "Granite", "Harbor", "Ridge", "Maple", "Pine", "Summit", "Cedar", "Liberty", "Keystone",
    "Hudson", "Lakeside", "Northfield", "Riverbend", "Stonewall", "Evergreen", "Ironwood",
    "Birch", "Cobalt", "Meridian", "Bayview", "Chestnut", "Copper", "Falcon", "Heritage",
    "Highland", "Juniper", "Lantern", "Millbrook", "Oakmont", "Pioneer", "Quarry", "Seaside",
    "Silver", "Tamarack", "Union", "Valley", "Westgate", "Willow", "Acme", "Beacon",
)  # fmt: skip
# Industry -> nouns that make a name sound like that kind of business.
INDUSTRIES = {
    "Healthcare": ("Dental", "Medical Group", "Family Practice", "Pharmacy", "Clinic"),
    "Manufacturing": ("Tool & Die", "Plastics", "Machining", "Fabrication", "Components"),
    "Retail": ("Hardware", "Outfitters", "Market", "Supply", "Home Center"),
    "Logistics": ("Logistics", "Freight", "Transport", "Distribution", "Warehousing"),
    "Construction": ("Builders", "Contracting", "Roofing", "Excavation", "Electric"),
    "Professional Services": ("Accounting", "Law Group", "Consulting", "Insurance", "Partners"),
    "Hospitality": ("Inn", "Bistro", "Catering", "Hotel", "Brewing"),
    "Technology": ("Software", "Data Systems", "Networks", "Labs", "Analytics"),
}
LEGAL_SUFFIXES = ("", "", "", "LLC", "Inc.", "Corp", "Co.", "Group")
STREET_NAMES = (
    "Main", "Elm", "Washington", "Park", "Church", "High", "Maple", "Oak", "Union", "Water",
    "Mill", "School", "Center", "Pleasant", "Prospect", "Franklin", "Bridge", "Spring",
)  # fmt: skip
STREET_TYPES = ("St", "Ave", "Rd", "Dr", "Blvd", "Ln", "Way", "Pkwy")
VISITS_PER_YEAR = (2, 4, 6, 12, 24)
VISIT_WEIGHTS = (0.3, 0.3, 0.2, 0.15, 0.05)


def load_region_counties() -> gpd.GeoDataFrame:
    """Return the region's counties from the bundled boundary file."""
    counties = gpd.read_parquet(RESOURCES / "boundaries" / "us_counties.parquet")
    region = counties[counties["STUSPS"].isin(REGION_STATES)]
    return region.sort_values("GEOID", ignore_index=True)


def load_region_zips() -> pd.DataFrame:
    """Return the region's civilian ZIP points (no MILITARY ZIPs).

    State and ZIP type come from the ``zipcodes`` package here, at build time; the
    bundled table carries only coordinates.
    """
    zips = pd.read_csv(RESOURCES / "geocode" / "zip_points.csv", dtype={"zip": str})
    kinds = pd.DataFrame.from_records(
        [(e["zip_code"], e["state"], e["zip_code_type"]) for e in zipcodes.list_all()],
        columns=["zip", "state", "zip_type"],
    )
    zips = zips.merge(kinds, on="zip", how="left")
    keep = zips["state"].isin(REGION_STATES) & (zips["zip_type"] != "MILITARY")
    return zips[keep].reset_index(drop=True)


def projected_xy(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Project lon/lat to metres in the equal-area CRS, as an (n, 2) array."""
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(EQUAL_AREA)
    return shapely.get_coordinates(points.values)


def zip_weights(zips: pd.DataFrame) -> np.ndarray:
    """Weight each ZIP by the street ZIPs within 15 km: a cheap, offline population proxy.

    Street ZIPs are densest where people (and businesses) are, so this puts most accounts in
    the metros. The square root damps Manhattan, whose many small ZIPs would otherwise draw
    a sixth of all accounts (weight ~ ZIP count x density is quadratic in density). PO BOX and
    UNIQUE ZIPs get a fraction of a street ZIP's weight: few businesses bill to one, but some
    do, which exercises the importer's ZIP handling.
    """
    xy = projected_xy(zips["lon"].to_numpy(), zips["lat"].to_numpy())
    standard = (zips["zip_type"] == "STANDARD").to_numpy()
    tree = shapely.STRtree(shapely.points(xy[standard]))
    pairs = tree.query(shapely.points(xy), predicate="dwithin", distance=DENSITY_RADIUS_M)
    neighbours = np.bincount(pairs[0], minlength=len(zips)).astype(float)
    weights = np.sqrt(neighbours + 1.0) * np.where(standard, 1.0, 0.15)
    return weights / weights.sum()


def place_accounts(
    rng: np.random.Generator, zips: pd.DataFrame, counties: gpd.GeoDataFrame, count: int
) -> pd.DataFrame:
    """Draw ``count`` account locations: a weighted ZIP, jittered, inside a region county.

    Jitter keeps accounts of one ZIP from stacking on one pixel. A jittered point can land in
    the sea or across the region's border; such draws are dropped and drawn again.
    """
    weights = zip_weights(zips)
    tree = shapely.STRtree(counties.geometry.values)
    placed: list[pd.DataFrame] = []
    missing = count
    while missing > 0:
        draw = zips.iloc[rng.choice(len(zips), size=missing, p=weights)].reset_index(drop=True)
        lat, lon = jitter(rng, draw["lat"].to_numpy(), draw["lon"].to_numpy())
        point_idx, county_idx = tree.query(gpd.points_from_xy(lon, lat), predicate="within")
        # Also drop points jittered over a state line: the account's state comes from its ZIP.
        same_state = (
            counties["STUSPS"].to_numpy()[county_idx] == draw["state"].to_numpy()[point_idx]
        )
        point_idx, county_idx = point_idx[same_state], county_idx[same_state]
        inside = draw.iloc[point_idx].assign(
            lat=lat[point_idx], lon=lon[point_idx], GEOID=counties["GEOID"].to_numpy()[county_idx]
        )
        placed.append(inside)
        missing -= len(inside)
    return pd.concat(placed, ignore_index=True)


def jitter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move points by a normal offset of a few hundred metres, rounded to ~10 cm."""
    metres_per_degree = 111_320.0
    dlat = rng.normal(0.0, JITTER_SD_M, lat.size) / metres_per_degree
    dlon = rng.normal(0.0, JITTER_SD_M, lon.size) / (metres_per_degree * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 6), np.round(lon + dlon, 6)


def make_reps(rng: np.random.Generator) -> pd.DataFrame:
    """Return the 12 synthetic reps, one per home city, with unique made-up names."""
    firsts = rng.permutation(FIRST_NAMES)[: len(HOMES)]
    lasts = rng.permutation(LAST_NAMES)[: len(HOMES)]
    rows = [
        {
            "id": f"T{i + 1:02d}",
            "name": f"{first} {last}",
            "territory_name": city,
            "home_lat": lat,
            "home_lon": lon,
            "color": PALETTE[i],
            "target": "",  # empty: every territory aims for an equal share
            "parent": district,
        }
        for i, ((city, lat, lon, district), first, last) in enumerate(
            zip(HOMES, firsts, lasts, strict=True)
        )
    ]
    return pd.DataFrame(rows)


def company_name(rng: np.random.Generator, industry: str) -> str:
    """Make up a company name like "Granite Ridge Dental" or "Harbor Logistics LLC"."""
    words = rng.choice(NAME_WORDS, size=int(rng.integers(1, 3)), replace=False)
    noun = rng.choice(INDUSTRIES[industry])
    suffix = rng.choice(LEGAL_SUFFIXES)
    return " ".join([*words, noun, suffix]).strip()


def street_address(rng: np.random.Generator) -> str:
    """Make up a street address like "42 Mill St"."""
    number = int(rng.integers(1, 3000))
    return f"{number} {rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"


def normalised(name: str) -> str:
    """Reduce a name to lowercase letters and digits, as a duplicate check would."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def describe_accounts(rng: np.random.Generator, places: pd.DataFrame) -> pd.DataFrame:
    """Give each placed account a unique-per-ZIP name, address, industry and sales figures."""
    cities = {entry["zip_code"]: entry["city"] for entry in zipcodes.list_all()}
    industries = rng.choice(list(INDUSTRIES), size=len(places))
    seen: set[tuple[str, str]] = set()
    names = []
    for industry, zip_code in zip(industries, places["zip"], strict=True):
        name = company_name(rng, industry)
        # Only the deliberate duplicates below may share a name within a ZIP.
        while (normalised(name), zip_code) in seen:
            name = company_name(rng, industry)
        seen.add((normalised(name), zip_code))
        names.append(name)
    frame = places.assign(
        name=names,
        street=[street_address(rng) for _ in range(len(places))],
        city=places["zip"].map(cities),
        industry=industries,
    )
    return add_sales_figures(rng, frame)


def add_sales_figures(rng: np.random.Generator, frame: pd.DataFrame) -> pd.DataFrame:
    """Add revenue (lognormal USD), potential (≥ revenue), visit frequency and last visit."""
    revenue = np.round(rng.lognormal(mean=np.log(120_000), sigma=1.0, size=len(frame)))
    headroom = 1.0 + rng.gamma(shape=2.0, scale=0.5, size=len(frame))
    days_ago = rng.integers(0, 365, size=len(frame))
    return frame.assign(
        annual_revenue=revenue.astype(np.int64),
        potential=np.round(revenue * headroom).astype(np.int64),
        visits_per_year=rng.choice(VISITS_PER_YEAR, size=len(frame), p=VISIT_WEIGHTS),
        last_visit=[(AS_OF - dt.timedelta(days=int(d))).isoformat() for d in days_ago],
    )


def misspell(rng: np.random.Generator, name: str) -> str:
    """Return a variant of a company name a CRM might hold twice ("Acme Corp" / "ACME Corp.")."""
    variants = [
        name.upper(),
        name.lower(),
        name + "." if not name.endswith(".") else name[:-1],
        name.replace(" & ", " and ") if " & " in name else name.replace(" ", "  ", 1),
        name.replace("Inc.", "Inc") if "Inc." in name else name + ", Inc.",
        name.replace("Corp", "Corporation") if name.endswith("Corp") else name + " ",
    ]
    return str(rng.choice([variant for variant in variants if variant != name]))


def add_duplicates(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """Append near-copies of some accounts: same ZIP, respelled name, nearly the same point."""
    originals = accounts.iloc[rng.choice(len(accounts), size=N_DUPLICATES, replace=False)]
    copies = originals.assign(
        name=[misspell(rng, name) for name in originals["name"]],
        lat=np.round(originals["lat"] + rng.normal(0, 2e-4, N_DUPLICATES), 6),
        lon=np.round(originals["lon"] + rng.normal(0, 2e-4, N_DUPLICATES), 6),
        annual_revenue=np.round(originals["annual_revenue"] * 0.9).astype(np.int64),
    )
    return pd.concat([accounts, copies], ignore_index=True)


def drop_some_coordinates(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """Blank lat/lon on a few rows, a third of them with a ZIP+4, to exercise ZIP geocoding."""
    rows = rng.choice(len(accounts) - N_DUPLICATES, size=N_MISSING_COORDS, replace=False)
    accounts = accounts.copy()
    accounts["lat"] = accounts["lat"].astype(object)
    accounts["lon"] = accounts["lon"].astype(object)
    accounts.loc[rows, ["lat", "lon"]] = ""
    plus4 = rows[: N_MISSING_COORDS // 3]
    suffixes = [f"-{n:04d}" for n in rng.integers(1, 10_000, size=plus4.size)]
    accounts.loc[plus4, "zip"] = accounts.loc[plus4, "zip"] + suffixes
    return accounts


def make_accounts(
    rng: np.random.Generator, zips: pd.DataFrame, counties: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Return the synthetic account book, shuffled, with ids A000001...; keeps each GEOID."""
    places = place_accounts(rng, zips, counties, N_ACCOUNTS)
    accounts = drop_some_coordinates(rng, add_duplicates(rng, describe_accounts(rng, places)))
    accounts = accounts.iloc[rng.permutation(len(accounts))].reset_index(drop=True)
    accounts.insert(0, "account_id", [f"A{i + 1:06d}" for i in range(len(accounts))])
    return accounts


def county_adjacency(counties: gpd.GeoDataFrame) -> list[set[int]]:
    """Return each county's neighbours (shared edge or corner), by row position."""
    geoms = counties.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    neighbours: list[set[int]] = [set() for _ in range(len(geoms))]
    for a, b in zip(left, right, strict=True):
        if a != b:
            neighbours[a].add(int(b))
    return neighbours


def grow_territories(
    counties: gpd.GeoDataFrame, reps: pd.DataFrame, load: np.ndarray
) -> np.ndarray:
    """Assign every county to a rep by growing regions from the reps' home counties.

    The territory with the least load so far takes its nearest (to the rep's home) unassigned
    neighbouring county, which keeps territories contiguous and roughly balanced. A county
    much nearer another rep's home is left to that rep while any other move exists, so a
    light territory does not snake through a metro. Islands with no land neighbour go to the
    rep whose home is nearest.
    """
    centroids = shapely.get_coordinates(counties.to_crs(EQUAL_AREA).centroid.values)
    homes = projected_xy(reps["home_lon"].to_numpy(), reps["home_lat"].to_numpy())
    # (territory, county) -> metres from the rep's home to the county's centroid.
    home_distance = np.hypot(*(centroids[None, :, :] - homes[:, None, :]).transpose(2, 0, 1))
    neighbours = county_adjacency(counties)
    owner = np.full(len(counties), -1)
    owner[home_counties(counties, reps)] = np.arange(len(reps))
    totals = np.array([load[owner == t].sum() for t in range(len(reps))], dtype=float)
    while (owner < 0).any():
        territory, county = next_county(owner, neighbours, totals, home_distance)
        owner[county] = territory
        totals[territory] += load[county]
    return owner


def home_counties(counties: gpd.GeoDataFrame, reps: pd.DataFrame) -> np.ndarray:
    """Return the row of the county holding each rep's home point."""
    homes = gpd.points_from_xy(reps["home_lon"], reps["home_lat"])
    rep_idx, county_idx = shapely.STRtree(counties.geometry.values).query(homes, "within")
    if len(set(rep_idx)) != len(reps) or len(set(county_idx)) != len(reps):
        raise ValueError("every rep needs a home in a different county of the region")
    return county_idx[np.argsort(rep_idx)]


def next_county(
    owner: np.ndarray,
    neighbours: list[set[int]],
    totals: np.ndarray,
    home_distance: np.ndarray,
) -> tuple[int, int]:
    """Pick the (territory, county) to assign next; see ``grow_territories``."""
    nearest_home = home_distance.min(axis=0)
    for slack in (HOME_SLACK, np.inf):
        for territory in np.argsort(totals, kind="stable"):
            members = np.flatnonzero(owner == territory)
            frontier = np.array(sorted({n for m in members for n in neighbours[m] if owner[n] < 0}))
            if frontier.size == 0:
                continue
            distance = home_distance[territory, frontier]
            eligible = distance <= slack * nearest_home[frontier]
            if eligible.any():
                best = np.argmin(np.where(eligible, distance, np.inf))
                return int(territory), int(frontier[best])
    # No territory borders an unassigned county: the rest are islands, reached across water.
    unassigned = np.flatnonzero(owner < 0)
    nearest = np.argmin(home_distance[:, unassigned].min(axis=0))
    county = int(unassigned[nearest])
    return int(np.argmin(home_distance[:, county])), county


def make_alignment(
    counties: gpd.GeoDataFrame, reps: pd.DataFrame, accounts: pd.DataFrame
) -> pd.DataFrame:
    """Return ``unit_id,territory`` for every county of the region, balanced by account count."""
    load = counties["GEOID"].map(accounts["GEOID"].value_counts()).fillna(0).to_numpy()
    owner = grow_territories(counties, reps, load)
    return pd.DataFrame({"unit_id": counties["GEOID"], "territory": reps["id"].to_numpy()[owner]})


def write_csv(frame: pd.DataFrame, name: str) -> None:
    """Write one sample CSV with Unix line ends."""
    SAMPLE.mkdir(parents=True, exist_ok=True)
    frame.to_csv(SAMPLE / name, index=False, lineterminator="\n")


def summarise(reps: pd.DataFrame, accounts: pd.DataFrame, alignment: pd.DataFrame) -> None:
    """Print row counts and each territory's county and account count."""
    print(f"reps: {len(reps)}, accounts: {len(accounts)}, counties aligned: {len(alignment)}")
    territory_of = alignment.set_index("unit_id")["territory"]
    per_territory = pd.DataFrame(
        {
            "counties": alignment["territory"].value_counts(),
            "accounts": accounts["GEOID"].map(territory_of).value_counts(),
        }
    ).sort_index()
    print(per_territory.to_string())


def main() -> None:
    """Build the sample and print a summary."""
    rng = np.random.default_rng(SEED)
    counties = load_region_counties()
    reps = make_reps(rng)
    accounts = make_accounts(rng, load_region_zips(), counties)
    alignment = make_alignment(counties, reps, accounts)
    write_csv(reps, "reps.csv")
    columns = [
        "account_id", "name", "street", "city", "state", "zip", "lat", "lon",
        "industry", "annual_revenue", "potential", "visits_per_year", "last_visit",
    ]  # fmt: skip
    write_csv(accounts[columns], "accounts.csv")
    write_csv(alignment, "alignment.csv")
    summarise(reps, accounts, alignment)


if __name__ == "__main__":
    main()
