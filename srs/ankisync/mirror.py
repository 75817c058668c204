"""srs's private Anki collection: the decks as notes, srs's reviews and card states, and what came back.

The mirror holds what `srs export anki` would write (the same GUIDs, note types, decks and ordering and
choice items), kept up to date by importing such a package whenever the decks change. srs's reviews go
into its review log and srs's card states onto its cards; reviews other devices made come back out of it.
Every step is idempotent: reviews are matched by their Anki id (epoch milliseconds), so an interrupted
sync is simply run again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from srs.errors import UserError
from srs.export.anki_cards import STATE_NAMES, card_columns, revlog_values
from srs.store import anki_sync

NOTES_KEY = "srs.notesFingerprint"  # in the mirror's config: the decks its notes were last made from
RATED_TYPES = (0, 1, 2, 3)


def open_mirror(path: Path):
    """srs's private Anki collection at `path` (made when absent); a damaged one is one line saying what to do."""
    from anki.collection import Collection
    from anki.errors import DBError

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return Collection(str(path))
    except DBError:
        raise UserError(f"cannot open srs's Anki mirror {path}: it is damaged; move the folder {path.parent} aside, "
                        "then `srs sync --download` makes a new one from the server (srs's reviews are kept and "
                        "sent again)") from None


def card_keys(decks, identity) -> dict[tuple[str, int], str]:
    """(note GUID, card ordinal) -> srs card id, for every note `srs export anki` writes (retired ones too)."""
    from srs.export.anki import exported_card_keys

    return exported_card_keys(decks, identity)


def fingerprint(decks, identity) -> str:
    """Changes when anything the notes are made from changes (items, tags, titles, options, identity)."""
    digest = hashlib.sha256()
    for deck in decks:
        digest.update(json.dumps([deck.id, deck.title, deck.description, list(deck.tags),
                                  deck.options.model_dump(mode="json")], ensure_ascii=False).encode())
        for item in deck.items:
            digest.update(json.dumps([item.id, item.content_hash, list(item.tags)], ensure_ascii=False).encode())
    if identity is not None:
        digest.update(json.dumps(sorted(identity.origins.items())).encode())
        digest.update(json.dumps(sorted(r.uid for r in identity.retired)).encode())
    return digest.hexdigest()


def notes_changed(col, decks, identity) -> bool:
    """Whether the decks changed since the mirror's notes were made from them."""
    return col.get_config(NOTES_KEY, None) != fingerprint(decks, identity)


def update_notes(col, decks, identity, force: bool = False) -> bool:
    """Make the mirror's notes match the decks (in place: same GUIDs, progress kept). True when it changed.

    Only when the decks changed since the last time, or with `force`. What the notes then hold is written
    down (`written_path`), so that a later edit made on another device can be told (`edited_notes`)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from srs.export.anki import export_anki

    wanted = fingerprint(decks, identity)
    if not force and col.get_config(NOTES_KEY, None) == wanted:
        return False
    if force:  # an edit made elsewhere this very second must be older than the package
        _wait_for_next_second()
    with tempfile.TemporaryDirectory(prefix="srs-ankisync-") as tmp:
        package = Path(tmp) / "decks.apkg"
        export_anki(decks, package, identity=identity)
        _wait_for_next_second()  # Anki updates a note only when the package's is newer, in whole seconds
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=False)))
    _write_json(written_path(col), _note_digests(col, None))  # first: a sync cut off here imports again
    col.set_config(NOTES_KEY, wanted)
    return True


def written_path(col) -> Path:
    """Beside the mirror: a digest of each note's fields as srs last wrote them."""
    return Path(col.path).with_name("srs-notes-written.json")


def _note_digests(col, guids: set[str] | None) -> dict[str, str]:
    rows = col.db.all("SELECT guid, flds FROM notes")
    return {guid: hashlib.sha256(flds.encode("utf-8")).hexdigest()[:16] for guid, flds in rows
            if guids is None or guid in guids}


def edited_notes(col) -> list[str]:
    """GUIDs of srs's notes whose fields changed since srs wrote them: edited on another device and synced."""
    try:
        written = json.loads(written_path(col).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # never written (a first sync), or unreadable: nothing to compare with
    now = _note_digests(col, set(written))
    return sorted(guid for guid, digest in now.items() if written.get(guid) != digest)


def _write_json(path: Path, data) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(data), encoding="utf-8")
    temp.replace(path)


