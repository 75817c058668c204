"""What Anki needs to know of an item's identity beyond its current id: where its history began, and
whether it was retired.

An item without an explicit `id` has an id derived from its wording; when it is reworded, the deck sync
relinks the stored item (and its history) to the new id. Anki knows the note by a GUID made from the id it
was first exported with, so the store remembers each relinked item's first id (`item_origins`), and
exports keep using it: the reworded note updates in place and keeps its Anki progress.

The table is made on first use (CREATE TABLE IF NOT EXISTS), not by a schema migration: databases that
never relink stay as they are, and older srs versions read a database that has it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from srs.store.schema import has_table

_TABLE = (
    "CREATE TABLE IF NOT EXISTS item_origins ("
    "iid INTEGER PRIMARY KEY REFERENCES items(iid), uid TEXT NOT NULL)"
)


def remember_origin(conn: sqlite3.Connection, iid: int, old_uid: str) -> None:
    """Inside the relink's transaction: item `iid` was known as `old_uid` (kept only for its first relink)."""
    conn.execute(_TABLE)
    conn.execute("INSERT OR IGNORE INTO item_origins (iid, uid) VALUES (?, ?)", [iid, old_uid])


def origin_uids(conn: sqlite3.Connection) -> dict[str, str]:
    """Current item id -> the id it was first stored under, for every item relinked since."""
    if not has_table(conn, "item_origins"):
        return {}
    return dict(conn.execute(
        "SELECT items.uid, item_origins.uid FROM item_origins JOIN items ON items.iid = item_origins.iid"
    ).fetchall())


@dataclass(frozen=True)
class RetiredItem:
    uid: str
    deck_id: str
    kind: str
    content: dict  # the item's body as stored (the deck format's fields, `kind` included)
    tags: list[str]
    path: str
    line: int


def retired_items(conn: sqlite3.Connection, deck_ids: list[str]) -> list[RetiredItem]:
    """Items of these decks that left their deck files (retired, history kept), in id order."""
    if not deck_ids:
        return []
    marks = ",".join("?" * len(deck_ids))
    rows = conn.execute(
        f"SELECT uid, deck_id, kind, content, tags, path, line FROM items WHERE retired = 1 AND deck_id IN ({marks}) "
        "ORDER BY deck_id, idx, uid",
        list(deck_ids),
    ).fetchall()
    return [RetiredItem(uid, deck, kind, json.loads(content), json.loads(tags), path, line)
            for uid, deck, kind, content, tags, path, line in rows]


def mark_flagged(conn: sqlite3.Connection, notes: dict[str, str]) -> None:
    """Inside the caller's transaction: flag these cards (card id -> the flag's note), as Anki had them."""
    rows = [[n, u] for u, n in notes.items()]
    conn.executemany("UPDATE cards SET flagged = ? WHERE uid = ? AND flagged IS NULL", rows)


def mark_suspended(conn: sqlite3.Connection, card_uids: list[str]) -> int:
    """Inside the caller's transaction: suspend these cards (suspended in Anki); how many there were."""
    count = 0
    for uid in card_uids:
        count += conn.execute("UPDATE cards SET suspended = 1 WHERE uid = ?", [uid]).rowcount
    return count
