"""Mirror deck files into the store, reading only files that changed since the last run.

This is the one module that knows both the deck format and the store. Its promises: a new item enters
as new; an edited item keeps its history (by explicit id, or relinked to the item it replaced in the
same deck); a removed item is retired, never deleted, and comes back with its history; a file with
errors is skipped and its stored items are left exactly as they were.

A deck's identity survives the file system: a file that is moved, renamed or copied keeps its items'
history. A deck belongs to one file at a time (the one the store already reads it from, else the first
found); another file that claims the same deck id is skipped with one error and retires nothing. Items
are retired only when they are gone from every file, and an item whose text reappears (in a renamed
file, a copy, a restored file) takes back its history: see `_relink_by_content`.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from srs.deck.diagnostics import Diagnostic
from srs.deck.files import deck_files
from srs.store.anki_identity import remember_origin
from srs.store.store import Store

if TYPE_CHECKING:
    from srs.deck.loader import Deck, FileResult, Item

RELINK_MIN_SIMILARITY = 0.5
RELINK_MIN_SIMILARITY_SAME_PLACE = 0.25
SOURCES_SETTING = "deck_sources"


@dataclass
class SyncReport:
    deck_ids: list[str] = field(default_factory=list)  # every deck the given paths hold, changed or not
    added: int = 0
    updated: int = 0
    relinked: list[tuple[str, str]] = field(default_factory=list)
    moved: dict[tuple[str, str], int] = field(default_factory=dict)  # (from path, to path): items relinked
    retired: int = 0
    restored: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str | None:
        parts = list(self.notes)
        if self.added:
            parts.append(f"added {self.added} new item{'s' * (self.added != 1)}")
        if self.relinked:
            n = len(self.relinked)
            parts.append(f"kept the history of {n} edited card{'s' * (n != 1)}")
        for (old, new), n in self.moved.items():
            parts.append(f"kept the history of {n} item{'s' * (n != 1)} that moved from {old} to {new}")
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


@dataclass
class _File:
    index: int
    path: Path
    key: str  # the resolved path, as the files table records it
    stat: os.stat_result
    stamp: tuple | None  # (mtime_ns, size, deck_id) from the last sync, if any
    changed: bool
    deck_id: str | None = None
    result: FileResult | None = None  # parsed, for changed files
    owner: bool = False


@dataclass
class _Run:
    """What one sync has done so far, for the report and for relinking by content at the end."""

    report: SyncReport
    added: set[int] = field(default_factory=set)  # iids inserted by this run
    retired: set[int] = field(default_factory=set)  # iids retired by this run


def sync(store: Store, paths: list[str | Path], progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Mirror the deck files under `paths` into `store`. `progress(done, total)` hears, in bytes of the
    changed files, how far the reading has come (a first sync of a large collection takes seconds)."""
    report = SyncReport()
    run = _Run(report)
    files = deck_files(paths)
    _note_sources(store, paths, report)
    known = {
        row[0]: (row[1], row[2], row[3])
        for row in store.conn.execute("SELECT path, mtime_ns, size, deck_id FROM files")
    }
    sources = dict(store.conn.execute("SELECT id, path FROM decks").fetchall())
    entries: list[_File] = []
    for index, path in enumerate(files):
        key = str(path.resolve())
        stat = path.stat()
        stamp = known.get(key)
        # A stamp counts only while this file is its deck's source: after another file (another copy,
        # another deck folder) supplied the deck, this one is read again rather than trusted.
        unchanged = (
            stamp is not None and stamp[0] == stat.st_mtime_ns and stamp[1] == stat.st_size
            and stamp[2] is not None and sources.get(stamp[2]) == key
        )
        kept_id = stamp[2] if unchanged and stamp is not None else None
        entries.append(_File(index, path, key, stat, stamp, not unchanged, kept_id))
    _parse_changed(entries, report, progress)
    _choose_owners(store, entries, sources, report)
    seen = {entry.key for entry in entries}
    live = {entry.deck_id for entry in entries if entry.owner}
    roots = [str(Path(p).resolve()) for p in paths if Path(p).is_dir()]
    vanished = {
        path: deck_id for path, (_, _, deck_id) in known.items()
        if path not in seen and any(path.startswith(root + os.sep) for root in roots)
    }
    # Decks whose file is gone, or whose file now holds another deck (an `id:` added or changed).
    left = [entry.stamp[2] for entry in entries if entry.changed and entry.stamp and _parsed_deck(entry)]
    orphans = {deck_id for deck_id in [*vanished.values(), *left] if deck_id and deck_id not in live}
    applied = [(entry, deck) for entry in entries
               if entry.owner and entry.changed and (deck := _parsed_deck(entry)) is not None]
    applying = {entry.deck_id for entry, _ in applied if entry.deck_id is not None}
    claimed: dict[str, str] = {}  # item id -> the deck that claims it in this run
    for entry, deck in applied:
        conflict = _foreign_ids(store, deck, claimed, orphans | applying)
        if conflict:
            report.diagnostics.extend(conflict)
            report.skipped_files.append(str(entry.path))
            if entry.stamp and entry.stamp[2]:
                orphans.discard(entry.stamp[2])  # a skipped file keeps what it held before, as any error does
            continue
        claimed.update({item.id: deck.id for item in deck.items})
        _apply_deck(store, deck, entry.key, entry.stat, run)
    _retire_orphans(store, vanished, orphans, run)
    if applied or vanished or orphans:
        _relink_by_content(store, run)
    report.deck_ids = list(dict.fromkeys(entry.deck_id for entry in entries if entry.owner and entry.deck_id))
    return report


