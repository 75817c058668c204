"""Backups of the history database: consistent copies by SQLite's backup API, kept in a bounded set.

A backup is taken before every import, reschedule and migration, once a day on first use, and on
`srs backup`. Backups live in `backups/` beside the database, named by the (real) time they were taken
and why. The set is bounded as Anki bounds its own: the 10 most recent, then the newest of each day for
12 days, of each week for 10 weeks and of each month for 9 months; older ones are deleted.

`restore` puts a backup back: it checks that the file is an srs database, backs up the current one
first (so a restore can itself be undone), and copies the backup in through the same API, so that other
processes see either the old history or the restored one, never a mix.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from srs.errors import UserError

KEEP_RECENT, KEEP_DAYS, KEEP_WEEKS, KEEP_MONTHS = 10, 12, 10, 9
DAILY = timedelta(hours=24)
SUFFIX = ".sqlite3"
_NAME = re.compile(r"^srs-(\d{8}-\d{6})(?:-\d+)?-([a-z-]+)\.sqlite3$")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime  # UTC
    reason: str


def backup_dir(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent / "backups"


def backups(db_path: str | Path) -> list[Backup]:
    """The backups of the database at `db_path`, oldest first."""
    folder = backup_dir(db_path)
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match:
                try:
                    taken = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=timezone.utc)
                except ValueError:  # a name srs did not write (month 13): not one of its backups
                    continue
                found.append(Backup(path, taken, match.group(2)))
    return sorted(found, key=lambda b: (b.taken, b.path.name))


def take_backup(conn: sqlite3.Connection, db_path: str | Path, reason: str, now: datetime | None = None,
                *, bound: bool = True) -> Path:
    """Copy the database (as of now, consistently) into its backups folder; prune the set (unless not
    `bound`); the new path."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    import tempfile  # only now: most starts take no backup, and tempfile costs start-up time

    folder = backup_dir(db_path)
    partial = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".srs-", suffix=".part", dir=folder)  # one per process
        os.close(handle)
        partial = Path(name)
        copy = sqlite3.connect(partial)
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        stamp = now.strftime(_STAMP)
        n = 0
        while True:  # a hard link claims a name only if it is free: two srs at once never share one
            target = folder / (f"srs-{stamp}-{reason}{SUFFIX}" if not n else f"srs-{stamp}-{n}-{reason}{SUFFIX}")
            try:
                os.link(partial, target)
                break
            except FileExistsError:
                n += 1
            except OSError:  # a file system without hard links: take the name if it is free now
                if not target.exists():
                    os.replace(partial, target)
                    break
                n += 1
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"cannot back up database {db_path} into {folder}: {exc}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    if bound:
        prune(db_path, now)
    return target


def backup_before(conn: sqlite3.Connection, db_path: str | Path, what: str) -> Path | None:
    """A backup before `what` (an import, a reschedule) changes history; None when there is none yet."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM revlog) OR EXISTS (SELECT 1 FROM items)").fetchone()[0] == 0:
        return None
    return take_backup(conn, db_path, f"before-{what}")


def daily_backup(conn: sqlite3.Connection, db_path: str | Path, now: datetime | None = None) -> Path | None:
    """A backup when none was taken in the last day and the database holds reviews; else None."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    # A backup stamped in the future (taken while the clock was wrong) does not stand for today's.
    found = [b for b in backups(db_path) if b.taken <= now]
    if found and now - found[-1].taken < DAILY:
        return None
    if conn.execute("SELECT 1 FROM revlog LIMIT 1").fetchone() is None:
        return None  # nothing a learner could lose yet
    return take_backup(conn, db_path, "daily", now)


def prune(db_path: str | Path, now: datetime) -> list[Path]:
    """Delete the backups outside the bounded set; the paths deleted."""
    found = backups(db_path)
    keep = {b.path for b in found[-KEEP_RECENT:]}
    for span, count in ((timedelta(days=1), KEEP_DAYS), (timedelta(weeks=1), KEEP_WEEKS),
                        (timedelta(days=30), KEEP_MONTHS)):
        newest_in: dict[int, Path] = {}
        for b in found:
            age = int((now - b.taken) / span)
            if 0 <= age < count:
                newest_in[age] = b.path  # oldest first: the last one seen is the newest in its period
        keep.update(newest_in.values())
    deleted = []
    for b in found:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            deleted.append(b.path)
    return deleted


def check_backup_file(path: Path) -> None:
    """Refuse, in one line, a file that is not a whole srs database."""
    from srs.store.db import REQUIRED_TABLES
    from srs.store.schema import SCHEMA_VERSION

    if not path.is_file():
        raise UserError(f"no such backup file: {path}")
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise UserError(f"{path} is not an srs database (not SQLite)")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not 1 <= version <= SCHEMA_VERSION or not REQUIRED_TABLES.issubset(names):
                raise UserError(f"{path} is not an srs database this srs can use (schema {version})")
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise UserError(f"{path} is damaged (SQLite's check fails); choose another backup")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"{path} cannot be read as an srs database ({exc})") from None


def restore(conn: sqlite3.Connection, db_path: str | Path, source: Path) -> Path:
    """Replace the history in `conn` by the backup at `source`; the backup of what was there before."""
    source = Path(source)
    check_backup_file(source)
    safety = take_backup(conn, db_path, "before-restore", bound=False)  # `source` may be one it would prune
    backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        backup_conn.backup(conn)
    except sqlite3.Error as exc:
        raise UserError(f"cannot restore {source}: {exc}; the database is as it was ({safety} holds it too)") \
            from None
    finally:
        backup_conn.close()
    prune(db_path, datetime.now(timezone.utc))
    return safety
