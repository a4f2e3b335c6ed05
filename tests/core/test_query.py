"""Attribute queries: operators, precedence, missing values, quoting, errors, speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from terrmap.core.query import QueryError, query_columns, select_where
from terrmap.errors import InputError


@pytest.fixture(scope="module")
def accounts() -> pd.DataFrame:
    """Six accounts; row 5 is missing every value, and the index is not 0..n-1."""
    return pd.DataFrame(
        {
            "id": ["A1", "A2", "A3", "A4", "A5", "A6"],
            "name": ["Acme Inc", "acme labs", "O'Brien & Sons", "Zenith", "Harbor Dental", None],
            "state": ["NY", "ny", "NJ", "CT", "PA", None],
            "revenue": [1_000_000.0, 250.5, 5e4, 0.0, -10.0, np.nan],
            "visits": pd.array([12, 4, 6, 2, 24, None], dtype="Int64"),
            "active": pd.array([True, False, True, True, False, None], dtype="boolean"),
            "Last Visit": pd.to_datetime(
                ["2026-01-05", "2026-03-01", "2025-12-31", "2026-06-30", "2026-02-14", None]
            ),
            "addr:city": ["Albany", "Buffalo", "Newark", "Hartford", "Erie", None],
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def rows(frame: pd.DataFrame, query: str) -> list[str]:
    return frame["id"][select_where(frame, query)].tolist()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("revenue = 250.5", ["A2"]),
        ("revenue == 0", ["A4"]),
        ("revenue != 0", ["A1", "A2", "A3", "A5"]),
        ("revenue <> 0", ["A1", "A2", "A3", "A5"]),
        ("revenue < 0", ["A5"]),
        ("revenue <= 0", ["A4", "A5"]),
        ("revenue > 5e4", ["A1"]),
        ("revenue >= 5e4", ["A1", "A3"]),
        ("revenue >= 1e6", ["A1"]),
        ("revenue > -10.5", ["A1", "A2", "A3", "A4", "A5"]),
        ("revenue < .5", ["A4", "A5"]),
        ("visits >= 12", ["A1", "A5"]),
        ("visits in (2, 4)", ["A2", "A4"]),
        ("state = 'ny'", ["A1", "A2"]),
        ("state != 'NY'", ["A3", "A4", "A5"]),
        ("state < 'NJ'", ["A4"]),
        ("state in ('nj', 'Ct')", ["A3", "A4"]),
        ("name contains 'ACME'", ["A1", "A2"]),
        ("name contains '&'", ["A3"]),
        ("name startswith 'z'", ["A4"]),
        ("name = 'o''brien & sons'", ["A3"]),
        ("active = true", ["A1", "A3", "A4"]),
        ("active = FALSE", ["A2", "A5"]),
        ("active != true", ["A2", "A5"]),
        ("\"Last Visit\" >= '2026-03-01'", ["A2", "A4"]),
        ("`last visit` < '2026-01-01'", ["A3"]),
        ("addr:city = 'erie'", ["A5"]),
        ("state is null", ["A6"]),
        ("state is not null", ["A1", "A2", "A3", "A4", "A5"]),
        ("state not in ('ny', 'nj')", ["A4", "A5"]),
        ("name not contains 'acme'", ["A3", "A4", "A5"]),
        ("name not startswith 'a'", ["A3", "A4", "A5"]),
    ],
)
def test_each_operator(accounts: pd.DataFrame, query: str, expected: list[str]) -> None:
    assert rows(accounts, query) == expected


def test_keywords_columns_and_text_ignore_case(accounts: pd.DataFrame) -> None:
    assert rows(accounts, "STATE = 'Ny' AND Revenue > 1000 OR NAME Contains 'ZEN'") == [
        "A1",
        "A4",
    ]


def test_text_without_letters_matches_like_any_other_text() -> None:
    # Needles without letters skip lower-casing the column; the rows must not change.
    frame = pd.DataFrame({"code": ["AB-12", "ab-12", "X99", "02134", None]})
    assert select_where(frame, "code = 'Ab-12'").tolist() == [True, True, False, False, False]
    assert select_where(frame, "code contains '-1'").tolist() == [True, True, False, False, False]
    assert select_where(frame, "code = '02134'").tolist() == [False, False, False, True, False]
    assert select_where(frame, "code in ('x99', '02134')").tolist() == [
        False,
        False,
        True,
        True,
        False,
    ]
    assert select_where(frame, "code startswith '0' or code > 'a'").tolist() == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_and_binds_tighter_than_or(accounts: pd.DataFrame) -> None:
    # If "or" bound tighter, A4 (CT) would need revenue > 100, which it lacks.
    assert rows(accounts, "state = 'CT' or state = 'NY' and revenue > 100") == ["A1", "A2", "A4"]
    assert rows(accounts, "(state = 'CT' or state = 'NY') and revenue > 100") == ["A1", "A2"]


def test_not_binds_tighter_than_and(accounts: pd.DataFrame) -> None:
    assert rows(accounts, "not state = 'ny' and revenue > 0") == ["A3"]
    assert rows(accounts, "not (state = 'ny' and revenue > 1000)") == ["A2", "A3", "A4", "A5"]
    assert rows(accounts, "not not state = 'CT'") == ["A4"]


def test_missing_values_match_no_comparison_even_negated(accounts: pd.DataFrame) -> None:
    everything = ["A1", "A2", "A3", "A4", "A5"]
    assert rows(accounts, "revenue > -1e9") == everything
    assert rows(accounts, "not revenue > 1e9") == everything
    assert rows(accounts, "revenue != 12345") == everything
    assert rows(accounts, "not visits in (1)") == everything
    assert rows(accounts, "not active = true") == ["A2", "A5"]
    assert rows(accounts, "name != 'x' or revenue is null") == [*everything, "A6"]
    # SQL's three-valued logic: unknown and false is false, so its negation holds.
    assert rows(accounts, "not (state = 'NY' and revenue is null)") == everything
    assert rows(accounts, "not (state = 'NY' and revenue is not null)") == ["A3", "A4", "A5", "A6"]


def test_null_in_one_operand_does_not_hide_a_true_or(accounts: pd.DataFrame) -> None:
    frame = pd.DataFrame({"a": [np.nan, 1.0], "b": [1.0, np.nan]})
    assert select_where(frame, "a = 1 or b = 1").tolist() == [True, True]
    assert select_where(frame, "not (a = 1 and b = 1)").tolist() == [False, False]
    assert select_where(frame, "not (a = 2 and b = 1)").tolist() == [False, True]


def test_returns_plain_bool_array_in_row_order(accounts: pd.DataFrame) -> None:
    result = select_where(accounts, "state = 'NY'")
    assert isinstance(result, np.ndarray)
    assert result.dtype == bool
    assert result.tolist() == [True, True, False, False, False, False]


def test_quoted_names_escape_their_quote_and_take_query_words() -> None:
    frame = pd.DataFrame({'say "hi"': [1, 2], "in": [3, 4], "a`b": [5, 6]})
    assert select_where(frame, '"say ""hi""" = 2').tolist() == [False, True]
    assert select_where(frame, '"IN" = 3').tolist() == [True, False]
    assert select_where(frame, "`a``b` > 5").tolist() == [False, True]


