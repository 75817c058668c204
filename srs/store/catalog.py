"""The one write path for decks, items and cards: deck sync and both importers enter the store here.

Callers hand in whole decks as plain rows (`DeckIn`, `ItemIn`); the catalog decides what they mean for the
history already stored, by these rules:

- **ids.** An item is known by its public id (`uid`); its cards are `uid` (one card) or `uid#cN` (one per
  cloze deletion, see `card_uid`). Keys (`iid`, `cid`) never change, so the review log never moves.
- **relinking.** A stored item whose derived id vanished from its deck, beside a new derived id of the same
  kind with similar key text (or weaker similarity at the same place), is the same item reworded: it takes
  the new id and keeps its history (`plan_relinks`). Explicit ids are the author's word and never relink.
  An item whose text reappears anywhere (a renamed file, a copy) takes back a retired item's history
  (`write(..., relink_by_content=True)`).
- **retiring.** An item gone from its deck is retired, never deleted: its cards go inactive, its history
  stays. A deck whose file is gone is retired with its items (`retire_decks`).
- **restoring.** An item that comes back (in its deck, or in another one) is live again with its history.

Everything is planned from reads made before the write lock is taken, then written in a short transaction;
when another process wrote in between, the plan is made again under the lock. Each deck is written all or
nothing, in one transaction with the others up to LOCK_ITEMS items (see `write`). A large insert (a first
sync) also computes the search index's text before the lock and writes it straight into the index, with
the index's trigger set aside for that one transaction.

Raw SQL (`executemany`), not sqlite-utils' `insert_all`, on purpose: this is the first sync's hot path.
Measured on 100k items (benchmarks/bench_store_anki.py's rows, 2 shared cores): executemany 0.47 s against
insert_all 1.11 s without the index trigger (2.2 s against 4.7 s with it), and importing sqlite-utils
itself costs 0.2-0.6 s (it loads numpy), more than a whole sync of one changed deck.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from srs.store.anki_identity import remember_origin
from srs.store.db import in_chunks
from srs.store.log import ITEM_HAS_REVIEWS

if TYPE_CHECKING:
    from srs.store.store import Store

RELINK_MIN_SIMILARITY = 0.5
RELINK_MIN_SIMILARITY_SAME_PLACE = 0.25
BULK = 100  # new or edited items from which the search index is filled directly (see the module's docstring);
# setting the trigger aside costs little: 1,000 new items synced in 0.039 s CPU this way, 0.062 s through the trigger
# srs.store.schema.SEARCH_INDEX's triggers on inserted items and on items whose content changed.
_INSERT_TRIGGER, _UPDATE_TRIGGER = "items_fts_insert", "items_fts_update"


class ItemIn(NamedTuple):  # a named tuple, not a frozen dataclass: a first sync makes one per item, 4x faster
    """An item as the store keeps it. `content` and `tags` are JSON text; `ords` are its cards (0 for the one
    card of most items, the deletion numbers of a cloze); `text`, when given, is `search_text` of the content."""

    uid: str
    kind: str
    content_hash: str
    key_text: str
    content: str
    tags: str
    path: str
    line: int
    idx: int
    explicit_id: bool
    ords: tuple[int, ...] = (0,)
    text: str | None = None  # search_text of `content`, when the caller has it already (saves parsing it again)


@dataclass(slots=True)
class DeckIn:
    """A deck as read from one file (`path`, resolved), with all its items. `options` is JSON text; `stamp`
    is the file's (mtime_ns, size), recorded so an unchanged file is not read again."""

    id: str
    title: str
    kind: str
    path: str
    options: str
    items: list[ItemIn]
    stamp: tuple[int, int] | None = None


@dataclass
class Changes:
    """What a write did to the store's items."""

    added: int = 0
    updated: int = 0
    relinked: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    moved: dict[tuple[str, str], int] = field(default_factory=dict)  # (from path, to path): items relinked
    retired: int = 0
    restored: int = 0
    elsewhere: list[str] = field(default_factory=list)  # `keep_elsewhere`: "id (deck 'x')" left where they live

    def merge(self, other: Changes) -> None:
        self.added += other.added
        self.updated += other.updated
        self.relinked += other.relinked
        for key, n in other.moved.items():
            self.moved[key] = self.moved.get(key, 0) + n
        self.retired += other.retired
        self.restored += other.restored
        self.elsewhere += other.elsewhere


