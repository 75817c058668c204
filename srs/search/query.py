"""The search syntax: the part of Anki's that fits srs, parsed into a small tree.

    words  "a phrase"  -negation  a or b  (grouping)  deck:ID  tag:NAME  kind:KIND  id:ID
    is:new|due|learn|review|suspended|buried|leech|flagged
    prop:ivl>N  prop:due<N  prop:r<0.8  prop:lapses>N  prop:reps>=N   (ops: < <= > >= = !=)
    rated:N  rated:N:RATING

A word matches an item whose text has a word that starts with it, ignoring case (`nois` finds "noise"
and "noisy"); a "phrase" matches its words whole and in that order. Words are runs of letters and
digits, as SQLite's unicode61 tokenizer splits them. Terms side by side must all match
(`and` may be written); `or` binds looser than that. `*` in deck:, tag: and id: matches any run of
characters. This module knows neither SQL nor the store: `parse` returns a tree, or raises QueryError
with the column where the query goes wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("flashcard", "selfcheck", "ordering", "choice", "cloze")
STATES = ("new", "due", "learn", "review", "suspended", "buried", "leech", "flagged")
PROPS = {"ivl": int, "due": int, "r": float, "lapses": int, "reps": int}
OPERATORS = ("<=", ">=", "!=", "<", ">", "=")
FIELDS = ("deck", "tag", "kind", "id", "is", "prop", "rated")
MAX_DEPTH = 100  # nested '(': deeper is no search a person writes, and would exhaust Python's stack
MAX_TERM = 1_000  # characters in one term (SQLite refuses LIKE patterns over 50,000 bytes)
MAX_NUMBER = 10**9  # prop: numbers, in days, counts or a retention; the store's integers hold far more


class QueryError(ValueError):
    def __init__(self, column: int, message: str):
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.message = message


# -- the tree ------------------------------------------------------------------------------------------


WORD = re.compile(r"[^\W_]+")


def words(text: str) -> tuple[str, ...]:
    """The words of a text as the search index sees them: runs of letters and digits, lower case."""
    return tuple(WORD.findall(text.lower()))


@dataclass(frozen=True)
class Text:
    words: tuple[str, ...]  # consecutive words of the item's text
    prefix: bool  # the last word may be the start of a longer word (a bare word; not a "phrase")


@dataclass(frozen=True)
class Field:
    name: str  # deck, tag, kind or id
    value: str  # may hold * (any run of characters) for deck, tag and id


@dataclass(frozen=True)
class Is:
    state: str


@dataclass(frozen=True)
class Prop:
    name: str
    op: str
    number: float


@dataclass(frozen=True)
class Rated:
    days: int
    rating: int | None = None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Text | Field | Is | Prop | Rated | Not | And | Or


# -- tokens --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", "or", "and", "term"
    text: str  # a term's text, quotes removed
    column: int  # 1-based
    quoted: bool = False
    negated: bool = False


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        start = i
        negated = False
        if char == "-" and i + 1 < n and not query[i + 1].isspace():
            negated, i = True, i + 1
            char = query[i]
        if char in "()":
            if negated and char == ")":
                raise QueryError(start + 1, "'-' must be followed by a term or '('")
            tokens.append(Token(char, char, start + 1, negated=negated))
            i += 1
            continue
        if char == "-" and not negated:
            raise QueryError(start + 1, "'-' must be followed by a term or '('")
        text, quoted = [], query[i] == '"'
        while i < n and not query[i].isspace() and query[i] not in "()":
            if query[i] == '"':
                close = i + 1
                while close < n and query[close] != '"':
                    if query[close] == "\\" and close + 1 < n:
                        close += 1
                    close += 1
                if close >= n:
                    raise QueryError(i + 1, "this quote is never closed")
                text.append(re.sub(r"\\(.)", r"\1", query[i + 1 : close]))
                i = close + 1
            else:
                text.append(query[i])
                i += 1
        word = "".join(text)
        if len(word) > MAX_TERM:
            raise QueryError(start + 1, f"this term is longer than {MAX_TERM:,} characters")
        if not quoted and not negated and word.lower() in ("or", "and"):
            tokens.append(Token(word.lower(), word, start + 1))
        else:
            tokens.append(Token("term", word, start + 1, quoted, negated))
    return tokens


# -- parsing -------------------------------------------------------------------------------------------


def parse(query: str) -> Node:
    """The tree for `query`; an empty query matches every card (And of nothing)."""
    parser = _Parser(tokenize(query), len(query))
    node = parser.expression()
    token = parser.peek()
    if token is not None:
        closing = " (no '(' to close)" if token.kind == ")" else ""
        raise QueryError(token.column, f"unexpected '{token.text}'{closing}")
    return node


class _Parser:
    def __init__(self, tokens: list[Token], length: int):
        self.tokens = tokens
        self.at = 0
        self.end_column = length + 1
        self.depth = 0  # '(' open around the token being read

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def next_kind(self) -> str | None:
        """The kind of the next token; None at the end."""
        token = self.peek()
        return token.kind if token is not None else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> Node:
        branches = [self.conjunction()]
        while self.next_kind() == "or":
            token = self.take()
            if self.next_kind() in (None, "or", "and", ")"):
                raise QueryError(token.column, "'or' must have a term on each side")
            branches.append(self.conjunction())
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def conjunction(self) -> Node:
        nodes: list[Node] = []
        while True:
            token = self.peek()
            if token is None or token.kind in ("or", ")"):
                break
            if token.kind == "and":
                self.take()
                following = self.peek()
                if not nodes or following is None or following.kind in ("or", "and", ")"):
                    raise QueryError(token.column, "'and' must have a term on each side")
                continue
            nodes.append(self.unit())
        following = self.peek()
        if not nodes and following is not None and following.kind == "or":
            raise QueryError(following.column, "'or' must have a term on each side")
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unit(self) -> Node:
        token = self.take()
        if token.kind == "(":
            if self.depth == MAX_DEPTH:
                raise QueryError(token.column, f"more than {MAX_DEPTH} '(' inside one another")
            self.depth += 1
            inner = self.expression()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(token.column, "this '(' is never closed")
            self.take()
            if inner == And(()):
                raise QueryError(token.column, "empty '()'")
            return Not(inner) if token.negated else inner
        node = term(token)
        return Not(node) if token.negated else node


def term(token: Token) -> Node:
    text, column = token.text, token.column
    prefix, colon, value = text.partition(":")
    if token.quoted or not colon or not re.fullmatch(r"[A-Za-z]+", prefix):
        found = words(text)
        if not found:
            raise QueryError(column, f"'{text}' has no letters or digits to search for")
        return Text(found, prefix=not token.quoted)
    name = prefix.lower()
    if name not in FIELDS:
        raise QueryError(
            column, f"unknown filter '{prefix}:' (filters: {', '.join(FIELDS)}); quote text that has a colon"
        )
    value_column = column + token.negated + len(prefix) + 1
    if not value:
        raise QueryError(value_column, f"'{name}:' needs a value")
    if name in ("deck", "tag", "id"):
        return Field(name, value.lower() if name != "id" else value)
    if name == "kind":
        if value.lower() not in KINDS:
            raise QueryError(value_column, f"kind '{value}' is not one of {', '.join(KINDS)}")
        return Field("kind", value.lower())
    if name == "is":
        if value.lower() not in STATES:
            raise QueryError(value_column, f"'is:{value}' is not one of {', '.join('is:' + s for s in STATES)}")
        return Is(value.lower())
    if name == "prop":
        return _prop(value, value_column)
    return _rated(value, value_column)


def _prop(value: str, column: int) -> Prop:
    match = re.fullmatch(r"([a-z]+)(<=|>=|!=|<|>|=)(.*)", value.lower())
    if not match:
        raise QueryError(column, f"'prop:{value}' should be a property, an operator and a number, such as prop:ivl>10")
    name, op, number = match.groups()
    if name not in PROPS:
        raise QueryError(column, f"unknown property '{name}' (properties: {', '.join(PROPS)})")
    number_column = column + len(name) + len(op)
    kind = "a whole number" if PROPS[name] is int else "a number"
    try:
        parsed = PROPS[name](number)
    except ValueError:
        raise QueryError(number_column, f"'{number}' is not {kind}") from None
    if not -MAX_NUMBER <= parsed <= MAX_NUMBER:  # NaN fails this too
        raise QueryError(number_column, f"'{number}' is not {kind} from -{MAX_NUMBER:,} to {MAX_NUMBER:,}")
    return Prop(name, op, parsed)


def _rated(value: str, column: int) -> Rated:
    match = re.fullmatch(r"(\d{1,4})(?::([1-4]))?", value)
    if not match or not 1 <= int(match[1]) <= 3650:
        raise QueryError(
            column, f"'rated:{value}' should be days from 1 to 3650, then optionally :RATING (1-4), such as rated:7:1"
        )
    return Rated(int(match[1]), int(match[2]) if match[2] else None)


def glob_to_regex(pattern: str) -> re.Pattern:
    """deck:/tag:/id: patterns, where * matches any run of characters, as a whole-string regex."""
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.DOTALL)
