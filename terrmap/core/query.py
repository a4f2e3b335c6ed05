"""Select table rows with a small attribute query, e.g. ``state in ('NY', 'NJ') and revenue > 1e6``.

The query language (keywords, column names and text comparisons ignore case)::

    expr       := or_expr
    or_expr    := and_expr ('or' and_expr)*
    and_expr   := not_expr ('and' not_expr)*
    not_expr   := 'not' not_expr | '(' expr ')' | comparison
    comparison := column op value
                | column ['not'] ('contains' | 'startswith') text
                | column ['not'] 'in' '(' value (',' value)* ')'
                | column 'is' ['not'] 'null'
    op         := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
    column     := bare name (a letter or _, then letters, digits, _ or :)
                | "double quoted" | `back-quoted`     (for names with spaces or query words)
    value      := number (12, -3.5, 1e6) | 'single quoted text' ('O''Brien') | true | false

So ``and`` binds tighter than ``or``: ``a = 1 or b = 2 and c = 3`` is ``a = 1 or (b = 2 and
c = 3)``. Numbers take no thousands separators: ``1,000`` would be ambiguous inside
``in (1,000)`` (two values), so a comma after a number elsewhere is an error that says so.

Why a parser of our own: `pandas.DataFrame.query` and `pandas.eval` evaluate Python, and a
query typed by a user or stored in a shared project must never run code.

Missing values follow SQL: a comparison with a missing value is neither true nor false, so
``revenue > 100`` and ``not revenue > 100`` both leave out rows without a revenue; only
``is null`` finds them. Text comparisons (``=``, ``!=``, ``<``..., ``contains``,
``startswith``, ``in``) ignore case. Date columns compare with text such as ``'2026-01-31'``
(midnight of that day, so ``>= '2026-01-31'`` includes the whole day).
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from terrmap.core._query_syntax import (
    And,
    Column,
    Compare,
    IsNull,
    Node,
    Not,
    Or,
    QueryError,
    Value,
    parse,
)

__all__ = ["QueryError", "query_columns", "select_where"]

Masks = tuple[np.ndarray, np.ndarray]  # (rows where a condition is true, rows where it is false)

_ORDERING: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_KIND_WORDS = {
    "number": "numbers",
    "text": "text",
    "bool": "true/false values",
    "datetime": "dates",
}


def select_where(frame: pd.DataFrame, text: str) -> np.ndarray:
    """Return which rows of ``frame`` match the query ``text``.

    Parameters
    ----------
    frame
        The table to query; its column names are matched ignoring case.
    text
        A query in the language described in this module's docstring, e.g.
        ``segment = 'SMB' and (revenue >= 1e5 or "Last Visit" is null)``.

    Returns
    -------
    numpy.ndarray
        One bool per row of ``frame``, in row order (the index is ignored).

    Raises
    ------
    QueryError
        (an `terrmap.errors.InputError`) if the query has a syntax error, names a column
        the frame lacks, or compares a column with a value of another type; the message
        gives the character position and, for an unknown column, the closest names.
    """
    tree = parse(text)
    is_true, _ = _Evaluator(frame).evaluate(tree)
    return is_true


def query_columns(text: str) -> list[str]:
    """Return the column names a query refers to, as written, each once, in order.

    Parameters
    ----------
    text
        A query; it is parsed but not checked against any table.

    Returns
    -------
    list of str
        The names without their quotes; names differing only in case count once.

    Raises
    ------
    QueryError
        If the query has a syntax error.
    """
    seen: dict[str, str] = {}
    for column in _columns_of(parse(text)):
        seen.setdefault(column.name.casefold(), column.name)
    return list(seen.values())


def _columns_of(node: Node) -> list[Column]:
    match node:
        case Compare(column=column) | IsNull(column=column):
            return [column]
        case Not(operand=operand):
            return _columns_of(operand)
        case And(operands=operands) | Or(operands=operands):
            return [column for operand in operands for column in _columns_of(operand)]
    raise TypeError(f"not a query node: {node!r}")


@dataclass(slots=True)
class _Prepared:
    """A column made ready to compare: its kind, its data and which rows are not missing."""

    name: str
    kind: str  # "number", "text", "bool", "datetime", "empty" (all missing) or "other"
    data: pd.Series
    known: np.ndarray
    lowered: pd.Series | None = None

    def data_for(self, op: str, values: list[Any]) -> pd.Series:
        """Return the data to compare ``values`` with: text lower-cased, unless needless."""
        if self.kind != "text":
            return self.data
        # Lower-casing 100k strings costs more than the comparison itself; needles without
        # letters (ZIPs, ids, '99') match the same rows either way, except in ordering.
        if op in ("=", "!=", "in", "contains", "startswith") and all(
            value == value.upper() for value in values
        ):
            return self.data
        if self.lowered is None:
            self.lowered = self.data.str.lower()
        return self.lowered


class _Evaluator:
    """Evaluate a syntax tree on one frame, preparing each column once."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.rows = len(frame)
        self.by_folded_name: dict[str, list[int]] = {}
        for position, name in enumerate(frame.columns):
            self.by_folded_name.setdefault(str(name).casefold(), []).append(position)
        self.prepared: dict[int, _Prepared] = {}

    def evaluate(self, node: Node) -> Masks:
        match node:
            case Or(operands=operands):
                masks = [self.evaluate(operand) for operand in operands]
                return _reduce(np.logical_or, masks, 0), _reduce(np.logical_and, masks, 1)
            case And(operands=operands):
                masks = [self.evaluate(operand) for operand in operands]
                return _reduce(np.logical_and, masks, 0), _reduce(np.logical_or, masks, 1)
            case Not(operand=operand):
                is_true, is_false = self.evaluate(operand)
                return is_false, is_true
            case IsNull(column=column):
                known = self.column(column).known
                return ~known, known.copy()
            case Compare():
                return self.compare(node)
        raise TypeError(f"not a query node: {node!r}")

    def column(self, column: Column) -> _Prepared:
        position = self.position_of(column)
        if position not in self.prepared:
            series = self.frame.iloc[:, position]
            self.prepared[position] = _prepare(str(self.frame.columns[position]), series)
        return self.prepared[position]

    def position_of(self, column: Column) -> int:
        names = [str(name) for name in self.frame.columns]
        candidates = self.by_folded_name.get(column.name.casefold(), [])
        exact = [position for position in candidates if names[position] == column.name]
        if len(exact) == 1 or len(candidates) == 1:
            return exact[0] if exact else candidates[0]
        if candidates:
            spellings = ", ".join(repr(names[position]) for position in candidates)
            raise QueryError(
                f"{column.name!r} matches several columns ({spellings}); rename one of them",
                column.offset,
            )
        raise QueryError(_unknown_column(column.name, names), column.offset)

    def compare(self, node: Compare) -> Masks:
        column = self.column(node.column)
        _check_operator(column, node)
        values = [_convert(column, node, value) for value in node.values]
        if column.kind == "empty":
            nothing = np.zeros(self.rows, dtype=bool)
            return nothing, nothing.copy()
        data = column.data_for(node.op, values)
        if node.op == "in":
            hit = data.isin(values)
        elif node.op == "contains":
            hit = data.str.contains(values[0], regex=False)
        elif node.op == "startswith":
            hit = data.str.startswith(values[0])
        else:
            hit = _ORDERING[node.op.replace("!=", "=")](data, values[0])
        hit = hit.to_numpy(dtype=bool, na_value=False)
        is_true, is_false = hit & column.known, ~hit & column.known
        return (is_false, is_true) if node.op == "!=" else (is_true, is_false)


