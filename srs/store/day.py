"""The read model behind the day's queue: the candidate cards of one deck, straight off the card indexes.

Every query here reads one partial index (see schema.py). States are literals, not parameters: SQLite uses
a partial index only when it can prove the query's WHERE implies the index's, and it cannot see through a
bound parameter. The queue itself (order, limits, siblings) is srs.queue's; it knows no SQL.
"""

from __future__ import annotations

import sqlite3

from srs.store.db import in_chunks
from srs.store.schema import LEARNING, NEW, RELEARNING, REVIEW


def learning_due(conn: sqlite3.Connection, deck_id: str, before: int, now: int) -> list[tuple[int, int, int]]:
    """(due, cid, iid) of the deck's learning and relearning cards due before `before`, not buried at `now`."""
    return conn.execute(
        f"SELECT due, cid, iid FROM cards WHERE deck_id = ? AND state IN ({LEARNING}, {RELEARNING}) AND due < ? "
        "AND active = 1 AND suspended = 0 AND buried_until <= ?",
        [deck_id, before, now],
    ).fetchall()


def reviews_due(conn: sqlite3.Connection, deck_id: str, before: int, now: int, limit: int,
                offset: int = 0) -> list[tuple[int, int, int]]:
    """(due, cid, iid) of the deck's review cards due before `before`, most overdue first."""
    return conn.execute(
        f"SELECT due, cid, iid FROM cards WHERE deck_id = ? AND state = {REVIEW} AND due < ? AND active = 1 "
        "AND suspended = 0 AND buried_until <= ? ORDER BY due, cid LIMIT ? OFFSET ?",
        [deck_id, before, now, limit, offset],
    ).fetchall()


def new_cards(conn: sqlite3.Connection, deck_id: str, now: int, limit: int, offset: int = 0,
              shuffle_seed: int | None = None) -> list[tuple[int, int]]:
    """(cid, iid) of the deck's new cards in deck order (item, then card within the item), or, with a
    `shuffle_seed`, in an order shuffled by it (the same all day)."""
    order = "idx, ord" if shuffle_seed is None else f"(cid * 2654435761 + {int(shuffle_seed)}) % 4294967311, cid"
    return conn.execute(
        f"SELECT cid, iid FROM cards WHERE deck_id = ? AND state = {NEW} AND active = 1 AND suspended = 0 "
        f"AND buried_until <= ? ORDER BY {order} LIMIT ? OFFSET ?",
        [deck_id, now, limit, offset],
    ).fetchall()


def held_back(conn: sqlite3.Connection, deck_ids: list[str], before: int, now: int) -> dict[str, int]:
    """How many new cards and due reviews exist at all in these decks (limits aside): for saying which limit
    stopped a day's review. Keys "new" and "review"."""
    new = review = 0
    for deck_id in deck_ids:
        new += conn.execute(
            f"SELECT COUNT(*) FROM cards WHERE deck_id = ? AND state = {NEW} AND active = 1 AND suspended = 0 "
            "AND buried_until <= ?", [deck_id, now]).fetchone()[0]
        review += conn.execute(
            f"SELECT COUNT(*) FROM cards WHERE deck_id = ? AND state = {REVIEW} AND due < ? AND active = 1 "
            "AND suspended = 0 AND buried_until <= ?", [deck_id, before, now]).fetchone()[0]
    return {"new": new, "review": review}


def next_review_due(conn: sqlite3.Connection, deck_ids: list[str], after: int) -> int | None:
    """When the first review card of these decks falls due at or after `after` (None when none will)."""
    marks = ",".join("?" * len(deck_ids))
    return conn.execute(
        f"SELECT MIN(due) FROM cards WHERE deck_id IN ({marks}) AND state = {REVIEW} AND due >= ? AND active = 1 "
        "AND suspended = 0", [*deck_ids, after]).fetchone()[0] if deck_ids else None


def siblings(conn: sqlite3.Connection, iid: int, cid: int) -> list[tuple[int, int, int]]:
    """(cid, state, buried_until) of the other active, unsuspended cards of the same item."""
    return conn.execute(
        "SELECT cid, state, buried_until FROM cards WHERE iid = ? AND cid != ? AND active = 1 AND suspended = 0",
        [iid, cid],
    ).fetchall()


def quiz_cards(conn: sqlite3.Connection, deck_id: str) -> list[int]:
    """Every active card of a deck in deck order: a quiz's questions."""
    return [row[0] for row in conn.execute(
        "SELECT cid FROM cards WHERE deck_id = ? AND active = 1 ORDER BY idx, ord", [deck_id])]


def gone(conn: sqlite3.Connection, cids: list[int]) -> list[int]:
    """Which of these cards are no longer active or are suspended (after their deck file changed)."""
    found: list[int] = []
    for chunk, marks in in_chunks(cids):
        found += [row[0] for row in conn.execute(
            f"SELECT cid FROM cards WHERE cid IN ({marks}) AND (active = 0 OR suspended = 1)", chunk)]
    return found
