"""Import at scale: an Anki package of 10,000 notes into srs, beside Anki importing the same package.

The package is written by Anki itself (the `anki` package) in its default format (collection.anki21b):
mostly Basic notes with some markup, one in ten a Cloze note, and a review log on a fifth of the cards.
Both sides import it with its scheduling: Anki into a fresh collection (`import_anki_package`, "Import
any learning progress" ticked), srs into YAML decks and a fresh database (`srs import anki`'s core).
Prints both times (CPU time of this process: the machines these run on are shared) and their ratio
(target: srs within 2x of Anki). Both sides start ready: Anki's backend is loaded (it wrote the package)
and its collection open, so srs's modules are imported (ready_srs) and its database open before the
clock starts; `--cold` leaves srs's modules to be imported on the clock, as a first import in a fresh
process does. `--stages` also prints where srs's time goes, stage by stage, each against Anki's whole import
(its timers cost a little: the srs figure is a few per cent higher with it).

`--floor` prints instead what an import of this package cannot do without, each part done by a library alone
and timed beside Anki's whole import in the same run: unzipping and decompressing the package and reading its
rows (zipfile, zstandard, SQLite), parsing the YAML srs wrote (yaml-rs), validating and dumping each item
(pydantic), each item's content hash (orjson, hashlib), and SQLite writing the rows the import wrote (its
decks, items, cards, search index and review log, copied into a fresh store in the import's two transactions).
Their sum is the ratio no srs code of its own can go under; converting the notes, writing the YAML and
replaying the reviews (srs's own Python) come on top of it.

Run: python benchmarks/bench_import.py [--notes 10000] [--repeat 1] [--cold] [--stages] [--floor] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

RATIO_TARGET = 2.0
DAY_MS = 86_400_000


def make_package(folder: Path, notes: int, seed: int = 11) -> Path:
    """An .apkg of `notes` notes written by Anki, with reviews on every fifth card."""
    from anki.collection import AddNoteRequest, Collection

    rng = random.Random(seed)
    col = Collection(str(folder / "source.anki2"))
    try:
        decks = [col.decks.id(f"Bench::Part {n}") for n in range(10)]
        basic, cloze = col.models.by_name("Basic"), col.models.by_name("Cloze")
        requests = []
        for n in range(notes):
            if n % 10 == 9:
                note = col.new_note(cloze)
                note["Text"] = f"Step {n} starts from {{{{c1::noise}}}} and ends at {{{{c2::an <b>image</b>}}}}."
            else:
                note = col.new_note(basic)
                note["Front"] = f"Question {n}: what does step {n % 50} of the <i>reverse</i> process do? 2*3"
                note["Back"] = f"It removes a little noise,<br>then the model runs again ({n})."
            note.tags = ["bench", f"part::{n % 10}"]
            requests.append(AddNoteRequest(note=note, deck_id=decks[n % 10]))
        col.add_notes(requests)
        start = 1_704_110_400_000  # 2024-01-01
        rows, used = [], set()
        for i, cid in enumerate(col.find_cards("")):
            if i % 5:
                continue
            at = start + rng.randrange(30) * DAY_MS
            for step in range(rng.randrange(1, 6)):
                at += (step + 1) * DAY_MS + rng.randrange(1000)
                while at in used:  # revlog ids are unique
                    at += 1
                used.add(at)
                rows.append((at, cid, rng.choice((1, 3, 3, 3, 4)), 4000, 1 if step else 0))
        return export_with_reviews(col, rows, folder / "bench.apkg")
    finally:
        col.close()


def export_with_reviews(col, rows: list[tuple], path: Path) -> Path:
    """Add `rows` ((id, cid, ease, time, type), one a review) to `col`'s log, and export `col` to `path` in
    Anki's default format with its scheduling."""
    from anki.collection import ExportAnkiPackageOptions

    col.db.executemany(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, -1, ?, 1, 0, 2500, ?, ?)",
        rows,
    )
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def anki_import(package: Path, folder: Path) -> float:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "target.anki2"))
    try:
        start = time.process_time()
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))
        return time.process_time() - start
    finally:
        col.close()


def ready_srs() -> None:
    """Import the modules an import uses (the deck model and loader, the store's catalog, the scheduler, zstd)."""
    import importlib

    for name in ("srs.importers.anki", "srs.importers.anki.modern", "srs.importers.reviews", "srs.importers.undo",
                 "srs.deck.loader", "srs.deck.model", "srs.deck.cloze", "srs.store.catalog",
                 "srs.store.anki_identity", "srs.sync", "srs.scheduler", "srs.session", "srs.settings",
                 "srs.optimizer.replay"):
        importlib.import_module(name)


