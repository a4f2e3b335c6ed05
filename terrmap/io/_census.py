"""Recognise US Census boundary layers (ZCTA, county) by their fields."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Checked in order: the first field present whose values are all five-digit codes wins.
_ZCTA_FIELDS = ("ZCTA5CE20", "ZCTA5CE10", "ZCTA5CE", "ZCTA5", "ZCTA")
# 2010 county files also have a five-digit GEOID10, so these are tried after counties.
_ZCTA_GEOID_FIELDS = ("GEOID20", "GEOID10")
# (id, state, name) fields of county layers across Census vintages.
_COUNTY_FIELDS = (
    ("GEOID", "STATEFP", "NAME"),
    ("GEOID20", "STATEFP20", "NAME20"),
    ("GEOID10", "STATEFP10", "NAME10"),
)
STATE_ABBREVIATIONS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}  # fmt: skip


@dataclass(frozen=True)
class CensusLayer:
    """What a recognised layer is and which fields identify and name its units."""

    kind: str
    id_field: str
    name_field: str | None
    state_field: str | None = None


def recognise(frame: pd.DataFrame) -> CensusLayer | None:
    """Return the Census layer type of ``frame`` or None for any other layer."""
    by_upper = {str(column).upper(): str(column) for column in frame.columns}
    zcta = _zcta_layer(frame, by_upper, _ZCTA_FIELDS)
    if zcta is not None:
        return zcta
    for id_name, state_name, name_name in _COUNTY_FIELDS:
        columns = [by_upper.get(name) for name in (id_name, state_name, name_name)]
        if None not in columns and _all_codes(frame[columns[0]], 5):
            return CensusLayer("county", columns[0], columns[2], columns[1])
    return _zcta_layer(frame, by_upper, _ZCTA_GEOID_FIELDS)


def county_names(names: pd.Series, state_codes: pd.Series) -> pd.Series:
    """Return "Name, ST" so that the 30 Washington counties stay distinguishable."""
    states = state_codes.astype(str).map(STATE_ABBREVIATIONS)
    labelled = names.astype(str) + ", " + states.fillna("")
    return labelled.where(states.notna(), names.astype(str))


def _zcta_layer(
    frame: pd.DataFrame, by_upper: dict[str, str], candidates: tuple[str, ...]
) -> CensusLayer | None:
    for candidate in candidates:
        column = by_upper.get(candidate)
        if column is not None and _all_codes(frame[column], 5):
            return CensusLayer("zcta", column, None)
    return None


def _all_codes(values: pd.Series, digits: int) -> bool:
    """True when every value is a string of exactly ``digits`` digits (as Census ids are)."""
    if values.empty or not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return False
    text = values.astype(str)
    return bool(text.str.fullmatch(rf"\d{{{digits}}}").all())
