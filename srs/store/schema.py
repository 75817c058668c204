"""The database schema and its migrations, versioned with SQLite's `user_version`.

Items and cards have integer keys that never change and public ids (`uid`) that may: relinking a
reworded item to its history is then one UPDATE of a uid, and the review log never moves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from srs.domain import State

# The text of an item: every string in its content but its kind, joined with the unit separator.
ITEM_TEXT_SQL = (
    "(SELECT group_concat(value, char(31)) FROM json_tree({content}) "
    "WHERE type = 'text' AND fullkey != '$.kind')"
)

_NEW_TEXT = f"coalesce({ITEM_TEXT_SQL.format(content='new.content')}, '')"

# The search index (srs/store/search.py) and its triggers. _statements splits at a ';' that ends a line, so a
# trigger's inner ';' stays inside a line.
SEARCH_INDEX = f"""
    CREATE VIRTUAL TABLE items_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3');
    INSERT INTO items_fts (rowid, text) SELECT iid, coalesce({ITEM_TEXT_SQL.format(content="content")}, '') FROM items;
    CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (rowid, text) VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_update AFTER UPDATE OF content ON items BEGIN
        DELETE FROM items_fts WHERE rowid = old.iid; INSERT INTO items_fts (rowid, text)
        VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN DELETE FROM items_fts WHERE rowid = old.iid; END;
    CREATE INDEX items_kind_tags ON items(kind, tags);
    CREATE INDEX cards_item_active ON cards(iid, active);
"""


# The log of card actions (srs/store/actions.py) comes with the search index, in migration 2.
CARD_ACTIONS = """
    CREATE TABLE card_actions (aid INTEGER PRIMARY KEY, batch INTEGER NOT NULL,
        cid INTEGER NOT NULL REFERENCES cards(cid), at INTEGER NOT NULL, action TEXT NOT NULL, detail TEXT,
        before TEXT NOT NULL, after TEXT NOT NULL);
    CREATE INDEX card_actions_card ON card_actions(cid, aid);
    CREATE INDEX card_actions_batch ON card_actions(batch);
"""

# 3: the lean log (srs/store/log.py). The answer and the card's scheduling state after it in typed columns,
# the source as a small code, no deck (the card's); the state before it only where it is not the previous
# row's state after (revlog_before). The search index keeps no second copy of the text (content='').
# The tables are made under the names the upgrade fills them by (log.STAGED_LOG, log.STAGED_BEFORE) and renamed
# to revlog and revlog_before at its end (srs/store/upgrade.py), in a new database as in an upgraded one. Their
# indexes are made with them, so batches keep them (at 738k reviews building both at the end took 0.4 s of the
# last transaction); a database made by srs before that has them as revlog_time and revlog_card.
LEAN_LOG = """
    CREATE TABLE {log} (
        rid INTEGER PRIMARY KEY,
        cid INTEGER NOT NULL REFERENCES cards(cid),
        reviewed_at INTEGER NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        duration_ms INTEGER,
        source INTEGER NOT NULL DEFAULT 0,
        response TEXT,
        state_before INTEGER NOT NULL,
        state INTEGER NOT NULL,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER,
        reps INTEGER NOT NULL,
        lapses INTEGER NOT NULL,
        leech INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE {before} (
        rid INTEGER PRIMARY KEY REFERENCES {log}(rid) ON DELETE CASCADE,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER,
        last_review INTEGER,
        reps INTEGER NOT NULL,
        lapses INTEGER NOT NULL
    );
    CREATE INDEX revlog_by_time ON {log}(reviewed_at);
    CREATE INDEX revlog_by_card ON {log}(cid, reviewed_at);
"""

# The search index without its own copy of each item's text: its content is a view that computes the text from
# the item (so the index can still be read whole, as by a dump), and a row is deleted by giving its old text.
_OLD_TEXT = f"coalesce({ITEM_TEXT_SQL.format(content='old.content')}, '')"
LEAN_SEARCH_INDEX = f"""
    DROP TRIGGER items_fts_insert;
    DROP TRIGGER items_fts_update;
    DROP TRIGGER items_fts_delete;
    DROP TABLE items_fts;
    CREATE VIEW items_text (iid, text) AS
        SELECT iid, coalesce({ITEM_TEXT_SQL.format(content="content")}, '') FROM items;
    CREATE VIRTUAL TABLE items_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3',
        content = 'items_text', content_rowid = 'iid', columnsize = 0);
    INSERT INTO items_fts (rowid, text) SELECT iid, coalesce({ITEM_TEXT_SQL.format(content="content")}, '') FROM items;
    CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (rowid, text) VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_update AFTER UPDATE OF content ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, text) VALUES ('delete', old.iid, {_OLD_TEXT}); INSERT INTO items_fts
        (rowid, text) VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, text) VALUES ('delete', old.iid, {_OLD_TEXT}); END;
"""

SCHEMA_VERSION = 3
LEGACY_LOG = "revlog_legacy"  # schema 2's log once upgraded, until it is dropped (srs/store/upgrade.py)
MIGRATION_CACHE_KIB = -262_144  # the page cache while migrating: up to 256 MiB (negative: KiB, SQLite's way)

# Card states (srs.domain.State); NEW has no FSRS memory yet. The others are fsrs.State's values.
NEW, LEARNING, REVIEW, RELEARNING = State.NEW, State.LEARNING, State.REVIEW, State.RELEARNING

Progress = Callable[[int, int], None]  # progress(done, total), as srs/ui/progress.py draws it


def _lean_log(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Migration 3 inside the migrations' one transaction (a new database: its log is empty)."""
    from srs.store.upgrade import convert_all

    convert_all(conn)


