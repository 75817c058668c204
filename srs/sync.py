"""Mirror deck files into the store, reading only files that changed since the last run.

This is the one module that knows both the deck format and the store. Its promises: a new item enters
as new; an edited item keeps its history (by explicit id, or relinked to the item it replaced in the
same deck); a removed item is retired, never deleted, and comes back with its history; a file with
errors is skipped and its stored items are left exactly as they were.

A deck's identity survives the file system: a file that is moved, renamed or copied keeps its items'
history. A deck belongs to one file at a time (the one the store already reads it from, else the first
found); another file that claims the same deck id is skipped with one error and retires nothing. Items
are retired only when they are gone from every file, and an item whose text reappears (in a renamed
file, a copy, a restored file) takes back its history. The rules themselves live in the store's one write
path, srs.store.catalog; this module decides which files hold which decks.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING

from srs.cycles import no_cycle_collection
from srs.deck.diagnostics import Diagnostic
from srs.deck.files import deck_files
from srs.store import catalog
from srs.store.catalog import DeckIn, ItemIn
from srs.store.store import Store

if TYPE_CHECKING:
    from srs.deck.loader import Deck, FileResult

SOURCES_SETTING = "deck_sources"
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), without an encoder per call


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


def sync(store: Store, paths: list[str | Path], progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Mirror the deck files under `paths` into `store`. `progress(done, total)` hears, in bytes of the
    changed files, how far the reading has come (a first sync of a large collection takes seconds)."""
    with no_cycle_collection():  # a sync builds rows for every item read, and no cycles (srs.cycles)
        return _sync(store, paths, progress)


def _sync(store: Store, paths: list[str | Path], progress: Callable[[int, int], None] | None) -> SyncReport:
    report = SyncReport()
    files = deck_files(paths)
    _note_sources(store, paths, report)
    known = catalog.file_stamps(store)
    sources = catalog.deck_sources(store)
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
    writes: list[DeckIn] = []
    for entry, deck in applied:
        conflict = _foreign_ids(store, deck, claimed, orphans | applying)
        if conflict:
            report.diagnostics.extend(conflict)
            report.skipped_files.append(str(entry.path))
            if entry.stamp and entry.stamp[2]:
                orphans.discard(entry.stamp[2])  # a skipped file keeps what it held before, as any error does
            continue
        claimed.update({item.id: deck.id for item in deck.items})
        writes.append(deck_entry(deck, entry.key, (entry.stat.st_mtime_ns, entry.stat.st_size)))
    if writes or vanished or orphans:
        changes = catalog.write(store, writes, retire_decks=orphans, forget_files=list(vanished))
        report.added, report.updated, report.relinked = changes.added, changes.updated, changes.relinked
        report.moved, report.retired, report.restored = changes.moved, changes.retired, changes.restored
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
                catalog.forget_file(store, entry.key)


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
    for uid, other_deck, other_path, other_line in catalog.live_elsewhere(store, deck.id, uids):
        if other_deck in moving:
            continue
        item = by_uid[uid]
        found.append(
            Diagnostic(item.path, item.line, item.col, "error",
                       f"duplicate id '{uid}' (also at {other_path}:{other_line}, deck '{other_deck}')")
        )
    return found


def deck_entry(deck: Deck, key: str, stamp: tuple[int, int] | None = None) -> DeckIn:
    """A loaded deck as the store's write path takes it (`key`: its file, resolved; `stamp`: the file's
    (mtime_ns, size) when it was read from there)."""
    from srs.deck.model import Cloze  # a deck was parsed: pydantic is loaded already

    items = []
    for item in deck.items:
        body = item.body
        if item.content is not None:  # what the loader dumped for the hash: the same, but for id and kind
            content = {"id": body.id, **item.content} if body.id is not None else dict(item.content)
        else:
            content = body.model_dump(mode="json", exclude_defaults=True)
        content["kind"] = item.kind
        ords = tuple(body.deletion_numbers()) if isinstance(body, Cloze) else (0,)
        tags = _tags_json(item.tags) if item.tags else "[]"
        items.append(ItemIn(
            item.id, item.kind, item.content_hash, item.key_text, json_text(content), tags, item.path, item.line,
            item.index, item.explicit_id, ords, catalog.search_text(content),
        ))
    options = json.dumps(deck.options.model_dump(exclude_none=True))
    return DeckIn(deck.id, deck.title, deck.kind, key, options, items, stamp)


def json_text(value: dict) -> str:
    """json.dumps(value, ensure_ascii=False), in half its time for what an item's content mostly is: a mapping of
    text and lists of text, written here with the encoder's own function for text (encode_basestring) and its
    separators. Anything else goes to the encoder itself."""
    parts = []
    for key, inner in value.items():
        if key.__class__ is not str:
            return _JSON.encode(value)
        if inner.__class__ is str:
            parts.append(f"{encode_basestring(key)}: {encode_basestring(inner)}")
        elif inner.__class__ is list:
            parts.append(f"{encode_basestring(key)}: {_text_list(inner)}")
        else:
            return _JSON.encode(value)
    return "{" + ", ".join(parts) + "}"


@functools.lru_cache(maxsize=4096)  # the same few sets of tags on most items of a deck
def _tags_json(tags: tuple[str, ...]) -> str:
    return _text_list(tags)


def _text_list(texts: list[str] | tuple[str, ...]) -> str:
    """json.dumps(list(texts), ensure_ascii=False), written directly when they are all text."""
    for text in texts:
        if text.__class__ is not str:
            return _JSON.encode(list(texts))
    return "[" + ", ".join(map(encode_basestring, texts)) + "]"
