"""Converting an Anki package into srs decks: notes become items, cards their cards, the review log their history."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from srs.deck.cloze import deletion_numbers
from srs.importers.anki.marker import DeckMarker, apply_marker, is_slug, read_deck_marker, strip_deck_marker
from srs.importers.anki.read import AnkiCard, AnkiModel, AnkiNote, AnkiPackage, AnkiRevlogEntry
from srs.importers.anki_tags import deck_tags
from srs.importers.html_text import html_to_markdown, link_target
from srs.importers.limits import check_review
from srs.importers.reviews import ImportedReview

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
    item_lines: list[int] = field(default_factory=list)  # where each item begins in the file written (stage)


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


def anki_item_id(guid: str) -> str:
    return "anki-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:10]


@lru_cache(maxsize=1024)  # a package has few distinct field names, on many notes
def _field_key(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


@lru_cache(maxsize=256)  # per note type
def _identity_fields(names: tuple[str, ...]) -> tuple[tuple[int, bool], ...]:
    """(index, whether it holds the item) of each field named as one of srs's (ITEM_FIELDS, ID_FIELDS)."""
    keys = [_field_key(name) for name in names]
    return tuple((index, key in ITEM_FIELDS) for index, key in enumerate(keys)
                 if key in ITEM_FIELDS or key in ID_FIELDS)


def srs_identity(model: AnkiModel, note: AnkiNote) -> tuple[str | None, dict | None, set[int]]:
    """What srs wrote into the note: (item id, the item itself, indexes of fields that are not text).

    `srs export anki` keeps an item's id in a field named "srs id" (or in the note's GUID) and may keep the
    whole item as JSON in a field named "srs item"; other notes give (None, None, {}).
    """
    item_id, item, hidden = None, None, set()
    for index, holds_item in _identity_fields(tuple(model.fields)):
        value = note.fields[index] if index < len(note.fields) else ""
        if holds_item:
            hidden.add(index)
            raw = html_to_markdown(value).text if value.lstrip().startswith("<") else _unescape(value)
            try:
                parsed = json.loads(raw) if raw.strip() else None
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                item = parsed
        else:
            hidden.add(index)
            text = html_to_markdown(value).text.strip()
            if is_slug(text):
                item_id = text
    if item_id is None and item and isinstance(item.get("id"), str) and is_slug(item["id"]):
        item_id = item["id"]
    if item_id is None and ("." in note.guid or len(note.guid) > 10) and is_slug(note.guid):
        item_id = note.guid  # srs ids used as GUIDs look like "diffusion-basics.1a2b3c4d5e"
    return item_id, item, hidden


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@lru_cache(maxsize=4096)  # per distinct set of tags
def _retired(tags: tuple[str, ...]) -> bool:
    return any(tag.casefold() == RETIRED_TAG for tag in tags)


def convert(package: AnkiPackage) -> Conversion:
    cards_by_note: dict[int, list[AnkiCard]] = {}
    for card in package.cards:
        cards_by_note.setdefault(card.note_id, []).append(card)
    deck_outs: dict[int, DeckOut] = {}
    used_ids: dict[str, str] = {}
    card_uids: dict[int, str] = {}  # Anki card id -> srs card id
    conversion = Conversion([], {})
    layouts_seen: dict = {}
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
        if note.tags and _retired(tuple(note.tags)):
            conversion.skipped.append(f"note {note.id}: tagged {RETIRED_TAG} (removed from its srs deck)")
            continue
        deck = deck_outs.get(cards[0].deck_id)
        if deck is None:
            deck = deck_outs[cards[0].deck_id] = _new_deck(package, cards[0].deck_id)
        built = _build_item(package, model, note, deck, layouts_seen)
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
        if others:
            present = {card.ord for card in cards}
            for ordinal, other in others:  # a card type of its own (a reverse card): its own item
                if ordinal not in present:
                    continue
                other["id"] = f"{item_id}-card{ordinal + 1}"
                used_ids[other["id"]] = deck.id
                deck.data["items"].append(other)
                conversion.items += 1
                by_ord[ordinal] = other["id"]
        cloze = "text" in item
        for card in cards:
            uid = None
            if cloze:
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
            apply_marker(deck, deck.marker)
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
            if is_slug(candidate) and srs_deck_number(candidate) == anki_deck_id:
                if suffix and candidate == suffix.group(1):
                    deck.data["title"] = deck.title = deck.title[: suffix.start()]
                deck.id = deck.data["id"] = candidate
                break
    for item in items:
        item.pop("_note_tags", None)



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


def _build_item(package: AnkiPackage, model: AnkiModel, note: AnkiNote, deck: DeckOut,
                layouts_seen: dict | None = None):
    """The item for a note and its cloze numbers, or a reason (str) to skip it. `layouts_seen` keeps the card
    layouts worked out per note type and field names, for the notes after."""
    item_id, stored, hidden = srs_identity(model, note)
    item_id = item_id or anki_item_id(note.guid)
    tags = deck_tags(note.tags)
    if stored and stored.get("kind") and _restorable(stored):
        item = tidy_item({"id": item_id, **{k: v for k, v in stored.items() if k != "id"}})
        item["_note_tags"] = tags  # for the deck's own tags (see _restore_deck_identity); dropped there
        numbers = deletion_numbers(item.get("text", "")) if "text" in item else []
        return _with_media(item, package, deck), numbers, []
    texts: dict[str, str] = {}  # field name -> markdown, in the note type's order
    names = model.fields
    for index, value in enumerate(note.fields):
        if index in hidden:
            continue
        texts[names[index] if index < len(names) else f"Field {index + 1}"] = html_to_markdown(value).text
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
    key = (model.id, tuple(texts))
    layouts = layouts_seen.get(key) if layouts_seen is not None else None
    if layouts is None:
        layouts = _card_layouts(model, list(texts))
        if layouts_seen is not None:
            layouts_seen[key] = layouts
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
    if len(front_names) == 1:  # most note types
        front = texts.get(front_names[0]) or ""
    else:
        front = "\n\n".join(texts[n] for n in front_names if texts.get(n))
    if not front:
        return "its first field is empty"
    back_parts: list[str] = []  # the first non-empty field as it is, the others labelled
    for name in back_names:
        text = texts.get(name)
        if text:
            back_parts.append(f"**{name}:** {text}" if back_parts else text)
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
_TEXT_KEY_SET = frozenset(TEXT_KEYS)


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
    for key, value in item.items():  # fewer than TEXT_KEYS: looked up in it
        if key in _TEXT_KEY_SET and "](" in (value if value.__class__ is str else str(value)):
            break
    else:
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