def _wait_for_next_second() -> None:
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)


def mirror_cards(col) -> dict[tuple[str, int], int]:
    """(note GUID, card ordinal) -> the mirror's card id."""
    rows = col.db.all("SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid")
    return {(guid, ordinal): cid for cid, guid, ordinal in rows}


@dataclass
class Pushed:
    reviews: int = 0
    cards: set = field(default_factory=set)  # srs card ids whose state went to the mirror


def push_reviews(col, store, keys: dict[tuple[str, int], str], now: datetime) -> Pushed:
    """srs's reviews that Anki has not had yet into the mirror's log, and their cards' states onto its cards.

    A review the mirror already holds (same card, same second, same button: an earlier sync that was cut
    off before srs wrote down that it was done) is only written down."""
    cards = mirror_cards(col)
    by_uid = {uid: cards[key] for key, uid in keys.items() if key in cards}
    pushed = Pushed()
    done: list[tuple[int, int]] = []
    pending = anki_sync.unpushed_reviews(store.conn)

    def write():  # in one transaction of the mirror's, committed before srs writes down what went
        for review in pending:
            cid = by_uid.get(review.card_uid)
            if cid is None:
                continue  # a card the decks no longer hold (retired), or one the mirror does not have yet
            base = review.reviewed_at * 1000
            existing = col.db.scalar(
                "SELECT id FROM revlog WHERE cid = ? AND id BETWEEN ? AND ? AND ease = ?", cid, base, base + 999,
                review.rating)
            if existing is None:
                anki_id = base + review.rid % 1000
                while col.db.scalar("SELECT 1 FROM revlog WHERE id = ?", anki_id):
                    anki_id += 1
                previous = col.db.scalar(
                    "SELECT ivl FROM revlog WHERE cid = ? AND id < ? ORDER BY id DESC LIMIT 1", cid, anki_id)
                after = review.after
                values = revlog_values(review.reviewed_at, review.rating, review.duration_ms, review.state_before,
                                       after.get("state"), after.get("due"), after.get("difficulty"),
                                       previous or 0)
                col.db.execute(
                    "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                    "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                    anki_id, cid, values.ease, values.ivl, values.last_ivl, values.factor, values.time, values.kind)
                pushed.reviews += 1
            else:
                anki_id = existing
            done.append((anki_id, review.rid))
            pushed.cards.add(review.card_uid)
        for uid in pushed.cards:
            write_card_state(col, store, uid, by_uid[uid], now)

    if pending:
        col.db.transact(write)
    if done:
        with store.transaction() as conn:
            anki_sync.record(conn, done)
    return pushed


def write_card_state(col, store, uid: str, cid: int, now: datetime) -> None:
    """srs's state of card `uid` onto the mirror's card `cid` (see srs.export.anki_cards): type, queue, due
    day, interval, memory state; what else Anki keeps in the card's data stays. A card new in srs again (its
    only review taken back) goes back to its place among the new cards, as Anki's "forget" puts it."""
    from srs.clock import from_epoch, learner_days

    record = store.find_card(uid)
    ctype, due, raw = col.db.first("SELECT type, due, data FROM cards WHERE id = ?", cid)
    data = json.loads(raw or "{}")
    if STATE_NAMES.get(record.state, "new") == "new":
        if ctype != 0:
            _make_new(col, cid, data, due, bool(record.suspended))
        return
    if ctype == 0:
        data.setdefault("pos", due)  # its place among the new cards, as Anki keeps it
    last = record.last_review or int(now.timestamp())
    today = col.sched.today
    columns = card_columns(record.state, record.due or last, last, record.reps, record.lapses, record.stability,
                           record.difficulty, lambda moment: today + learner_days(now, from_epoch(moment)),
                           suspended=bool(record.suspended))
    data.update(columns.data)
    col.db.execute(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, "
        "data = ?, mod = ?, usn = -1 WHERE id = ?",
        columns.type, columns.queue, columns.due, columns.ivl, columns.factor, columns.reps, columns.lapses,
        columns.left, json.dumps(data), int(time.time()), cid)


