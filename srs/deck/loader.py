"""Turn deck files into validated decks and `file:line:col` diagnostics.

Every problem in a file is reported, not just the first: the header and each item are validated on
their own, and pydantic's errors are mapped back to the YAML node that caused them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from srs.deck.diagnostics import Diagnostic
from srs.deck.identity import content_hash, derived_item_id
from srs.deck.model import (
    COMPACT_KEYS,
    ITEM_MODELS,
    KIND_HINTS,
    Cloze,
    DeckHeader,
    DeckOptions,
    ItemBase,
    semantic_problems,
)
from srs.deck.yamltree import Document, YamlProblem, parse

@dataclass(slots=True)
class Item:
    """One validated item of a deck, with where it came from and who it is."""

    id: str
    deck_id: str
    body: ItemBase
    path: str
    line: int
    col: int
    index: int  # position in its file, for relinking reworded items
    tags: tuple[str, ...]
    content_hash: str
    explicit_id: bool

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


def load_file(path: str | Path, data: bytes | None = None) -> FileResult:
    """Load one deck file; never raises for anything the file's author can cause."""
    path = Path(path)
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
    try:
        doc = parse(text)
    except YamlProblem as exc:
        problems.add((exc.line, exc.col), exc.message)
        return problems.result(None)
    except RecursionError:
        problems.add((1, 1), "YAML nesting is too deep")
        return problems.result(None)
    if doc is None:
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

    def add(self, pos: tuple[int, int], message: str, severity: str = "error") -> None:
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
        header = DeckHeader.model_validate(raw)
    except ValidationError as exc:
        _report(exc, doc, (), "deck", DeckHeader, problems, skip_items=True)
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


def _build_item(
    raw: Any, index: int, deck_id: str, deck_tags: tuple, doc: Document, path: Path, problems: _Problems
) -> Item | None:
    where = ("items", index)
    if not isinstance(raw, dict):
        problems.add(doc.position(where), f"an item must be a mapping of fields, not {_kind_of(raw)}")
        return None
    kind = raw.get("kind")
    if kind is None:
        kind = next((k for key, k in KIND_HINTS if key in raw), None)
        if kind is None:
            problems.add(
                doc.position(where),
                "cannot tell the item's kind: add `kind:` (flashcard, selfcheck, ordering, choice, cloze) "
                "or give `q`/`a`",
            )
            return None
    elif kind not in ITEM_MODELS:
        hint = _did_you_mean(str(kind), ITEM_MODELS)
        problems.add(doc.position(where + ("kind",)), f"unknown item kind '{kind}'{hint}")
        return None
    values = dict(raw)
    renamed: dict[str, str] = {}
    for short, long in COMPACT_KEYS.items():
        if short in values and kind == "flashcard":
            if long in values:
                problems.add(doc.position(where + (short,), key=True), f"give either `{short}` or `{long}`, not both")
                return None
            values[long] = values.pop(short)
            renamed[long] = short
    values["kind"] = kind
    model = ITEM_MODELS[kind]
    try:
        body = model.model_validate(values)
    except ValidationError as exc:
        _report(exc, doc, where, kind, model, problems, renamed=renamed)
        return None
    found_problem = False
    for sub_path, message in semantic_problems(body):
        problems.add(doc.position(where + sub_path), message)
        found_problem = True
    if body.image is not None and not _check_image(body.image, path, doc.position(where + ("image",)), problems):
        found_problem = True
    if found_problem:
        return None
    line, col = doc.position(where)
    content = body.model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
    return Item(
        id=body.id or derived_item_id(deck_id, kind, body.key_text()),
        deck_id=deck_id,
        body=body,
        path=str(path),
        line=line,
        col=col,
        index=index,
        tags=tuple(dict.fromkeys(deck_tags + tuple(body.tags))),
        content_hash=content_hash(content),
        explicit_id=body.id is not None,
    )


def _check_image(image: str, deck_path: Path, pos: tuple[int, int], problems: _Problems) -> bool:
    folder = deck_path.parent.resolve()
    target = (folder / image).resolve()
    if Path(image).is_absolute() or not target.is_relative_to(folder):
        problems.add(pos, f"image '{image}' is outside the deck's folder")
        return False
    if not target.is_file():
        problems.add(pos, f"image '{image}' not found next to the deck file")
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
    allowed = [name for name in model.model_fields if name != "kind"]
    errors = exc.errors()
    # A misspelt field ("fornt") also shows up as the real one missing; say it once, as the typo.
    typo_targets = {
        difflib.get_close_matches(str(e["loc"][-1]), allowed, n=1, cutoff=0.6)[0]
        for e in errors
        if e["type"] == "extra_forbidden" and difflib.get_close_matches(str(e["loc"][-1]), allowed, n=1, cutoff=0.6)
    }
    for error in errors:
        if error["type"] == "missing" and error["loc"] and error["loc"][-1] in typo_targets:
            continue
        loc = tuple(error["loc"])
        if skip_items and loc and loc[0] == "items" and len(loc) > 1:
            continue  # items are validated one by one, with better messages
        # Unions report the branch that failed as an extra loc element; drop such type names.
        loc = tuple(part for part in loc if not (isinstance(part, str) and "[" in part))
        if loc and loc[0] in renamed:
            loc = (renamed[loc[0]],) + loc[1:]
        field_name = ".".join(str(p) for p in loc)
        kind_word = f"{kind}: " if kind != "deck" else ""
        etype = error["type"]
        if etype == "missing":
            pos = doc.position(base)
            message = f"{kind_word}missing required field '{field_name}'"
        elif etype == "extra_forbidden":
            pos = doc.position(base + loc, key=True)
            message = f"{kind_word}unknown field '{field_name}'{_did_you_mean(str(loc[-1]), allowed + list(COMPACT_KEYS) if kind == 'flashcard' else allowed)}"
        else:
            pos = doc.position(base + loc)
            message = f"{kind_word}'{field_name}' {_describe(error)}"
        problems.add(pos, message)


def _describe(error: dict) -> str:
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
    if etype in ("int_type", "int_parsing", "float_type", "float_parsing", "bool_type", "bool_parsing"):
        wanted = {"int": "a whole number", "flo": "a number", "boo": "true or false"}[etype[:3]]
        return f"must be {wanted}, not {given!r}"
    if etype == "literal_error":
        return f"must be one of {error['ctx']['expected']}, not {given!r}"
    if etype == "too_short":
        return f"needs at least {error['ctx'].get('min_length')} entries"
    if etype == "too_long":
        return f"has too many entries (at most {error['ctx'].get('max_length')})"
    return error["msg"][0].lower() + error["msg"][1:]


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
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _slug_from_path(path: Path) -> str:
    stem = path.stem.lower()
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem).strip("-._")
    return slug or "deck"
