"""srs's store beside Anki's collection on the same generated cards: first sync, and database size.

For each size (1k and 10k cards by default; `--sizes 100000` for the issue's 100k), the same notes are
written twice: as 10 srs deck files, and as one Anki CSV file (`#deck column`, Basic notetype). Then:

- first sync: process CPU time of `srs.sync.sync` into an empty store, beside Anki's CSV import
  (`Collection.import_csv`, the real `anki` package) into an empty collection; both in this process
  (target: srs within 1.5x of Anki). Each side's library is imported before its clock starts: Anki's is
  loaded by opening the collection, and srs's deck loader (pydantic, the YAML parsers) is imported first
  likewise, so both figures are the work of the import itself. srs's start-up is measured on its own, in
  benchmarks/bench_commands.py and tests/test_startup.py;
- write lock: the longest time the sync held the database's write lock (BEGIN IMMEDIATE to COMMIT), wall
  clock and CPU, and the same for a second sync after every deck file was edited (target: under 1 s at 100k);
- database size: each file after the import, and again after REVIEWS_PER_CARD reviews per card were
  written straight into each log in that program's own row format (srs: srs.store.log's typed row, the
  card's scheduling state after each answer, as Store.record_answer writes it; Anki: a revlog row);
  both closed and checkpointed, so the size is the file's.

Prints a table with the ratios srs / Anki, then where the pages of each database go (SQLite's dbstat, by
table and index). Run: python -m benchmarks.bench_store_anki [--sizes 1000 10000]

`--floor` prints instead what a first sync cannot do without, beside Anki's CSV import in the same run: the
parts done by compiled libraries alone (yaml-rs parsing the files, pydantic validating and dumping each item,
the canonical JSON (orjson) and SHA-256 of its content hash, SQLite's write transaction as the sync runs it), each
timed on its own with no srs code around it, and their sum. The sum over Anki's import is the ratio this
design cannot go under while those libraries do that work; the rest of the sync is srs's own Python.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
SYNC_RATIO_TARGET = 1.5
LOCK_TARGET_S = 1.0
DECKS = 10
REVIEWS_PER_CARD = 7  # the collection: 100k cards, 738k reviews


def texts(size: int) -> list[tuple[str, str]]:
    return [(f"Question {i} about diffusion step {i % 50}?", f"Answer {i}, remove a little noise.")
            for i in range(size)]


def history(size: int, seed: int = 1) -> list[list[tuple[int, int, int]]]:
    """For each card, REVIEWS_PER_CARD (epoch seconds, rating, duration ms), oldest first."""
    rng = random.Random(seed)
    now = int(NOW.timestamp())
    out = []
    for _ in range(size):
        at = now - 400 * 86400 + rng.randrange(0, 86400)
        reviews = []
        for _ in range(REVIEWS_PER_CARD):
            reviews.append((at, rng.choice((1, 3, 3, 3, 3, 4)), rng.randrange(2000, 20000)))
            at += rng.randrange(1, 50) * 86400
        out.append(reviews)
    return out


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))  # the file, and any -wal or -shm


# -- srs ------------------------------------------------------------------------------------------------


@contextmanager
def lock_timer():
    """Record how long each store transaction holds the write lock, as (wall clock, CPU) seconds, in the list it
    yields. On a shared machine the wall clock includes waiting for a core; the CPU time does not."""
    import srs.store.store as store_module

    held: list[tuple[float, float]] = []
    original = store_module.transaction

    @contextmanager
    def timed(conn, path="the database"):
        wall, cpu = time.perf_counter(), time.process_time()
        with original(conn, path) as inner:  # from BEGIN IMMEDIATE (the lock taken) ...
            wall, cpu = time.perf_counter(), time.process_time()
            yield inner
        held.append((time.perf_counter() - wall, time.process_time() - cpu))  # ... to the COMMIT

    store_module.transaction = timed
    try:
        yield held
    finally:
        store_module.transaction = original


def write_decks(decks: Path, notes, edit: str = "") -> None:
    for d in range(DECKS):
        lines = [f"title: Bench {d}", f"id: bench-{d}", "items:"]
        for i in range(d, len(notes), DECKS):
            front, back = notes[i]
            lines += [f"  - id: c{i}", f"    q: {front}", f"    a: {back}{edit}"]
        (decks / f"bench-{d}.yaml").write_text("\n".join(lines) + "\n")


def srs_side(root: Path, notes, log) -> dict:
    import srs.deck.loader  # noqa: F401 - the library loaded before the clock starts, as Anki's is (see above)
    from srs.store import Store
    from srs.store import log as store_log
    from srs.sync import sync

    decks = root / "decks"
    decks.mkdir()
    write_decks(decks, notes)
    db = root / "srs.db"
    store = Store.open(db)
    with lock_timer() as held:
        start = time.process_time()
        report = sync(store, [decks])
        sync_s = time.process_time() - start
    synced = store.conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    if synced != len(notes):
        raise SystemExit(f"srs synced {synced} of {len(notes)} cards: {report.diagnostics[:3]}")
    store.close()
    empty_size = file_size(db)

    # A copy, for the sync of edited decks (the sizes below are of the database the first sync made).
    edited = root / "edited.db"
    shutil.copyfile(db, edited)
    write_decks(decks, notes, " Edited.")  # every item's answer changes
    store = Store.open(edited)
    with lock_timer() as held_again:
        sync(store, [decks])
    store.close()

    store = Store.open(db)
    cards = store.conn.execute("SELECT cid, uid FROM cards").fetchall()
    rows = []
    for cid, uid in cards:
        state, reps = 0, 0
        for at, rating, ms in log[int(uid[1:])]:
            after = {"state": 2, "step": None, "stability": random.uniform(1, 300), "difficulty": random.uniform(1, 10),
                     "due": at + 86400 * 10, "last_review": at, "reps": reps + 1, "lapses": 0}
            rows.append((cid, at, rating, ms, "review", state, after))
            state, reps = 2, reps + 1
    rows.sort(key=lambda row: row[1])  # in time order, as answers are logged
    # Benchmark set-up, not the code under test: the log rows in the store's own format, in bulk.
    with store.transaction() as conn:
        store_log.insert_chain(conn, rows)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return {"sync_s": sync_s, "lock_s": max(held), "lock_edit_s": max(held_again), "size": empty_size,
            "size_log": file_size(db), "parts": parts(db)}


def parts(path: Path) -> dict[str, int]:
    """Bytes per table (its indexes and, for the search index, its shadow tables included), from dbstat."""
    conn = sqlite3.connect(path)
    try:
        tables = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        sizes: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            owner = tables.get(name, name)
            owner = "items_fts" if owner.startswith("items_fts") else owner
            sizes[owner] = sizes.get(owner, 0) + size
        return sizes
    finally:
        conn.close()


# -- Anki -----------------------------------------------------------------------------------------------


def anki_side(root: Path, notes, log) -> dict:
    from anki.collection import Collection, ImportCsvRequest

    csv = write_csv(root, notes)
    path = root / "anki" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    start = time.process_time()
    metadata = col.get_csv_metadata(str(csv), None)
    col.import_csv(ImportCsvRequest(path=str(csv), metadata=metadata))
    import_s = time.process_time() - start
    ids = col.db.list("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.id")
    col.close()
    if len(ids) != len(notes):
        raise SystemExit(f"Anki imported {len(ids)} of {len(notes)} cards")
    empty_size = file_size(path)

    rows, used = [], set()
    for cid, reviews in zip(ids, log):
        last_ivl = 0
        for at, rating, ms in reviews:
            ivl = random.randrange(1, 300)
            anki_id = at * 1000 + cid % 1000
            while anki_id in used:  # revlog ids are unique: Anki moves a clash on by a millisecond too
                anki_id += 1
            used.add(anki_id)
            rows.append((anki_id, cid, -1, rating, ivl, last_ivl, 2500, ms, 1))
            last_ivl = ivl
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return {"import_s": import_s, "size": empty_size, "size_log": file_size(path), "parts": parts(path)}


@contextmanager
def decks_in_new_folder(notes):
    """A temporary folder with the notes as deck files in its decks/: yields (the folder, decks/)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        decks = root / "decks"
        decks.mkdir()
        write_decks(decks, notes)
        yield root, decks


