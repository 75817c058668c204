"""`srs import anki FILE.apkg`: an Anki package becomes YAML decks, and its review log the learner's history.

Reads both package formats: the one genanki and Anki's "Support older Anki versions" export write (a zip
with `collection.anki2` or `collection.anki21`, SQLite schema 11, and a JSON `media` map), and the one
Anki 2.1.50 and later write by default (`collection.anki21b`: zstd-compressed, schema 18, media list and
files compressed too; see anki_modern).

Notes become items: cloze notes cloze items (`{{c1::...}}` kept; the second field becomes `extra`), other
notes flashcards (first field front, second back, further non-empty fields appended to the back; a
"type in the answer" template gives `typed: true`). Field HTML becomes markdown-ish text (html_text).
Images come along into `media/` beside the deck files (in each folder written to); the first becomes the
item's `image`.

Notes `srs export anki` wrote carry their item's id and the item itself as JSON (the hidden fields
"srs id" and "srs item"): they come back exactly, whatever their kind. Any other note gets the id
`anki-<hash of its GUID>`, stable across re-imports of the same notes.

Decks `srs export anki` wrote end their Anki description with a marker Anki keeps but never shows,
`<!-- srs-deck {JSON} -->` (read_deck_marker): the deck comes back with its id, kind, title, file name,
description (its markdown), tags, options and item order. What the learner changed in Anki wins: a deck
renamed there keeps its new name as title, an edited description its edited text. Quizzes go to the
`quizzes` folder beside the output folder (quiz_folder): with the default `-o decks`, `./quizzes`, where
srs finds them. A deck without the marker (made in Anki, or by an older srs) goes to the output folder as
before: its srs id comes back when the Anki deck id (a hash of it) can be matched, else it is made from
the title; its kind and options are not known.

Reviews (Again/Hard/Good/Easy entries; manual and rescheduling entries carry no rating and are left
out, as are entries before a card was reset to new) become the learner's history in the database,
replayed through srs's scheduler.

Nothing is written unless everything succeeds: the YAML and media files are written to a temporary
folder beside the output folder, checked with the deck loader, and moved into place inside the same
database transaction that adds the reviews; a failure moves them back.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from srs.errors import UserError
from srs.importers.anki_tags import deck_tags
from srs.importers.html_text import html_to_markdown, link_target
from srs.importers.limits import check_media_name, check_package_size, check_review
from srs.importers.reviews import ImportedReview, ImportReport
from srs.importers.yaml_writer import dump_deck

if TYPE_CHECKING:
    from srs.jsontypes import AnkiImportJson

SUPPORTED_SCHEMA = 11
MODERN_SCHEMAS = range(15, 19)  # note types and decks in tables of their own (see anki_modern)
NEW_FORMAT_HINT = (
    "in Anki, export the deck again with 'Support older Anki versions (slower/larger files)' ticked, "
    "which writes a package srs can read"
)
PLEASE_UPDATE = "please update to the latest anki version"
SLUG_CHARS = re.compile(r"[^a-z0-9._-]+")
MEDIA_DIR = "media"
RETIRED_TAG = "srs::retired"  # what `srs export anki` tags items removed from their decks with
FLAG_NAMES = {1: "red", 2: "orange", 3: "green", 4: "blue", 5: "pink", 6: "turquoise", 7: "purple"}
# Fields that carry srs's identity of a note (see srs_identity), compared case-insensitively without spaces.
ID_FIELDS = ("srsid", "srs_id", "srs-id", "id")
ITEM_FIELDS = ("srsitem", "srs_item", "srs-item", "srssource", "srs_source", "srs")

# Anki revlog types: 0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled.
RATED_TYPES = (0, 1, 2, 3)
MANUAL = 4


# -- reading the package ---------------------------------------------------------------------------------


@dataclass
class AnkiModel:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    typed: bool  # a template asks to type the answer ({{type:...}})
    templates: list[tuple[str, str]] = field(default_factory=list)  # (front, back) of each card type


@dataclass
class AnkiNote:
    id: int
    guid: str
    model_id: int
    fields: list[str]
    tags: list[str]


@dataclass
class AnkiCard:
    id: int
    note_id: int
    deck_id: int
    ord: int
    queue: int = 0  # -1 suspended; -2 and -3 buried
    flags: int = 0  # the flag colour in the low 3 bits: 1 red, 2 orange, 3 green, 4 blue, ...


@dataclass
class AnkiRevlogEntry:
    id: int  # epoch milliseconds
    card_id: int
    ease: int
    factor: int
    time_ms: int
    type: int


@dataclass
class AnkiPackage:
    path: str
    collection: str  # the member read: collection.anki2 or collection.anki21
    schema: int
    decks: dict[int, dict]
    models: dict[int, AnkiModel]
    notes: list[AnkiNote]
    cards: list[AnkiCard]
    revlog: list[AnkiRevlogEntry]
    media: dict[str, str]  # file name -> zip member
    media_compressed: bool = False  # members are zstd-compressed (the anki21b format)


def read_package(path: str | Path) -> AnkiPackage:
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise UserError(f"no such file: {shown}")
    if not zipfile.is_zipfile(path):
        raise UserError(f"{shown}: not an Anki package (not a zip file)")
    check_package_size(path)
    from srs.importers import anki_modern

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        modern = anki_modern.MODERN_MEMBER in names
        member = anki_modern.MODERN_MEMBER if modern else next(
            (m for m in ("collection.anki21", "collection.anki2") if m in names), None)
        if member is None:
            raise UserError(f"{shown}: not an Anki package (no collection.anki2 or collection.anki21 inside)")
        if modern:
            try:
                media = _modern_media_map(archive, names)
            except Exception:  # zstd or protobuf errors: both mean a damaged list
                raise UserError(f"{shown}: its media list cannot be read (a damaged package?)") from None
        else:
            media = _media_map(archive, names, shown)
        with tempfile.TemporaryDirectory(prefix="srs-apkg-") as tmp:
            db_path = Path(tmp) / "collection.sqlite"
            try:
                with archive.open(member) as source, open(db_path, "wb") as target:
                    shutil.copyfileobj(anki_modern.zstd_reader(source) if modern else source, target)
            except UserError:
                raise
            except Exception:  # a zstd error: the member is damaged
                raise UserError(f"{shown}: {member} cannot be decompressed (a damaged package?)") from None
            package = _read_collection(db_path, shown, member)
    package.media = media
    package.media_compressed = modern
    return package


def _modern_media_map(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    from srs.importers.anki_modern import media_entries

    if "media" not in names:
        return {}
    return {name: member for name, member in media_entries(archive.read("media")).items() if member in names}


def _media_map(archive: zipfile.ZipFile, names: set[str], shown: str) -> dict[str, str]:
    if "media" not in names:
        return {}
    raw = archive.read("media")
    try:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{shown}: its media list is not in the older JSON format; {NEW_FORMAT_HINT}") from None
    if not isinstance(mapping, dict):
        raise UserError(f"{shown}: its media list is not in the older JSON format; {NEW_FORMAT_HINT}")
    for name in mapping.values():
        check_media_name(str(name), shown)
    return {str(name): str(number) for number, name in mapping.items() if str(number) in names}


def _read_collection(db_path: Path, shown: str, member: str) -> AnkiPackage:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"col", "notes", "cards"} <= tables:
                raise UserError(f"{shown}: {member} is not an Anki collection (tables are missing)")
            ver, models_json, decks_json = conn.execute("SELECT ver, models, decks FROM col").fetchone()
            if ver in MODERN_SCHEMAS and "notetypes" in tables:
                from srs.importers import anki_modern

                anki_modern.prepare(conn)
                try:
                    models = _models(anki_modern.note_types(conn))
                    decks = anki_modern.decks(conn)
                except ValueError:
                    raise UserError(f"{shown}: its note types or decks cannot be read (a damaged package?)") from None
            elif ver != SUPPORTED_SCHEMA:
                newer = "newer" if ver > SUPPORTED_SCHEMA else "older"
                raise UserError(
                    f"{shown}: collection schema {ver} is {newer} than the ones srs reads ({SUPPORTED_SCHEMA}, "
                    f"{MODERN_SCHEMAS.start}-{MODERN_SCHEMAS.stop - 1})"
                    + (f"; {NEW_FORMAT_HINT}" if ver > SUPPORTED_SCHEMA else "")
                )
            else:
                models = _models(json.loads(models_json or "{}"))
                decks = {int(k): v for k, v in json.loads(decks_json or "{}").items()}
                if not all(isinstance(v, dict) and isinstance(v.get("name", ""), str) for v in decks.values()):
                    raise ValueError("a deck that is not a mapping with a name")
            note_rows = conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id")
            notes = [
                AnkiNote(nid, guid, mid, flds.split("\x1f"), tags.split()) for nid, guid, mid, flds, tags in note_rows
            ]
            cards = [
                AnkiCard(cid, nid, odid or did, ord_, queue, flags)
                for cid, nid, did, odid, ord_, queue, flags in conn.execute(
                    "SELECT id, nid, did, odid, ord, queue, flags FROM cards ORDER BY nid, ord"
                )
            ]
            revlog = []
            if "revlog" in tables:
                revlog = [
                    AnkiRevlogEntry(*row)
                    for row in conn.execute("SELECT id, cid, ease, factor, time, type FROM revlog ORDER BY cid, id")
                ]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{shown}: {member} cannot be read ({exc})") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # JSON or rows Anki never writes
        raise UserError(f"{shown}: {member} is malformed (its note types, decks or notes are not as Anki "
                        "writes them)") from None
    if (
        member == "collection.anki2" and len(notes) == 1 and notes[0].fields
        and html_to_markdown(notes[0].fields[0]).text.casefold().startswith(PLEASE_UPDATE)
    ):
        raise UserError(f"{shown}: written by a newer Anki in a format srs cannot read; {NEW_FORMAT_HINT}")
    return AnkiPackage(shown, member, ver, decks, models, notes, cards, revlog, {})


def _models(raw: dict) -> dict[int, AnkiModel]:
    models = {}
    for key, m in raw.items():
        fields = [f.get("name", "") for f in sorted(m.get("flds", []), key=lambda f: f.get("ord", 0))]
        if not all(isinstance(name, str) for name in fields) or not isinstance(m.get("name", ""), str):
            raise ValueError("a note type whose fields are not named")
        tmpls = sorted(m.get("tmpls", []), key=lambda t: t.get("ord", 0))
        typed = any("{{type:" in (t.get("qfmt", "") + t.get("afmt", "")) for t in tmpls)
        templates = [(str(t.get("qfmt") or ""), str(t.get("afmt") or "")) for t in tmpls]
        models[int(m.get("id", key))] = AnkiModel(int(m.get("id", key)), m.get("name", ""), m.get("type") == 1, fields,
                                                  typed, templates)
    return models


# -- converting to srs decks ------------------------------------------------------------------------------


@dataclass
class DeckOut:
    id: str
    title: str
    file: str  # file name inside its folder (the output folder, or the quizzes folder for a quiz)
    data: dict  # the deck in the deck format
    media: dict[str, str] = field(default_factory=dict)  # path relative to the deck's folder -> zip member
    kind: str = "deck"  # "quiz" goes to the quizzes folder (see quiz_folder)
    marker: DeckMarker | None = None  # what `srs export anki` wrote into the deck's description


@dataclass
class Conversion:
    decks: list[DeckOut]
    reviews: dict[str, list[ImportedReview]]  # srs card id -> reviews
    notes: int = 0
    items: int = 0
    skipped: list[str] = field(default_factory=list)
    unmapped_reviews: int = 0  # reviews of cards srs has no card for
    suspended: list[str] = field(default_factory=list)  # srs card ids of cards suspended in Anki
    flagged: dict[str, str] = field(default_factory=dict)  # srs card id -> "flagged in Anki (red)"


def slugify(text: str, fallback: str = "deck") -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    text = text.replace("::", "-")
    slug = SLUG_CHARS.sub("-", text).strip("-._")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:80].strip("-._") or fallback


def tag_slug(tag: str) -> str | None:
    """An Anki tag as an srs tag: each level a slug, levels still nested with `::` (`Lang::Korean` is
    `lang::korean`)."""
    text = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode("ascii").casefold()
    levels = [SLUG_CHARS.sub("-", level).strip("-._") for level in text.split("::")]
    slug = "::".join(level for level in levels if level)
    return slug[:120].rstrip(":") or None


def anki_item_id(guid: str) -> str:
    return "anki-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:10]


def _is_slug(text: str) -> bool:
    from srs.deck.model import SLUG_PATTERN

    return bool(re.match(SLUG_PATTERN, text)) and len(text) <= 120


def _is_tag(text: str) -> bool:
    from srs.deck.model import TAG_PATTERN

    return bool(re.match(TAG_PATTERN, text)) and len(text) <= 120


def _field_key(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


def srs_identity(model: AnkiModel, note: AnkiNote) -> tuple[str | None, dict | None, set[int]]:
    """What srs wrote into the note: (item id, the item itself, indexes of fields that are not text).

    `srs export anki` keeps an item's id in a field named "srs id" (or in the note's GUID) and may keep the
    whole item as JSON in a field named "srs item"; other notes give (None, None, {}).
    """
    item_id, item, hidden = None, None, set()
    for index, name in enumerate(model.fields):
        key = _field_key(name)
        value = note.fields[index] if index < len(note.fields) else ""
        if key in ITEM_FIELDS:
            hidden.add(index)
            raw = html_to_markdown(value).text if value.lstrip().startswith("<") else _unescape(value)
            try:
                parsed = json.loads(raw) if raw.strip() else None
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                item = parsed
        elif key in ID_FIELDS:
            hidden.add(index)
            text = html_to_markdown(value).text.strip()
            if _is_slug(text):
                item_id = text
    if item_id is None and item and isinstance(item.get("id"), str) and _is_slug(item["id"]):
        item_id = item["id"]
    if item_id is None and _is_slug(note.guid) and ("." in note.guid or len(note.guid) > 10):
        item_id = note.guid  # srs ids used as GUIDs look like "diffusion-basics.1a2b3c4d5e"
    return item_id, item, hidden


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def convert(package: AnkiPackage) -> Conversion:
    cards_by_note: dict[int, list[AnkiCard]] = {}
    for card in package.cards:
        cards_by_note.setdefault(card.note_id, []).append(card)
    deck_outs: dict[int, DeckOut] = {}
    used_ids: dict[str, str] = {}
    card_uids: dict[int, str] = {}  # Anki card id -> srs card id
    conversion = Conversion([], {})
    for note in package.notes:
        model = package.models.get(note.model_id)
        cards = cards_by_note.get(note.id, [])
        conversion.notes += 1
        if model is None:
            conversion.skipped.append(f"note {note.id}: its note type is missing from the package")
            continue
        if not cards:
            conversion.skipped.append(f"note {note.id}: it has no cards")
            continue
        if any(tag.casefold() == RETIRED_TAG for tag in note.tags):
            conversion.skipped.append(f"note {note.id}: tagged {RETIRED_TAG} (removed from its srs deck)")
            continue
        deck = deck_outs.get(cards[0].deck_id)
        if deck is None:
            deck = deck_outs[cards[0].deck_id] = _new_deck(package, cards[0].deck_id)
        built = _build_item(package, model, note, deck)
        if isinstance(built, str):
            conversion.skipped.append(f"note {note.id} ({model.name}): {built}")
            continue
        item, numbers, others = built
        item_id = item["id"]
        if item_id in used_ids:
            replacement = anki_item_id(note.guid + ":" + str(note.id))
            conversion.skipped.append(
                f"note {note.id}: id '{item_id}' is used by another note too; gave it '{replacement}'"
            )
            item["id"] = item_id = replacement
        used_ids[item_id] = deck.id
        deck.data["items"].append(item)
        conversion.items += 1
        by_ord = {0: item_id}
        present = {card.ord for card in cards}
        for ordinal, other in others:  # a card type of its own (a reverse card): its own item
            if ordinal not in present:
                continue
            other["id"] = f"{item_id}-card{ordinal + 1}"
            used_ids[other["id"]] = deck.id
            deck.data["items"].append(other)
            conversion.items += 1
            by_ord[ordinal] = other["id"]
        for card in cards:
            uid = None
            if "text" in item:
                number = card.ord + 1
                if number in numbers:
                    uid = f"{item_id}#c{number}"
            else:
                uid = by_ord.get(card.ord)
            if uid is not None:
                card_uids[card.id] = uid
                if card.queue == -1:
                    conversion.suspended.append(uid)
                if card.flags & 7:
                    conversion.flagged[uid] = f"flagged in Anki ({FLAG_NAMES.get(card.flags & 7, 'flag')})"
    for anki_deck_id, deck in deck_outs.items():
        if deck.marker is not None:
            _apply_marker(deck, deck.marker)
        else:
            _restore_deck_identity(anki_deck_id, deck)
    conversion.decks = [d for d in deck_outs.values() if d.data["items"]]
    _settle_names(conversion.decks, conversion.skipped)
    conversion.reviews, conversion.unmapped_reviews = _reviews(package, card_uids)
    return conversion


def srs_deck_number(deck_id: str) -> int:
    """The Anki deck id `srs export anki` gives an srs deck (a hash of its id)."""
    try:
        from srs.export.anki_notes import stable_id
    except ImportError:  # the exporter is optional; its hash is simple to repeat
        def stable_id(*parts: str) -> int:
            digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
            return 2**31 + int.from_bytes(digest[:8], "big") % (2**52 - 2**31)
    return stable_id("srs-deck", deck_id)


def _restore_deck_identity(anki_deck_id: int, deck: DeckOut) -> None:
    """For a deck an older `srs export anki` wrote (no marker): its srs id (when it can be told from the
    Anki deck id) and the tags it gave all its items; then the helper keys used on the way are dropped."""
    items = deck.data["items"]
    restored = [item for item in items if "_note_tags" in item]
    if items and len(restored) == len(items):
        common = None
        for item in restored:
            own = set(item.get("tags", []))
            extra = [t for t in item["_note_tags"] if t not in own]
            common = extra if common is None else [t for t in common if t in extra]
        if common:
            deck.data = {**{k: v for k, v in deck.data.items() if k != "items"}, "tags": common, "items": items}
        candidates = []
        suffix = re.search(r" \(([a-z0-9][a-z0-9._-]*)\)$", deck.title)
        if suffix:
            candidates.append(suffix.group(1))
        for item in restored:
            head = item["id"].rsplit(".", 1)[0] if "." in item["id"] else None
            if head:
                candidates.append(head)
        candidates.append(deck.id)
        for candidate in dict.fromkeys(candidates):
            if _is_slug(candidate) and srs_deck_number(candidate) == anki_deck_id:
                if suffix and candidate == suffix.group(1):
                    deck.data["title"] = deck.title = deck.title[: suffix.start()]
                deck.id = deck.data["id"] = candidate
                break
    for item in items:
        item.pop("_note_tags", None)


# -- the srs deck marker ----------------------------------------------------------------------------------

# What `srs export anki` puts at the end of an Anki deck's description (srs.export.anki_notes.deck_marker).
DECK_MARKER = re.compile(r"<!--\s*srs-deck\s+(\{.*?\})\s*-->", re.DOTALL)
DECK_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,118}\.ya?ml$")


@dataclass
class DeckMarker:
    """The srs deck's own fields, as read back from an Anki deck's description; None where absent or bad."""

    id: str | None = None
    kind: str | None = None
    title: str | None = None
    file: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    options: dict | None = None
    items: list[str] = field(default_factory=list)


def read_deck_marker(description: str) -> DeckMarker | None:
    """The marker in an Anki deck description, or None when it has none (a deck made in Anki).

    Each field is checked on its own: a field that is missing or not valid is left None, so a marker
    damaged by hand still gives back what it can."""
    found = DECK_MARKER.search(description or "")
    if found is None:
        return None
    try:
        raw = json.loads(found.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(raw, dict):
        return None
    marker = DeckMarker()
    if isinstance(raw.get("id"), str) and _is_slug(raw["id"]):
        marker.id = raw["id"]
    if raw.get("kind") in ("deck", "quiz"):
        marker.kind = raw["kind"]
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        marker.title = raw["title"].strip()
    if isinstance(raw.get("file"), str) and DECK_FILE.match(raw["file"]) and ".." not in raw["file"]:
        marker.file = raw["file"]
    if isinstance(raw.get("description"), str):
        marker.description = raw["description"]
    if isinstance(raw.get("tags"), list):
        marker.tags = list(dict.fromkeys(t for t in raw["tags"] if isinstance(t, str) and _is_tag(t)))
    if isinstance(raw.get("options"), dict):
        marker.options = _valid_options(raw["options"])
    if isinstance(raw.get("items"), list):
        marker.items = [i for i in raw["items"] if isinstance(i, str)]
    return marker


def _valid_options(raw: dict) -> dict | None:
    from pydantic import ValidationError

    from srs.deck.model import DeckOptions

    try:
        return DeckOptions.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
    except ValidationError:
        return None


def strip_deck_marker(description: str) -> str:
    return DECK_MARKER.sub("", description or "")


def _apply_marker(deck: DeckOut, marker: DeckMarker) -> None:
    """A deck `srs export anki` wrote (`marker`, read from it): its id, kind, title, description, tags,
    options and item order as the marker tells them. What the learner changed in Anki wins: a deck renamed
    (or moved) there keeps its new name as title, and a description whose shown text was edited there keeps
    the edited text."""
    items = deck.data["items"]
    if marker.id:
        deck.id = marker.id
    deck.kind = marker.kind or "deck"
    name = deck.title
    if marker.title and (name == marker.title or name == f"{marker.title} ({marker.id or deck.id})"):
        deck.title = marker.title
    description = deck.data.get("description", "")  # the shown part, read back as markdown
    if marker.description is not None and _collapsed(_as_shown(marker.description)) == _collapsed(description):
        description = marker.description
    tags = marker.tags or []
    for item in items:
        note_tags = item.pop("_note_tags", None)
        if note_tags is None and tags and item.get("tags"):
            # Made or edited in Anki: its note tags include the deck's, which the deck gives it again.
            own = [t for t in item["tags"] if t not in tags]
            if own:
                item["tags"] = own
            else:
                del item["tags"]
    if marker.items:
        position = {item_id: i for i, item_id in enumerate(marker.items)}
        items.sort(key=lambda item: position.get(item["id"], len(position)))
    data: dict = {"title": deck.title, "id": deck.id, "kind": deck.kind}
    if description:
        data["description"] = description
    if tags:
        data["tags"] = tags
    if marker.options:
        data["options"] = marker.options
    data["items"] = items
    deck.data = data


def _as_shown(markdown: str) -> str:
    """The marker's description as the shown part of the Anki description reads back: rendered as the
    exporter renders it, then through html_to_markdown like any description."""
    from srs.render.markdown import to_html

    return html_to_markdown(to_html(markdown)).text if markdown else ""


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _settle_names(decks: list[DeckOut], notes: list[str]) -> None:
    """Unique deck ids, then unique file names per folder: the marker's file name, else `<deck id>.yaml`.

    Decks with a marker pick first, in package order; a second deck claiming a taken id gets `-2` (and so
    on) added, with a note."""
    taken: set[str] = set()
    for deck in sorted(decks, key=lambda d: d.marker is None):
        if deck.id in taken:
            base, n = deck.id, 2
            while f"{base}-{n}" in taken:
                n += 1
            if deck.marker is not None:
                notes.append(f"two Anki decks say they are srs deck '{base}'; '{deck.title}' became '{base}-{n}'")
            deck.id = deck.data["id"] = f"{base}-{n}"
            if deck.marker is not None:
                deck.marker.file = None
        taken.add(deck.id)
    files: dict[str, set[str]] = {}
    for deck in sorted(decks, key=lambda d: d.marker is None):
        used = files.setdefault(deck.kind, set())
        name = (deck.marker.file if deck.marker is not None and deck.marker.file else None) or deck.id + ".yaml"
        stem, suffix = name.rsplit(".", 1)
        n = 2
        while name.casefold() in used:
            name, n = f"{stem}-{n}.{suffix}", n + 1
        used.add(name.casefold())
        deck.file = name


def _new_deck(package: AnkiPackage, anki_deck_id: int) -> DeckOut:
    raw = package.decks.get(anki_deck_id) or {}
    title = (raw.get("name") or "Imported").strip() or "Imported"
    slug = slugify(title, "imported")
    data: dict = {"title": title, "id": slug}
    desc = raw.get("desc") or ""
    description = html_to_markdown(strip_deck_marker(desc)).text
    if description:
        data["description"] = description
    data["items"] = []
    return DeckOut(slug, title, slug + ".yaml", data, marker=read_deck_marker(desc))


def _build_item(package: AnkiPackage, model: AnkiModel, note: AnkiNote, deck: DeckOut):
    """The item for a note and its cloze numbers, or a reason (str) to skip it."""
    from srs.deck.cloze import deletion_numbers

    item_id, stored, hidden = srs_identity(model, note)
    item_id = item_id or anki_item_id(note.guid)
    tags = deck_tags(note.tags)
    if stored and stored.get("kind") and _restorable(stored):
        item = tidy_item({"id": item_id, **{k: v for k, v in stored.items() if k != "id"}})
        item["_note_tags"] = tags  # for the deck's own tags (see _restore_deck_identity); dropped there
        numbers = deletion_numbers(item.get("text", "")) if "text" in item else []
        return _with_media(item, package, deck), numbers, []
    texts: dict[str, str] = {}  # field name -> markdown, in the note type's order
    images: dict[str, list[str]] = {}
    for index, value in enumerate(note.fields):
        if index in hidden:
            continue
        name = model.fields[index] if index < len(model.fields) else f"Field {index + 1}"
        converted = html_to_markdown(value)
        texts[name], images[name] = converted.text, converted.images
    if not texts:
        return "it has no text fields"
    if model.cloze:
        names = list(texts)
        text = texts[names[0]]
        numbers = deletion_numbers(text)
        if not numbers:
            return "a cloze note without {{c1::...}} deletions (image occlusion is not supported)"
        item = {"id": item_id, "text": text}
        extra = "\n\n".join(texts[n] for n in names[1:] if texts[n])
        if extra:
            item["extra"] = extra
        if tags:
            item["tags"] = tags
        return _with_media(item, package, deck), numbers, []
    layouts = _card_layouts(model, list(texts))
    item = _flashcard(item_id, layouts[0], texts, model.typed, tags)
    if isinstance(item, str):
        return item
    others = []
    for ordinal, layout in enumerate(layouts[1:], start=1):
        other = _flashcard(item_id, layout, texts, "{{type:" in "".join(model.templates[ordinal]), tags)
        if isinstance(other, dict):
            others.append((ordinal, _with_media(other, package, deck)))
    return _with_media(item, package, deck), [], others


_REFERENCE = re.compile(r"\{\{\s*([^#^/!{}][^{}]*?)\s*\}\}")
_NOT_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type", "CardID"}


def _referenced(template: str, names: list[str], typed_too: bool = False) -> list[str]:
    """Fields a template shows (`{{Name}}`, `{{text:Name}}`), in order; `{{#Name}}` conditions are not shown."""
    found = []
    for reference in _REFERENCE.findall(template):
        parts = [p.strip() for p in reference.split(":")]
        if parts[0] == "type" and not typed_too:
            continue
        name = parts[-1]
        if name in names and name not in _NOT_FIELDS and name not in found:
            found.append(name)
    return found


def _card_layouts(model: AnkiModel, names: list[str]) -> list[tuple[list[str], list[str]]]:
    """(front fields, back fields) per card type. The first card type's back also lists the fields no
    template mentions at all (kept, labelled); a field only tested in a condition (`{{#Add Reverse}}`) is
    left out. Without templates: the first field is the front, the others the back."""
    if not model.templates:
        return [(names[:1], names[1:])]
    mentioned = {n for q, a in model.templates for n in names if n in q or n in a}
    layouts = []
    for index, (front, back) in enumerate(model.templates):
        shown = _referenced(front, names)
        answer = [n for n in _referenced(back, names, typed_too=True) if n not in shown]
        if index == 0:
            shown = shown or names[:1]
            answer += [n for n in names if n not in mentioned and n not in shown and n not in answer]
        layouts.append((shown, answer))
    return layouts


def _flashcard(item_id: str, layout: tuple[list[str], list[str]], texts: dict[str, str], typed: bool, tags):
    front_names, back_names = layout
    front = "\n\n".join(texts[n] for n in front_names if texts.get(n))
    backs = [n for n in back_names if texts.get(n)]
    back_parts = [texts[n] if i == 0 else f"**{n}:** {texts[n]}" for i, n in enumerate(backs)]
    if not front:
        return "its first field is empty"
    item: dict[str, object] = {"id": item_id, "q": front, "a": "\n\n".join(back_parts) or "(empty)"}
    if typed:
        item["typed"] = True
    if tags:
        item["tags"] = tags
    return item


def tidy_item(item: dict) -> dict:
    """An item as a person would write it: `q`/`a` for flashcards, `kind` only where it helps reading,
    `correct: b` rather than `[b]`, `illustrate: forward` rather than a mapping with only `show`."""
    item = dict(item)
    kind = item.get("kind")
    if kind == "flashcard" and "front" in item and "back" in item and "q" not in item and "a" not in item:
        item["q"], item["a"] = item.pop("front"), item.pop("back")
    if kind in ("flashcard", "cloze"):
        item.pop("kind")
    correct = item.get("correct")
    if kind == "choice" and isinstance(correct, list) and len(correct) == 1:
        item["correct"] = correct[0]
    illustrate = item.get("illustrate")
    if isinstance(illustrate, dict) and set(illustrate) == {"show"}:
        item["illustrate"] = illustrate["show"]
    return item


def _restorable(stored: dict) -> bool:
    """A stored item is used as is when it validates as the kind it says it is."""
    from pydantic import ValidationError

    from srs.deck.model import ITEM_MODELS

    kind = stored.get("kind")
    model = ITEM_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return False
    values = {k: v for k, v in stored.items() if k != "image"}
    try:
        model.model_validate(values)
    except ValidationError:
        return False
    return True


TEXT_KEYS = ("q", "a", "front", "back", "text", "extra", "question", "answer", "prompt", "explanation")


FRONT_KEYS = ("q", "front", "text", "question", "prompt")
# An inline image `![alt](src)`, or a link `[text](src)` (Anki's sounds), with the source in <...> or not.
_MEDIA_LINK = r"(?<!\\)(!?)\[((?:[^\[\]\\]|\\.)*)\]\((<?)({})(>?)\)"


def _with_media(item: dict, package: AnkiPackage, deck: DeckOut) -> dict:
    """Bring the files the item's text refers to (images, sounds) along into media/, rewriting the links.

    The first image on the front becomes the item's `image` when it has none; an image on the back stays
    where it is, so it never shows before the answer."""
    if isinstance(item.get("image"), str):  # an item restored as srs wrote it
        name = _media_name(item["image"])
        member = package.media.get(name)
        if member is None or name in ("", ".", ".."):
            del item["image"]
        else:
            item["image"] = f"{MEDIA_DIR}/{name}"
            deck.media[item["image"]] = member
    if not any("](" in str(item.get(key, "")) for key in TEXT_KEYS):
        return item
    for key in TEXT_KEYS:
        value = item.get(key)
        if not isinstance(value, str) or "](" not in value:
            continue

        def relink(match, key=key):
            name = _media_name(match.group(4))
            member = package.media.get(name)
            if member is None or name in ("", ".", ".."):
                if not match.group(1) and match.group(2).startswith("sound: "):
                    return "\\[sound:" + match.group(2)[len("sound: "):] + "\\]"  # no file: Anki's text as it was
                return match.group(0)  # not in the package: the markup stays, as text
            target = f"{MEDIA_DIR}/{name}"
            deck.media[target] = member
            if match.group(1) and key in FRONT_KEYS and "image" not in item:
                item["image"] = target
                return ""
            return f"{match.group(1)}[{match.group(2)}]({link_target(target)})"

        item[key] = _tidy_after_removal(re.sub(_MEDIA_LINK.format(r"[^)>]*"), relink, value))
    for key in ("q", "a", "text"):
        if key in item and not item[key]:
            item[key] = "(image)"
    return item


def _media_name(src: str) -> str:
    return unquote(src).replace("\\", "/").split("/")[-1]


def _tidy_after_removal(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _reviews(package: AnkiPackage, card_uids: dict[int, str]) -> tuple[dict[str, list[ImportedReview]], int]:
    by_card: dict[int, list[AnkiRevlogEntry]] = {}
    for entry in package.revlog:
        by_card.setdefault(entry.card_id, []).append(entry)
    reviews: dict[str, list[ImportedReview]] = {}
    unmapped = 0
    name = Path(package.path).name
    for card_id, entries in by_card.items():
        entries.sort(key=lambda e: e.id)
        # Anki forgets the history before a card was reset to new (a manual entry with no ease factor).
        resets = [i for i, e in enumerate(entries) if e.type == MANUAL and e.ease == 0 and e.factor == 0]
        if resets:
            entries = entries[resets[-1] + 1:]
        rated = [e for e in entries if e.type in RATED_TYPES and 1 <= e.ease <= 4]
        if not rated:
            continue
        uid = card_uids.get(card_id)
        if uid is None:
            unmapped += len(rated)
            continue
        for e in rated:
            check_review(package.path, e.id, card_id, e.time_ms)
        reviews[uid] = [
            ImportedReview(e.id // 1000, e.ease, max(e.time_ms, 0), f"{name}: review {e.id} of card {card_id}")
            for e in rated
        ]
    return reviews, unmapped


# -- writing: files and history, all or nothing ------------------------------------------------------------


@dataclass
class AnkiImportReport:
    package: str
    out_dir: str
    files: list[str]
    decks: int
    notes: int
    items: int
    media: int
    skipped: list[str]
    unmapped_reviews: int
    history: ImportReport | None
    quiz_dir: str | None = None  # where quizzes went, when the package had any

    def to_dict(self) -> AnkiImportJson:
        return {
            "package": self.package, "out_dir": self.out_dir, "quiz_dir": self.quiz_dir, "files": self.files,
            "decks": self.decks, "notes": self.notes, "items": self.items, "media_files": self.media,
            "skipped": self.skipped, "reviews_without_card": self.unmapped_reviews,
            "history": self.history.to_dict() if self.history else None,
        }


def quiz_folder(out_dir: Path) -> Path:
    """Where quizzes go: the `quizzes` folder beside the output folder, as srs lays out its own decks
    (`./decks` and `./quizzes`, where it looks by default); the output folder itself if it is named
    `quizzes`."""
    if out_dir.name == "quizzes":
        return out_dir
    return Path(os.path.normpath(os.path.join(out_dir, os.pardir, "quizzes")))


def deck_targets(conversion: Conversion, out_dir: Path, quiz_dir: Path | None = None) -> list[Path]:
    """The file each deck is written to: decks into `out_dir`, quizzes into `quiz_dir` (see quiz_folder).

    Names stay unique even where both are one folder (`-o quizzes`)."""
    quiz_dir = quiz_dir if quiz_dir is not None else quiz_folder(out_dir)
    targets: list[Path] = []
    used: set[tuple[str, str]] = set()
    for deck in conversion.decks:
        folder = quiz_dir if deck.kind == "quiz" else out_dir
        key_folder = os.path.normcase(os.path.abspath(folder))
        stem, suffix = deck.file.rsplit(".", 1)
        name, n = deck.file, 2
        while (key_folder, name.casefold()) in used:
            name, n = f"{stem}-{n}.{suffix}", n + 1
        used.add((key_folder, name.casefold()))
        deck.file = name
        targets.append(folder / name)
    return targets


def import_package(
    path: str | Path,
    out_dir: str | Path | None,
    *,
    store=None,
    overwrite: bool = False,
    progress=None,
    quiz_dir: str | Path | None = None,
) -> AnkiImportReport:
    """Write the package's decks into `out_dir` and, when `store` is given, its reviews into the store.

    Quizzes (decks `srs export anki` wrote with `kind: quiz`) go to `quiz_dir`, by default the `quizzes`
    folder beside `out_dir` (see quiz_folder). With `out_dir` None no deck is written: the reviews go onto
    the cards the database already has with the same ids (history only, e.g. back from Anki after
    `srs export anki`)."""
    package = read_package(path)
    conversion = convert(package)
    if not conversion.decks:
        raise UserError(f"{package.path}: no notes srs can import" + (
            f" ({conversion.skipped[0]})" if conversion.skipped else ""))
    if out_dir is None:
        return _import_history_only(package, conversion, store, progress)
    out_dir = Path(out_dir)
    quiz_dir = Path(quiz_dir) if quiz_dir is not None else quiz_folder(out_dir)
    has_quizzes = any(d.kind == "quiz" for d in conversion.decks)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"-o {out_dir}: not a folder")
    if has_quizzes and quiz_dir.exists() and not quiz_dir.is_dir():
        raise UserError(f"{quiz_dir} (where quizzes go): not a folder")
    targets = deck_targets(conversion, out_dir, quiz_dir)
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise UserError(f"{existing[0]} already exists; use --overwrite to replace it")
    report = AnkiImportReport(
        package.path, str(out_dir), [str(t) for t in targets], len(conversion.decks),
        conversion.notes, conversion.items,
        len({(t.parent, m) for d, t in zip(conversion.decks, targets) for m in d.media}),
        conversion.skipped, conversion.unmapped_reviews, None, str(quiz_dir) if has_quizzes else None,
    )
    created_out = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".srs-import-", dir=out_dir.parent))
    try:
        moves = _stage(package, conversion, targets, staging)
        decks = _check_staged(conversion, moves)
        _check_history(conversion, decks, package.path)
        mover = _Mover(moves, staging / ".replaced")
        try:
            if store is not None and (conversion.reviews or conversion.suspended or conversion.flagged):
                from srs.importers.reviews import write_reviews
                from srs.store.anki_identity import mark_flagged, mark_suspended

                def prepare(conn):
                    mover.move()
                    elsewhere = _apply_decks(conn, targets, decks)
                    mark_suspended(conn, conversion.suspended)
                    mark_flagged(conn, conversion.flagged)
                    if elsewhere:
                        report.skipped.append(
                            f"{len(elsewhere)} items already live in other decks of the database and stay there "
                            f"(their reviews went to them): {', '.join(elsewhere[:3])}"
                            + (", ..." if len(elsewhere) > 3 else "")
                        )

                report.history = write_reviews(store, conversion.reviews, prepare=prepare, progress=progress)
            else:
                mover.move()
        except BaseException:
            mover.undo()
            raise
    except BaseException:
        if created_out and out_dir.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _import_history_only(package: AnkiPackage, conversion: Conversion, store, progress) -> AnkiImportReport:
    from srs.importers.reviews import write_reviews

    if store is None:
        raise UserError("--history-only needs the database (it cannot go with --no-history)")
    known = {row[0] for row in store.db.execute("SELECT uid FROM cards")}
    reviews = {uid: r for uid, r in conversion.reviews.items() if uid in known}
    unknown = sum(len(r) for uid, r in conversion.reviews.items() if uid not in known)
    report = AnkiImportReport(
        package.path, "", [], 0, conversion.notes, 0, 0, list(conversion.skipped),
        conversion.unmapped_reviews + unknown, None,
    )
    if unknown:
        report.skipped.append(f"{unknown} reviews are of cards the database does not have; left out")
    report.history = write_reviews(store, reviews, progress=progress)
    return report


def _stage(
    package: AnkiPackage, conversion: Conversion, targets: list[Path], staging: Path
) -> list[tuple[Path, Path]]:
    """Write every file into the staging folder (a subfolder per target folder, each deck folder with its
    own media/); returns (staged file, target) pairs, the decks first, in conversion order."""
    header = f"Imported from {Path(package.path).name} by `srs import anki`."
    folders: dict[str, Path] = {}  # target folder -> its staging subfolder
    moves: list[tuple[Path, Path]] = []
    media: dict[str, tuple[Path, dict[str, str]]] = {}
    for deck, target in zip(conversion.decks, targets, strict=True):
        key = os.path.normcase(os.path.abspath(target.parent))
        if key not in folders:
            folders[key] = staging / str(len(folders))
            folders[key].mkdir()
        staged = folders[key] / target.name
        staged.write_text(dump_deck(_without_default_kind(deck.data, target), header), encoding="utf-8")
        moves.append((staged, target))
        media.setdefault(key, (target.parent, {}))[1].update(deck.media)
    if any(files for _, files in media.values()):
        with zipfile.ZipFile(package.path) as archive:
            for key, (folder, files) in media.items():
                for rel, member in sorted(files.items()):
                    staged = folders[key] / rel
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as source, open(staged, "wb") as out:
                        if package.media_compressed:
                            from srs.importers.anki_modern import zstd_reader

                            source = zstd_reader(source)
                        shutil.copyfileobj(source, out)
                    moves.append((staged, folder / rel))
    return moves


def _without_default_kind(data: dict, target: Path) -> dict:
    """`kind` is written only where the folder would not say it (a quiz outside `quizzes/`), as people write it."""
    from srs.deck.loader import default_deck_kind

    if data.get("kind") == default_deck_kind(target.resolve()):
        return {k: v for k, v in data.items() if k != "kind"}
    return data


def _check_staged(conversion: Conversion, moves: list[tuple[Path, Path]]) -> list:
    from srs.deck import load_file
    from srs.deck.loader import default_deck_kind

    decks = []
    for deck, (staged, target) in zip(conversion.decks, moves):
        result = load_file(staged)
        if result.deck is not None and "kind" not in _without_default_kind(deck.data, target):
            result.deck.kind = default_deck_kind(target.resolve())  # as the folder it goes to says
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if errors:
            first = errors[0]
            raise UserError(f"the deck written for '{deck.title}' does not load (line {first.line}: {first.message}); "
                            "nothing was imported")
        decks.append(result.deck)
    return decks


def _check_history(conversion: Conversion, decks: list, package: str) -> None:
    card_ids = {cid for deck in decks for item in deck.items for cid in item.card_ids()}
    missing = [uid for uid in conversion.reviews if uid not in card_ids]
    if missing:
        raise UserError(f"{package}: reviews of card '{missing[0]}', which the written decks do not hold")


class _Mover:
    """Moves staged files into place; `undo` puts back what was there before and removes folders it made."""

    def __init__(self, moves: list[tuple[Path, Path]], backup: Path):
        self.moves, self.backup = moves, backup
        self.moved: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []  # (target, its backup)
        self.made_dirs: list[Path] = []

    def _makedirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self.made_dirs.append(made)

    def move(self) -> None:
        for source, target in self.moves:
            self._makedirs(target.parent)
            if target.exists():
                saved = self.backup / str(len(self.replaced))
                saved.parent.mkdir(parents=True, exist_ok=True)
                _replace(target, saved)
                self.replaced.append((target, saved))
            _replace(source, target)
            self.moved.append(target)

    def undo(self) -> None:
        for target in reversed(self.moved):
            if target.exists():
                target.unlink()
        for target, saved in self.replaced:
            _replace(saved, target)
        for folder in reversed(self.made_dirs):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()


def _replace(source: Path, target: Path) -> None:
    """os.replace, or a copy and delete where the two are on different file systems (a quiz_dir elsewhere)."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(source, target)