def srs_import(package: Path, folder: Path, stages: dict[str, float] | None = None) -> float:
    """CPU seconds of srs's import of `package`; with `stages`, each stage's share is added to it (see timed_stages)."""
    from srs.importers.anki import import_package
    from srs.store import Store

    store = Store.open(folder / "srs.db")
    try:
        with timed_stages(stages) if stages is not None else contextlib.nullcontext():
            start = time.process_time()
            report = import_package(package, folder / "decks", store=store)
            elapsed = time.process_time() - start
    finally:
        store.close()
    assert report.items > 0 and report.history is not None
    return elapsed


# The import's stages, as (module, function, name): each function's CPU time goes to its name, less that of the
# stages it calls (the HTML inside convert, the catalog inside the review write's transaction).
STAGES = (
    ("srs.importers.anki.apply", "read_package", "read the package"),
    ("srs.importers.anki.apply", "convert", "convert: notes to items (without HTML)"),
    ("srs.importers.anki.convert", "html_to_markdown", "convert: field HTML to markdown"),
    ("srs.importers.anki.apply", "stage_files", "write the YAML files"),
    ("srs.importers.anki.apply", "check_staged", "validate the decks (deck loader)"),
    ("srs.importers.anki.apply", "_apply_decks", "catalog: decks, items, cards, search (deck_entry, catalog.put)"),
    ("srs.importers.reviews", "write_reviews", "reviews: replay, write the log, commit"),
)


@contextlib.contextmanager
def timed_stages(totals: dict[str, float]):
    """While open, the import's stages (STAGES) add their exclusive CPU seconds to `totals`."""
    import importlib

    saved, running = [], []  # running: the stages open now, innermost last, each [name, time in the inner ones]

    def timed(function, name):
        def wrapper(*args, **kwargs):
            running.append([name, 0.0])
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                _, inner = running.pop()
                totals[name] = totals.get(name, 0.0) + spent - inner
                if running:
                    running[-1][1] += spent
        return wrapper

    for module_name, attribute, name in STAGES:
        module = importlib.import_module(module_name)
        saved.append((module, attribute, getattr(module, attribute)))
        setattr(module, attribute, timed(getattr(module, attribute), name))
    try:
        yield totals
    finally:
        for module, attribute, function in reversed(saved):
            setattr(module, attribute, function)


def _read_rows(package: Path, folder: Path) -> None:
    """The library part of reading `package`: unzip and decompress its collection, fetch its notes, cards and
    reviews (no objects made of them)."""
    import shutil
    import sqlite3
    import zipfile

    from srs.importers.anki.modern import MODERN_MEMBER, zstd_reader

    with zipfile.ZipFile(package) as archive, archive.open(MODERN_MEMBER) as source, \
            open(folder / "collection.sqlite", "wb") as target:
        shutil.copyfileobj(zstd_reader(source), target)
    conn = sqlite3.connect(folder / "collection.sqlite")
    try:
        conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        conn.execute("SELECT id, nid, did, odid, ord, queue, flags FROM cards ORDER BY nid, ord").fetchall()
        conn.execute("SELECT id, cid, ease, factor, time, type FROM revlog ORDER BY cid, id").fetchall()
    finally:
        conn.close()


CATALOG_TABLES, LOG_TABLES = ("decks", "items", "cards"), ("revlog", "revlog_before")


def _write_rows(source: Path, target: Path) -> float:
    """CPU seconds SQLite takes to write, into a fresh store at `target`, the rows an import wrote into the store
    at `source`: the catalog with its search index (its trigger set aside, as srs.store.catalog does for a bulk
    insert) in one transaction, the review log in another."""
    import sqlite3

    from srs.store import Store
    from srs.store.catalog import search_text

    read = sqlite3.connect(source)
    try:
        rows = {table: read.execute(f"SELECT * FROM {table}").fetchall() for table in CATALOG_TABLES + LOG_TABLES}
        texts = [(iid, search_text(json.loads(text))) for iid, text in read.execute("SELECT iid, content FROM items")]
    finally:
        read.close()
    store = Store.open(target)  # the schema and srs's connection settings, made before the clock starts
    conn = store.conn
    try:
        trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'items_fts_insert'").fetchone()[0]
        start = time.process_time()
        for tables in (CATALOG_TABLES, LOG_TABLES):
            conn.execute("BEGIN IMMEDIATE")
            if tables is CATALOG_TABLES:
                conn.execute("DROP TRIGGER items_fts_insert")
            for table in tables:
                if rows[table]:
                    marks = ", ".join("?" * len(rows[table][0]))
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
            if tables is CATALOG_TABLES:
                conn.executemany("INSERT INTO items_fts (rowid, text) VALUES (?, ?)", texts)
                conn.execute(trigger)
            conn.execute("COMMIT")
        return time.process_time() - start
    finally:
        store.close()


