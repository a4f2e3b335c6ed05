"""Read a rep roster (territories) from CSV.

Columns: ``id,name`` required; ``home_lat,home_lon,color,target,parent`` optional, and
``owner`` / ``territory_name`` where the territory and rep names differ. Without an
``owner`` column the ``name`` is the rep's name and the territory is called after them.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from terrmap.core.palette import color_for_index, is_hex_color
from terrmap.core.territory import Territory
from terrmap.errors import InputError

REQUIRED = ("id", "name")


def read_reps(path: str | Path) -> list[Territory]:
    """Read territories from a reps CSV file.

    Parameters
    ----------
    path
        CSV with a header row; see the module docstring for the columns.

    Returns
    -------
    list of Territory
        In file order. Rows with an empty ``owner`` (when that column exists) are vacant.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            reader.fieldnames = header
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}", file=path, line=1)
            territories, seen = [], {}
            for row in reader:
                territory = _territory_from_row(row, len(territories), path, reader.line_num)
                if territory.id in seen:
                    raise InputError(
                        f"duplicate id {territory.id!r} (first on line {seen[territory.id]})",
                        file=path,
                        line=reader.line_num,
                    )
                seen[territory.id] = reader.line_num
                territories.append(territory)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"cannot read the reps file: {error}", file=path) from None
    if not territories:
        raise InputError("the reps file lists no reps", file=path)
    return territories


def _territory_from_row(row: dict[str, str], index: int, path: Path, line: int) -> Territory:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    territory_id, name = text("id"), text("name")
    if not territory_id:
        raise InputError("empty id", file=path, line=line)
    owner = text("owner") if "owner" in row else name
    color = text("color") or color_for_index(index)
    if not is_hex_color(color):
        raise InputError(f"colour {color!r} is not of the form #RRGGBB", file=path, line=line)
    return Territory(
        id=territory_id,
        name=text("territory_name") or name or territory_id,
        owner=owner,
        color=color.upper(),
        home=_home(text("home_lat"), text("home_lon"), path, line),
        target=_number(text("target"), "target", path, line, minimum=0.0),
        parent=text("parent") or None,
    )


def _home(lat_text: str, lon_text: str, path: Path, line: int) -> tuple[float, float] | None:
    if not lat_text and not lon_text:
        return None
    lat = _number(lat_text, "home_lat", path, line)
    lon = _number(lon_text, "home_lon", path, line)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(
            f"home {lat_text}, {lon_text} is not a latitude/longitude", file=path, line=line
        )
    return (lon, lat)


def _number(
    text: str, column: str, path: Path, line: int, minimum: float | None = None
) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise InputError(f"{column} {text!r} is not a number", file=path, line=line) from None
    if math.isnan(value) or (minimum is not None and value < minimum):
        raise InputError(f"{column} must be a number ≥ {minimum:g}", file=path, line=line)
    return value


def write_reps(territories: list[Territory], path: str | Path) -> None:
    """Write territories as a reps CSV that `read_reps` reads back unchanged."""
    columns = [
        "id",
        "name",
        "territory_name",
        "owner",
        "home_lat",
        "home_lon",
        "color",
        "target",
        "parent",
    ]
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for t in territories:
            lat, lon = ("", "") if t.home is None else (t.home[1], t.home[0])
            target = "" if t.target is None else t.target
            writer.writerow(
                [
                    t.id,
                    t.owner or t.name,
                    t.name,
                    t.owner,
                    lat,
                    lon,
                    t.color,
                    target,
                    t.parent or "",
                ]
            )