def write_csv(root: Path, notes) -> Path:
    """The notes as the CSV file Anki imports (Basic notes, the deck in a column)."""
    csv = root / "notes.csv"
    lines = ["#separator:Tab", "#html:false", "#notetype:Basic", "#deck column:3"]
    lines += [f"{front}\t{back}\tBench::{i % DECKS}" for i, (front, back) in enumerate(notes)]
    csv.write_text("\n".join(lines) + "\n")
    return csv


def anki_csv_import(root: Path, notes) -> float:
    """CPU seconds of Anki's CSV import of `notes` into a new collection in `root`."""
    from anki.collection import Collection, ImportCsvRequest

    csv = write_csv(root, notes)
    col = Collection(str(root / "collection.anki2"))
    try:
        start = time.process_time()
        col.import_csv(ImportCsvRequest(path=str(csv), metadata=col.get_csv_metadata(str(csv), None)))
        return time.process_time() - start
    finally:
        col.close()


def first_sync(size: int, repeat: int = 3) -> dict:
    """Only the first sync beside Anki's CSV import, each the best of `repeat` runs into a fresh store or
    collection (CPU seconds): what tests/test_store_perf.py holds to a ratio."""

    import srs.deck.loader  # noqa: F401 - loaded before the clock, as Anki's library is (see the module's docstring)
    from srs.store import Store
    from srs.sync import sync

    notes = texts(size)
    srs_s, anki_s = [], []
    for _ in range(repeat):
        with decks_in_new_folder(notes) as (root, decks):
            store = Store.open(root / "srs.db")
            start = time.process_time()
            sync(store, [decks])
            srs_s.append(time.process_time() - start)
            store.close()
            anki_s.append(anki_csv_import(root, notes))
    return {"size": size, "srs_s": min(srs_s), "anki_s": min(anki_s), "ratio": min(srs_s) / min(anki_s)}


