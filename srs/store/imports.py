"""The review log as imports write it: each touched card's merged log, replayed, and the batch `srs undo` takes
back. Every function runs inside the caller's transaction (`conn`).

The importers compute (merge, replay); these functions are their only way into the store. The log itself is
written and read through srs.store.log (its columns are known there only): `write_card_logs` takes each
review's scheduling fields before and after, as the replay gives them, never the log's row format.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from srs.store import log
from srs.store.db import in_chunks
from srs.store.store import CARD_COLUMNS, CardRecord

SETTING = "last_import"  # where the newest import batch is remembered (srs.importers.undo)


@dataclass(frozen=True, slots=True)
class LoggedReview:
    """One review of a card's log, replayed. `rid` None: a review this import adds."""

    rid: int | None
    at: int  # epoch seconds
    rating: int
    before: dict  # the card's scheduling fields before the review and after it
    after: dict
    duration_ms: int | None = None


def cards_for(conn: sqlite3.Connection, uids: list[str]) -> dict[str, CardRecord]:
    """The cards with these public ids, by id (ids without a card are left out)."""
    found: dict[str, CardRecord] = {}
    for chunk, marks in in_chunks(uids):
        rows = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE uid IN ({marks})", chunk)
        found.update((card.uid, card) for card in (CardRecord(*row) for row in rows))
    return found


def card_logs(conn: sqlite3.Connection, cids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """Each card's log as (rid, reviewed_at, rating), in time order; cards without one are left out."""
    found: dict[int, list[tuple[int, int, int]]] = {}
    for chunk, marks in in_chunks(cids):
        for cid, rows in log.logs(conn, f"c.cid IN ({marks})", chunk).items():
            found[cid] = [(row.rid, row.reviewed_at, row.rating) for row in rows]
    return found


def write_card_logs(conn: sqlite3.Connection, replayed: list[tuple[CardRecord, list[LoggedReview]]], source: str
                    ) -> int:
    """Rewrite each card's replayed log (its whole log, in time order): rows with a `rid` get their replayed
    states, the others are added (from `source`); the card takes the state after its last review. One statement
    per kind of write, not per card. How many rows were added."""
    rewritten, added, scheduling = [], [], []
    for card, reviews in replayed:
        if not reviews:
            continue
        for r in reviews:
            if r.rid is None:
                added.append((card.cid, r.at, r.rating, r.duration_ms, source, r.before["state"], r.after))
            else:
                rewritten.append((r.rid, r.before["state"], r.after))
        last = reviews[-1].after
        scheduling.append([*(last[name] for name in log.SCHEDULING), card.cid])
    if rewritten:
        log.rewrite(conn, rewritten)
    log.insert_chain(conn, added)
    conn.executemany(f"UPDATE cards SET {', '.join(f'{name} = ?' for name in log.SCHEDULING)} WHERE cid = ?",
                     scheduling)
    return len(added)


def start_batch(conn: sqlite3.Connection) -> tuple[int, int]:
    """(the first log row, the first item) an import about to write will create."""
    rid = (log.newest_rid(conn) or 0) + 1
    iid = conn.execute("SELECT COALESCE(MAX(iid), 0) FROM items").fetchone()[0] + 1
    return rid, iid


def batch_counts(conn: sqlite3.Connection, first_rid: int, source: str) -> tuple[int, int, int]:
    """(reviews, cards, last rid or 0) of the rows from `source` added from `first_rid` on."""
    return log.imported_since(conn, first_rid, source)


def remember_batch(conn: sqlite3.Connection, value: dict | None) -> None:
    """Remember the newest import batch (None: forget it)."""
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", [SETTING])
        return
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [SETTING, json.dumps(value)],
    )


def remove_batch_rows(conn: sqlite3.Connection, first_rid: int, last_rid: int, source: str) -> list[int]:
    """Delete the batch's log rows; the cards they were of, sorted (each card's remaining log is then replayed
    and rewritten: srs.optimizer.replay.replay_cards)."""
    rows = log.imported_between(conn, first_rid, last_rid, source)
    log.delete(conn, [rid for rid, _ in rows])
    return sorted({cid for _, cid in rows})


def count_batch_rows(conn: sqlite3.Connection, first_rid: int, last_rid: int, source: str) -> int:
    return len(log.imported_between(conn, first_rid, last_rid, source))


def retire_unreviewed(conn: sqlite3.Connection, first_iid: int) -> None:
    """Retire the live items from `first_iid` on (made by an import) that have no review left."""
    created = [iid for (iid,) in conn.execute("SELECT iid FROM items WHERE iid >= ? AND retired = 0", [first_iid])]
    unreviewed = [[iid] for iid in created if not log.item_has_reviews(conn, iid)]
    conn.executemany("UPDATE cards SET active = 0 WHERE iid = ?", unreviewed)
    conn.executemany("UPDATE items SET retired = 1 WHERE iid = ?", unreviewed)