def floor(package: Path, root: Path, repeat: int) -> dict[str, float]:
    """The library-bound parts of srs's import of `package`, and Anki's whole import, best of `repeat` runs each
    (CPU s; see the module's docstring)."""
    import yaml_rs

    from srs.deck.identity import content_hash
    from srs.deck.model import Cloze, Flashcard

    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    for run in range(repeat):
        folder = root / f"floor-{run}"
        (folder / "anki").mkdir(parents=True)
        keep("Anki: the whole import", anki_import(package, folder / "anki"))
        (folder / "srs").mkdir()
        srs_import(package, folder / "srs")
        start = time.process_time()
        _read_rows(package, folder)
        keep("zipfile + zstandard + SQLite: read the package's rows", time.process_time() - start)
        sources = [path.read_text() for path in sorted((folder / "srs" / "decks").glob("*.yaml"))]
        start = time.process_time()
        parsed = [yaml_rs.loads(text, parse_datetime=False) for text in sources]
        keep("yaml-rs: parse the YAML files srs wrote", time.process_time() - start)
        raw = [(Cloze, item) if "text" in item else (Flashcard, {"id": item["id"], "front": item["q"],
                                                                 "back": item["a"], "tags": item["tags"]})
               for deck in parsed for item in deck["items"]]
        start = time.process_time()
        contents = [model.model_validate(item).model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
                    for model, item in raw]
        keep("pydantic: validate and dump each item", time.process_time() - start)
        start = time.process_time()
        for content in contents:
            content_hash(content)
        keep("orjson + hashlib: each item's content hash", time.process_time() - start)
        keep("SQLite: write the rows the import wrote", _write_rows(folder / "srs" / "srs.db", folder / "copy.db"))
    return best


def print_floor(package: Path, root: Path, notes: int, repeat: int) -> None:
    best = floor(package, root, repeat)
    from benchmarks.common import print_floor_parts

    anki = best.pop("Anki: the whole import")
    print_floor_parts(f"import of {notes:,} notes with history, Anki {anki:.3f} s CPU; what srs's import cannot do "
                      "without:", best, anki, RATIO_TARGET)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="import srs's modules on the clock")
    parser.add_argument("--stages", action="store_true", help="also time each stage of srs's import")
    parser.add_argument("--floor", action="store_true", help="the library-bound parts alone, beside Anki")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.cold:
        ready_srs()
    with tempfile.TemporaryDirectory(prefix="srs-bench-import-") as tmp:
        root = Path(tmp)
        package = make_package(root, args.notes)
        if args.floor:
            print_floor(package, root, args.notes, max(args.repeat, 3))
            return 0
        anki_times, srs_times, stage_runs = [], [], []
        for run in range(args.repeat):
            (root / f"anki-{run}").mkdir()
            anki_times.append(anki_import(package, root / f"anki-{run}"))
            (root / f"srs-{run}").mkdir()
            stages: dict[str, float] | None = {} if args.stages else None
            srs_times.append(srs_import(package, root / f"srs-{run}", stages))
            stage_runs.append(stages)
    anki, srs = min(anki_times), min(srs_times)
    result: dict = {"notes": args.notes, "cold": args.cold, "anki_s": round(anki, 3), "srs_s": round(srs, 3),
                    "ratio": round(srs / anki, 2), "target_ratio": RATIO_TARGET}
    stages = stage_runs[srs_times.index(srs)]  # those of the run that counts
    if stages is not None:
        stages = {name: stages.get(name, 0.0) for _, _, name in STAGES}
        stages["other (outside the stages)"] = srs - sum(stages.values())
        result["stages_x_anki"] = {name: round(spent / anki, 2) for name, spent in stages.items()}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"import of {args.notes} notes with history: srs {srs:.2f} s, Anki {anki:.2f} s "
          f"(ratio {srs / anki:.2f}, target <= {RATIO_TARGET})")
    for name, spent in (stages or {}).items():
        print(f"  {name:<68} {spent:6.3f} s  {spent / anki:5.2f}x Anki")
    return 0


if __name__ == "__main__":
    sys.exit(main())
