"""The review log as the optimizer reads it, and the one write that rescheduling makes.

`srs optimize` fits FSRS to every card's history and then replays each history with the new parameters;
these functions are its only SQL. The replay reads and writes inside one transaction (`conn` is the
transaction's connection), so an answer given meanwhile elsewhere is not lost.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from srs.store import log
from srs.store.log import LogRow
from srs.store.reports import deck_filter
from srs.store.store import CARD_COLUMNS, CardRecord, Store


def review_history(store: Store, deck_ids: list[str] | None) -> Iterator[tuple[int, str, int, int]]:
    """(cid, deck_id, reviewed_at, rating) of every review of the decks, by card and then time."""
    where, params = deck_filter(deck_ids, "c.deck_id")
    return store.conn.execute(
        "SELECT r.cid, c.deck_id, r.reviewed_at, r.rating FROM revlog r JOIN cards c ON c.cid = r.cid "
        f"WHERE {where} ORDER BY r.cid, r.reviewed_at, r.rid",
        params,
    )


def cards_by_uid(store: Store, uid: str) -> list[CardRecord]:
    """The card with this id, else every card of the item with this id (active first, by ord); may be []."""
    row = store.conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE uid = ?", [uid]).fetchone()
    if row is not None:
        return [CardRecord(*row)]
    rows = store.conn.execute(
        f"SELECT {', '.join('c.' + c.strip() for c in CARD_COLUMNS.split(','))} FROM cards c "
        "JOIN items i ON i.iid = c.iid WHERE i.uid = ? ORDER BY c.active DESC, c.ord",
        [uid],
    ).fetchall()
    return [CardRecord(*r) for r in rows]


def put_settings(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    """Write settings (key -> JSON value) inside the caller's transaction."""
    for key, value in values.items():
        conn.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, json.dumps(value)],
        )


def logs_to_replay(
    conn: sqlite3.Connection, deck_ids: list[str] | None
) -> tuple[dict[int, list[LogRow]], dict[int, CardRecord]]:
    """Inside a transaction: {cid: its log rows, in time order} and {cid: card} for every reviewed card of the
    decks."""
    where, params = deck_filter(deck_ids, "c.deck_id")
    by_card = log.logs(conn, where, params)
    cards = {
        row[0]: CardRecord(*row)
        for row in conn.execute(
            f"SELECT {CARD_COLUMNS} FROM cards c WHERE cid IN (SELECT cid FROM revlog) AND {where}", params
        )
    }
    return by_card, cards


def write_replay(
    conn: sqlite3.Connection,
    columns: tuple[str, ...],
    card_updates: Iterable[list],
    log_updates: Iterable[tuple[int, int, dict[str, Any]]],
) -> None:
    """Inside a transaction: set each card's `columns` ([*values, cid]) and each log row's
    (rid, state before, scheduling fields after) from the replay of its card's whole log."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.executemany(f"UPDATE cards SET {assignments} WHERE cid = ?", card_updates)
    log.rewrite(conn, log_updates)
