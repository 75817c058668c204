"""The review log as imports write it: each touched card's merged log, replayed, and the batch `srs undo` takes
back. Every function runs inside the caller's transaction (`conn`).

The importers compute (merge, replay); these functions are their only SQL. `write_card_log`'s signature is
kept stable: it takes each review's scheduling fields before and after (as the replay gives them), never
the log's row format, so the log's columns can change beneath it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from srs.store.store import CARD_COLUMNS, CardRecord

SETTING = "last_import"  # where the newest import batch is remembered (srs.importers.undo)
_CHUNK = 500  # keys per `IN (...)` query


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
    for start in range(0, len(uids), _CHUNK):
        chunk = uids[start : start + _CHUNK]
        rows = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE uid IN ({','.join('?' * len(chunk))})", chunk)
        found.update((card.uid, card) for card in (CardRecord(*row) for row in rows))
    return found


def card_logs(conn: sqlite3.Connection, cids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """Each card's log as `card_log` gives it; cards without one are left out."""
    found: dict[int, list[tuple[int, int, int]]] = {}
    for start in range(0, len(cids), _CHUNK):
        chunk = cids[start : start + _CHUNK]
        for cid, rid, at, rating in conn.execute(
            f"SELECT cid, rid, reviewed_at, rating FROM revlog WHERE cid IN ({','.join('?' * len(chunk))}) "
            "ORDER BY cid, reviewed_at, rid", chunk,
        ):
            found.setdefault(cid, []).append((rid, at, rating))
    return found


def card_by_key(conn: sqlite3.Connection, cid: int) -> CardRecord:
    return CardRecord(*conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [cid]).fetchone())


def card_log(conn: sqlite3.Connection, cid: int) -> list[tuple[int, int, int]]:
    """(rid, reviewed_at, rating) of the card's log, in time order."""
    return conn.execute(
        "SELECT rid, reviewed_at, rating FROM revlog WHERE cid = ? ORDER BY reviewed_at, rid", [cid]
    ).fetchall()


def write_card_log(conn: sqlite3.Connection, card: CardRecord, log: list[LoggedReview], source: str) -> int:
    """Rewrite the card's replayed log: rows with a `rid` get their replayed states, the others are added
    (from `source`); the card takes the state after the last review. How many rows were added."""
    if not log:
        return 0
    snapshots = {rid: (before, after) for rid, before, after in conn.execute(
        "SELECT rid, before, after FROM revlog WHERE cid = ?", [card.cid])} if any(r.rid for r in log) else {}
    updates, inserts = [], []
    memory = card.memory()
    for review in log:
        if review.rid is not None:
            before, after = snapshots[review.rid]
            updates.append((review.before["state"], _snapshot(before, review.before, memory),
                            _snapshot(after, review.after, memory), review.rid))
        else:
            inserts.append((card.cid, card.deck_id, review.at, review.rating, review.duration_ms,
                            review.before["state"], source, json.dumps({**memory, **review.before}),
                            json.dumps({**memory, **review.after})))
    conn.executemany("UPDATE revlog SET state_before = ?, before = ?, after = ? WHERE rid = ?", updates)
    conn.executemany(
        "INSERT INTO revlog (cid, deck_id, reviewed_at, rating, duration_ms, response, state_before, source,"
        " before, after) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)", inserts)
    set_scheduling(conn, card.cid, log[-1].after)
    return len(inserts)


def set_scheduling(conn: sqlite3.Connection, cid: int, scheduling: dict) -> None:
    """Set the card's scheduling fields (state, due, stability, ...) to `scheduling`."""
    assignments = ", ".join(f"{name} = ?" for name in scheduling)
    conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*scheduling.values(), cid])


def _snapshot(snapshot_json: str | None, scheduling: dict, memory: dict) -> str:
    """A log snapshot with its scheduling fields replaced (other fields kept, or the card's if none)."""
    snapshot = json.loads(snapshot_json) if snapshot_json else {}
    if not snapshot or set(CardRecord.MUTABLE) - set(snapshot):
        snapshot = {**memory, **snapshot}
    snapshot.update(scheduling)
    return json.dumps({name: snapshot[name] for name in CardRecord.MUTABLE})


# -- the batch `srs undo` takes back -----------------------------------------------------------------------


def start_batch(conn: sqlite3.Connection) -> tuple[int, int]:
    """(the first log row, the first item) an import about to write will create."""
    rid = conn.execute("SELECT COALESCE(MAX(rid), 0) FROM revlog").fetchone()[0] + 1
    iid = conn.execute("SELECT COALESCE(MAX(iid), 0) FROM items").fetchone()[0] + 1
    return rid, iid


def batch_counts(conn: sqlite3.Connection, first_rid: int, source: str) -> tuple[int, int, int | None]:
    """(reviews, cards, last rid) of the rows from `source` added from `first_rid` on."""
    return conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT cid), MAX(rid) FROM revlog WHERE rid >= ? AND source = ?",
        [first_rid, source],
    ).fetchone()


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
    """Delete the batch's log rows; the cards they were of, sorted."""
    rows = conn.execute("SELECT cid FROM revlog WHERE rid BETWEEN ? AND ? AND source = ?",
                        [first_rid, last_rid, source]).fetchall()
    conn.execute("DELETE FROM revlog WHERE rid BETWEEN ? AND ? AND source = ?", [first_rid, last_rid, source])
    return sorted({cid for (cid,) in rows})


def count_batch_rows(conn: sqlite3.Connection, first_rid: int, last_rid: int, source: str) -> int:
    return conn.execute("SELECT COUNT(*) FROM revlog WHERE rid BETWEEN ? AND ? AND source = ?",
                        [first_rid, last_rid, source]).fetchone()[0]


def retire_unreviewed(conn: sqlite3.Connection, first_iid: int) -> None:
    """Retire the live items from `first_iid` on (made by an import) that have no review left."""
    conn.execute(
        "UPDATE cards SET active = 0 WHERE iid IN (SELECT iid FROM items WHERE iid >= ? AND retired = 0 AND NOT "
        "EXISTS (SELECT 1 FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.iid = items.iid))", [first_iid])
    conn.execute(
        "UPDATE items SET retired = 1 WHERE iid >= ? AND retired = 0 AND NOT "
        "EXISTS (SELECT 1 FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.iid = items.iid)", [first_iid])
