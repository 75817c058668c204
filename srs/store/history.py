"""The review log as the optimizer reads it, and the writes that rescheduling makes.

`srs optimize` fits FSRS to every card's history and then replays each history with the new parameters;
these functions are its only store access. It reads the log once, in a snapshot (`read_snapshot`),
computes without a lock, stages the cards' new states (`stage_cards`) and writes them with the settings in
a transaction that checks `unchanged_since` the snapshot, so an answer given meanwhile elsewhere is not
lost; the log itself is not rewritten. The undo of an import replays what remains of its cards' logs and
rewrites their rows (`write_replay`), through srs/store/log.py (its LogRow), the only module that knows how
the log keeps a card's state around an answer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from srs.store import log
from srs.store.db import in_chunks
from srs.store.log import SCHEDULING, LogRow
from srs.store.reports import deck_filter
from srs.store.store import CARD_COLUMNS, CardRecord, Store


def review_history(store: Store, deck_ids: list[str] | None) -> Iterator[tuple[int, str, int, int]]:
    """(cid, deck_id, reviewed_at, rating) of every review of the decks, by card and then time."""
    where, params = deck_filter(deck_ids, "c.deck_id")
    return log.ratings_by_card(store.conn, where, params)


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


def cards_by_uids(conn: sqlite3.Connection, uids: Iterable[str]) -> list[CardRecord]:
    """The cards with these ids (each once; an id no card has is left out), for an export of their progress."""
    wanted = list(dict.fromkeys(uids))
    cards = []
    for chunk, marks in in_chunks(wanted):
        rows = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE uid IN ({marks})", chunk)
        cards += [CardRecord(*row) for row in rows]
    return cards


def put_settings(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    """Write settings (key -> JSON value) inside the caller's transaction."""
    for key, value in values.items():
        conn.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, json.dumps(value)],
        )


def logs_to_replay(conn: sqlite3.Connection, cids: list[int]) -> tuple[dict[int, list[LogRow]], dict[int, CardRecord]]:
    """{cid: its log rows, in time order} and {cid: card} for the cards `cids` (each of them, with [] when its
    log is empty)."""
    by_card: dict[int, list[LogRow]] = {}
    cards = {}
    for chunk, marks in in_chunks(cids, _CHUNK):
        where = f"c.cid IN ({marks})"
        for row in conn.execute(f"SELECT {CARD_COLUMNS} FROM cards c WHERE {where}", chunk):
            cards[row[0]] = CardRecord(*row)
            by_card[row[0]] = []
        by_card.update(log.logs(conn, where, chunk))
    return by_card, cards


_CHUNK = 10_000  # card ids to one query (SQLite allows 32,766 parameters)


@contextmanager
def read_snapshot(store: Store) -> Iterator[tuple[sqlite3.Connection, int]]:
    """A read transaction (no write lock) and a version of the store to check with `unchanged_since`."""
    conn = store.conn
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT 1 FROM settings LIMIT 1").fetchall()  # the snapshot starts with the first read
        yield conn, conn.execute("PRAGMA data_version").fetchone()[0]
    finally:
        conn.execute("COMMIT")


def unchanged_since(conn: sqlite3.Connection, version: int) -> bool:
    """Inside a write transaction: no other connection has committed since `read_snapshot` gave `version`."""
    return conn.execute("PRAGMA data_version").fetchone()[0] == version


def log_rows(log_updates: Iterable[tuple[LogRow, tuple, tuple]]) -> list[tuple[int, int, dict[str, Any]]]:
    """The log rows that replayed states ((row, before, after), values in SCHEDULING's order) change, as
    (rid, state before, after) for log.rewrite: rows already right are left out, so none is written."""
    fields = itemgetter(*SCHEDULING)
    return [(row.rid, before[0], dict(zip(SCHEDULING, after))) for row, before, after in log_updates
            if fields(row.after) != after or fields(row.before) != before]


def write_cards(conn: sqlite3.Connection, columns: tuple[str, ...], card_updates: Iterable[tuple[int, tuple]]) -> None:
    """Inside a transaction: set each card's `columns` ((cid, values))."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.executemany(f"UPDATE cards SET {assignments} WHERE cid = ?", [[*values, cid] for cid, values in card_updates])


def stage_cards(conn: sqlite3.Connection, columns: tuple[str, ...], card_updates: Iterable[tuple[int, tuple]]) -> None:
    """Outside any transaction: card states for `write_staged_cards` to apply, in a TEMP table (the
    connection's own, so filling it takes no lock on the database)."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS staged_cards (cid INTEGER PRIMARY KEY, {', '.join(columns)})")
    conn.execute("DELETE FROM temp.staged_cards")
    marks = ", ".join("?" * (len(columns) + 1))
    rows = [(cid, *values) for cid, values in card_updates]
    conn.executemany(f"INSERT INTO temp.staged_cards VALUES ({marks})", rows)


def staged_card_ids(conn: sqlite3.Connection) -> list[int]:
    """The cards `stage_cards` staged, in order."""
    return [row[0] for row in conn.execute("SELECT cid FROM temp.staged_cards ORDER BY cid")]


def write_staged_cards(conn: sqlite3.Connection, columns: tuple[str, ...], first: int = 0, last: int = -1) -> None:
    """Inside a transaction: the states `stage_cards` staged (those of cards `first` to `last`, or all), in
    one statement. 100k cards take the write lock 0.8 s this way, against 2.0 s for an executemany of 100k
    UPDATEs (measured side by side on a loaded 2-core machine)."""
    targets, values = ", ".join(columns), ", ".join(f"s.{name}" for name in columns)
    differs = " OR ".join(f"cards.{name} IS NOT s.{name}" for name in columns)  # a card already right is not written
    conn.execute(
        f"UPDATE cards SET ({targets}) = ({values}) FROM temp.staged_cards s WHERE s.cid = cards.cid "
        f"AND (? < 0 OR s.cid BETWEEN ? AND ?) AND ({differs})",
        [last, first, last],
    )


def clear_staged_cards(conn: sqlite3.Connection) -> None:
    """After the transaction: empty what `stage_cards` staged."""
    conn.execute("DELETE FROM temp.staged_cards")


def write_replay(
    conn: sqlite3.Connection,
    columns: tuple[str, ...],
    card_updates: Iterable[tuple[int, tuple]],
    log_updates: Iterable[tuple[LogRow, tuple, tuple]],
) -> None:
    """Inside a transaction: set each card's `columns` ((cid, values)) and each log row's state before and
    after its answer ((row, before, after)), from the replay of its card's whole log; rows that would not
    change are not written."""
    write_cards(conn, columns, card_updates)
    log.rewrite(conn, log_rows(log_updates))
