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

Run: python benchmarks/bench_import.py [--notes 10000] [--repeat 1] [--cold] [--stages] [--json]
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="import srs's modules on the clock")
    parser.add_argument("--stages", action="store_true", help="also time each stage of srs's import")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.cold:
        ready_srs()
    with tempfile.TemporaryDirectory(prefix="srs-bench-import-") as tmp:
        root = Path(tmp)
        package = make_package(root, args.notes)
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
