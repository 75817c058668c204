"""What `srs list` shows, read from the store when no deck file changed since the store last read it.

Listing decks needs only their ids, titles and item counts, which the store already holds for every file
the last sync read. Reading them here (one read-only query, no deck model, no pydantic) is what keeps
`srs list` fast with unchanged decks (benchmarks/bench_commands.py). The answer is None, and the caller
loads the files, whenever the store cannot vouch for every file: there is no store, a file is new or
changed since, another file supplies its deck, or the store's schema is not this srs's.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from srs.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from srs.jsontypes import DeckSummaryJson


@dataclass(frozen=True)
class FileStamp:
    """A deck file as `srs list` found it: the path as named, the store's key for it, and its stat."""

    shown: str
    key: str  # the resolved path, as srs/sync.py records it
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        stat = path.stat()
        return cls(str(path), str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def stored_deck_summaries(db_path: Path, files: list[FileStamp]) -> list[DeckSummaryJson] | None:
    """Each file's deck summary as the store read it at its last sync, in the files' order; None where the
    store cannot vouch for every file (see the module docstring). Never writes, never creates the file."""
    if not files or str(db_path) == ":memory:" or not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return _summaries(conn, files)
    except sqlite3.Error:  # locked, damaged, not srs's: the files themselves will tell
        return None
    finally:
        conn.close()


def _summaries(conn: sqlite3.Connection, files: list[FileStamp]) -> list[DeckSummaryJson] | None:
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return None
    keys = [f.key for f in files]
    marks = ",".join("?" * len(keys))
    stamps = {
        path: (mtime_ns, size, deck_id)
        for path, mtime_ns, size, deck_id in conn.execute(
            f"SELECT path, mtime_ns, size, deck_id FROM files WHERE path IN ({marks})", keys)
    }
    decks = {
        path: (deck_id, title, kind)
        for deck_id, title, kind, path in conn.execute(
            f"SELECT id, title, kind, path FROM decks WHERE retired = 0 AND path IN ({marks})", keys)
    }
    chosen: list[tuple[FileStamp, str, str, str]] = []
    for f in files:
        stamp, deck = stamps.get(f.key), decks.get(f.key)
        # The same test sync makes before it trusts a file: unchanged, and still the source of its deck.
        if stamp is None or deck is None or stamp != (f.mtime_ns, f.size, deck[0]):
            return None
        chosen.append((f, *deck))
    ids = [deck_id for _, deck_id, _, _ in chosen]
    if len(set(ids)) != len(ids):
        return None
    marks = ",".join("?" * len(ids))
    kinds: dict[str, Counter[str]] = {deck_id: Counter() for deck_id in ids}
    for deck_id, kind, n in conn.execute(
            f"SELECT deck_id, kind, COUNT(*) FROM items WHERE retired = 0 AND deck_id IN ({marks}) "
            "GROUP BY deck_id, kind", ids):
        kinds[deck_id][kind] = n
    cards = dict(conn.execute(
        f"SELECT i.deck_id, COUNT(*) FROM cards c JOIN items i ON i.iid = c.iid "
        f"WHERE c.active = 1 AND i.retired = 0 AND i.deck_id IN ({marks}) GROUP BY i.deck_id", ids).fetchall())
    return [
        {
            "id": deck_id,
            "title": title,
            "kind": kind,
            "path": f.shown,
            "items": sum(kinds[deck_id].values()),
            "cards": cards.get(deck_id, 0),
            "kinds": dict(sorted(kinds[deck_id].items())),
        }
        for f, deck_id, title, kind in chosen
    ]
