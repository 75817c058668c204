"""Opening the SQLite file safely: WAL, foreign keys, a busy timeout, and clear refusals.

A file that is not an srs database, or one from a newer srs, is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from srs.errors import UserError
from srs.store.schema import SCHEMA_VERSION, Progress, SchemaError, check_version, legacy_left, migrate

BUSY_TIMEOUT_MS = 10_000
IN_CHUNK = 500  # keys to one `IN (...)` by default (SQLite allows a statement 32,766 parameters)
_Key = TypeVar("_Key")
SYNCHRONOUS = "FULL"
REQUIRED_TABLES = {"items", "cards", "revlog", "decks", "files", "settings"}


@dataclass(frozen=True)
class Upgrade:
    """A one-time migration about to run on a database an older srs wrote: its schema and the one it gets, the
    reviews its log holds (what the migration converts), and the backup kept of it as it was."""

    schema: int
    target: int
    reviews: int
    backup: Path


# The database file this process opened last: the command line names it when a SQLite error no store function
# explained reaches it (a page found damaged in the middle of a query).
last_opened: Path | None = None

# Told of an upgrade before it starts; returns a progress(done, total) for the rows converted, or None.
OnUpgrade = Callable[[Upgrade], Progress | None]


def in_chunks(keys: Sequence[_Key], size: int = IN_CHUNK) -> Iterator[tuple[list[_Key], str]]:
    """`keys` up to `size` at a time, each list with its placeholders (`?,?,?`) for an `IN (...)`."""
    for start in range(0, len(keys), size):
        chunk = list(keys[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def connect(path: str | Path, on_upgrade: OnUpgrade | None = None) -> sqlite3.Connection:
    """Open (creating, or migrating, as needed) the database at `path`; `on_upgrade` is told before a
    migration of an existing database starts (the command line announces it and draws its progress)."""
    global last_opened
    path = Path(path)
    if str(path) != ":memory:":
        last_opened = path
        if path.is_dir():
            raise UserError(f"database path {path} is a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot make the folder for database {path}: {exc.strerror or exc}") from None
    existed = str(path) != ":memory:" and path.exists() and path.stat().st_size > 0
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _open(path, existed, on_upgrade)
        except SchemaError as exc:
            raise UserError(f"cannot use database {path}: {exc}") from None
        except sqlite3.OperationalError as exc:
            # SQLite skips the busy handler where waiting could deadlock (two processes creating or
            # switching the same new file to WAL at once): such a refusal is retried, up to the timeout.
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise database_error(exc, path) from None
            time.sleep(0.05)
        except sqlite3.DatabaseError as exc:
            raise database_error(exc, path) from None


def upgrade_pending(path: str | Path) -> bool:
    """Whether the database at `path` was written by an older srs, so that opening it would upgrade it, or an
    upgrade stopped before it dropped the old log (for work that must stay instant, such as shell completion,
    and leaves the upgrade to a command)."""
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            return 0 < version < SCHEMA_VERSION or (version == SCHEMA_VERSION and legacy_left(conn))
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _open(path: Path, existed: bool, on_upgrade: OnUpgrade | None) -> sqlite3.Connection:
    # Autocommit mode: srs opens its own BEGIN IMMEDIATE transactions (see `transaction`).
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        check_version(conn)  # a newer srs's database is refused before WAL mode rewrites its header
        _refuse_foreign(conn, path, existed)
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchall()[0][0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        # FULL: each answer's commit reaches the disk before srs goes on, so a power cut loses no
        # acknowledged answer (NORMAL in WAL mode could lose the last ones). Anki commits with FULL too;
        # benchmarks/bench_durability.py measures the cost beside Anki's answer.
        conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        progress = None
        if existed and 0 < version < SCHEMA_VERSION:  # history written by an older srs: keep a copy first
            from srs.store.backup import take_backup

            backup = take_backup(conn, path, "before-migration")
            if on_upgrade is not None:
                reviews = conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
                progress = on_upgrade(Upgrade(version, SCHEMA_VERSION, reviews, backup))
        migrate(conn, progress)
    except BaseException:
        conn.close()
        raise
    return conn


def _is_busy(exc: sqlite3.Error) -> bool:
    return _primary_code(exc) in (_BUSY, _LOCKED)


def _refuse_foreign(conn: sqlite3.Connection, path: Path, existed: bool) -> None:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if existed and version == 0 and names:
        raise UserError(f"cannot use database {path}: it is not an srs database (it has tables {sorted(names)[:3]})")
    if version > 0 and not REQUIRED_TABLES.issubset(names):
        raise UserError(f"cannot use database {path}: it is damaged (tables are missing)")


# SQLite's primary result codes (sqlite3.h), which srs turns into its own words.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _CANTOPEN, _FULL, _NOTADB = 5, 6, 8, 10, 11, 14, 13, 26
_EXPLAINED = {_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _CANTOPEN, _FULL, _NOTADB}  # the codes srs has words for


def _primary_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code for `exc` (-1 when unknown)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # pragma: no cover - Python 3.10 has no error codes; fall back on SQLite's text
        text = str(exc)
        return next((c for word, c in (("locked", _BUSY), ("busy", _BUSY), ("not a database", _NOTADB),
                                       ("malformed", _CORRUPT), ("readonly", _READONLY), ("unable to open", _CANTOPEN),
                                       ("full", _FULL)) if word in text), -1)
    return int(code) & 0xFF  # extended codes carry the primary one in their low byte


def database_error(exc: sqlite3.Error, path: Path | str) -> UserError:
    """srs's one-line message for a SQLite failure, chosen by SQLite's result code, never by its wording."""
    code = _primary_code(exc)
    if code in (_BUSY, _LOCKED):
        return UserError(
            f"database {path} is busy: another srs has held it for over {BUSY_TIMEOUT_MS / 1000:g} s; try again"
        )
    if code in (_NOTADB, _CORRUPT):
        return UserError(f"cannot use database {path}: it is damaged or not an srs database")
    if code in (_READONLY, _CANTOPEN):
        return UserError(f"cannot write database {path}: the file or its folder is read-only or cannot be opened")
    if code == _IOERR:
        return UserError(f"cannot use database {path}: the system could not read or write it (is it a regular file "
                         "on a working disk?)")
    if code == _FULL:
        return UserError(f"disk full: nothing was changed in database {path}; free some space and try again")
    return UserError(f"database {path}: SQLite failed with error code {code}")


@contextmanager
def transaction(conn: sqlite3.Connection, path: Path | str = "the database"):
    """BEGIN IMMEDIATE ... COMMIT. Taking the write lock up front lets the busy timeout work, where a
    deferred transaction that later upgrades would fail at once with "database is locked"."""
    # A refusal that came at once (SQLite skipped the busy handler) is tried again; one that waited out the
    # busy timeout is not: the learner would wait the timeout three times over.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise database_error(exc, path) from None
            time.sleep(0.05)
    try:
        yield conn
    except sqlite3.Error as exc:
        _rollback(conn)
        if isinstance(exc, sqlite3.OperationalError) and _primary_code(exc) in _EXPLAINED:
            raise database_error(exc, path) from None  # the file, not srs: a read-only file, a full disk
        raise
    except BaseException:
        _rollback(conn)
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise database_error(exc, path) from None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open. SQLite may have rolled back already (a full disk does): then there is nothing
    to do, and the error that caused it is the one to report, not "no transaction is active"."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
