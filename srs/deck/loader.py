"""Turn deck files into validated decks and `file:line:col` diagnostics.

Every problem in a file is reported, not just the first: the header and each item are validated on
their own, and pydantic's errors are mapped back to the YAML node that caused them.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from srs.cycles import no_cycle_collection
from srs.deck.diagnostics import Diagnostic, Severity
from srs.deck.identity import content_hash, derived_item_id
from srs.deck.model import (
    COMPACT_KEYS,
    ITEM_MODELS,
    KIND_HINTS,
    Cloze,
    DeckHeader,
    DeckOptions,
    ItemBody,
    semantic_problems,
    unique_tags,
)
from srs.deck.yamlfast import parse as parse_fast
from srs.deck.yamltree import Document, YamlProblem, parse


@dataclass(slots=True)
class Item:
    """One validated item of a deck, with where it came from and who it is."""

    id: str
    deck_id: str
    body: ItemBody
    path: str
    line: int
    col: int
    index: int  # position in its file, for relinking reworded items
    tags: tuple[str, ...]
    content_hash: str
    explicit_id: bool
    fields: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # (line, col) of each field's value
    # What the content hash is taken of: the body as JSON values, without its id, defaults left out.
    content: dict | None = None

    @property
    def kind(self) -> str:
        return self.body.kind

    @property
    def illustrate(self):
        return self.body.illustrate

    @property
    def key_text(self) -> str:
        return self.body.key_text()

    def card_ids(self) -> list[str]:
        """One card per item, except cloze: one per deletion number (`id#c2`)."""
        if isinstance(self.body, Cloze):
            return [f"{self.id}#c{n}" for n in self.body.deletion_numbers()]
        return [self.id]


class FieldPositions(Mapping[str, tuple[int, int]]):
    """(line, col) of each of an item's field values, by model field name, worked out from its file's positions
    when first asked for: only lints ask, so a sync of many items does not pay for it."""

    __slots__ = ("_doc", "_where", "_names", "_renamed", "_found")

    def __init__(self, doc: Document, where: tuple, names: Iterable[str], renamed: dict[str, str]):
        self._doc, self._where, self._names, self._renamed = doc, where, names, renamed
        self._found: dict[str, tuple[int, int]] | None = None

    def _positions(self) -> dict[str, tuple[int, int]]:
        if self._found is None:
            doc, where, renamed = self._doc, self._where, self._renamed
            self._found = {}
            for name in self._names:
                at = where + (renamed.get(name, name),)
                self._found[name] = doc.value_at.get(at) or doc.position(at)
        return self._found

    def __getitem__(self, name: str) -> tuple[int, int]:
        return self._positions()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())


@dataclass(slots=True)
class Deck:
    id: str
    title: str
    kind: str  # "deck" or "quiz"
    description: str
    tags: tuple[str, ...]
    options: DeckOptions
    path: str
    items: list[Item] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return Path(self.path).parent


@dataclass(slots=True)
class FileResult:
    path: str
    deck: Deck | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def default_deck_kind(path: Path) -> str:
    return "quiz" if any(part == "quizzes" for part in path.parts[:-1]) else "deck"


_read_once: dict[tuple[str, int, int], FileResult] | None = None  # see reading_once


@contextlib.contextmanager
def reading_once():
    """Within it, a deck file unchanged on disk (same size and modification time) is parsed once, however
    often it is loaded: a command that mirrors the decks into the store and then exports them reads each
    file once. The results are shared: callers must not change them."""
    global _read_once
    outer = _read_once
    _read_once = {} if outer is None else outer
    try:
        yield
    finally:
        _read_once = outer


def load_file(path: str | Path, data: bytes | None = None) -> FileResult:
    """Load one deck file; never raises for anything the file's author can cause."""
    if _read_once is not None and data is None:
        try:
            stat = Path(path).stat()
        except OSError:
            return _load_without_gc(path, data)
        key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in _read_once:
            _read_once[key] = _load_without_gc(path, data)
        return _read_once[key]
    return _load_without_gc(path, data)


def _load_without_gc(path: str | Path, data: bytes | None) -> FileResult:
    with no_cycle_collection():  # loading makes many small objects and no cycles (srs.cycles)
        return _load_file(Path(path), data)


def load_data(value: dict, path: str | Path) -> FileResult:
    """A deck from data already read (what a YAML file at `path` holds), validated as `load_file` validates
    the file: for a deck srs itself wrote, without parsing its YAML again. Positions are not known (1:1)."""
    with no_cycle_collection():
        problems = _Problems(str(path))
        return problems.result(_build_deck(Document(value), Path(path), problems))