def card_uid(item_uid: str, ord_: int, kind: str) -> str:
    """A card's public id: its item's, or `item#cN` for deletion N of a cloze."""
    return f"{item_uid}#c{ord_}" if kind == "cloze" else item_uid


# -- reads the deck sync needs before it writes --------------------------------------------------------


def file_stamps(store: Store) -> dict[str, tuple[int, int, str | None]]:
    """Every deck file read before: resolved path -> (mtime_ns, size, deck id)."""
    return {row[0]: (row[1], row[2], row[3])
            for row in store.conn.execute("SELECT path, mtime_ns, size, deck_id FROM files")}


def deck_sources(store: Store) -> dict[str, str]:
    """Deck id -> the file it was last read from."""
    return dict(store.conn.execute("SELECT id, path FROM decks").fetchall())


def forget_file(store: Store, path: str) -> None:
    """Forget that `path` was read, so the next sync reads it again."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM files WHERE path = ?", [path])


def live_elsewhere(store: Store, deck_id: str, uids: list[str]) -> list[tuple[str, str, str, int]]:
    """(uid, deck id, path, line) of the live items with these ids in decks other than `deck_id`."""
    found = []
    for chunk, marks in in_chunks(uids):
        found += store.conn.execute(
            f"SELECT uid, deck_id, path, line FROM items WHERE uid IN ({marks}) AND deck_id != ? AND retired = 0",
            [*chunk, deck_id],
        ).fetchall()
    return found


def card_uids(store: Store) -> set[str]:
    """The public id of every card the store has."""
    return {row[0] for row in store.conn.execute("SELECT uid FROM cards")}


def cards_of_items(store: Store) -> dict[str, list[str]]:
    """Item id -> its cards' ids, in card order."""
    found: dict[str, list[str]] = {}
    for item_uid, uid in store.conn.execute(
        "SELECT i.uid, c.uid FROM items i JOIN cards c ON c.iid = i.iid ORDER BY c.ord"
    ):
        found.setdefault(item_uid, []).append(uid)
    return found


def deck_file(store: Store, deck_id: str) -> str | None:
    """The deck file a deck was read from by a sync, or None."""
    row = store.conn.execute("SELECT path FROM files WHERE deck_id = ?", [deck_id]).fetchone()
    return row[0] if row else None


# -- the write -------------------------------------------------------------------------------------------


def write(
    store: Store,
    decks: list[DeckIn],
    *,
    retire_decks: Iterable[str] = (),
    forget_files: Iterable[str] = (),
    relink_by_content: bool = True,
) -> Changes:
    """Mirror whole decks into the store, by the module's rules.

    `retire_decks`: decks no file holds any more (retired with their live items, after `decks` are written);
    `forget_files`: deck files gone from the folders read. `relink_by_content`: afterwards, give retired
    items' history to live items with the same text (see the module's docstring).

    Each deck is written all or nothing. Decks go in one transaction while they hold up to LOCK_ITEMS items
    together, more in one transaction per group of that size (a deck is never split), so no write holds the
    lock for long; what follows the decks (`retire_decks`, `forget_files`, relinking) goes with the last."""
    conn = store.conn
    retire_decks, forget_files = sorted(set(retire_decks)), list(forget_files)
    total, run = Changes(), _Run()
    groups = _groups(decks)
    for number, group in enumerate(groups, start=1):
        last = number == len(groups)
        retiring, forgetting = (retire_decks, forget_files) if last else ([], [])
        version = _data_version(conn)
        plan = _Plan.make(conn, group, retiring, forgetting, run=run)
        plan.index_texts(conn)
        with store.transaction():
            if _data_version(conn) != version:  # another process wrote since the reads: plan again, under the lock
                plan = _Plan.make(conn, group, retiring, forgetting, run=run)
                plan.index_texts(conn)
            plan.apply(store)
            if last and relink_by_content and (decks or retire_decks or forget_files):
                _relink_by_content(conn, plan)
        run.retired.update(plan.retire)
        run.added.update(plan.added)
        total.merge(plan.changes)
    return total


LOCK_ITEMS = 10_000  # items per write transaction (bench_store_anki at 100k: 20k edited items held it 1.6 s)


def _groups(decks: list[DeckIn]) -> list[list[DeckIn]]:
    """The decks in groups of up to LOCK_ITEMS items (a larger deck alone); one empty group for none."""
    groups: list[list[DeckIn]] = [[]]
    size = 0
    for deck in decks:
        if groups[-1] and size + len(deck.items) > LOCK_ITEMS:
            groups.append([])
            size = 0
        groups[-1].append(deck)
        size += len(deck.items)
    return groups