def _parsed_deck(entry: _File) -> Deck | None:
    """The deck a changed file holds, when it was read without errors (a file with errors holds none)."""
    return entry.result.deck if entry.result is not None else None


def _note_sources(store: Store, paths: list[str | Path], report: SyncReport) -> None:
    """Remember the deck sources given; when they differ from last time, say which are in use."""
    given = [str(Path(p).resolve()) for p in paths]
    before = store.setting(SOURCES_SETTING)
    if before == given:
        return
    if before:
        report.notes.append(f"using decks from {', '.join(given)} (last time: {', '.join(before)})")
    store.set_setting(SOURCES_SETTING, given)


def _parse_changed(entries: list[_File], report: SyncReport, progress) -> None:
    changed = [entry for entry in entries if entry.changed]
    if not changed:
        return  # the common start-up: nothing to parse, and no pydantic or PyYAML to import
    from srs.deck.loader import load_file

    total, done = sum(entry.stat.st_size for entry in changed), 0
    for entry in changed:
        entry.result = result = load_file(entry.path)
        report.diagnostics.extend(result.diagnostics)
        if result.deck is not None:  # read without errors (FileResult.ok)
            entry.deck_id = result.deck.id
        else:
            report.skipped_files.append(str(entry.path))
            entry.deck_id = entry.stamp[2] if entry.stamp else None  # keep reviewing what was stored
        done += entry.stat.st_size
        if progress is not None:
            progress(done, total)


def _choose_owners(store: Store, entries: list[_File], sources: dict[str, str], report: SyncReport) -> None:
    """One file per deck id: the deck's recorded source if it is among them, else an unchanged one, else
    the first. Each other claimant is skipped with one error; nothing of the deck is retired for it."""
    claimants: dict[str, list[_File]] = {}
    for entry in entries:
        if entry.deck_id:
            claimants.setdefault(entry.deck_id, []).append(entry)
    for deck_id, group in claimants.items():
        owner = next((e for e in group if e.key == sources.get(deck_id)), None)
        owner = owner or next((e for e in group if not e.changed), None) or group[0]
        owner.owner = True
        for entry in group:
            if entry is owner:
                continue
            report.diagnostics.append(
                Diagnostic(str(entry.path), 1, 1, "error",
                           f"deck id '{deck_id}' is already used by {owner.path}; this file is skipped "
                           "(give it its own `id:`)")
            )
            report.skipped_files.append(str(entry.path))
            if entry.stamp:
                with store.transaction() as conn:
                    conn.execute("DELETE FROM files WHERE path = ?", [entry.key])