def _apply_decks(conn, paths: list[Path], decks: list) -> list[str]:
    """Mirror the written deck files into the store, as a sync would, inside the caller's transaction.

    An item whose id already lives in another deck stays there (its reviews go to its cards there); their
    ids are returned."""
    from srs.sync import _item_values, _sync_cards

    elsewhere = []
    for path, deck in zip(paths, decks, strict=True):  # the decks as checked: the same text, read once
        deck.path = str(path)  # they were read in the staging folder
        for item in deck.items:
            item.path = str(path)
        key = str(path.resolve())
        conn.execute(
            "INSERT INTO decks (id, title, kind, path, options, retired) VALUES (?, ?, ?, ?, ?, 0) "
            "ON CONFLICT(id) DO UPDATE SET title = excluded.title, kind = excluded.kind, path = excluded.path, "
            "options = excluded.options, retired = 0",
            [deck.id, deck.title, deck.kind, key, json.dumps(deck.options.model_dump(exclude_none=True))],
        )
        for item in deck.items:
            row = conn.execute("SELECT iid, deck_id, retired FROM items WHERE uid = ?", [item.id]).fetchone()
            if row and row[1] != deck.id and not row[2]:
                elsewhere.append(f"{item.id} (deck '{row[1]}')")
                continue
            values = _item_values(deck, item, key)
            if row is None:
                iid = conn.execute(
                    f"INSERT INTO items ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                    list(values.values()),
                ).lastrowid
            else:
                iid = row[0]
                conn.execute(f"UPDATE items SET {', '.join(f'{k} = ?' for k in values)} WHERE iid = ?",
                             [*values.values(), iid])
            _sync_cards(conn, iid, deck, item)
    return elsewhere