def test_exact_case_wins_over_other_spellings() -> None:
    frame = pd.DataFrame({"Name": ["a", "b"], "name": ["b", "a"]})
    assert select_where(frame, "name = 'a'").tolist() == [False, True]
    with pytest.raises(QueryError, match="several columns"):
        select_where(frame, "NAME = 'a'")


def test_object_and_categorical_columns_are_typed_by_their_values() -> None:
    frame = pd.DataFrame(
        {
            "n": pd.Series([1, None, 2.5], dtype=object),
            "flag": pd.Series([True, None, False], dtype=object),
            "mixed": pd.Series(["x", 7, None], dtype=object),
            "tier": pd.Categorical(["Gold", "silver", None]),
            "blank": pd.Series([None, None, None], dtype=object),
        }
    )
    assert select_where(frame, "n >= 1").tolist() == [True, False, True]
    assert select_where(frame, "flag = false").tolist() == [False, False, True]
    assert select_where(frame, "mixed in ('X', '7')").tolist() == [True, True, False]
    assert select_where(frame, "tier = 'gold'").tolist() == [True, False, False]
    assert select_where(frame, "blank = 3 or blank contains 'x'").tolist() == [False] * 3
    assert select_where(frame, "blank is null").tolist() == [True] * 3


def test_empty_frame_gives_empty_selection() -> None:
    frame = pd.DataFrame({"revenue": pd.Series([], dtype=float)})
    assert select_where(frame, "revenue > 1").shape == (0,)


def test_query_columns_lists_each_name_once_in_order() -> None:
    query = "State = 'NY' and (revenue > 1 or \"Last Visit\" is null) or state in ('NJ')"
    assert query_columns(query) == ["State", "revenue", "Last Visit"]


def test_query_columns_reports_syntax_errors() -> None:
    with pytest.raises(QueryError):
        query_columns("state = ")


