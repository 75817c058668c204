"""The one-time upgrade of a database an older srs wrote (schema 2) to the lean log (schema 3), in short write
transactions: no other srs waits much over a second to write, even at 100k cards (benchmarks/bench_migration.py).

1. The first transaction makes the lean log's tables beside the old log under other names (log.STAGED_LOG and
   log.STAGED_BEFORE), a marker (the last card converted, the rows converted) and triggers on the old log that
   note each card whose rows another srs (an older one, still running) adds, changes or removes meanwhile. It
   converts the first batch too, so that an error in it leaves the database as it was.
2. Each next transaction converts the cards after the marker, BATCH_REVIEWS reviews and the rest of the last
   card's, and moves the marker; first it converts again the cards noted since (their converted rows removed),
   about BATCH_REVIEWS reviews' worth, and if there were any it leaves its batch to the next transaction.
3. The last transaction, when no card is left and none is noted, drops the triggers and the marker, renames
   the old log to LEGACY_LOG and the lean tables to revlog and revlog_before, builds the new search index, and
   sets user_version to 3. Until it commits the old log is whole, in use, and what `upgrade_pending` sees.
4. Then the old log is emptied, DROP_BATCH rows a transaction, and dropped (DROP TABLE at once held the lock
   0.8 s at 738k reviews, as it reads every page it frees); a kill leaves the rest to the next open.

Each transaction reads the marker after it takes the write lock, so two srs upgrading at once share the work
and end with one log; a kill leaves the marker of the last batch committed, and the next open goes on from
there. The log is, row for row, the one converting it at once gives (tests/trust/test_migration.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from srs.store.log import STAGED_BEFORE, STAGED_LOG, convert_legacy_log
from srs.store.schema import (
    LEAN_LOG,
    LEAN_SEARCH_INDEX,
    LEGACY_LOG,
    SCHEMA_VERSION,
    Progress,
    SchemaError,
    _statements,
    check_version,
    has_table,
)

# Reviews converted per write transaction (and the rest of the last card's). benchmarks/bench_migration.py, 738k
# reviews: batches of 30k held the lock 0.43-0.6 s each (0.82 s under load), so 20k leaves room; the longest hold
# of the whole upgrade is then the VACUUM after it (0.4-0.65 s), the whole upgrade 16 s as at once.
BATCH_REVIEWS = 20_000
MARKER, NOTED = "revlog_v3_marker", "revlog_v3_noted"
_BEFORE_ALL = -(2**63)  # the marker before the first card

DROP_BATCH = 100_000  # rows of the old log deleted per write transaction once the new one is in use
STAGE = f"""
    CREATE TABLE {MARKER} (one INTEGER PRIMARY KEY CHECK (one = 1), cid INTEGER NOT NULL, done INTEGER NOT NULL);
    CREATE TABLE {NOTED} (cid INTEGER PRIMARY KEY);
    CREATE TRIGGER revlog_v3_inserted AFTER INSERT ON revlog BEGIN
        INSERT OR IGNORE INTO {NOTED} VALUES (new.cid); END;
    CREATE TRIGGER revlog_v3_updated AFTER UPDATE ON revlog BEGIN
        INSERT OR IGNORE INTO {NOTED} VALUES (old.cid); INSERT OR IGNORE INTO {NOTED} VALUES (new.cid); END;
    CREATE TRIGGER revlog_v3_deleted AFTER DELETE ON revlog BEGIN
        INSERT OR IGNORE INTO {NOTED} VALUES (old.cid); END;
"""
UNSTAGE = f"""
    DROP TRIGGER IF EXISTS revlog_v3_inserted;
    DROP TRIGGER IF EXISTS revlog_v3_updated;
    DROP TRIGGER IF EXISTS revlog_v3_deleted;
    DROP TABLE IF EXISTS {NOTED};
    DROP TABLE IF EXISTS {MARKER};
"""


def upgrade_log(conn: sqlite3.Connection, progress: Progress | None = None) -> bool:
    """Convert the log of the database at schema 2 and bring it to schema 3, batch by batch, each in its own
    transaction; `progress(done, total)` as rows are converted, from those an earlier run converted. Whether this
    call made the last step (False: another srs did). An error in the log's rows undoes the whole upgrade."""
    total = conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    told = False
    try:
        while True:
            with _immediate(conn):
                if check_version(conn) == SCHEMA_VERSION:  # another srs finished it
                    return False
                last, done = _marker(conn)
                if progress is not None and not told:
                    progress(done, max(total, done))
                    told = True
                if _convert_noted(conn, last):  # this transaction did its share
                    continue
                end = _batch_end(conn, last)
                if end is None:
                    _finish(conn)
                    break
                converted = done

                def wrote(rows: int) -> None:
                    nonlocal converted
                    converted += rows
                    if progress is not None:
                        progress(converted, max(total, converted))

                convert_legacy_log(conn, "cid > ? AND cid <= ?", [last, end], wrote)
                conn.execute(f"UPDATE {MARKER} SET cid = ?, done = ?", [end, converted])
    except SchemaError:  # a row no srs wrote: converting again would stop there again
        with _immediate(conn):
            if check_version(conn) < SCHEMA_VERSION:
                _unstage(conn)
        raise
    drop_legacy(conn)
    return True


