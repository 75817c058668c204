"""Safe YAML parsing that remembers where every value came from.

PyYAML's `safe_load` throws positions away, and authors need `file:line:col` for every error. So we let
the (C, when available) parser produce its event stream and build plain Python values from the events
ourselves, recording the position of each value and of each mapping key by its path
(`("items", 3, "front")`). Building from events rather than from PyYAML's composed node graph is
iterative, so no nesting depth can exhaust the C stack (the C composer recurses, and crashes the
process on a few tens of thousands of `[`), and it is faster: no node objects, and quoted text is
taken as it is. Only the safe scalar constructors are used: no YAML tag can run code.

Aliases are shared, not copied, and what they would expand to is counted as they come, so an alias
bomb ("billion laughs") is refused at the alias that crosses the limit, before anything large is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError

try:  # the C parser is several times faster; fall back where libyaml is missing
    _Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

# Aliases let a few lines expand into billions of values ("billion laughs"). Real decks repeat a little
# at most, so aliases that expand to more than this many values in all are refused.
MAX_ALIAS_VALUES = 100_000
# Real decks nest five levels deep (deck, items, item, steps, step); nothing legitimate nests this deep.
MAX_DEPTH = 100

Path = tuple  # a path of mapping keys and sequence indices from the document root
Position = tuple[int, int]  # 1-based (line, column)

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_AS_TEXT = {_STR, _MERGE, "tag:yaml.org,2002:value", "tag:yaml.org,2002:yaml"}  # `=`, `!` alone: plain text
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_RESOLVERS: dict = _Loader.yaml_implicit_resolvers
# Scalars may be numbers, booleans, null and dates; not !!binary, and not collection tags (whose
# constructors are generators that would slip through as values).
_CONSTRUCTORS: dict = {
    f"tag:yaml.org,2002:{name}": SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float", "timestamp")
}
_NO_KEY = object()


class YamlProblem(Exception):
    """The text is not usable YAML; carries a 1-based position and an author-facing message."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Document:
    value: Any
    value_at: dict[Path, Position] = field(default_factory=dict)
    key_at: dict[Path, Position] = field(default_factory=dict)
    # Plain scalars that YAML 1.1 read as something else (`1:20` as 80, `NO` as false), as written: text
    # fields take these back, so an author's characters are kept literally (see the deck loader).
    written_as: dict[Path, str] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, Position, Position]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """Where `path` is, falling back to its nearest ancestor that was recorded."""
        if not self.value_at and not self.key_at:
            return (1, 1)  # a Document of data alone (srs.deck.loader.load_data): no position is known
        table = self.key_at if key else self.value_at
        while path:
            if path in table:
                return table[path]
            if not key and path in self.key_at:
                return self.key_at[path]
            path = path[:-1]
            table = self.value_at
        return self.value_at.get((), (1, 1))


