"""A fast path for the common deck file: parsed by yaml-rs (Rust), taken only where it is provably what
srs.deck.yamltree builds.

yamltree builds values from libyaml's event stream, with YAML 1.1's reading of plain scalars and the
position of every value; that costs more than the rest of a first sync of a large collection. yaml-rs
parses about six times faster, but reads YAML 1.2 and keeps no positions. So `parse` accepts its result
only when the two readings cannot differ, and declines (returns None) otherwise, leaving the file to yamltree:

- every key and text value is a string that none of YAML 1.1's implicit resolvers would read as something
  else (yes/no, numbers, sexagesimal `1:20`, dates, null, merge `<<`); numbers and booleans only where no
  number or boolean in the text is written otherwise than canonically (`12`, `0.9`, `true`: yamltree keeps
  how they were written); nulls and dates decline;
- no aliases (yaml-rs is told to refuse them), no tags (`!` at the start of a token), no more than one
  document, no duplicate keys (yaml-rs refuses them), no nesting as deep as yamltree.MAX_DEPTH (nor text
  that could nest deep enough to exhaust yaml-rs's stack);
- only characters libyaml's reader takes and both read alike: no control characters, tabs, carriage
  returns, byte-order marks, or the line breaks only YAML 1.1 knows (U+0085, U+2028, U+2029);
- the layout is the plain one (see `_positions`), whose item and field positions a line scan finds, and
  that scan agrees with the parsed value key for key.

The Document it returns knows the position of each item and of each item's fields' values, which is what
a deck without problems needs (the items' lines are stored; lints point at fields). Anything else falls back
to the nearest recorded ancestor, so the loader rebuilds a file from yamltree whenever building it from this
Document produced a diagnostic, and every message keeps its exact position (srs.deck.loader).
"""

from __future__ import annotations

import re
from typing import Any

import yaml_rs

from srs.deck.yamltree import _AS_TEXT, _RESOLVERS, MAX_DEPTH, Document, Path, Position

# Characters that decline: control characters but the newline (tab and carriage return too), the line breaks
# YAML 1.1 adds (U+0085 among the C1 controls, U+2028, U+2029), surrogates, the byte-order mark and the
# non-characters U+FFFE and U+FFFF. (The complement, written as the class of what is taken, takes 5 ms to compile.)
_REFUSED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# `?` alone starts an explicit key; in a flow collection libyaml and yaml-rs read it differently (`[?]`).
_QUESTION = re.compile(r"\?(?=[ \n\]},]|\Z)(?<=[ \n\[{,]\?)")  # the mark first: a fast scan for it
_SURROGATE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")  # libyaml refuses these escapes; yaml-rs pairs them
_TAG = re.compile(r"!(?<=[ \n\[{,]!)")  # `!` after a space, a line break, `[`, `{` or `,` (or first)
# A line that starts a key: its indentation, the `- ` of a sequence entry, the key, and its `:`.
_LINE = re.compile(r"( *)(- +)?([A-Za-z_][A-Za-z0-9_-]*)(:)(?: +|$)")
_SPECIAL = set("#'\"[{")  # a value that starts so is looked at closer
# Numbers and booleans are taken when each is written in its canonical form (`12`, `0.9`, `true`), which
# yamltree keeps as written: so none of the text may hold what looks like another form of one (`+12`,
# `012`, `0x1F`, `0o17`, `1_000`, `-0`, `0.90`, `.9`, `1e3`, `True`, `FALSE`), not even inside a string.
# Each pattern starts with a literal character, so the scan skips to it (a pattern that starts with a class or
# a look-behind is tried at every character: 10-50x slower over a large deck).
_ZERO = re.compile(r"0[\dxXoObB_]")
_PLUS = re.compile(r"\+\d")
_MINUS_ZERO = re.compile(r"-0(?![\d.])(?<![\w.]-0)")
_UNDERSCORE = re.compile(r"_(?=[0-9._+-])|_(?<=[0-9.+-]_)")  # yaml-rs reads `_1`, `1_`, `._5` as numbers
_EXPONENT = [re.compile(r"e(?=[-+]?\d)(?<=\de)"), re.compile(r"E(?=[-+]?\d)(?<=\dE)")]
_INFINITE = re.compile(r"\.(?i:inf|nan)")  # yaml-rs reads `.iNf` too
_POINT = re.compile(r"\.(?:(?=[0-9])|(?<=[0-9]\.))")  # a point beside a digit
_DIGITS = frozenset("0123456789")
# yaml-rs stops flow nesting at 256 levels, but nests block collections as deep as the text says, and crashes
# the process (its stack) somewhere past 10,000: on one line (`- - - ...`), or down lines indented ever further.
# Decline texts that could nest deeper than about 500 levels: more than two `- ` or `? ` in a row, or a line
# indented 500 spaces. (yamltree refuses nesting deeper than MAX_DEPTH, 100, with a message.)
_DEEP = [re.compile(r"- +[-?] +[-?] "), re.compile(r"\? +[-?] +[-?] "), re.compile(r"\n {500}")]  # a literal first
_NO_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=0)
# Text that starts so, or is one line break, is where the two parsers part: yaml-rs takes `[>]`, `[:x]` and
# `[?x]` as text (libyaml refuses the first two and reads a mapping from the third), and an empty block
# scalar (`|` with no lines) as "\n" (libyaml: "").
_INDICATORS = frozenset("|>?:")
_LOOK = frozenset(_RESOLVERS) | _INDICATORS | {"\n"}  # the first characters of text that `_risky` looks at
_LONGEST_KEY = 100  # libyaml refuses implicit keys over 1024 characters as written; escapes take up to 10