def drop_legacy(conn: sqlite3.Connection) -> None:
    """Empty the old log (LEGACY_LOG) DROP_BATCH rows at a time, each in its own transaction, then drop it."""
    while True:
        with _immediate(conn):
            if not has_table(conn, LEGACY_LOG):  # another srs dropped it
                return
            for index in ("revlog_time", "revlog_card"):  # its own, which no query reads any more
                conn.execute(f"DROP INDEX IF EXISTS {index}")
            end = conn.execute(f"SELECT rid FROM {LEGACY_LOG} ORDER BY rid LIMIT 1 OFFSET ?",
                               [DROP_BATCH]).fetchone()
            if end is None:
                conn.execute(f"DROP TABLE {LEGACY_LOG}")
                return
            conn.execute(f"DELETE FROM {LEGACY_LOG} WHERE rid < ?", [end[0]])


def convert_all(conn: sqlite3.Connection) -> None:
    """Inside a transaction: the whole upgrade at once (a new database, whose log is empty)."""
    _marker(conn)
    convert_legacy_log(conn)
    _finish(conn)
    conn.execute(f"DROP TABLE {LEGACY_LOG}")


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (SQLite may have rolled back already: a full disk)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    # The pages written go from the WAL to the database file now, with the write lock free (as SQLite's own
    # checkpoint after a COMMIT, which migrate() turns off so that COMMIT's time is the lock's).
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _marker(conn: sqlite3.Connection) -> tuple[int, int]:
    """(last cid converted, rows converted), staging the upgrade first if no srs began it."""
    if has_table(conn, MARKER):
        last, done = conn.execute(f"SELECT cid, done FROM {MARKER}").fetchone()
        return last, done
    for statement in _statements(LEAN_LOG.format(log=STAGED_LOG, before=STAGED_BEFORE) + STAGE):
        conn.execute(statement)
    conn.execute(f"INSERT INTO {MARKER} VALUES (1, ?, 0)", [_BEFORE_ALL])
    return _BEFORE_ALL, 0


def _batch_end(conn: sqlite3.Connection, last: int) -> int | None:
    """The last card of the next batch after card `last`: whole cards, BATCH_REVIEWS reviews and the rest of the
    last card's; None when no card is left."""
    found = conn.execute("SELECT cid FROM revlog WHERE cid > ? ORDER BY cid LIMIT 1 OFFSET ?",
                         [last, BATCH_REVIEWS - 1]).fetchone()
    if found is None:
        found = conn.execute("SELECT MAX(cid) FROM revlog WHERE cid > ?", [last]).fetchone()
    return found[0]


def _convert_noted(conn: sqlite3.Connection, last: int) -> bool:
    """Convert again the cards converted (up to card `last`) whose old rows another srs wrote since, about
    BATCH_REVIEWS reviews' worth (an older srs's `optimize` rewrites every row); forget the others noted (their
    batch is still to come and converts them as they are then). Whether it converted any."""
    from srs.store.db import in_chunks

    conn.execute(f"DELETE FROM {NOTED} WHERE cid > ?", [last])
    noted = conn.execute(f"SELECT n.cid, (SELECT COUNT(*) FROM revlog r WHERE r.cid = n.cid) FROM {NOTED} n "
                         "ORDER BY n.cid").fetchall()
    chosen: list[int] = []
    reviews = 0
    for cid, count in noted:
        if chosen and reviews + count > BATCH_REVIEWS:
            break
        chosen.append(cid)
        reviews += count
    for cids, marks in in_chunks(chosen):
        conn.execute(f"DELETE FROM {NOTED} WHERE cid IN ({marks})", cids)
        conn.execute(f"DELETE FROM {STAGED_BEFORE} WHERE rid IN (SELECT rid FROM {STAGED_LOG} WHERE cid IN ({marks}))",
                     cids)
        conn.execute(f"DELETE FROM {STAGED_LOG} WHERE cid IN ({marks})", cids)
        convert_legacy_log(conn, f"cid IN ({marks})", cids)
    return bool(chosen)


def _finish(conn: sqlite3.Connection) -> None:
    """Inside the last transaction: the lean log in the old one's place, and schema 3's other changes."""
    for statement in _statements(UNSTAGE):
        conn.execute(statement)
    conn.execute(f"ALTER TABLE revlog RENAME TO {LEGACY_LOG}")
    conn.execute(f"ALTER TABLE {STAGED_LOG} RENAME TO revlog")
    conn.execute(f"ALTER TABLE {STAGED_BEFORE} RENAME TO revlog_before")
    # cards_item (iid) is a prefix of cards_item_active (iid, active), which serves every lookup by item.
    for statement in _statements("DROP INDEX cards_item;\n" + LEAN_SEARCH_INDEX):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _unstage(conn: sqlite3.Connection) -> None:
    for statement in _statements(UNSTAGE):
        conn.execute(statement)
    for name in (STAGED_BEFORE, STAGED_LOG):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
