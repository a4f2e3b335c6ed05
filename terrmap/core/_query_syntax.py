"""Tokens, syntax tree and parser of the attribute query language (see `terrmap.core.query`).

Kept apart from the evaluation so the query dialog can check a query and list its columns
without a table, and so the grammar can be read on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias, cast

from terrmap.errors import InputError

KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "null", "contains", "startswith", "true", "false"}
)
# Spellings of the comparison operators, each mapped to its canonical form.
COMPARISON_OPS = {
    "=": "=",
    "==": "=",
    "!=": "!=",
    "<>": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
WORD_OPS = ("contains", "startswith", "in")
# Deep nesting only comes from pasted garbage; refuse it before Python's recursion limit does.
MAX_DEPTH = 100

# One alternative per token kind; quoted forms double their quote to escape it, as in SQL.
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<name>[^\W\d][\w:]*)
    | (?P<string>'(?:[^']|'')*')
    | (?P<dquoted>"(?:[^"]|"")*")
    | (?P<bquoted>`(?:[^`]|``)*`)
    | (?P<op><=|>=|<>|!=|==|=|<|>)
    | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_WORD_TAIL_RE = re.compile(r"[\w.:]+")
_LOOKALIKES = {
    "&": "use 'and'",
    "|": "use 'or'",
    "!": "use 'not' or '!='",
    "\u2018": "use straight single quotes ' around text",
    "\u2019": "use straight single quotes ' around text",
    "\u201c": 'use straight double quotes " around column names',
    "\u201d": 'use straight double quotes " around column names',
}


class QueryError(InputError):
    """A query cannot be parsed or does not fit the table.

    Parameters
    ----------
    problem
        What is wrong, in plain words.
    offset
        0-based character offset in the query where the problem is; the message counts
        from 1, and a query box can put its cursor at ``offset``.
    """

    def __init__(self, problem: str, offset: int):
        self.offset = offset
        super().__init__(f"At character {offset + 1}: {problem}")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is name, keyword, number, string, quoted, op, punct or end."""

    kind: str
    text: str
    value: object
    offset: int

    def describe(self) -> str:
        return "the end of the query" if self.kind == "end" else repr(self.text)


Scalar: TypeAlias = int | float | str | bool


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Value:
    value: Scalar
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class Compare:
    column: Column
    op: str  # "=", "!=", "<", "<=", ">", ">=", "contains", "startswith" or "in"
    values: tuple[Value, ...]
    offset: int  # of the operator


@dataclass(frozen=True, slots=True)
class IsNull:
    column: Column


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]


Node: TypeAlias = Compare | IsNull | Not | And | Or