class _Decline(Exception):
    pass


def parse(text: str) -> Document | None:
    """The Document yamltree.parse would build for `text` (with fewer positions), or None to decline."""
    if _REFUSED.search(text) or text[:1] in ("!", "?") or _TAG.search(text) or _QUESTION.search(text):
        return None
    if ("\\" in text and _SURROGATE.search(text)) or any(deep.search(text) for deep in _DEEP):
        return None
    try:
        value = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - any refusal (syntax, duplicate key, alias), and a panic in Rust
        return None  # (pyo3's PanicException is no Exception): yamltree says what is wrong
    if not isinstance(value, dict):
        return None
    written: dict[Path, str] = {}
    try:
        _check(value, (), written)
        lines = text.split("\n")
        value_at, (start, end) = _positions(lines, value)
        if written:
            # Numbers outside the items are written outside their lines: only that part of the text is looked at.
            inside = any(path[0] == "items" for path in written)
            if _odd_scalars(text if inside else "\n".join(lines[:start] + lines[end:])):
                return None
    except _Decline:
        return None
    except Exception:  # noqa: BLE001 - whatever else goes wrong here (a number too long to write) declines:
        return None  # yamltree is the reference, and says what is wrong if anything is
    return Document(value, value_at=value_at, written_as=written)


def _odd_scalars(text: str) -> bool:
    """Whether `text` holds anything that YAML could read as a number or boolean written otherwise than in
    the form `_check` notes for it (canonical: `12`, `0.9`, `true`)."""
    if "True" in text or "TRUE" in text or "False" in text or "FALSE" in text:
        return True
    if _PLUS.search(text) or _UNDERSCORE.search(text) or _MINUS_ZERO.search(text) or _INFINITE.search(text):
        return True
    if any(exponent.search(text) for exponent in _EXPONENT):
        return True
    for match in _POINT.finditer(text):  # a number with a point must be written as Python writes it back
        start = end = match.start()  # (0.9, not 0.90, .9 or 9.)
        while start and text[start - 1] in _DIGITS:
            start -= 1
        if start and text[start - 1] in "+-":
            start -= 1
        end += 1
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        if start and (text[start - 1].isalnum() or text[start - 1] in "_."):
            continue  # inside a word or a longer number (`v1.2`, `1.2.3`): not a number of its own
        number = text[start:end]
        if repr(float(number)) != number.lstrip("+"):
            return True
    for match in _ZERO.finditer(text):  # `0` then a digit, x, o, b or _, at the start of a word (`-` or `+` aside)
        at = match.start()
        before = text[at - 1 : at]
        if before in ("-", "+"):
            at -= 1
            before = text[at - 1 : at]
        if not before or not (before.isalnum() or before in "_."):
            return True
    return False


def _risky(text: str) -> bool:
    """Whether the two parsers may part on `text` (see _INDICATORS), or YAML 1.1 reads it as other than text."""
    first = text[:1]
    return first in _INDICATORS or text == "\n" or (first in _RESOLVERS and not _plain_text(text))


def _plain_text(value: str) -> bool:
    """Whether YAML 1.1 reads `value`, written plain, as this text (yamltree's resolvers, in its order)."""
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag in _AS_TEXT
    return True


def _check(value: Any, path: Path, written: dict[Path, str]) -> None:
    """Decline unless every scalar under `value` reads alike in YAML 1.1; note how whole numbers and booleans
    were written (yamltree's `written_as`), which `parse` has made sure is their canonical form."""
    if len(path) >= MAX_DEPTH - 1:
        raise _Decline
    look = _LOOK
    is_map = value.__class__ is dict
    for key, inner in value.items() if is_map else enumerate(value):
        if is_map and (key.__class__ is not str or len(key) > _LONGEST_KEY or (key[:1] in look and _risky(key))):
            raise _Decline
        cls = inner.__class__
        if cls is str:
            if inner[:1] in look and _risky(inner):
                raise _Decline
        elif cls is dict or cls is list:
            _check(inner, path + (key,), written)
        elif cls is int:
            written[path + (key,)] = str(inner)
        elif cls is bool:
            written[path + (key,)] = "true" if inner else "false"
        elif cls is float:
            written[path + (key,)] = repr(inner)
        else:  # null, a date: yamltree knows best
            raise _Decline