def _make_new(col, cid: int, data: dict, due: int, suspended: bool) -> None:
    position = data.pop("pos", due)
    for key in ("s", "d", "lrt", "dr", "decay"):
        data.pop(key, None)
    col.db.execute(
        "UPDATE cards SET type = 0, queue = ?, due = ?, ivl = 0, factor = 0, reps = 0, lapses = 0, left = 0, "
        "data = ?, mod = ?, usn = -1 WHERE id = ?",
        -1 if suspended else 0, position, json.dumps(data), int(time.time()), cid)


def take_back_reviews(col, store, keys: dict[tuple[str, int], str], now: datetime) -> int:
    """Reviews srs pushed and the learner then took back (undo): their cards take srs's state again, and a
    review the server has not had yet leaves the mirror. How many were taken back.

    Anki's sync has no way to remove a review, and each sync compares the two sides' counts of reviews:
    one the server already has stays in the mirror, the server and the devices that synced it (the card's
    state follows srs all the same). srs never takes it back into its own log."""
    ids = anki_sync.taken_back(store.conn)
    if not ids:
        return 0
    uid_of = {cid: keys[key] for key, cid in mirror_cards(col).items() if key in keys}

    def write():
        cards: dict[int, str] = {}
        for anki_id in ids:
            cid = col.db.scalar("SELECT cid FROM revlog WHERE id = ?", anki_id)
            if cid is None:
                continue
            col.db.execute("DELETE FROM revlog WHERE id = ? AND usn = -1", anki_id)  # not on the server yet
            if cid in uid_of:
                cards[cid] = uid_of[cid]
        for cid, uid in cards.items():
            write_card_state(col, store, uid, cid, now)

    col.db.transact(write)
    with store.transaction() as conn:
        anki_sync.mark_taken_back(conn, ids)
    return len(ids)


@dataclass
class Pulled:
    reviews: int = 0
    cards: set = field(default_factory=set)  # srs card ids that received reviews
    restated: set = field(default_factory=set)  # of those, cards whose state srs must send back


def pull_reviews(col, store, keys: dict[tuple[str, int], str]) -> Pulled:
    """Reviews made on other devices, from the mirror's log into srs's (replayed there), matched by id.

    A card whose last review was made in Anki takes Anki's memory state, so both sides hold the same one;
    a card reviewed later in srs keeps srs's, which goes back to Anki."""
    from srs.importers.reviews import ImportedReview, write_reviews

    known = anki_sync.known_anki_ids(store.conn)
    rows = col.db.all(
        "SELECT r.id, r.ease, r.time, r.type, n.guid, c.ord, c.data FROM revlog r JOIN cards c ON c.id = r.cid "
        "JOIN notes n ON n.id = c.nid ORDER BY r.id")
    incoming: dict[str, list] = {}
    ids: list[tuple[int, None]] = []
    anki_last: dict[str, tuple[int, str]] = {}
    for anki_id, ease, duration, kind, guid, ordinal, data in rows:
        uid = keys.get((guid, ordinal))
        if uid is None or anki_id in known or kind not in RATED_TYPES or not 1 <= ease <= 4:
            continue
        review = ImportedReview(anki_id // 1000, ease, max(0, duration), f"Anki review {anki_id}")
        incoming.setdefault(uid, []).append(review)
        ids.append((anki_id, None))
        anki_last[uid] = (anki_id // 1000, data)
    pulled = Pulled()
    if not incoming:
        return pulled

    def remember(conn):
        anki_sync.record(conn, ids)

    report = write_reviews(store, incoming, prepare=remember, source="anki")
    pulled.reviews = report.reviews_added
    pulled.cards = set(incoming)
    srs_last = anki_sync.last_review_times(store.conn, list(incoming))
    with store.transaction() as conn:
        for uid, (at, data) in anki_last.items():
            memory = json.loads(data or "{}")
            if at >= srs_last.get(uid, 0) and "s" in memory and "d" in memory:
                anki_sync.set_memory(conn, uid, float(memory["s"]), float(memory["d"]))
            else:
                pulled.restated.add(uid)
    return pulled