def parse(text: str) -> Node:
    """Parse a query into its syntax tree; raise `QueryError` with the offset of a mistake."""
    tokens = tokenize(text)
    if tokens[0].kind == "end":
        raise QueryError("the query is empty; write a condition such as state = 'NY'", 0)
    return _Parser(tokens).parse()


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise QueryError(_unexpected_character(text, pos), pos)
        kind = match.lastgroup or ""
        tail = _WORD_TAIL_RE.match(text, match.end()) if kind == "number" else None
        if tail:
            # "10k", "1.000.000", "3rd": one word that is not a number; say so as a whole.
            word = text[pos : tail.end()]
            raise QueryError(f"{word!r} is not a number; write digits only, e.g. 1000 or 1e6", pos)
        if kind != "space":
            tokens.append(_make_token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", None, len(text)))
    return tokens


def _make_token(kind: str, raw: str, pos: int) -> Token:
    if kind == "number":
        number = int(raw) if re.fullmatch(r"[+-]?\d+", raw) else float(raw)
        return Token("number", raw, number, pos)
    if kind == "name":
        lowered = raw.lower()
        if lowered in KEYWORDS:
            return Token("keyword", raw, lowered, pos)
        return Token("name", raw, raw, pos)
    if kind == "string":
        return Token("string", raw, raw[1:-1].replace("''", "'"), pos)
    if kind in ("dquoted", "bquoted"):
        quote = raw[0]
        name = raw[1:-1].replace(quote * 2, quote)
        if not name.strip():
            raise QueryError("an empty column name; put the column's name inside the quotes", pos)
        return Token("quoted", raw, name, pos)
    if kind == "op":
        return Token("op", raw, COMPARISON_OPS[raw], pos)
    return Token("punct", raw, raw, pos)


def _unexpected_character(text: str, pos: int) -> str:
    char = text[pos]
    if char in "'\"`":
        what = "text" if char == "'" else "column name"
        return f"the {what} starting here has no closing {char}"
    hint = _LOOKALIKES.get(char)
    return f"unexpected character {char!r}" + (f"; {hint}" if hint else "")


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind == "keyword" and self.current.value in words

    def at_punct(self, char: str) -> bool:
        return self.current.kind == "punct" and self.current.value == char

    def parse(self) -> Node:
        node = self.or_expr()
        token = self.current
        if token.kind == "end":
            return node
        if self.at_punct(")"):
            raise QueryError("this ')' has no matching '('", token.offset)
        if self.at_punct(","):
            raise QueryError(_COMMA_PROBLEM, token.offset)
        raise QueryError(
            f"unexpected {token.describe()}; join conditions with 'and' or 'or'", token.offset
        )

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError("the query is nested too deeply", self.current.offset)
        try:
            if self.at_keyword("not"):
                self.advance()
                return Not(self.not_expr())
            if self.at_punct("("):
                opening = self.advance()
                node = self.or_expr()
                if not self.at_punct(")"):
                    raise QueryError(
                        f"expected ')' to close the '(' at character {opening.offset + 1}, "
                        f"found {self.current.describe()}",
                        self.current.offset,
                    )
                self.advance()
                return node
            return self.comparison()
        finally:
            self.depth -= 1

    def comparison(self) -> Node:
        column = self.column()
        token = self.current
        if token.kind == "op":
            self.advance()
            return Compare(column, str(token.value), (self.value(str(token.value)),), token.offset)
        if self.at_keyword("is"):
            self.advance()
            negated = self.at_keyword("not")
            if negated:
                self.advance()
            if not self.at_keyword("null"):
                expected = "'null'" if negated else "'null' or 'not null'"
                found = self.current.describe()
                raise QueryError(
                    f"expected {expected} after 'is', found {found}", self.current.offset
                )
            self.advance()
            node: Node = IsNull(column)
            return Not(node) if negated else node
        negated = self.at_keyword("not")
        if negated:
            self.advance()
        if not self.at_keyword(*WORD_OPS):
            raise QueryError(
                f"expected a comparison after column {column.name!r}, found "
                f"{self.current.describe()}; use one of = != < <= > >= contains startswith "
                "in (...) is null",
                self.current.offset,
            )
        word = self.advance()
        values = self.value_list() if word.value == "in" else (self.value(str(word.value)),)
        compare = Compare(column, str(word.value), values, word.offset)
        return Not(compare) if negated else compare

    def column(self) -> Column:
        token = self.current
        if token.kind in ("name", "quoted"):
            self.advance()
            return Column(str(token.value), token.offset)
        if token.kind == "keyword":
            problem = (
                f"{token.text!r} is a query word; if it is a column, put it in double "
                f'quotes: "{token.text}"'
            )
        elif token.kind == "number":
            problem = (
                f"expected a column name, found the number {token.text}; write the column first"
            )
        elif token.kind == "string":
            problem = (
                f"expected a column name, found the text {token.text}; column names are "
                'written bare or in double quotes, e.g. "Account Name"'
            )
        else:
            problem = f"expected a column name, found {token.describe()}"
        raise QueryError(problem, token.offset)

    def value(self, op: str) -> Value:
        token = self.current
        if token.kind in ("number", "string") or (
            token.kind == "keyword" and token.value in ("true", "false")
        ):
            self.advance()
            value = token.value == "true" if token.kind == "keyword" else token.value
            if op != "in" and self.at_punct(",") and token.kind == "number":
                raise QueryError(_COMMA_PROBLEM, self.current.offset)
            return Value(cast(Scalar, value), token.text, token.offset)
        raise QueryError(_value_problem(token, op), token.offset)

    def value_list(self) -> tuple[Value, ...]:
        if not self.at_punct("("):
            raise QueryError(
                f"expected '(' after 'in', found {self.current.describe()}; write a list such "
                "as in ('NY', 'NJ')",
                self.current.offset,
            )
        opening = self.advance()
        values = [self.value("in")]
        while self.at_punct(","):
            self.advance()
            values.append(self.value("in"))
        if not self.at_punct(")"):
            raise QueryError(
                f"expected ',' or ')' in the list opened at character {opening.offset + 1}, "
                f"found {self.current.describe()}",
                self.current.offset,
            )
        self.advance()
        return tuple(values)


# A comma right after a number is almost always "1,000" or a decimal comma, not a list.
_COMMA_PROBLEM = (
    "unexpected ','; write numbers without thousands separators and with a decimal point "
    "(1000000 or 1e6, 2.5). A comma only separates the values of in (...)"
)


def _value_problem(token: Token, op: str) -> str:
    if token.kind == "keyword" and token.value == "null":
        return "compare with null using 'is null' or 'is not null'"
    if token.kind == "name":
        return (
            f"expected a value after {op!r}, found {token.text!r}; put text in single "
            f"quotes: '{token.text}'"
        )
    if token.kind == "quoted":
        return (
            f"expected a value after {op!r}, found the column name {token.text}; double quotes "
            f"name columns, text goes in single quotes: '{token.value}'"
        )
    return (
        f"expected a value after {op!r} (a number, 'text', true or false), found {token.describe()}"
    )