def _load_file(path: Path, data: bytes | None) -> FileResult:
    shown = str(path)
    problems = _Problems(shown)
    if data is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.add((1, 1), "file not found")
            return problems.result(None)
        except OSError as exc:
            problems.add((1, 1), f"cannot read file: {exc.strerror or exc}")
            return problems.result(None)
    text = _decode(data, problems)
    if text is None:
        return problems.result(None)
    fast = parse_fast(text)
    if fast is not None:
        # Its Document knows only the positions a deck without problems needs: on any diagnostic at all, the
        # file is read again by yamltree, so each message keeps its exact file:line:col.
        deck = _build_deck(fast, path, problems)
        if not problems.found:
            return problems.result(deck)
        problems = _Problems(shown)
    try:
        doc = parse(text)
    except YamlProblem as exc:
        problems.add((exc.line, exc.col), exc.message)
        return problems.result(None)
    except RecursionError:
        problems.add((1, 1), "YAML nesting is too deep")
        return problems.result(None)
    if doc is None or doc.value is None:
        problems.add((1, 1), "empty file: a deck needs a `title` and `items`")
        return problems.result(None)
    return problems.result(_build_deck(doc, path, problems))


def _decode(data: bytes, problems: _Problems) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.add((line, col), f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    if not text.strip():
        problems.add((1, 1), "empty file: a deck needs a `title` and `items`")
        return None
    return text


class _Problems:
    def __init__(self, path: str):
        self.path = path
        self.found: list[Diagnostic] = []

    def add(self, pos: tuple[int, int], message: str, severity: Severity = "error") -> None:
        self.found.append(Diagnostic(self.path, pos[0], pos[1], severity, message))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.found)

    def result(self, deck: Deck | None) -> FileResult:
        self.found.sort(key=lambda d: (d.line, d.col))
        return FileResult(self.path, None if self.has_errors else deck, self.found)


def _build_deck(doc: Document, path: Path, problems: _Problems) -> Deck | None:
    for dup_path, first, again in doc.duplicate_keys:
        problems.add(again, f"duplicate key '{dup_path[-1]}' (first given at line {first[0]})")
    raw = doc.value
    if not isinstance(raw, dict):
        problems.add(doc.position(()), f"a deck file must be a mapping with `title` and `items`, not {_kind_of(raw)}")
        return None
    try:
        header = DeckHeader.model_validate(_literal_text(raw, DeckHeader, doc, ()))
    except ValidationError as exc:
        _report(exc, raw, doc, (), "deck", DeckHeader, problems, skip_items=True)
        header = None
    deck_id = (header.id if header else None) or _slug_from_path(path)
    items: list[Item] = []
    raw_items = raw.get("items")
    if isinstance(raw_items, list):
        deck_tags = tuple(header.tags) if header else ()
        for index, raw_item in enumerate(raw_items):
            item = _build_item(raw_item, index, deck_id, deck_tags, doc, path, problems)
            if item is not None:
                items.append(item)
        _check_ids_within(items, problems)
    if header is None:
        return None
    return Deck(
        id=deck_id,
        title=header.title,
        kind=header.kind or default_deck_kind(path),
        description=header.description,
        tags=tuple(header.tags),
        options=header.options,
        path=str(path),
        items=items,
    )


_NO_ID = {"id"}


def _build_item(
    raw: Any, index: int, deck_id: str, deck_tags: tuple, doc: Document, path: Path, problems: _Problems
) -> Item | None:
    where = ("items", index)
    if not isinstance(raw, dict):
        problems.add(doc.position(where), f"an item must be a mapping of fields, not {_kind_of(raw)}")
        return None
    kind = raw.get("kind")
    if kind is None:
        kind = _infer_kind(raw)
        if kind is None:
            problems.add(
                doc.position(where),
                "cannot tell the item's kind: add `kind:` (flashcard, selfcheck, ordering, choice, cloze) "
                "or give `q`/`a`",
            )
            return None
    elif not isinstance(kind, str):
        problems.add(
            doc.position(where + ("kind",)),
            f"'kind' must be one of {', '.join(ITEM_MODELS)}, not {_kind_of(kind)}",
        )
        return None
    elif kind not in ITEM_MODELS:
        hint = _did_you_mean(kind, ITEM_MODELS)
        problems.add(doc.position(where + ("kind",)), f"unknown item kind '{kind}'{hint}")
        return None
    values = dict(raw)
    renamed: dict[str, str] = {}
    if kind == "flashcard":
        for short, long in COMPACT_KEYS.items():
            if short in values:
                if long in values:
                    problems.add(
                        doc.position(where + (short,), key=True), f"give either `{short}` or `{long}`, not both"
                    )
                    return None
                values[long] = values.pop(short)
                renamed[long] = short
    values["kind"] = kind
    model = ITEM_MODELS[kind]
    values = _literal_text(values, model, doc, where, renamed)
    try:
        body = model.model_validate(values)
    except ValidationError as exc:
        _report(exc, values, doc, where, kind, model, problems, renamed=renamed)
        return None
    found_problem = False
    for sub_path, message in semantic_problems(body):
        problems.add(doc.position(where + sub_path), message)
        found_problem = True
    if body.image is not None and not _check_image(body.image, path, doc.position(where + ("image",)), problems):
        found_problem = True
    if found_problem:
        return None
    line, col = doc.value_at.get(where) or doc.position(where)
    content = body.model_dump(mode="json", exclude=_NO_ID, exclude_defaults=True)
    return Item(
        id=body.id or derived_item_id(deck_id, kind, body.key_text()),
        deck_id=deck_id,
        body=body,
        path=str(path),
        line=line,
        col=col,
        index=index,
        tags=_item_tags(deck_tags, tuple(body.tags)) if deck_tags or body.tags else (),
        content_hash=content_hash(content),
        explicit_id=body.id is not None,
        fields=FieldPositions(doc, where, values, renamed),
        content=content,
    )