def _reduce(function: np.ufunc, masks: list[Masks], which: int) -> np.ndarray:
    result = masks[0][which].copy()
    for mask in masks[1:]:
        function(result, mask[which], out=result)
    return result


def _prepare(name: str, series: pd.Series) -> _Prepared:
    kind, data = _typed(series)
    known = data.notna().to_numpy(dtype=bool)
    return _Prepared(name, kind, data, known)


def _typed(series: pd.Series) -> tuple[str, pd.Series]:
    """Return the column's kind and its data in a form the comparisons can use directly."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if pdt.is_numeric_dtype(dtype.categories.dtype):
            return _typed(series.astype("float64"))
        return "text", series.astype("str")
    if pdt.is_bool_dtype(dtype):
        return "bool", series
    if pdt.is_numeric_dtype(dtype) and not pdt.is_complex_dtype(dtype):
        return "number", series
    if pdt.is_datetime64_any_dtype(dtype):
        return "datetime", series
    if pdt.is_object_dtype(dtype):
        return _typed_objects(series)
    if pdt.is_string_dtype(dtype):
        return "text", series
    return "other", series


def _typed_objects(series: pd.Series) -> tuple[str, pd.Series]:
    # Object columns come from hand-built frames or mixed files; sniff what they hold.
    inferred = pdt.infer_dtype(series, skipna=True)
    if inferred == "empty":  # nothing but missing values: no type to check values against
        return "empty", series
    if inferred == "boolean":
        return "bool", series.astype("boolean")
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return "number", pd.to_numeric(series, errors="coerce")
    if inferred in ("datetime", "datetime64", "date"):
        try:
            return "datetime", pd.to_datetime(series, errors="coerce")
        except (TypeError, ValueError):  # mixed time zones: compare as text instead
            pass
    return "text", series.astype("str")


def _check_operator(column: _Prepared, node: Compare) -> None:
    if column.kind == "other":
        raise QueryError(
            f"column {column.name!r} holds {column.data.dtype} values, which queries can only "
            "test with 'is null' or 'is not null'",
            node.column.offset,
        )
    if node.op in ("contains", "startswith") and column.kind not in ("text", "empty"):
        raise QueryError(
            f"{node.op!r} works on text, but column {column.name!r} holds "
            f"{_KIND_WORDS[column.kind]}; use = < > or in (...)",
            node.offset,
        )
    if node.op in ("<", "<=", ">", ">=") and column.kind == "bool":
        raise QueryError(
            f"column {column.name!r} holds true/false values, which only compare with "
            "= != or in (...)",
            node.offset,
        )


def _convert(column: _Prepared, node: Compare, value: Value) -> Any:
    """Return ``value`` as the column compares it, or explain why the two do not fit."""
    literal = value.value
    is_bool = isinstance(literal, bool)
    is_number = isinstance(literal, int | float) and not is_bool
    if column.kind == "empty":
        return literal
    if column.kind == "number" and is_number:
        return literal
    if column.kind == "text" and isinstance(literal, str):
        return literal.lower()
    if column.kind == "bool" and is_bool:
        return literal
    if column.kind == "datetime" and isinstance(literal, str):
        return _timestamp(column, value)
    raise QueryError(_mismatch(column, node, value), value.offset)


def _timestamp(column: _Prepared, value: Value) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(str(value.value))
    except ValueError:
        stamp = pd.NaT
    if stamp is pd.NaT:
        raise QueryError(
            f"column {column.name!r} holds dates, but {value.text} is not a date; "
            "write one such as '2026-01-31'",
            value.offset,
        )
    zone = getattr(column.data.dt, "tz", None)
    if zone is not None and stamp.tzinfo is None:
        return stamp.tz_localize(zone)
    if zone is None and stamp.tzinfo is not None:
        return stamp.tz_convert(None)
    return stamp


def _mismatch(column: _Prepared, node: Compare, value: Value) -> str:
    what = "text" if isinstance(value.value, str) else "a number"
    if isinstance(value.value, bool):
        what = "a true/false value"
    problem = f"column {column.name!r} holds {_KIND_WORDS[column.kind]}, but {value.text} is {what}"
    if column.kind == "number" and _is_number_text(str(value.value)):
        advice, example = "remove the quotes", str(value.value)
    elif column.kind == "number":
        advice, example = "compare it with a number", "1000"
    elif column.kind == "text":
        advice, example = (
            "put the value in single quotes",
            "'" + value.text.replace("'", "''") + "'",
        )
    elif column.kind == "bool":
        advice, example = "compare it with true or false", "true"
    else:
        advice, example = "write the date in quotes", "'2026-01-31'"
    shown = f"in (..., {example})" if node.op == "in" else f"{node.op} {example}"
    return f"{problem}; {advice}: {node.column.name} {shown}"


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unknown_column(name: str, names: list[str]) -> str:
    folded = {column.casefold(): column for column in names}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=3, cutoff=0.6)
    if close:
        listed = " or ".join(repr(folded[match]) for match in close)
        return f"there is no column {name!r}; did you mean {listed}?"
    shown = ", ".join(repr(column) for column in names[:12])
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return f"there is no column {name!r}; the columns are {shown}{more}"