@dataclass
class _Run:
    """What the earlier transactions of one write did, for the later ones."""

    retired: set[int] = field(default_factory=set)  # iids retired
    added: set[int] = field(default_factory=set)  # iids added


def put(store: Store, decks: list[DeckIn], *, keep_elsewhere: bool = True) -> Changes:
    """`write` inside the caller's transaction (`store.transaction()`: an import writes its decks and its
    reviews as one). Nothing is relinked by content.

    With `keep_elsewhere`, an item whose id is live in another deck stays there; `Changes.elsewhere` names
    them."""
    plan = _Plan.make(store.conn, decks, [], [], keep_elsewhere=keep_elsewhere)
    plan.index_texts(store.conn)
    plan.apply(store)
    return plan.changes


def add_items(store: Store, deck: DeckIn) -> int:
    """Inside the caller's transaction: add `deck`'s items (none may exist yet) after the items the deck
    already has, creating the deck if it is new. Nothing is retired. How many were added."""
    if not deck.items:
        return 0
    conn = store.conn
    conn.execute(
        "INSERT INTO decks (id, title, kind, path, options, retired) VALUES (?, ?, ?, ?, ?, 0) "
        "ON CONFLICT(id) DO NOTHING",
        [deck.id, deck.title, deck.kind, deck.path, deck.options],
    )
    start = conn.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM items WHERE deck_id = ?", [deck.id]).fetchone()[0]
    items = [_with_idx(item, start + item.idx) for item in deck.items]
    plan = _Plan(conn)
    for item in items:
        plan.insert_item(deck.id, item)
    plan.apply(store)
    return len(items)


def _with_idx(item: ItemIn, idx: int) -> ItemIn:
    return ItemIn(item.uid, item.kind, item.content_hash, item.key_text, item.content, item.tags, item.path,
                  item.line, idx, item.explicit_id, item.ords, item.text)


def plan_relinks(stored: dict[str, tuple], incoming: dict[str, ItemIn]) -> dict[str, str]:
    """Pair each stored item that vanished with the new item that most likely replaced it.

    `stored`: uid -> (iid, uid, kind, key_text, idx, retired, explicit_id, ...). Only derived ids are
    relinked (an explicit id is the author's word), only within one deck and kind, and only on similar key
    text, or on weaker similarity at the same place in the file.
    """
    vanished = {uid: row for uid, row in stored.items() if uid not in incoming and not row[5] and not row[6]}
    if not vanished:
        return {}
    arrived = [item for uid, item in incoming.items() if uid not in stored and not item.explicit_id]
    candidates = []
    for item in arrived:
        for uid, row in vanished.items():
            if row[2] != item.kind:
                continue
            ratio = difflib.SequenceMatcher(None, row[3], item.key_text).ratio()
            same_place = row[4] == item.idx
            if ratio >= RELINK_MIN_SIMILARITY or (same_place and ratio >= RELINK_MIN_SIMILARITY_SAME_PLACE):
                candidates.append((ratio + (0.2 if same_place else 0.0), uid, item.uid))
    relinks: dict[str, str] = {}
    taken: set[str] = set()
    for _, old, new in sorted(candidates, reverse=True):
        if old not in relinks and new not in taken:
            relinks[old] = new
            taken.add(new)
    return relinks


# Stored item columns the plan reads; the first seven are what plan_relinks reads.
_ITEM_COLUMNS = "iid, uid, kind, key_text, idx, retired, explicit_id, content_hash, tags, path, line, deck_id"
_CARD_COLUMNS = "cid, iid, ord, uid, deck_id, idx, active"