def _foreign_ids(store: Store, deck: Deck, claimed: dict[str, str], moving: set[str]) -> list[Diagnostic]:
    """Items whose id another deck uses: claimed by a file read earlier in this run, or stored live in a
    deck that is not being read again (`moving`) in this run. The file is skipped; nothing moves."""
    uids = [item.id for item in deck.items]
    by_uid = {item.id: item for item in deck.items}
    found = []
    for uid in uids:
        if uid in claimed and claimed[uid] != deck.id:
            item = by_uid[uid]
            found.append(Diagnostic(item.path, item.line, item.col, "error",
                                    f"duplicate id '{uid}' (also in deck '{claimed[uid]}')"))
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            f"SELECT uid, deck_id, path, line FROM items WHERE uid IN ({marks}) AND deck_id != ? AND retired = 0",
            [*chunk, deck.id],
        ).fetchall()
        for uid, other_deck, other_path, other_line in rows:
            if other_deck in moving:
                continue
            item = by_uid[uid]
            found.append(
                Diagnostic(item.path, item.line, item.col, "error",
                           f"duplicate id '{uid}' (also at {other_path}:{other_line}, deck '{other_deck}')")
            )
    return found


def _apply_deck(store: Store, deck: Deck, key: str, stat: os.stat_result, run: _Run) -> None:
    report = run.report
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
                card_uid = _card_uid(new_uid, ord_, incoming[new_uid].kind)
                conn.execute("UPDATE cards SET uid = ? WHERE cid = ?", [card_uid, cid])
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
                run.added.add(iid)
            else:
                was = conn.execute("SELECT retired, content_hash, deck_id FROM items WHERE iid = ?", [iid]).fetchone()
                if was[0] and iid in run.retired:  # moved from a deck read earlier in this run
                    run.retired.discard(iid)
                    report.retired -= 1
                elif was[0]:
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
        run.retired.update(gone)
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


def _card_uid(item_uid: str, ord_: int, kind: str) -> str:
    return f"{item_uid}#c{ord_}" if kind == "cloze" else item_uid


def _sync_cards(conn, iid: int, deck: Deck, item: Item) -> None:
    from srs.deck.model import Cloze  # a deck was parsed: pydantic is loaded already

    wanted = set(item.body.deletion_numbers()) if isinstance(item.body, Cloze) else {0}
    have = {ord_: cid for cid, ord_ in conn.execute("SELECT cid, ord FROM cards WHERE iid = ?", [iid])}
    for ord_ in wanted:
        uid = _card_uid(item.id, ord_, item.kind)
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


def _retire_orphans(store: Store, vanished: dict[str, str | None], orphans: set[str], run: _Run) -> None:
    """Files gone from a folder we scanned are forgotten. Their decks are retired (kept) only when no
    file in use holds them any more, and then only the items that no file in use holds."""
    if not vanished and not orphans:
        return
    with store.transaction() as conn:
        for deck_id in sorted(orphans):
            iids = [r[0] for r in conn.execute("SELECT iid FROM items WHERE deck_id = ? AND retired = 0", [deck_id])]
            conn.execute("UPDATE items SET retired = 1 WHERE deck_id = ? AND retired = 0", [deck_id])
            conn.execute("UPDATE cards SET active = 0 WHERE deck_id = ?", [deck_id])
            conn.execute("UPDATE decks SET retired = 1 WHERE id = ?", [deck_id])
            run.report.retired += len(iids)
            run.retired.update(iids)
        conn.executemany("DELETE FROM files WHERE path = ?", [[path] for path in vanished])