# Each migration is SQL, or a function run inside the migrations' one transaction.
MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection, Progress | None], None]] = {
    1: """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE files (
        path TEXT PRIMARY KEY,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        deck_id TEXT
    );
    CREATE TABLE decks (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        retired INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE items (
        iid INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        deck_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        key_text TEXT NOT NULL,
        content TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        path TEXT NOT NULL,
        line INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        explicit_id INTEGER NOT NULL DEFAULT 0,
        retired INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX items_deck ON items(deck_id, retired);
    CREATE TABLE cards (
        cid INTEGER PRIMARY KEY,
        iid INTEGER NOT NULL REFERENCES items(iid),
        uid TEXT NOT NULL UNIQUE,
        ord INTEGER NOT NULL DEFAULT 0,
        deck_id TEXT NOT NULL,
        idx INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        state INTEGER NOT NULL DEFAULT 0,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER,
        last_review INTEGER,
        reps INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        suspended INTEGER NOT NULL DEFAULT 0,
        buried_until INTEGER NOT NULL DEFAULT 0,
        flagged TEXT,
        leech INTEGER NOT NULL DEFAULT 0
    );
    -- The day's queues read only these indexes: due cards by state and time, new cards by deck order.
    -- (SQLite uses a partial index only when the query repeats its WHERE terms literally.)
    CREATE INDEX cards_due ON cards(deck_id, state, due) WHERE active = 1 AND suspended = 0;
    CREATE INDEX cards_new ON cards(deck_id, idx, ord) WHERE active = 1 AND suspended = 0 AND state = 0;
    CREATE INDEX cards_item ON cards(iid);
    CREATE TABLE revlog (
        rid INTEGER PRIMARY KEY,
        cid INTEGER NOT NULL REFERENCES cards(cid),
        deck_id TEXT NOT NULL,
        reviewed_at INTEGER NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        duration_ms INTEGER,
        response TEXT,
        state_before INTEGER NOT NULL,
        source TEXT NOT NULL DEFAULT 'review',
        before TEXT NOT NULL,
        after TEXT NOT NULL
    );
    CREATE INDEX revlog_time ON revlog(reviewed_at);
    CREATE INDEX revlog_card ON revlog(cid, reviewed_at);
    """,
    # 2: the search index, kept in step with the items table by triggers (srs/store/search.py), and the
    # log of actions done to cards by hand (srs/store/actions.py).
    2: SEARCH_INDEX + CARD_ACTIONS,
    # 3: the lean log and the search index without a copy of the text. A database made by an earlier srs is
    # converted card by card in short transactions (srs/store/upgrade.py), then VACUUMed (see migrate).
    3: _lean_log,
}


class SchemaError(Exception):
    pass


def check_version(conn: sqlite3.Connection) -> int:
    """The schema version; refuses (before anything is written) a database written by a newer srs."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < 0:
        raise SchemaError(f"its schema version {version} is not one srs ever wrote")
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"it was written by a newer srs (schema {version}, this srs knows up to {SCHEMA_VERSION}); "
            "upgrade srs"
        )
    return version


def migrate(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """Bring the schema to SCHEMA_VERSION; refuse a database written by a newer srs.

    A new database gets all the migrations in one transaction. A database at schema 2 (an older srs's, with its
    log) is upgraded in short write transactions, about 0.35 s each at 100k cards (srs/store/upgrade.py):
    an interruption (an error, a kill) leaves its old log whole and in use, and the next open goes on from where
    it stopped. The old log leaves its pages free; VACUUM gives them back to the disk (at 738k reviews it holds the
    lock 0.4-0.65 s, the upgrade's longest hold: benchmarks/bench_migration.py)."""
    version = check_version(conn)
    if version == SCHEMA_VERSION:
        if legacy_left(conn):  # an upgrade stopped while it dropped the old log
            from srs.store.upgrade import drop_legacy

            drop_legacy(conn)
            vacuum(conn)
        return
    last = SCHEMA_VERSION if version == 0 else 2  # a log to convert goes by upgrade.upgrade_log
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    # The converted log goes into its table in card order, not rid order, so its inserts land all over the table:
    # a larger page cache (pages are taken only as needed) saves rereading them. benchmarks/bench_migration.py,
    # 738k reviews: conversion 9.4 s with 256 MiB (peak memory 316 MB), 11.9 s with 64 MiB (113 MB); 476k
    # reviews: 6.4 s, 6.1 s, and 8.5 s with SQLite's default 2 MiB. Once in a database's life, so speed wins.
    conn.execute(f"PRAGMA cache_size = {MIGRATION_CACHE_KIB}")
    checkpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # the upgrade checkpoints after each COMMIT itself
    try:
        if version < last:
            _migrate_at_once(conn, last, progress)
        if last == 2:
            from srs.store.upgrade import upgrade_log

            if upgrade_log(conn, progress):  # this srs made the last step (another may have, if two ran at once)
                vacuum(conn)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")


def legacy_left(conn: sqlite3.Connection) -> bool:
    """Whether schema 2's log is still to drop (an upgrade was stopped after its last step)."""
    return has_table(conn, LEGACY_LOG)


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None


def _migrate_at_once(conn: sqlite3.Connection, last: int, progress: Progress | None) -> None:
    """The migrations up to `last` in one transaction: all of them or none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another srs may have migrated since (two started at once).
        version = check_version(conn)
        for target in range(version + 1, last + 1):
            migration = MIGRATIONS[target]
            if callable(migration):
                migration(conn, progress)
            else:
                for statement in _statements(migration):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def vacuum(conn: sqlite3.Connection) -> None:
    """Give the pages an old log freed back to the disk (outside any transaction)."""
    conn.execute("VACUUM")


def _statements(script: str) -> list[str]:
    parts, buffer = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer).strip()
            if statement:
                parts.append(statement)
            buffer = []
    return parts
