"""Mirror deck files into the store, reading only files that changed since the last run.

This is the one module that knows both the deck format and the store. Its promises: a new item enters
as new; an edited item keeps its history (by explicit id, or relinked to the item it replaced in the
same deck); a removed item is retired, never deleted, and comes back with its history; a file with
errors is skipped and its stored items are left exactly as they were.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from srs.deck.diagnostics import Diagnostic
from srs.deck.files import deck_files
from srs.store.anki_identity import remember_origin
from srs.store.store import Store

if TYPE_CHECKING:
    from srs.deck.loader import Deck, Item

RELINK_MIN_SIMILARITY = 0.5
RELINK_MIN_SIMILARITY_SAME_PLACE = 0.25


@dataclass
class SyncReport:
    deck_ids: list[str] = field(default_factory=list)  # every deck the given paths hold, changed or not
    added: int = 0
    updated: int = 0
    relinked: list[tuple[str, str]] = field(default_factory=list)
    retired: int = 0
    restored: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def summary(self) -> str | None:
        parts = []
        if self.added:
            parts.append(f"added {self.added} new item{'s' * (self.added != 1)}")
        if self.relinked:
            n = len(self.relinked)
            parts.append(f"kept the history of {n} edited card{'s' * (n != 1)}")
        if self.retired:
            parts.append(f"retired {self.retired} removed item{'s' * (self.retired != 1)}")
        if self.restored:
            parts.append(
                f"restored {self.restored} item{'s' * (self.restored != 1)} with "
                f"{'their' if self.restored != 1 else 'its'} history"
            )
        if self.skipped_files:
            n = len(self.skipped_files)
            parts.append(f"skipped {n} file{'s' * (n != 1)} with errors")
        return "; ".join(parts) or None


def sync(store: Store, paths: list[str | Path], progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Mirror the deck files under `paths` into `store`. `progress(done, total)` hears, in bytes of the
    changed files, how far the reading has come (a first sync of a large collection takes seconds)."""
    report = SyncReport()
    files = deck_files(paths)
    known = {
        row[0]: (row[1], row[2], row[3])
        for row in store.conn.execute("SELECT path, mtime_ns, size, deck_id FROM files")
    }
    seen_paths: set[str] = set()
    deck_of_file: list[str | None] = [None] * len(files)  # listed in file order, changed or not
    changed = []
    for index, path in enumerate(files):
        key = str(path.resolve())
        seen_paths.add(key)
        stat = path.stat()
        stamp = known.get(key)
        if stamp and stamp[0] == stat.st_mtime_ns and stamp[1] == stat.st_size:
            deck_of_file[index] = stamp[2]
        else:
            changed.append((index, path, key, stat, stamp))
    total, done = sum(stat.st_size for _, _, _, stat, _ in changed), 0
    for index, path, key, stat, stamp in changed:
        deck_of_file[index] = _sync_file(store, path, key, stat, stamp, report)
        done += stat.st_size
        if progress is not None:
            progress(done, total)
    _retire_vanished_files(store, files, paths, seen_paths, known, report)
    report.deck_ids = list(dict.fromkeys(deck for deck in deck_of_file if deck))
    return report


def _sync_file(store: Store, path: Path, key: str, stat: os.stat_result, stamp, report: SyncReport) -> str | None:
    """Load one changed file into the store; the id of the deck to review from it (None: none)."""
    from srs.deck.loader import load_file  # only now: parsing needs pydantic and PyYAML

    result = load_file(path)
    report.diagnostics.extend(result.diagnostics)
    if not result.ok:
        report.skipped_files.append(str(path))
        return stamp[2] if stamp else None  # keep reviewing what was stored before the error
    deck = result.deck
    conflict = _foreign_ids(store, deck)
    if conflict:
        report.diagnostics.extend(conflict)
        report.skipped_files.append(str(path))
        return None
    _apply_deck(store, deck, key, stat, report)
    return deck.id


