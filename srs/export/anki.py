"""`srs export anki`: decks as one Anki package (.apkg) that updates in place when imported again.

genanki writes the collection; this module then adds the learner's history (optional) with plain SQL and
zips the package itself, naming media files as the notes refer to them.

Anki updates a note it already has only when the incoming note is newer, so notes carry the export's
time (genanki's default), never a fixed one.

Each Anki deck's description is the srs deck's description (as HTML) followed by an HTML comment that
Anki keeps but never shows, `<!-- srs-deck {...} -->` (see anki_notes.deck_marker): the deck's id, kind,
title, file name, description, tags, options and item order, which `srs import anki` reads back.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from srs.atomic import atomic_output
from srs.export.anki_cards import item_card_keys
from srs.export.anki_notes import Media, build_note_types, deck_marker, note_for, note_guid, stable_id
from srs.progress import Progress


@dataclass
class AnkiExport:
    path: str
    decks: int
    notes: int
    cards: int
    media: int
    history_cards: int = 0
    history_reviews: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        history = (
            f"; history of {self.history_cards} cards, {self.history_reviews} reviews "
            "(tick 'Import any learning progress' in Anki)"
            if self.history_cards or self.history_reviews
            else ""
        )
        media = f", {_plural(self.media, 'image')}" if self.media else ""
        return (
            f"Wrote {self.path}: {_plural(self.decks, 'deck')}, {_plural(self.notes, 'note')}, "
            f"{_plural(self.cards, 'card')}{media}{history} in {self.seconds:.1f} s"
        )

    def to_dict(self) -> dict:
        return asdict(self)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def anki_deck_names(decks) -> dict[str, str]:
    """Anki deck name per srs deck: its title (`::` nests), made unique if two decks share a title."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for deck in decks:
        name = deck.title.strip()
        if name.casefold() in taken:
            name = f"{name} ({deck.id})"
        taken.add(name.casefold())
        names[deck.id] = name
    return names


RETIRED_TAG = "srs::retired"


@dataclass
class StoredIdentity:
    """What the srs database knows beyond the deck files (see srs.store.anki_identity).

    `origins` maps an item's current id to the id it was first stored under (it was reworded since, and
    relinked): its note keeps the GUID of that first id. `retired` are items removed from the deck files,
    history kept: they are exported once more, tagged `srs::retired`, so Anki marks them too.
    """

    origins: dict[str, str]
    retired: list  # srs.store.anki_identity.RetiredItem


def load_identity(db_path: Path, deck_ids: list[str]) -> StoredIdentity | None:
    """The identity the database at `db_path` keeps for these decks; None when there is no database."""
    if not Path(db_path).is_file():
        return None
    from srs.store.anki_identity import origin_uids, retired_items
    from srs.store.db import connect

    conn = connect(db_path)
    try:
        return StoredIdentity(origin_uids(conn), retired_items(conn, deck_ids))
    finally:
        conn.close()


def export_anki(decks, output: Path, *, history=None, illustrations=None,
                progress: Progress | None = None, identity: StoredIdentity | None = None) -> AnkiExport:
    """Write `decks` to `output` as an .apkg; with `history` (see anki_history), the learner's progress too.

    `illustrations` (see srs.export.illustrations) maps (deck id, item id) to a PNG shown on the note's back.
    `identity` (see StoredIdentity) keeps reworded notes on their first GUID and adds retired items, tagged.
    """
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    started = time.perf_counter()
    progress = progress or Progress()
    models = build_note_types()
    media = Media()
    names = anki_deck_names(decks)
    total_items = sum(len(deck.items) for deck in decks)

    progress.step("Rendering notes", total_items)
    anki_decks = []
    card_keys: dict[tuple[str, int], str] = {}  # (note guid, card ord) -> srs card id
    note_count = card_count = 0
    for deck in decks:
        anki_deck = genanki.Deck(stable_id("srs-deck", deck.id), names[deck.id], _deck_description(deck))
        folder = Path(deck.path).parent
        for position, (item, guid, is_retired) in enumerate(_deck_notes(deck, identity)):
            picture = illustrations.get((deck.id, item.id)) if illustrations else None
            data = _note_data(item, folder, media, picture, deck.options.typed_answers, is_retired)
            note = genanki.Note(
                model=models[data.note_type], fields=data.fields, tags=data.tags, guid=guid, due=position
            )
            anki_deck.add_note(note)
            card_keys.update(item_card_keys(item, guid))
            note_count += 1
            card_count += len(item.card_ids())
            progress.advance()
        anki_decks.append(anki_deck)

    result = AnkiExport(str(output), len(decks), note_count, card_count, len(media.files))
    with tempfile.TemporaryDirectory(prefix="srs-apkg-") as work, atomic_output(output) as temp:
        collection = Path(work) / "collection.anki2"
        conn = sqlite3.connect(collection)
        try:
            # A scratch database: durability would only cost time.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            cursor = conn.cursor()
            cursor.executescript(APKG_SCHEMA)
            cursor.executescript(APKG_COL)
            _declare_v2_scheduler(conn)
            progress.step("Writing the collection", note_count)
            now = time.time()
            ids = _id_counter(now)
            for anki_deck in anki_decks:
                anki_deck.write_to_db(cursor, now, ids)
                progress.advance(len(anki_deck.notes))
            if history is not None:
                from srs.export.anki_history import write_history

                progress.step("Adding review history", len(history))
                written = write_history(conn, history, _anki_card_ids(conn, card_keys))
                progress.advance(len(history))
                result.history_cards, result.history_reviews = written.cards, written.reviews
            conn.commit()
        finally:
            conn.close()
        progress.step("Packing", 1 + len(media.files))
        _zip_package(temp, collection, media.files, progress)
    result.seconds = time.perf_counter() - started
    return result