@functools.lru_cache(maxsize=4096)  # the same few sets of tags on most items of a deck
def _item_tags(deck_tags: tuple[str, ...], own: tuple[str, ...]) -> tuple[str, ...]:
    """An item's tags: its deck's, then its own, each once (see unique_tags)."""
    return tuple(unique_tags(deck_tags + own))


def _literal_text(values: dict, model: type[BaseModel], doc: Document, where: tuple, renamed=None) -> dict:
    """`values` with each text field as the author wrote it, where YAML 1.1 read it as something else:
    `1:20` stays "1:20" (not 80), `1.10` stays "1.10", `0x1F`, `NO` and `12:30:00` stay as written.
    Options and other fields keep YAML's numbers and booleans."""
    written = doc.written_as
    if not written:
        return values
    values = dict(values)
    for name, shape in _text_fields(model).items():
        if name not in values:
            continue
        base = where + ((renamed or {}).get(name, name),)
        value = values[name]
        if shape == "text":
            values[name] = written.get(base, value)
        elif shape == "list" and isinstance(value, list):
            values[name] = [written.get(base + (i,), v) for i, v in enumerate(value)]
        elif shape == "dict" and isinstance(value, dict):
            values[name] = {k: written.get(base + (k,), v) for k, v in value.items()}
    return values


@functools.cache
def _text_fields(model: type[BaseModel]) -> dict[str, str]:
    from srs.deck.model import text_fields

    return text_fields(model)


def _check_image(image: str, deck_path: Path, pos: tuple[int, int], problems: _Problems) -> bool:
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in image[:80])
    shown += "..." if len(image) > 80 else ""
    try:
        folder = deck_path.parent.resolve()
        target = (folder / image).resolve()
        outside = Path(image).is_absolute() or not target.is_relative_to(folder)
        found = not outside and target.is_file()
    except (OSError, ValueError):  # a NUL byte, a name too long for the file system
        problems.add(pos, f"image '{shown}' is not a usable file name")
        return False
    if outside:
        problems.add(pos, f"image '{shown}' is outside the deck's folder")
        return False
    if not found:
        problems.add(pos, f"image '{shown}' not found next to the deck file")
        return False
    return True


def _check_ids_within(items: list[Item], problems: _Problems) -> None:
    first: dict[str, Item] = {}
    for item in items:
        if item.id in first:
            other = first[item.id]
            what = "id" if item.explicit_id else "item (same kind and text)"
            problems.add((item.line, item.col), f"duplicate {what} '{item.id}' (first at line {other.line})")
        else:
            first[item.id] = item


def _report(
    exc: ValidationError,
    data: dict,
    doc: Document,
    base: tuple,
    kind: str,
    model: type,
    problems: _Problems,
    *,
    skip_items: bool = False,
    renamed: dict[str, str] | None = None,
) -> None:
    renamed = renamed or {}
    errors = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        if skip_items and loc and loc[0] == "items" and len(loc) > 1:
            continue  # items are validated one by one, with better messages
        errors.append((_data_loc(data, loc), error))
    # A misspelt field ("fornt") also shows up as the real one missing; say it once, as the typo.
    typo_targets = set()
    for loc, error in errors:
        if error["type"] == "extra_forbidden" and loc:
            match = _closest(str(loc[-1]), _field_names(model, loc[:-1], kind))
            if match:
                typo_targets.add(loc[:-1] + (match,))
    kind_word = f"{kind}: " if kind != "deck" else ""
    for loc, error in errors:
        etype = error["type"]
        if etype == "missing" and loc in typo_targets:
            continue
        shown = (renamed[loc[0]],) + loc[1:] if loc and loc[0] in renamed else loc
        field_name = ".".join(str(p) for p in shown)
        if etype == "missing":
            pos = doc.position(base + shown[:-1])
            message = f"{kind_word}missing required field '{field_name}'"
        elif etype == "extra_forbidden":
            pos = doc.position(base + shown, key=True)
            hint = _did_you_mean(str(loc[-1]), _field_names(model, loc[:-1], kind))
            message = f"{kind_word}unknown field '{field_name}'{hint}"
        else:
            pos = doc.position(base + shown)
            message = f"{kind_word}'{field_name}' {_describe(error, _field_at(model, loc))}"
        problems.add(pos, message)