def _foreign_ids(store: Store, deck: Deck) -> list[Diagnostic]:
    """Items whose id is already used, live, by another deck: the file is skipped, nothing moves."""
    uids = [item.id for item in deck.items]
    found = []
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            f"SELECT uid, deck_id, path, line FROM items WHERE uid IN ({marks}) AND deck_id != ? AND retired = 0",
            [*chunk, deck.id],
        ).fetchall()
        by_uid = {item.id: item for item in deck.items}
        for uid, other_deck, other_path, other_line in rows:
            item = by_uid[uid]
            found.append(
                Diagnostic(item.path, item.line, item.col, "error",
                           f"duplicate id '{uid}' (also at {other_path}:{other_line}, deck '{other_deck}')")
            )
    return found


def _apply_deck(store: Store, deck: Deck, key: str, stat: os.stat_result, report: SyncReport) -> None:
    stored = {
        row[1]: row
        for row in store.conn.execute(
            "SELECT iid, uid, kind, key_text, idx, retired, explicit_id FROM items WHERE deck_id = ?", [deck.id]
        )
    }
    incoming = {item.id: item for item in deck.items}
    relinks = _plan_relinks(stored, incoming)
    options = deck.options.model_dump(exclude_none=True)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO decks (id, title, kind, path, options, retired) VALUES (?, ?, ?, ?, ?, 0) "
            "ON CONFLICT(id) DO UPDATE SET title = excluded.title, kind = excluded.kind, path = excluded.path, "
            "options = excluded.options, retired = 0",
            [deck.id, deck.title, deck.kind, key, json.dumps(options)],
        )
        for old_uid, new_uid in relinks.items():
            iid = stored[old_uid][0]
            remember_origin(conn, iid, old_uid)  # Anki knows the note by its first id
            conn.execute("UPDATE items SET uid = ? WHERE iid = ?", [new_uid, iid])
            for cid, ord_ in conn.execute("SELECT cid, ord FROM cards WHERE iid = ?", [iid]).fetchall():
                conn.execute("UPDATE cards SET uid = ? WHERE cid = ?", [_card_uid(new_uid, ord_, incoming[new_uid]), cid])
            report.relinked.append((old_uid, new_uid))
        relinked_new = set(relinks.values())
        iid_by_uid = {uid: row[0] for uid, row in stored.items()}
        iid_by_uid.update({new: stored[old][0] for old, new in relinks.items()})
        # Items that moved here from another deck (or came back) keep their history too.
        for item in deck.items:
            if item.id not in iid_by_uid:
                row = conn.execute("SELECT iid FROM items WHERE uid = ?", [item.id]).fetchone()
                if row:
                    iid_by_uid[item.id] = row[0]
        for item in deck.items:
            iid = iid_by_uid.get(item.id)
            values = _item_values(deck, item, key)
            if iid is None:
                cursor = conn.execute(
                    f"INSERT INTO items ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                    list(values.values()),
                )
                iid = cursor.lastrowid
                report.added += 1
            else:
                was = conn.execute("SELECT retired, content_hash FROM items WHERE iid = ?", [iid]).fetchone()
                if was[0]:
                    report.restored += 1
                elif was[1] != item.content_hash and item.id not in relinked_new:
                    report.updated += 1
                assignments = ", ".join(f"{k} = ?" for k in values)
                conn.execute(f"UPDATE items SET {assignments} WHERE iid = ?", [*values.values(), iid])
            _sync_cards(conn, iid, deck, item)
        gone = [row[0] for uid, row in stored.items() if uid not in incoming and uid not in relinks and not row[5]]
        for iid in gone:
            conn.execute("UPDATE items SET retired = 1 WHERE iid = ?", [iid])
            conn.execute("UPDATE cards SET active = 0 WHERE iid = ?", [iid])
        report.retired += len(gone)
        conn.execute(
            "INSERT INTO files (path, mtime_ns, size, deck_id) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE "
            "SET mtime_ns = excluded.mtime_ns, size = excluded.size, deck_id = excluded.deck_id",
            [key, stat.st_mtime_ns, stat.st_size, deck.id],
        )