def floor(size: int, repeat: int = 3) -> dict[str, float]:
    """The library-bound parts of a first sync of `size` cards and Anki's CSV import, best of `repeat` runs each
    (CPU s; see the module's docstring)."""
    import yaml_rs

    from srs.deck.identity import content_hash
    from srs.deck.model import Flashcard
    from srs.store import Store
    from srs.sync import sync

    notes = texts(size)
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    for _ in range(repeat):
        with decks_in_new_folder(notes) as (root, decks):
            sources = [path.read_text() for path in sorted(decks.glob("*.yaml"))]
            start = time.process_time()
            parsed = [yaml_rs.loads(text, parse_datetime=False) for text in sources]
            keep("yaml-rs: parse the deck files", time.process_time() - start)
            raw = [{"kind": "flashcard", "id": item["id"], "front": item["q"], "back": item["a"]}
                   for deck in parsed for item in deck["items"]]
            start = time.process_time()
            contents = [Flashcard.model_validate(item).model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
                        for item in raw]
            keep("pydantic: validate and dump each item", time.process_time() - start)
            start = time.process_time()
            for content in contents:
                content_hash(content)
            keep("orjson + hashlib: each item's content hash", time.process_time() - start)
            store = Store.open(root / "srs.db")
            with lock_timer() as held:
                sync(store, [decks])
            store.close()
            keep("SQLite: the sync's write transactions", sum(cpu for _, cpu in held))
            keep("Anki: the whole CSV import", anki_csv_import(root, notes))
    return best


def print_floor(sizes: list[int]) -> None:
    import srs.deck.loader  # noqa: F401 - loaded before the clock, as in first_sync
    from benchmarks.common import print_floor_parts

    for size in sizes:
        best = floor(size)
        anki = best.pop("Anki: the whole CSV import")
        print_floor_parts(f"{size:,} cards, Anki's CSV import {anki:.3f} s CPU; what the first sync's libraries "
                          "alone take:", best, anki, SYNC_RATIO_TARGET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--floor", action="store_true", help="the library-bound parts alone, beside Anki")
    args = parser.parse_args()
    if args.floor:
        print_floor(args.sizes)
        return
    results = []
    for size in args.sizes:
        notes, log = texts(size), history(size)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "srs").mkdir()
            (root / "anki").mkdir()
            srs = srs_side(root / "srs", notes, log)
            anki = anki_side(root / "anki", notes, log)
        results.append((size, srs, anki))
        print(f"{size:>7,} cards: srs sync {srs['sync_s']:.2f} s CPU, Anki CSV import {anki['import_s']:.2f} s CPU "
              f"(ratio {srs['sync_s'] / anki['import_s']:.2f}, target <= {SYNC_RATIO_TARGET}); longest write lock "
              f"{srs['lock_s'][0]:.2f} s ({srs['lock_s'][1]:.2f} s CPU), {srs['lock_edit_s'][0]:.2f} s "
              f"({srs['lock_edit_s'][1]:.2f} s CPU) re-syncing every deck edited "
              f"(target < {LOCK_TARGET_S} s)",
              flush=True)
    mb = 1024 * 1024
    print()
    print("| cards | reviews | first sync srs / Anki CSV import (CPU s) | ratio "
          "| longest write lock, first / edited (wall s; CPU s) "
          f"| db srs / Anki, no log (MB) | ratio | db srs / Anki, {REVIEWS_PER_CARD} reviews per card (MB) | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, srs, anki in results:
        print(f"| {size:,} | {size * REVIEWS_PER_CARD:,} | {srs['sync_s']:.2f} / {anki['import_s']:.2f} "
              f"| {srs['sync_s'] / anki['import_s']:.2f} | {srs['lock_s'][0]:.2f} / {srs['lock_edit_s'][0]:.2f}; "
              f"{srs['lock_s'][1]:.2f} / {srs['lock_edit_s'][1]:.2f} "
              f"| {srs['size'] / mb:.1f} / {anki['size'] / mb:.1f} "
              f"| {srs['size'] / anki['size']:.2f} | {srs['size_log'] / mb:.1f} / {anki['size_log'] / mb:.1f} "
              f"| {srs['size_log'] / anki['size_log']:.2f} |")
    print()
    print("Where the bytes go, with the log (MB): table with its indexes")
    for size, srs, anki in results:
        for name, side in (("srs", srs), ("Anki", anki)):
            top = sorted(side["parts"].items(), key=lambda kv: -kv[1])[:6]
            print(f"  {size:,} {name}: " + ", ".join(f"{k} {v / mb:.1f}" for k, v in top))


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    main()