def _positions(lines: list[str], value: dict) -> tuple[dict[Path, Position], tuple[int, int]]:
    """Positions of each item (`("items", i)`) and of its fields' values, by a scan of the lines that accepts
    only the plain layout: top-level keys at column 1, `items:` a block sequence of block mappings whose
    entries start `- key:`, fields one per line at one indentation, quoted values closed on their line.
    The scan must find exactly the keys the parser found, in their order, or the file is declined. Also returns
    the lines `items:` spans, as (first, after the last), 0-based."""
    value_at: dict[Path, Position] = {}
    top: list[str] = []
    items: list[list[str]] = []
    keys: list[str] = []  # the current item's
    pending: Path | None = None  # a field whose value starts on a later line
    entry = key_col = -1  # the items' `-` column and their keys' column, inside `items:`
    in_items = False
    index = -1
    match_line = _LINE.match
    span = [0, 0]
    for number, line in enumerate(lines, start=1):
        match = match_line(line)
        if match is None or pending is not None:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue
            indent = len(line) - len(stripped)
            if pending is not None:
                if indent > key_col or (indent == key_col and stripped[:2] == "- "):
                    value_at[pending] = (number, indent + 1)
                    pending = None
                    continue
                raise _Decline  # an empty value (null), which would have declined already
            if in_items and index < 0:
                raise _Decline
            if indent > key_col if in_items else indent > 0:
                continue  # the rest of a value: more lines of text, or what a field holds
            raise _Decline
        spaces, dash, key, _ = match.groups()
        indent = len(spaces)
        if in_items and indent == key_col and dash is None:  # the common line: an item's next field
            keys.append(key)
        elif indent == 0 and not (in_items and entry <= 0 and dash is not None):  # `- ` at column 1: indentless
            if dash is not None:
                raise _Decline
            if in_items:
                span[1] = number - 1  # this line ends the items
            top.append(key)
            in_items = key == "items"
            if in_items:
                span[0], span[1] = number - 1, len(lines)
                rest = line[match.end():].lstrip(" ")
                if rest and rest[0] != "#":
                    raise _Decline  # a flow sequence, or a scalar
                entry = -1
            continue
        elif not in_items:
            continue  # the rest of a top-level value
        elif dash is not None and (indent == entry or entry < 0):
            entry = indent
            key_col = indent + len(dash)
            index += 1
            keys = [key]
            items.append(keys)
            value_at[("items", index)] = (number, key_col + 1)
        elif indent > key_col:
            continue
        else:
            raise _Decline
        end = match.end()
        first = line[end:end + 1]
        if first and first not in _SPECIAL:
            value_at[("items", index, key)] = (number, end + 1)
        else:
            pending = _field(value_at, ("items", index, key), number, line, match.end(4))
    if pending is not None:
        raise _Decline
    if top != list(value):
        raise _Decline
    found = value.get("items")
    if not isinstance(found, list) or len(found) != len(items):
        raise _Decline
    for keys, item in zip(items, found):
        if not isinstance(item, dict) or keys != list(item):
            raise _Decline
    return value_at, (span[0], span[1])


def _field(value_at: dict[Path, Position], path: Path, number: int, line: str, after: int) -> Path | None:
    """Record where the value of the field whose `:` ends at column `after` starts, when on this line;
    else return its path, for the next line to give."""
    rest = line[after:]
    text = rest.lstrip(" ")
    if not text or text[0] == "#":
        return path
    col = len(line) - len(text)
    first = text[0]
    if first == '"' or first == "'":
        if not _closed_quote(text):
            raise _Decline
    elif first == "[" or first == "{":
        body = text.rstrip(" ")
        if (body[-1] not in "]}" or body.count("[") != body.count("]")
                or body.count("{") != body.count("}")):
            raise _Decline
    value_at[path] = (number, col + 1)
    return None


def _closed_quote(text: str) -> bool:
    """Whether the quoted scalar that `text` starts with ends on this line, with nothing but a comment after."""
    quote = text[0]
    i = 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            return False
        if quote == "'" and text[i + 1 : i + 2] == "'":
            i += 2
            continue
        if quote == '"':
            slashes = 0
            while text[i - 1 - slashes] == "\\":
                slashes += 1
            if slashes % 2:
                i += 1
                continue
        after = text[i + 1 :].lstrip(" ")
        return not after or after[0] == "#"