def _plan_relinks(stored: dict[str, tuple], incoming: dict[str, Item]) -> dict[str, str]:
    """Pair each stored item that vanished with the new item that most likely replaced it.

    Only derived ids are relinked (an explicit id is the author's word), only within one deck and kind,
    and only on similar key text, or on weaker similarity at the same place in the file.
    """
    vanished = {uid: row for uid, row in stored.items() if uid not in incoming and not row[5] and not row[6]}
    arrived = [item for uid, item in incoming.items() if uid not in stored and not item.explicit_id]
    candidates = []
    for item in arrived:
        for uid, row in vanished.items():
            if row[2] != item.kind:
                continue
            ratio = difflib.SequenceMatcher(None, row[3], item.key_text).ratio()
            same_place = row[4] == item.index
            if ratio >= RELINK_MIN_SIMILARITY or (same_place and ratio >= RELINK_MIN_SIMILARITY_SAME_PLACE):
                candidates.append((ratio + (0.2 if same_place else 0.0), uid, item.id))
    relinks: dict[str, str] = {}
    taken: set[str] = set()
    for _, old, new in sorted(candidates, reverse=True):
        if old not in relinks and new not in taken:
            relinks[old] = new
            taken.add(new)
    return relinks


def _item_values(deck: Deck, item: Item, key: str) -> dict:
    content = item.body.model_dump(mode="json", exclude_defaults=True)
    content["kind"] = item.kind
    return {
        "uid": item.id,
        "deck_id": deck.id,
        "kind": item.kind,
        "content_hash": item.content_hash,
        "key_text": item.key_text,
        "content": json.dumps(content, ensure_ascii=False),
        "tags": json.dumps(list(item.tags), ensure_ascii=False),
        "path": item.path,
        "line": item.line,
        "idx": item.index,
        "explicit_id": int(item.explicit_id),
        "retired": 0,
    }


def _card_uid(item_uid: str, ord_: int, item: "Item") -> str:
    return f"{item_uid}#c{ord_}" if item.kind == "cloze" else item_uid


def _sync_cards(conn, iid: int, deck: Deck, item: Item) -> None:
    wanted = {0} if item.kind != "cloze" else set(item.body.deletion_numbers())
    have = {ord_: cid for cid, ord_ in conn.execute("SELECT cid, ord FROM cards WHERE iid = ?", [iid])}
    for ord_ in wanted:
        uid = _card_uid(item.id, ord_, item)
        if ord_ in have:
            conn.execute(
                "UPDATE cards SET uid = ?, deck_id = ?, idx = ?, active = 1 WHERE cid = ?",
                [uid, deck.id, item.index, have[ord_]],
            )
        else:
            conn.execute(
                "INSERT INTO cards (iid, uid, ord, deck_id, idx) VALUES (?, ?, ?, ?, ?)",
                [iid, uid, ord_, deck.id, item.index],
            )
    for ord_, cid in have.items():
        if ord_ not in wanted:
            conn.execute("UPDATE cards SET active = 0 WHERE cid = ?", [cid])


def _retire_vanished_files(store, files, paths, seen_paths, known, report) -> None:
    """A deck file that is gone from a folder we scanned: its deck and items are retired, kept."""
    roots = [str(Path(p).resolve()) for p in paths if Path(p).is_dir()]
    for path, (_, _, deck_id) in known.items():
        if path in seen_paths or not any(path.startswith(root + os.sep) for root in roots):
            continue
        with store.transaction() as conn:
            count = conn.execute(
                "UPDATE items SET retired = 1 WHERE deck_id = ? AND retired = 0", [deck_id]
            ).rowcount
            conn.execute("UPDATE cards SET active = 0 WHERE deck_id = ?", [deck_id])
            conn.execute("UPDATE decks SET retired = 1 WHERE id = ?", [deck_id])
            conn.execute("DELETE FROM files WHERE path = ?", [path])
        report.retired += count