class _Plan:
    """Every row a write changes, computed from reads; `apply` writes them."""

    def __init__(self, conn: sqlite3.Connection, run: _Run | None = None):
        self.run = run or _Run()
        self.changes = Changes()
        self.decks: list[tuple] = []
        self.origins: list[tuple[int, str]] = []  # (iid, first uid) of relinked items
        self.renames: list[tuple[str, int]] = []  # (new uid, iid)
        self.new_items: list[tuple] = []  # (iid, uid, deck_id, kind, content_hash, key_text, content, tags, path, ...)
        self.given_texts: list[str | None] = []  # ItemIn.text of each of new_items
        self.update_texts: list[str | None] = []  # the same, of item_updates
        self.texts: list[tuple[int, str]] | None = None  # (iid, search text) of new_items, for a bulk insert
        self.new_texts: list[tuple[int, str]] | None = None  # the same for item_updates, for a bulk update
        self.old_texts: list[tuple[int, str]] = []  # (iid, search text) of item_updates as stored, the same
        self.new_cards: list[tuple] = []  # (iid, uid, ord, deck_id, idx)
        self.item_updates: list[list] = []  # content changed: every column
        self.item_moves: list[list] = []  # content the same: place, tags, deck, retired
        self.card_updates: list[tuple] = []  # (uid, deck_id, idx, cid), active again
        self.card_offs: list[int] = []  # cids
        self.retire: dict[int, None] = {}  # iids, in order
        self.retire_decks: list[str] = []
        self.forget: list[str] = []
        self.files: list[tuple] = []
        self.added: set[int] = set()  # iids added by this write
        self.claimed: set[int] = set()  # iids placed in a deck by this write
        row = conn.execute("SELECT COALESCE(MAX(iid), 0) FROM items").fetchone()
        self.next_iid = row[0] + 1

    @classmethod
    def make(cls, conn: sqlite3.Connection, decks: list[DeckIn], retire_decks: list[str], forget_files: list[str],
             *, keep_elsewhere: bool = False, run: _Run | None = None) -> _Plan:
        plan = cls(conn, run)
        for deck in decks:
            plan.deck(conn, deck, keep_elsewhere)
        for deck_id in retire_decks:
            iids = [r[0] for r in conn.execute("SELECT iid FROM items WHERE deck_id = ? AND retired = 0", [deck_id])
                    if r[0] not in plan.claimed and r[0] not in plan.retire]
            plan.retire.update(dict.fromkeys(iids))
            plan.changes.retired += len(iids)
            plan.retire_decks.append(deck_id)
        plan.forget = forget_files
        return plan

    def deck(self, conn: sqlite3.Connection, deck: DeckIn, keep_elsewhere: bool) -> None:
        changes = self.changes
        self.decks.append((deck.id, deck.title, deck.kind, deck.path, deck.options))
        stored = {row[1]: row for row in conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE deck_id = ?",
                                                      [deck.id]) if row[0] not in self.claimed}
        cards = _group_cards(conn.execute(
            f"SELECT {', '.join('c.' + c for c in _CARD_COLUMNS.split(', '))} FROM cards c "
            "JOIN items i ON i.iid = c.iid WHERE i.deck_id = ?", [deck.id]))
        incoming = {item.uid: item for item in deck.items}
        relinks = plan_relinks(stored, incoming)
        by_uid = dict(stored)
        for old, new in relinks.items():
            row = stored[old]
            self.origins.append((row[0], old))  # Anki knows the note by its first id
            self.renames.append((new, row[0]))
            by_uid[new] = row
            changes.relinked.append((old, new))
        relinked_new = set(relinks.values())
        # Items that moved here from another deck (or came back) keep their history too.
        others = [uid for uid in incoming if uid not in by_uid]
        for chunk, marks in in_chunks(others):
            rows = conn.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE uid IN ({marks})", chunk).fetchall()
            found = {row[0] for row in rows}
            cards.update(_group_cards(conn.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards WHERE iid IN ({','.join('?' * len(found))})", list(found))))
            by_uid.update({row[1]: row for row in rows})
        for item in deck.items:
            row = by_uid.get(item.uid)
            if row is None:
                self.insert_item(deck.id, item)
                continue
            iid = row[0]
            if keep_elsewhere and row[11] != deck.id and not row[5] and iid not in self.retire:
                changes.elsewhere.append(f"{item.uid} (deck '{row[11]}')")
                continue
            self.claimed.add(iid)
            if iid in self.retire:  # retired from a deck read earlier in this write: it moved here
                del self.retire[iid]
                changes.retired -= 1
            elif row[5] and iid in self.run.retired:  # the same, retired by an earlier transaction of this write
                changes.retired -= 1
            elif row[5]:
                changes.restored += 1
            elif row[7] != item.content_hash and item.uid not in relinked_new:
                changes.updated += 1
            if row[7] != item.content_hash:
                self.item_updates.append(_update_values(deck.id, item, iid))
                self.update_texts.append(item.text)
            elif (row[1], row[8], row[9], row[10], row[4], row[11], row[5], row[6]) != (
                item.uid, item.tags, item.path, item.line, item.idx, deck.id, 0, int(item.explicit_id)
            ):
                self.item_moves.append([item.uid, item.kind, item.key_text, item.tags, item.path, item.line,
                                        item.idx, int(item.explicit_id), deck.id, iid])
            self.cards(deck.id, iid, item, cards.get(iid, {}))
        for uid, row in stored.items():
            if uid not in incoming and uid not in relinks and not row[5]:
                self.retire[row[0]] = None
                changes.retired += 1
        if deck.stamp is not None:
            self.files.append((deck.path, deck.stamp[0], deck.stamp[1], deck.id))

    def insert_item(self, deck_id: str, item: ItemIn) -> None:
        iid = self.next_iid
        self.next_iid += 1
        self.new_items.append((iid, item.uid, deck_id, item.kind, item.content_hash, item.key_text, item.content,
                               item.tags, item.path, item.line, item.idx, int(item.explicit_id)))
        self.given_texts.append(item.text)
        self.new_cards += [(iid, card_uid(item.uid, ord_, item.kind), ord_, deck_id, item.idx) for ord_ in item.ords]
        self.added.add(iid)
        self.claimed.add(iid)
        self.changes.added += 1

    def cards(self, deck_id: str, iid: int, item: ItemIn, have: dict[int, tuple]) -> None:
        """The item's cards as `item.ords` says: kept (made active), added, or made inactive."""
        for ord_ in item.ords:
            uid = card_uid(item.uid, ord_, item.kind)
            card = have.get(ord_)
            if card is None:
                self.new_cards.append((iid, uid, ord_, deck_id, item.idx))
            elif (card[3], card[4], card[5], card[6]) != (uid, deck_id, item.idx, 1):
                self.card_updates.append((uid, deck_id, item.idx, card[0]))
        self.card_offs += [card[0] for ord_, card in have.items() if ord_ not in item.ords and card[6]]

    def index_texts(self, conn: sqlite3.Connection) -> None:
        """For a bulk insert or update: each item's text for the search index, computed now (before the lock);
        for an update, its stored text too (the index keeps no text of its own, its content is the view
        items_text, so a row leaves it by the text it was indexed with)."""
        if len(self.new_items) >= BULK:
            self.texts = [(row[0], _text(row[6], text)) for row, text in zip(self.new_items, self.given_texts)]
        if len(self.item_updates) >= BULK:
            self.new_texts = [(row[-1], _text(row[5], text)) for row, text in zip(self.item_updates, self.update_texts)]
            self.old_texts = []
            for chunk, marks in in_chunks([iid for iid, _ in self.new_texts]):
                self.old_texts += [(iid, _text(content)) for iid, content in conn.execute(
                    f"SELECT iid, content FROM items WHERE iid IN ({marks})", chunk)]

    def insert_items(self, conn: sqlite3.Connection) -> None:
        insert = ("INSERT INTO items (iid, uid, deck_id, kind, content_hash, key_text, content, tags, path, line, idx, "
                  "explicit_id, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
        with _index_by_hand(conn, _INSERT_TRIGGER, self.texts) as by_hand:
            conn.executemany(insert, self.new_items)
            if by_hand and self.texts is not None:
                conn.executemany("INSERT INTO items_fts (rowid, text) VALUES (?, ?)", self.texts)

    def update_items(self, conn: sqlite3.Connection) -> None:
        update = ("UPDATE items SET uid = ?, deck_id = ?, kind = ?, content_hash = ?, key_text = ?, content = ?, "
                  "tags = ?, path = ?, line = ?, idx = ?, explicit_id = ?, retired = 0 WHERE iid = ?")
        with _index_by_hand(conn, _UPDATE_TRIGGER, self.new_texts) as by_hand:
            conn.executemany(update, self.item_updates)
            if by_hand and self.new_texts is not None:
                conn.executemany("INSERT INTO items_fts (items_fts, rowid, text) VALUES ('delete', ?, ?)",
                                 self.old_texts)
                conn.executemany("INSERT INTO items_fts (rowid, text) VALUES (?, ?)", self.new_texts)

    def apply(self, store: Store) -> None:
        """Write the plan, inside the caller's transaction."""
        conn = store.conn
        if self.decks:
            conn.executemany(
                "INSERT INTO decks (id, title, kind, path, options, retired) VALUES (?, ?, ?, ?, ?, 0) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title, kind = excluded.kind, path = excluded.path, "
                "options = excluded.options, retired = 0", self.decks)
        for iid, old in self.origins:
            remember_origin(conn, iid, old)
        conn.executemany("UPDATE items SET uid = ? WHERE iid = ?", self.renames)
        self.insert_items(conn)
        self.update_items(conn)
        conn.executemany(
            "UPDATE items SET uid = ?, kind = ?, key_text = ?, tags = ?, path = ?, line = ?, idx = ?, "
            "explicit_id = ?, deck_id = ?, retired = 0 WHERE iid = ?", self.item_moves)
        conn.executemany("UPDATE cards SET uid = ?, deck_id = ?, idx = ?, active = 1 WHERE cid = ?", self.card_updates)
        conn.executemany("UPDATE cards SET active = 0 WHERE cid = ?", [[cid] for cid in self.card_offs])
        conn.executemany("INSERT INTO cards (iid, uid, ord, deck_id, idx) VALUES (?, ?, ?, ?, ?)", self.new_cards)
        retire = [[iid] for iid in self.retire]
        conn.executemany("UPDATE items SET retired = 1 WHERE iid = ?", retire)
        conn.executemany("UPDATE cards SET active = 0 WHERE iid = ?", retire)
        conn.executemany("UPDATE decks SET retired = 1 WHERE id = ?", [[d] for d in self.retire_decks])
        conn.executemany(
            "INSERT INTO files (path, mtime_ns, size, deck_id) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE "
            "SET mtime_ns = excluded.mtime_ns, size = excluded.size, deck_id = excluded.deck_id", self.files)
        conn.executemany("DELETE FROM files WHERE path = ?", [[path] for path in self.forget])


@contextmanager
def _index_by_hand(conn: sqlite3.Connection, trigger: str, texts: list | None) -> Iterator[bool]:
    """With `texts` (computed before the lock), the search index trigger `trigger` is set aside while the
    caller writes, and the caller writes the index itself (yields True). The trigger computes each row's text
    with json_tree, 4-6x the time of the write itself (10k edited items: 3.9 s against 0.64 s). Dropped and
    made again inside the caller's transaction: no other connection ever sees the index without it."""
    found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                         [trigger]).fetchone() if texts is not None else None
    if found is None:
        yield False
        return
    conn.execute(f"DROP TRIGGER {trigger}")
    yield True
    conn.execute(found[0])


def _text(content_json: str, given: str | None = None) -> str:
    """`search_text` of an item's stored content (JSON text), unless the caller `given` it already."""
    return search_text(json.loads(content_json)) if given is None else given


def search_text(content: object) -> str:
    """The search index's text of an item: every string in its content but its top-level `kind`, in document
    order, joined with the unit separator, as srs.store.schema.ITEM_TEXT_SQL computes it in SQL."""
    if isinstance(content, dict):  # an item's content: mostly text at the top, taken without recursing
        parts: list[str] = []
        for key, value in content.items():
            if value.__class__ is str:
                if key != "kind":  # SQL leaves out the node `$.kind` only
                    parts.append(value.partition("\x00")[0] if "\x00" in value else value)
            elif value.__class__ is list:
                for inner in value:  # a list of texts (tags, options) is what _strings gives, taken whole
                    if inner.__class__ is not str or "\x00" in inner:
                        parts.extend(_strings(value))
                        break
                else:
                    parts += value
            else:
                parts.extend(_strings(value))
        return "\x1f".join(parts)
    return "\x1f".join(_strings(content))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value.partition("\x00")[0]  # SQLite's json_tree ends a string at a NUL
    elif isinstance(value, dict):
        for inner in value.values():  # (a nested `kind` is text like any other: SQL leaves out `$.kind` only)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _update_values(deck_id: str, item: ItemIn, iid: int) -> list:
    return [item.uid, deck_id, item.kind, item.content_hash, item.key_text, item.content, item.tags, item.path,
            item.line, item.idx, int(item.explicit_id), iid]


def _group_cards(rows: Iterable[tuple]) -> dict[int, dict[int, tuple]]:
    """{iid: {ord: (cid, iid, ord, uid, deck_id, idx, active)}}."""
    grouped: dict[int, dict[int, tuple]] = {}
    for row in rows:
        grouped.setdefault(row[1], {})[row[2]] = row
    return grouped


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the database (SQLite's `PRAGMA data_version`)."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


# -- relinking by content --------------------------------------------------------------------------------


def _normal(text: str) -> str:
    """Runs of whitespace as one space, no outer whitespace, case folded (as srs.deck.identity.normalize_text)."""
    return " ".join(text.split()).casefold()


_WITH_HISTORY = ITEM_HAS_REVIEWS


def _relink_by_content(conn: sqlite3.Connection, plan: _Plan) -> None:
    """Give a retired item's history to a live item with the same kind and key text that has none of its
    own (a file renamed without an `id:`, a copy that outlived its original, a deck restored under
    another name). Explicit ids are the author's word and are never relinked."""
    retired = conn.execute(
        f"SELECT iid, kind, key_text, path FROM items WHERE retired = 1 AND explicit_id = 0 AND {_WITH_HISTORY}"
    ).fetchall()
    if not retired:
        return
    waiting: dict[tuple[str, str], list[tuple[int, str]]] = {}
    # Retired by this write first (the likeliest source), then the most recent.
    retired_here = plan.run.retired | set(plan.retire)
    for iid, kind, key_text, path in sorted(retired, key=lambda r: (r[0] in retired_here, r[0]), reverse=True):
        waiting.setdefault((kind, _normal(key_text)), []).append((iid, path))
    # Live items with the same text, then (only for those few) whether they have history of their own.
    live = [
        row for row in conn.execute("SELECT iid, kind, key_text, path FROM items WHERE retired = 0 AND explicit_id = 0")
        if (row[1], _normal(row[2])) in waiting
    ]
    live = [row for row in live
            if not conn.execute(f"SELECT {_WITH_HISTORY} FROM items WHERE iid = ?", [row[0]]).fetchone()[0]]
    changes = plan.changes
    for iid, kind, key_text, path in live:
        candidates = waiting.get((kind, _normal(key_text)))
        if not candidates:
            continue
        old_iid, old_path = candidates.pop(0)
        _merge(conn, old_iid, iid)
        retired_now = old_iid in retired_here
        if retired_now:
            retired_here.discard(old_iid)
            plan.retire.pop(old_iid, None)
            plan.run.retired.discard(old_iid)
            changes.retired -= 1
        if iid in plan.added or iid in plan.run.added:
            plan.added.discard(iid)
            plan.run.added.discard(iid)
            changes.added -= 1
        if retired_now or old_path != path:
            changes.moved[(old_path, path)] = changes.moved.get((old_path, path), 0) + 1
        else:
            changes.restored += 1


def _merge(conn: sqlite3.Connection, old: int, new: int) -> None:
    """The retired item `old` (with history) takes the place of the live item `new` (without any)."""
    columns = ("uid", "deck_id", "kind", "content_hash", "key_text", "content", "tags", "path", "line", "idx",
               "explicit_id")
    values = conn.execute(f"SELECT {', '.join(columns)} FROM items WHERE iid = ?", [new]).fetchone()
    new_cards = conn.execute("SELECT ord, uid, deck_id, idx, active FROM cards WHERE iid = ?", [new]).fetchall()
    old_cards = dict(conn.execute("SELECT ord, cid FROM cards WHERE iid = ?", [old]).fetchall())
    conn.execute("DELETE FROM cards WHERE iid = ?", [new])
    conn.execute("DELETE FROM items WHERE iid = ?", [new])
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(f"UPDATE items SET {assignments}, retired = 0 WHERE iid = ?", [*values, old])
    uid, deck_id, kind = values[0], values[1], values[2]
    for ord_, uid_of_card, card_deck, idx, active in new_cards:
        if ord_ in old_cards:
            conn.execute("UPDATE cards SET uid = ?, deck_id = ?, idx = ?, active = ? WHERE cid = ?",
                         [uid_of_card, card_deck, idx, active, old_cards.pop(ord_)])
        else:
            conn.execute("INSERT INTO cards (iid, uid, ord, deck_id, idx, active) VALUES (?, ?, ?, ?, ?, ?)",
                         [old, uid_of_card, ord_, card_deck, idx, active])
    for ord_, cid in old_cards.items():  # deletions the new text no longer has: kept, inactive
        conn.execute("UPDATE cards SET uid = ?, deck_id = ?, active = 0 WHERE cid = ?",
                     [f"{card_uid(uid, ord_, kind)}~{cid}", deck_id, cid])