def _relink_by_content(store: Store, run: _Run) -> None:
    """Give a retired item's history to a live item with the same kind and key text that has none of its
    own (a file renamed without an `id:`, a copy that outlived its original, a deck restored under
    another name). Explicit ids are the author's word and are never relinked."""
    from srs.deck.identity import normalize_text as _normal  # only now: hashing is not needed at start-up

    conn = store.conn
    with_history = "EXISTS (SELECT 1 FROM cards c JOIN revlog r ON r.cid = c.cid WHERE c.iid = items.iid)"
    retired = conn.execute(
        f"SELECT iid, kind, key_text, path FROM items WHERE retired = 1 AND explicit_id = 0 AND {with_history}"
    ).fetchall()
    if not retired:
        return
    waiting: dict[tuple[str, str], list[tuple[int, str]]] = {}
    # Retired by this run first (the likeliest source), then the most recent.
    for iid, kind, key_text, path in sorted(retired, key=lambda r: (r[0] in run.retired, r[0]), reverse=True):
        waiting.setdefault((kind, _normal(key_text)), []).append((iid, path))
    # Live items with the same text, then (only for those few) whether they have history of their own.
    live = [
        row for row in conn.execute("SELECT iid, kind, key_text, path FROM items WHERE retired = 0 AND explicit_id = 0")
        if (row[1], _normal(row[2])) in waiting
    ]
    live = [row for row in live if not conn.execute(f"SELECT {with_history} FROM items WHERE iid = ?", [row[0]])
            .fetchone()[0]]
    if not live:
        return
    with store.transaction():
        for iid, kind, key_text, path in live:
            candidates = waiting.get((kind, _normal(key_text)))
            if not candidates:
                continue
            old_iid, old_path = candidates.pop(0)
            _merge(conn, old_iid, iid)
            report = run.report
            retired_now = old_iid in run.retired
            if retired_now:
                run.retired.discard(old_iid)
                report.retired -= 1
            if iid in run.added:
                run.added.discard(iid)
                report.added -= 1
            if retired_now or old_path != path:
                report.moved[(old_path, path)] = report.moved.get((old_path, path), 0) + 1
            else:
                report.restored += 1


def _merge(conn, old: int, new: int) -> None:
    """The retired item `old` (with history) takes the place of the live item `new` (without any)."""
    columns = ("uid", "deck_id", "kind", "content_hash", "key_text", "content", "tags", "path", "line", "idx",
               "explicit_id")
    values = conn.execute(f"SELECT {', '.join(columns)} FROM items WHERE iid = ?", [new]).fetchone()
    new_cards = conn.execute("SELECT ord, uid, deck_id, idx, active FROM cards WHERE iid = ?", [new]).fetchall()
    old_cards = dict(conn.execute("SELECT ord, cid FROM cards WHERE iid = ?", [old]).fetchall())
    conn.execute("DELETE FROM cards WHERE iid = ?", [new])
    conn.execute("DELETE FROM items WHERE iid = ?", [new])
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(f"UPDATE items SET {assignments}, retired = 0 WHERE iid = ?", [*values, old])
    uid, deck_id, kind = values[0], values[1], values[2]
    for ord_, card_uid, card_deck, idx, active in new_cards:
        if ord_ in old_cards:
            conn.execute("UPDATE cards SET uid = ?, deck_id = ?, idx = ?, active = ? WHERE cid = ?",
                         [card_uid, card_deck, idx, active, old_cards.pop(ord_)])
        else:
            conn.execute("INSERT INTO cards (iid, uid, ord, deck_id, idx, active) VALUES (?, ?, ?, ?, ?, ?)",
                         [old, card_uid, ord_, card_deck, idx, active])
    for ord_, cid in old_cards.items():  # deletions the new text no longer has: kept, inactive
        conn.execute("UPDATE cards SET uid = ?, deck_id = ?, active = 0 WHERE cid = ?",
                     [f"{_card_uid(uid, ord_, kind)}~{cid}", deck_id, cid])