def _data_loc(data: Any, loc: tuple) -> tuple:
    """pydantic's error location without the names it adds for union branches and validator chains
    (`function-after[...]`), which are not keys of the author's data; real keys are kept whatever they hold."""
    kept = []
    for part in loc:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if isinstance(data, dict) and part in data or in_list:
            data = data[part]
        elif isinstance(part, str) and ("[" in part or part[:1].isupper()):
            continue  # a branch name such as 'function-after[_as_text(), str]' or 'Illustration'
        else:
            data = None
        kept.append(part)
    return tuple(kept)


def _infer_kind(raw: dict) -> str | None:
    """The kind the item's keys betray; a near miss ("fornt") counts, so the typo gets reported as such."""
    for key, kind in KIND_HINTS:
        if key in raw:
            return kind
    hints = dict(KIND_HINTS)
    for key in raw:
        match = _closest(str(key), [hint for hint in hints if len(hint) > 1])
        if match:
            return hints[match]
    return None


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Illustration | None`, if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    for part in loc:
        info = model.model_fields.get(part) if model is not None and isinstance(part, str) else None
        model = _submodel(info.annotation) if info is not None else None
    return model


def _field_at(model: type[BaseModel], loc: tuple):
    parent = _model_at(model, loc[:-1]) if loc else None
    return parent.model_fields.get(loc[-1]) if parent is not None and isinstance(loc[-1], str) else None


def _field_names(model: type[BaseModel], loc: tuple, kind: str) -> list[str]:
    inner = _model_at(model, loc)
    names = [name for name in inner.model_fields if name != "kind"] if inner is not None else []
    if kind == "flashcard" and not loc:
        names += list(COMPACT_KEYS)
    return names


def _closest(word: str, candidates: list[str]) -> str | None:
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def _bounds(info) -> tuple[Any, Any]:
    low = high = None
    for constraint in getattr(info, "metadata", ()):
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high


def _describe(error: Mapping[str, Any], info=None) -> str:
    etype = error["type"]
    given = error.get("input")
    if etype in ("string_type", "str_type"):
        if isinstance(given, bool):
            return "must be text, but YAML reads yes/no/true/false/on/off as true/false: put it in quotes"
        return "must be text, not " + _kind_of(given)
    if etype == "string_too_short":
        return "is empty"
    if etype == "string_pattern_mismatch":
        if isinstance(given, str) and len(given) <= 3:
            return f"'{given}' is not a label: use letters or digits such as a, b, c"
        return f"'{given}' is not a valid id: use lower-case letters, digits, '-', '_' and '.'"
    if etype in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        wanted = {"list_type": "a list", "dict_type": "a mapping"}.get(etype, "a mapping")
        return f"must be {wanted}, not {_kind_of(given)}"
    numbers = ("int_type", "int_parsing", "int_from_float", "float_type", "float_parsing", "bool_type", "bool_parsing")
    if etype in numbers:
        wanted = {"int": "a whole number", "flo": "a number", "boo": "true or false"}[etype[:3]]
        return f"must be {wanted}, not {_shown(given)}"
    if etype in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(info)
        if low is not None and high is not None:
            return f"must be between {low} and {high}, not {_shown(given)}"
        ctx = error.get("ctx", {})
        if "ge" in ctx:
            return f"must be at least {ctx['ge']}, not {_shown(given)}"
        if "le" in ctx:
            return f"must be at most {ctx['le']}, not {_shown(given)}"
    if etype == "literal_error":
        return f"must be one of {error['ctx']['expected']}, not {_shown(given)}"
    if etype == "too_short":
        return f"needs at least {_count(error['ctx'].get('min_length'), 'entry', 'entries')}"
    if etype == "too_long":
        return f"has too many entries (at most {error['ctx'].get('max_length')})"
    if etype == "string_too_long":
        return f"is too long (at most {_count(error['ctx'].get('max_length'), 'character', 'characters')})"
    return error["msg"][0].lower() + error["msg"][1:]


def _shown(value: Any) -> str:
    """A value as the author wrote it, when it is short; else what kind of value it is."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 50 else repr(value[:47] + "...")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(repr(value)) <= 40:
        return repr(value)
    return _kind_of(value)


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _did_you_mean(word: str, candidates) -> str:
    match = _closest(word, list(candidates))
    return f" (did you mean '{match}'?)" if match else ""


def _slug_from_path(path: Path) -> str:
    stem = path.stem.lower()
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem).strip("-._")
    return slug or "deck"
