"""A tiny real project shared by the tests: a 4 × 3 grid of 0.5° cells in Kansas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from terrmap.core import AccountLayer, Plan, Project, Territory, UnitLayer
from terrmap.core.plan import UNASSIGNED


def grid_units(columns: int = 4, rows: int = 3) -> UnitLayer:
    """Square 0.5° units, id ``r{row}c{col}``, with a numeric ``households`` column."""
    cells, ids = [], []
    for r in range(rows):
        for c in range(columns):
            x, y = -100.0 + 0.5 * c, 38.0 + 0.5 * r
            cells.append(shapely.box(x, y, x + 0.5, y + 0.5))
            ids.append(f"r{r}c{c}")
    frame = gpd.GeoDataFrame(
        {"name": [f"Cell {i}" for i in ids], "households": np.arange(len(ids)) * 10 + 5},
        geometry=cells,
        index=ids,
        crs="EPSG:4326",
    )
    return UnitLayer(frame, kind="custom", source="grid")


def grid_accounts(units: UnitLayer) -> AccountLayer:
    """Two accounts per unit (revenue 100·k and 1), plus one account outside every unit."""
    rows = []
    for k, (unit_id, geom) in enumerate(zip(units.ids, units.geometry, strict=True)):
        c = geom.centroid
        for j in range(2):
            rows.append(
                (f"A{k:02d}{j}", f"Shop {k}-{j}", unit_id, 100.0 * k, 1.0, c.x + 0.1 * j, c.y)
            )
    rows.append(("LOST", "Nowhere Inc", None, 7.0, 1.0, -120.0, 10.0))
    ids, names, unit_ids, revenue, visits, xs, ys = zip(*rows, strict=True)
    frame = gpd.GeoDataFrame(
        {
            "account_id": ids,
            "name": names,
            "unit_id": unit_ids,
            "revenue": revenue,
            "visits": visits,
        },
        geometry=shapely.points(xs, ys),
        crs="EPSG:4326",
    )
    return AccountLayer(frame, units, source="grid accounts")


def make_grid_project() -> Project:
    """Three territories; columns 0–1 → T1, column 2 → T2, column 3 unassigned."""
    units = grid_units()
    territories = [
        Territory("T1", "West", owner="Ana", color="#4477AA", home=(-99.8, 38.2)),
        Territory("T2", "Middle", owner="Ben", color="#EE6677"),
        Territory("T3", "East", color="#228833"),
    ]
    codes = np.array([{0: 0, 1: 0, 2: 1, 3: UNASSIGNED}[int(i[-1])] for i in units.ids])
    return Project(units, grid_accounts(units), territories, [Plan("Current", codes)])
