"""What `srs sync` remembers in the srs database: which reviews already crossed to Anki and back.

One table, `anki_reviews`, made on first use: an Anki review id (epoch milliseconds, unique in an Anki
collection) with the srs review it is (`rid`), or NULL for one srs's log holds nothing to push for: a review
made in Anki and taken into srs's log, or one srs pushed and the learner then took back (undo).
Reviews are matched by that id, so none is pushed or pulled twice, whatever was interrupted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from srs.store.log import SOURCE_CODE, after_of

_TABLE = "CREATE TABLE IF NOT EXISTS anki_reviews (anki_id INTEGER PRIMARY KEY, rid INTEGER)"


def ensure(conn: sqlite3.Connection) -> None:
    conn.execute(_TABLE)


@dataclass(frozen=True)
class LoggedReview:
    rid: int
    card_uid: str
    reviewed_at: int  # epoch seconds
    rating: int
    duration_ms: int | None
    state_before: int
    after: dict  # the card's state after the answer, as the log keeps it


def unpushed_reviews(conn: sqlite3.Connection) -> list[LoggedReview]:
    """srs reviews that Anki has not had yet (neither pushed nor pulled from it), oldest first."""
    ensure(conn)
    rows = conn.execute(
        "SELECT r.rid, c.uid, r.reviewed_at, r.rating, r.duration_ms, r.state_before, r.reviewed_at, "
        "r.state, r.step, r.stability, r.difficulty, r.due, r.reps, r.lapses FROM revlog r "
        "JOIN cards c ON c.cid = r.cid WHERE NOT EXISTS (SELECT 1 FROM anki_reviews a WHERE a.rid = r.rid) "
        "AND r.source != ? ORDER BY r.reviewed_at, r.rid", [SOURCE_CODE["anki"]]
    ).fetchall()
    return [LoggedReview(rid, uid, at, rating, ms, state_before, after_of(after))
            for rid, uid, at, rating, ms, state_before, *after in rows]


def known_anki_ids(conn: sqlite3.Connection) -> set[int]:
    ensure(conn)
    return {row[0] for row in conn.execute("SELECT anki_id FROM anki_reviews")}


def record(conn: sqlite3.Connection, pairs: Sequence[tuple[int, int | None]]) -> None:
    """Remember (Anki review id, srs review id or None) pairs; inside the caller's transaction, or alone."""
    ensure(conn)
    conn.executemany("INSERT OR IGNORE INTO anki_reviews (anki_id, rid) VALUES (?, ?)", pairs)


def forget(conn: sqlite3.Connection, anki_ids: list[int]) -> None:
    """Forget reviews the mirror lost (a full download replaced it): they are pushed again."""
    ensure(conn)
    conn.executemany("DELETE FROM anki_reviews WHERE anki_id = ? AND rid IS NOT NULL", [[i] for i in anki_ids])


def pushed_ids(conn: sqlite3.Connection) -> set[int]:
    ensure(conn)
    return {row[0] for row in conn.execute("SELECT anki_id FROM anki_reviews WHERE rid IS NOT NULL")}


def reviews_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]


def set_memory(conn: sqlite3.Connection, uid: str, stability: float, difficulty: float) -> None:
    """Take the memory state Anki computed for a card whose last review was made there."""
    conn.execute("UPDATE cards SET stability = ?, difficulty = ? WHERE uid = ?", [stability, difficulty, uid])


def last_review_times(conn: sqlite3.Connection, uids: list[str]) -> dict[str, int]:
    """Card id -> epoch second of its last review in srs's log."""
    found = {}
    for uid in uids:
        row = conn.execute(
            "SELECT MAX(r.reviewed_at) FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.uid = ?", [uid]
        ).fetchone()
        if row and row[0] is not None:
            found[uid] = row[0]
    return found


def taken_back(conn: sqlite3.Connection) -> list[int]:
    """Anki ids of reviews srs pushed that its log no longer holds: the learner took them back (undo)."""
    ensure(conn)
    return [row[0] for row in conn.execute(
        "SELECT anki_id FROM anki_reviews a WHERE rid IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM revlog r WHERE r.rid = a.rid)")]


def mark_taken_back(conn: sqlite3.Connection, anki_ids: list[int]) -> None:
    """Remember these reviews as taken back: never pushed again, never pulled back into the log."""
    conn.executemany("UPDATE anki_reviews SET rid = NULL WHERE anki_id = ?", [[i] for i in anki_ids])