def test_python_is_never_evaluated(accounts: pd.DataFrame) -> None:
    for query in ["__import__('os').system('true')", "revenue > (1).__class__", "@revenue > 1"]:
        with pytest.raises(QueryError):
            select_where(accounts, query)


@pytest.mark.parametrize(
    ("query", "offset", "words"),
    [
        ("", 0, "empty"),
        ("revnue > 1", 0, "did you mean 'revenue'"),
        ("state = 'NY' and revenue > 'abc'", 27, "holds numbers, but 'abc' is text"),
        ("revenue = '100'", 10, "remove the quotes: revenue = 100"),
        ("state = 5", 8, "put the value in single quotes: state = '5'"),
        ("state in ('NY', 5)", 16, "state in (..., '5')"),
        ("active = 1", 9, "compare it with true or false"),
        ("active > true", 7, "only compare with = != or in"),
        ("revenue contains 'x'", 8, "'contains' works on text"),
        ("\"Last Visit\" < 'soon'", 15, "'soon' is not a date"),
        ("revenue > 1,000", 11, "thousands separators"),
        ("revenue > 1.000.000", 10, "'1.000.000' is not a number"),
        ("revenue > 10k", 10, "'10k' is not a number"),
        ("state = NY", 8, "put text in single quotes: 'NY'"),
        ('state = "NY"', 8, "double quotes name columns"),
        ("state = null", 8, "'is null'"),
        ("state is empty", 9, "expected 'null' or 'not null'"),
        ("(state = 'NY'", 13, "to close the '(' at character 1"),
        ("state = 'NY')", 12, "no matching '('"),
        ("state = 'NY' revenue > 1", 13, "join conditions with 'and' or 'or'"),
        ("state like 'N%'", 6, "expected a comparison after column 'state'"),
        ("state in 'NY'", 9, "expected '(' after 'in'"),
        ("state in ('NY' 'NJ')", 15, "expected ',' or ')'"),
        ("5 < revenue", 0, "write the column first"),
        ("null is null", 0, "query word"),
        ("name = 'unclosed", 7, "no closing '"),
        ('"unclosed = 1', 0, 'no closing "'),
        ('"" = 1', 0, "empty column name"),
        ("state = 'NY' && revenue > 1", 13, "use 'and'"),
        ("state = \u2018NY\u2019", 8, "straight single quotes"),
        ("revenue > 1 and", 15, "the end of the query"),
    ],
)
def test_errors_name_the_problem_and_its_position(
    accounts: pd.DataFrame, query: str, offset: int, words: str
) -> None:
    with pytest.raises(QueryError) as caught:
        select_where(accounts, query)
    assert caught.value.offset == offset
    assert str(caught.value).startswith(f"At character {offset + 1}: ")
    assert words in str(caught.value)
    assert isinstance(caught.value, InputError)


def test_unknown_column_without_close_names_lists_the_columns(accounts: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="the columns are 'id', 'name', 'state'"):
        select_where(accounts, "xyzzy = 1")


def test_absurd_nesting_is_refused_not_a_crash(accounts: pd.DataFrame) -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        select_where(accounts, "(" * 500 + "revenue > 1" + ")" * 500)
    with pytest.raises(QueryError, match="nested too deeply"):
        select_where(accounts, "not " * 500 + "revenue > 1")


def test_100k_rows_are_selected_correctly_and_fast() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    states = np.array(["NY", "NJ", "CT", "MA", "PA"], dtype=object)
    frame = pd.DataFrame(
        {
            "state": pd.Series(states[rng.integers(0, 5, n)], dtype="str"),
            "name": pd.Series([f"Company {i} Inc" for i in range(n)], dtype="str"),
            "revenue": np.where(rng.random(n) < 0.05, np.nan, rng.lognormal(11, 1, n)),
            "visits": rng.integers(0, 25, n),
        }
    )
    query = (
        "state in ('ny', 'nj') and (revenue >= 1e5 or visits > 20) "
        "and not name contains '99' and revenue is not null"
    )
    expected = (
        frame["state"].isin(["NY", "NJ"])
        & ((frame["revenue"] >= 1e5) | (frame["visits"] > 20))
        & ~frame["name"].str.contains("99")
        & frame["revenue"].notna()
    ).to_numpy()
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        result = select_where(frame, query)
        timings.append(time.perf_counter() - start)
    np.testing.assert_array_equal(result, expected)
    # Typically ~10 ms on the 2-core reference machine; the bound only catches a
    # fall-back to per-row Python.
    assert sorted(timings)[2] < 0.25
