"""Find likely duplicate accounts without comparing every pair.

Two accounts are likely duplicates when their normalised names match and either their ZIPs
match or they lie within a few metres of each other. Both tests group on integer keys
(factorised names, ZIPs and grid cells), so the cost grows with n, not n².
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Trailing words that do not tell two companies apart ("Acme Inc" is "ACME, LLC").
_LEGAL_SUFFIXES = (
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation",
    "co", "company", "plc", "pc", "pllc", "gmbh", "sa", "ag", "bv",
)  # fmt: skip
_SUFFIX_PATTERN = r"(?: (?:" + "|".join(_LEGAL_SUFFIXES) + r"))+$"
NEAR_METRES = 5.0
_METRES_PER_DEGREE = 111_320.0


def normalised_names(names: pd.Series) -> pa.Array:
    """Return comparable company names: casefolded, no punctuation, no legal suffix.

    "Hartford Insurance Brokers, Inc." and "HARTFORD INSURANCE BROKERS" give the same key;
    empty names give "". Arrow kernels keep this at C speed for a million names.
    """
    text = pa.array(names.astype("string[pyarrow]").array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    text = pc.utf8_lower(pc.fill_null(text, ""))
    words = pc.utf8_trim(pc.replace_substring_regex(text, r"[^\p{L}\p{N}]+", " "), " ")
    # Plain suffix tests find the few names that need the (slower) suffix regex.
    suffixed = pc.ends_with(words, " " + _LEGAL_SUFFIXES[0])
    for suffix in _LEGAL_SUFFIXES[1:]:
        suffixed = pc.or_(suffixed, pc.ends_with(words, " " + suffix))
    if pc.any(suffixed).as_py():
        stripped = pc.replace_substring_regex(words.filter(suffixed), _SUFFIX_PATTERN, "")
        words = pc.replace_with_mask(words, suffixed, stripped)
    return pc.replace_substring(words, " ", "")


def likely_duplicates(
    name_keys: pa.Array, zips: pd.Series, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (later row, first row, reason) for rows that repeat an earlier account.

    Rows are positions in file order; each later row names the first row of its group.
    """
    names = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(name_keys)))[0]
    names[pc.equal(pc.binary_length(name_keys), 0).to_numpy(zero_copy_only=False)] = -1
    # Normalised ZIPs are five digits: their number is a ready-made integer key.
    zip_codes = pc.cast(pa.array(zips.array), pa.int64()).fill_null(-1)
    same_zip = _first_of_group(names, np.asarray(zip_codes))
    near = _first_nearby(names, lat, lon)
    near[same_zip >= 0] = -1  # report each row once, by the plainer reason
    later = [np.flatnonzero(same_zip >= 0), np.flatnonzero(near >= 0)]
    first = [same_zip[later[0]], near[later[1]]]
    reasons = np.empty(len(later[0]) + len(later[1]), dtype=object)
    reasons[: len(later[0])] = "same name and ZIP"
    reasons[len(later[0]) :] = f"same name within {NEAR_METRES:g} m"
    return np.concatenate(later), np.concatenate(first), reasons


def _first_of_group(*codes: np.ndarray) -> np.ndarray:
    """For each row, the first earlier row with equal codes (-1: none, or a code is -1)."""
    usable = np.logical_and.reduce([c >= 0 for c in codes])
    combined = np.zeros(int(usable.sum()), dtype=np.int64)
    for c in codes:  # mixed-radix number of the codes: one integer key per combination
        combined = combined * (int(c.max(initial=0)) + 1) + c[usable]
    combined = pd.factorize(combined)[0]
    rows = np.flatnonzero(usable)
    first_of_code = np.full(combined.max(initial=-1) + 1, -1, dtype=np.int64)
    # Writing in reverse order leaves each group's earliest row in place.
    first_of_code[combined[::-1]] = rows[::-1]
    result = np.full(len(codes[0]), -1, dtype=np.int64)
    first = first_of_code[combined]
    result[rows] = np.where(first != rows, first, -1)
    return result


def _first_nearby(names: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """For each row, an earlier row with the same name within about NEAR_METRES.

    Points are binned on four grids of 2 × NEAR_METRES cells, offset by half a cell in x
    and y: two points closer than NEAR_METRES on both axes share a cell in at least one.
    """
    result = np.full(len(names), -1, dtype=np.int64)
    counts = np.bincount(names[names >= 0], minlength=1)
    rows = np.flatnonzero((names >= 0) & (counts[np.maximum(names, 0)] > 1))
    if len(rows) < 2:
        return result
    y = lat[rows] * _METRES_PER_DEGREE
    x = lon[rows] * _METRES_PER_DEGREE * np.cos(np.radians(lat[rows]))
    size = 2 * NEAR_METRES
    for dx in (0.0, NEAR_METRES):
        for dy in (0.0, NEAR_METRES):
            cx = np.floor((x + dx) / size).astype(np.int64)
            cy = np.floor((y + dy) / size).astype(np.int64)
            cells = (cx - cx.min()) * (int(cy.max() - cy.min()) + 1) + (cy - cy.min())
            first = _first_of_group(names[rows], pd.factorize(cells)[0])
            hit = first >= 0
            # first indexes ``rows``; keep the earliest partner found on any grid.
            partner = rows[first[hit]]
            current = result[rows[hit]]
            better = (current < 0) | (partner < current)
            result[rows[hit][better]] = partner[better]
    found = np.flatnonzero(result >= 0)
    dist = np.hypot(
        (lon[found] - lon[result[found]]) * _METRES_PER_DEGREE * np.cos(np.radians(lat[found])),
        (lat[found] - lat[result[found]]) * _METRES_PER_DEGREE,
    )
    result[found[dist > NEAR_METRES]] = -1
    return result