def parse(text: str, loader_class: type | None = None) -> Document | None:
    """Parse one YAML document; None when it holds nothing. Raises YamlProblem.

    `loader_class` picks the event stream (the C parser by default); tests run both.
    """
    loader = (loader_class or _Loader)(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as exc:
        # libyaml 0.2.6 and later (PyYAML 6.0.4's wheels) refuse deep nesting themselves, while scanning
        # ahead, before srs sees the event that crosses MAX_DEPTH. srs's own limit is the rule: find where
        # it is crossed with the pure-Python parser, which scans only a bounded way ahead.
        raise (_depth_problem(text) or _problem_from(exc)) from None
    except ReaderError as exc:
        # The reader stops at the first character it refuses, so that character's first occurrence is it
        # (its `position` counts bytes of the C parser's UTF-8, not characters).
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line, col = _line_col(text, max(text.find(chr(code)), 0))
        raise YamlProblem(f"control character U+{code:04X} is not allowed in YAML text; remove it", line, col) from None
    except yaml.YAMLError as exc:  # pragma: no cover - errors without a mark
        raise YamlProblem(f"YAML: {exc}") from None
    finally:
        loader.dispose()


def _depth_problem(text: str) -> YamlProblem | None:
    """srs's nesting-depth refusal, where `text` nests deeper than MAX_DEPTH before its first syntax error."""
    loader = yaml.SafeLoader(text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                if depth >= MAX_DEPTH:
                    return YamlProblem(f"YAML nesting is deeper than {MAX_DEPTH} levels", *_pos(event))
                depth += 1
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, StreamEndEvent):
                return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _line_col(text: str, offset: int) -> Position:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _pos(event) -> Position:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


def _problem_from(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or "").strip()
    if "'\\t'" in problem or "\t" in problem or "tab character" in problem:
        return YamlProblem("tab character: YAML indentation must use spaces, not tabs", line, col)
    # srs's own words first; the parser's detail follows for the author, but no test pins its wording.
    message = "YAML syntax error"
    started = exc.context_mark
    if started is not None and exc.problem_mark is not None and started.line != exc.problem_mark.line:
        message += f" in what starts at line {started.line + 1}"
    detail = "; ".join(part for part in (problem, (exc.context or "").strip()) if part)
    if detail:
        message += f"; the YAML parser says: {detail}"
    return YamlProblem(message, line, col)


class _Frame:
    """An open sequence or mapping while its events arrive."""

    __slots__ = ("value", "path", "is_map", "key", "key_pos", "anchor", "aliased_before")

    def __init__(self, value, path, is_map, anchor, aliased_before):
        self.value = value
        self.path = path
        self.is_map = is_map
        self.key = _NO_KEY
        self.key_pos = (1, 1)
        self.anchor = anchor
        self.aliased_before = aliased_before


def _build(loader) -> Document | None:
    doc = Document(value=None)
    value_at = doc.value_at
    key_at = doc.key_at
    constructor = SafeConstructor()
    anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, how many values it expands to)
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    nodes = 0  # values in the document as written (aliases count once)
    expanded = 0  # values that aliases add when expanded
    documents = 0
    root: Any = _NO_KEY
    get_event = loader.get_event
    # Locals rather than globals: this loop runs once per YAML event.
    Scalar, Alias, MapStart, SeqStart, MapEnd, SeqEnd = (
        ScalarEvent, AliasEvent, MappingStartEvent, SequenceStartEvent, MappingEndEvent, SequenceEndEvent
    )
    resolvers = _RESOLVERS
    no_key = _NO_KEY

    while True:
        event = get_event()
        cls = event.__class__
        written = None
        if cls is Scalar:
            value = event.value
            # Quoted and block text, and plain text that cannot be a number, boolean, null or date, is
            # taken as it is; the rest goes through the resolver and the safe constructors.
            if event.tag is not None or (event.implicit[0] and value[:1] in resolvers):
                written = value
                value = _scalar(event, constructor)
                if value is None or value.__class__ is str or event.tag is not None:
                    written = None
            nodes += 1
        elif cls is MapEnd or cls is SeqEnd:
            frame = stack.pop()
            if frame.anchor is not None:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.value, _anchor_size(frame, nodes, expanded))
            continue
        elif cls is Alias:
            name = event.anchor
            if name in open_anchors:
                raise YamlProblem("YAML alias refers to itself (a recursive structure)", *_pos(event))
            if name not in anchors:
                raise YamlProblem(f"YAML alias '*{name}' names no anchor defined before it", *_pos(event))
            value, size = anchors[name]
            expanded += size
            if expanded > MAX_ALIAS_VALUES:
                raise YamlProblem(
                    f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values; "
                    "refusing what looks like an alias bomb",
                    *_pos(event),
                )
        elif cls is MapStart or cls is SeqStart:
            is_map = cls is MapStart
            if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                raise YamlProblem(_unsupported(event.tag), *_pos(event))
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(f"YAML nesting is deeper than {MAX_DEPTH} levels", *_pos(event))
            nodes += 1
            value = {} if is_map else []
        elif cls is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    "a deck file holds one YAML document, but `---` starts another here", *_pos(event)
                )
            continue
        elif cls is StreamEndEvent:
            break
        else:  # stream start, document end
            continue

        # Place the value (a scalar, an alias's target or a new collection) in its parent.
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if cls is Scalar and event.anchor is not None:
            anchors[event.anchor] = (value, 1)
        if not stack:
            path: Path = ()
            root = value
        else:
            parent = stack[-1]
            if parent.is_map:
                if parent.key is no_key:
                    parent.key = value if value.__class__ is str and value != "<<" else _key(value, event)
                    parent.key_pos = position
                    continue
                key = parent.key
                parent.key = no_key
                path = parent.path + (key,)
                container = parent.value
                if key in container:
                    doc.duplicate_keys.append((path, key_at[path], parent.key_pos))
                key_at[path] = parent.key_pos
                container[key] = value
            else:
                container = parent.value
                path = parent.path + (len(container),)
                container.append(value)
        value_at[path] = position
        if written is not None:
            doc.written_as[path] = written
        if cls is MapStart or cls is SeqStart:
            anchor = event.anchor
            if anchor is not None:
                open_anchors.add(anchor)
            stack.append(_Frame(value, path, cls is MapStart, anchor, (nodes, expanded)))

    if root is _NO_KEY:
        return None
    doc.value = root
    return doc


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _unsupported(tag: str) -> str:
    return f"unsupported YAML tag '{_short_tag(tag)}': a deck holds only text, numbers, lists and mappings"


def _anchor_size(frame: _Frame, nodes: int, expanded: int) -> int:
    nodes_before, expanded_before = frame.aliased_before
    return (nodes - nodes_before + 1) + (expanded - expanded_before)


def _key(value: Any, event) -> str:
    """A mapping key as text; keys that are collections, or merges (`<<`), are refused."""
    cls = event.__class__
    if cls is MappingStartEvent or cls is SequenceStartEvent or isinstance(value, (list, dict)):
        raise YamlProblem("a mapping key must be plain text", *_pos(event))
    if value == "<<" and cls is ScalarEvent and event.tag is None and event.implicit[0]:
        raise YamlProblem("YAML merge keys (<<) are not supported in decks", *_pos(event))
    if isinstance(value, str):
        return value
    return str(value).lower() if isinstance(value, bool) else str(value)


def _scalar(event, constructor: SafeConstructor) -> Any:
    value = event.value
    tag = event.tag
    explicit = tag is not None and tag != "!"
    if not explicit:
        if not event.implicit[0]:  # quoted, or `!`: text as written
            return value
        tag = _STR
        for candidate, regexp in _RESOLVERS.get(value[:1], ()):
            if regexp.match(value):
                tag = candidate
                break
    if tag in _AS_TEXT:
        return value
    construct = _CONSTRUCTORS.get(tag)
    if construct is None:
        raise YamlProblem(_unsupported(tag), *_pos(event))
    try:
        return construct(constructor, ScalarNode(tag, value, event.start_mark, event.end_mark, event.style))
    except Exception:  # noqa: BLE001 - PyYAML's constructors fail in many ways (`!!int ""`: IndexError)
        if not explicit:  # looked like a number or date but is not one (2024-13-45, 5,000 digits): text
            return value
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise YamlProblem(f"{shown!r} is not a valid {_short_tag(tag)} value", *_pos(event)) from None