def _deck_notes(deck, identity: StoredIdentity | None):
    """(item, note GUID, retired?) for each note of `deck`: its items, then its retired items."""
    origins = identity.origins if identity else {}
    retired = [] if identity is None else [r for r in identity.retired if r.deck_id == deck.id]
    for item in deck.items:
        yield item, note_guid(origins.get(item.id, item.id)), False
    for stored in retired:
        item = _retired_item(stored)
        yield item, note_guid(origins.get(item.id, item.id)), True


def exported_card_keys(decks, identity: StoredIdentity | None = None) -> dict[tuple[str, int], str]:
    """(note GUID, card ordinal) -> srs card id, for every card `export_anki` writes (retired items' too)."""
    keys: dict[tuple[str, int], str] = {}
    for deck in decks:
        for item, guid, _ in _deck_notes(deck, identity):
            keys.update(item_card_keys(item, guid))
    return keys


def _retired_item(stored):
    """A retired item, as the deck loader would have made it, from what the database kept."""
    from srs.deck.loader import Item
    from srs.deck.model import ITEM_MODELS

    body = ITEM_MODELS[stored.kind].model_validate(stored.content)
    return Item(id=stored.uid, deck_id=stored.deck_id, body=body, path=stored.path, line=stored.line, col=1,
                index=0, tags=tuple(stored.tags), content_hash="", explicit_id=body.id is not None)


def _note_data(item, folder: Path, media: Media, picture, typed_answers: bool, retired: bool):
    if not retired:
        return note_for(item, folder, media, picture, typed_answers)
    from srs.errors import UserError

    try:
        data = note_for(item, folder, media, None, typed_answers)
    except UserError:  # its image left with it: the note keeps its text
        item.body = item.body.model_copy(update={"image": None})
        data = note_for(item, folder, media, None, typed_answers)
    data.tags.append(RETIRED_TAG)
    return data


def _declare_v2_scheduler(conn: sqlite3.Connection) -> None:
    """Say the collection uses Anki's v2/v3 scheduler, as every Anki since 2.1.50 does.

    genanki's collection says nothing, which Anki reads as the old v1 scheduler, whose learning
    buttons ran 1-3: it would then turn a logged Good (3) on a learning card into Easy (4).
    """
    (raw,) = conn.execute("SELECT conf FROM col").fetchone()
    conf = json.loads(raw)
    conf["schedVer"] = 2
    conn.execute("UPDATE col SET conf = ?", [json.dumps(conf)])


def _id_counter(now: float):
    import itertools

    # genanki's scheme: note and card ids count up from the export time in milliseconds.
    return itertools.count(int(now * 1000))


def _deck_description(deck) -> str:
    """What Anki shows above the deck (its description as HTML), then the srs deck itself, unseen."""
    from srs.render.markdown import to_html

    shown = to_html(deck.description) if deck.description else ""
    return f"{shown}\n{deck_marker(deck)}" if shown else deck_marker(deck)


def _anki_card_ids(conn: sqlite3.Connection, card_keys: dict[tuple[str, int], str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    rows = conn.execute("SELECT cards.id, notes.guid, cards.ord FROM cards JOIN notes ON notes.id = cards.nid")
    for cid, guid, ordinal in rows:
        card_id = card_keys.get((guid, ordinal))
        if card_id is not None:
            ids[card_id] = cid
    return ids


def _zip_package(path: Path, collection: Path, media_files: dict[str, Path], progress: Progress) -> None:
    """The .apkg layout: the collection, a JSON map of numbered members to media names, the members."""
    # Level 1: two and a half times faster than the default for a package a tenth larger.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.write(collection, "collection.anki2")
        progress.advance()
        names = list(media_files)
        package.writestr("media", json.dumps({str(i): name for i, name in enumerate(names)}))
        for index, name in enumerate(names):
            # Images are compressed already; storing them saves time and loses nothing.
            package.write(media_files[name], str(index), compress_type=zipfile.ZIP_STORED)
            progress.advance()
