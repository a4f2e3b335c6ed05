"""Recognise the columns of CRM account exports and convert text columns to values.

Header names are compared case-, space-, dash- and underscore-insensitively, so
"BillingLatitude", "Billing Latitude" and "billing_latitude" are the same column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_ID_KEYS = ("accountid", "id", "recordid", "companyid", "accountnumber", "customerid")
_NAME_KEYS = ("name", "accountname", "companyname", "customername", "company", "account")
_ZIP_KEYS = ("zip", "zipcode", "postalcode", "postcode", "zip5", "zippostalcode")
# Address blocks in Salesforce, HubSpot and others; unprefixed names first.
_PREFIXES = ("", "billing", "shipping", "company", "mailing", "geo", "account")
_COORDINATE_PAIRS = (
    ("latitude", "longitude"),
    ("lat", "lon"),
    ("lat", "lng"),
    ("lat", "long"),
)
_LEADING_ZERO_MIN_LENGTH = 2
_MAX_EXACT_DIGITS = 15  # longer integers (CRM ids) lose digits as float: keep them as text


def header_key(name: str) -> str:
    """Return the comparable form of a header ("Billing Latitude" → "billinglatitude")."""
    return re.sub(r"[\s_\-.]+", "", name.casefold())


def recognise_columns(names: list[str]) -> dict[str, str]:
    """Map roles ``id``, ``name``, ``lat``, ``lon``, ``zip`` to source column names.

    Parameters
    ----------
    names
        The source's column names.

    Returns
    -------
    dict
        Only the roles that were found.
    """
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(header_key(name), name)
    roles: dict[str, str] = {}
    prefix = _find_coordinates(by_key, roles)
    zip_keys = [prefix + k for k in ("postalcode", "zip", "zipcode")] + list(_ZIP_KEYS)
    zip_keys += [p + k for p in _PREFIXES for k in ("postalcode", "zip", "zipcode")]
    for role, keys in (("id", _ID_KEYS), ("name", _NAME_KEYS), ("zip", zip_keys)):
        found = next((by_key[k] for k in keys if k in by_key), None)
        if found is not None:
            roles[role] = found
    return roles


def _find_coordinates(by_key: dict[str, str], roles: dict[str, str]) -> str:
    """Fill ``lat``/``lon`` from the first complete pair; return the pair's address prefix."""
    pairs = [(p, p + la, p + lo) for p in _PREFIXES for la, lo in _COORDINATE_PAIRS]
    pairs.append(("", "y", "x"))
    for prefix, lat_key, lon_key in pairs:
        if lat_key in by_key and lon_key in by_key:
            roles["lat"], roles["lon"] = by_key[lat_key], by_key[lon_key]
            return prefix
    return ""


def parse_numbers(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Return float values (NaN where empty or not a number) and a mask of non-empty cells."""
    text = _trimmed(column)
    present = pc.is_valid(text).to_numpy()
    try:
        values = pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        # Dirty cells: parse leniently, accepting decimal commas ("41,82") from European exports.
        series = pd.Series(pc.replace_substring(text, ",", ".").to_pandas())
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float), present
    return values.to_numpy().astype(float, copy=False), present


def convert_column(column: pa.ChunkedArray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Convert a text column to int64 (complete integers), float64 (numbers) or text.

    Values with a leading zero ("02903", "007") and very long integers stay text, since they
    are codes, not quantities.
    """
    if not _sample_is_numeric(column):
        return _as_text(column)  # most text columns stop here, before any full-column work
    text = _trimmed(column)
    if _has_codes(text):
        return _as_text(column)
    try:
        integers = pc.cast(text, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        integers = None
    if integers is not None:
        if pc.max(pc.binary_length(text)).as_py() > _MAX_EXACT_DIGITS:
            return _as_text(column)
        if integers.null_count == 0:
            return integers.to_numpy()
    try:
        return pc.cast(text, pa.float64()).to_numpy().astype(float, copy=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _as_text(column)


def _trimmed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trim blanks and make empty cells null, so "" and " " both count as missing."""
    text = pc.utf8_trim_whitespace(column)
    # binary_length is a plain kernel; comparing with "" is ~100x slower in Arrow.
    empty = pc.equal(pc.binary_length(text), 0)
    return pc.if_else(empty, pa.scalar(None, text.type), text)


def _sample_is_numeric(column: pa.ChunkedArray, size: int = 100) -> bool:
    """Cheap first look: a failing cast of a whole text column costs as much as a success."""
    sample = _trimmed(column.drop_null().slice(0, size)).drop_null()
    if len(sample) == 0:
        return False  # an empty column stays text
    try:
        pc.cast(sample, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _has_codes(text: pa.ChunkedArray) -> bool:
    leading_zero = pc.and_(
        pc.starts_with(text, "0"),
        pc.and_(
            pc.greater_equal(pc.binary_length(text), _LEADING_ZERO_MIN_LENGTH),
            pc.invert(pc.starts_with(text, "0.")),
        ),
    )
    return bool(pc.any(leading_zero).as_py())


def _as_text(column: pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    return pd.array(column.to_pandas(), dtype="str")
