"""The daily review loop beside Anki's, on the same generated collection at 1k, 10k and 100k cards.

For each size, one collection is generated twice: as srs decks synced into srs's store, and as Anki notes
in an Anki collection (the real `anki` package, FSRS on), with the same cards in the same states: 10 decks,
80% reviews (due from 30 days ago to 100 days ahead), 20% new. Then, in each:

- CPU per card in review, as a reviewer spends it: the next card, the counts, the preview of the four
  intervals and the answer (Good), averaged over CARDS cards (process time: Anki's Rust backend runs in
  this process too, so both are counted alike), the two answering one card each in turn, the best of 3
  such runs on fresh copies.
  Both commit every answer to disk before the next card. Anki (rslib 26.x) opens its collection in WAL mode
  with SQLite's default synchronous=FULL (storage/sqlite.rs), and answer_card runs in Collection::transact,
  whose `release rust` of the outermost savepoint commits: one fsync of the WAL per answer (strace: 157
  fsync for 150 answers). srs commits each answer in one BEGIN IMMEDIATE ... COMMIT, WAL with
  synchronous=FULL (srs/store/db.py): one fdatasync per answer. Measured here (10k), the sync costs both
  alike, ~0.3-0.4 ms of CPU per card (kernel time, and slower code after each wait): with synchronous=OFF
  srs spends ~0.28 ms per card and Anki ~0.15 ms; with FULL ~0.6 ms and ~0.5 ms. Anki computes the four
  next states once, when it queues the card, and the answer applies the chosen one; srs's preview
  computes the four outcomes and the answer records the chosen one (Session.preview), alike;
- start-up to the first card: a fresh process that imports its library, opens the collection, builds the
  day's queue and renders the first card's question (`srs review` up to its first panel; for Anki a script
  doing the same through `anki`): wall time and the process's CPU time (srs's includes quitting after the
  card), each the best of 5 taken in turns.

Prints a table with the ratios srs / Anki. Run: python -m benchmarks.bench_queue_anki [--sizes 1000 10000]
(the 100k collection takes about a minute to generate on these machines).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.common import until_first_card

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
DECKS = 10
CARDS = 150  # answered per measurement
REVIEWED = 0.8


def card_states(size: int, seed: int = 1) -> list[tuple[int, float, float] | None]:
    """For card i: None (new) or (due offset in days from today, stability in days, difficulty)."""
    rng = random.Random(seed)
    states = []
    for i in range(size):
        if i % 10 >= REVIEWED * 10:
            states.append(None)
        else:
            states.append((rng.randrange(-30, 100), rng.uniform(1, 300), rng.uniform(1, 10)))
    return states


# -- srs ------------------------------------------------------------------------------------------------


def build_srs(root: Path, size: int, states) -> tuple[Path, Path]:
    from srs.store import Store, log
    from srs.sync import sync

    decks = root / "decks"
    decks.mkdir()
    for d in range(DECKS):
        lines = [f"title: Bench {d}", f"id: bench-{d}", "items:"]
        for i in range(d, size, DECKS):
            lines += [f"  - id: c{i}", f"    q: Question {i}?", f"    a: Answer {i}."]
        (decks / f"bench-{d}.yaml").write_text("\n".join(lines) + "\n")
    db = root / "srs.db"
    store = Store.open(db)
    sync(store, [decks])
    now = int(NOW.timestamp())
    rows = []
    for (cid, uid) in store.conn.execute("SELECT cid, uid FROM cards").fetchall():
        state = states[int(uid[1:])]
        if state is not None:
            offset, stability, difficulty = state
            rows.append((stability, difficulty, now + offset * 86400, now - 86400 * max(1, int(stability)), cid))
    with store.transaction() as conn:
        conn.executemany("UPDATE cards SET state = 2, step = NULL, stability = ?, difficulty = ?, due = ?, "
                         "last_review = ?, reps = 5 WHERE cid = ?", rows)
        # A reviewed card's log ends with the answer that gave it its state, as in any srs collection (the
        # lean log then stores nothing extra for the next answer's state before).
        log.insert_chain(conn, (
            (cid, last_review, 3, 5000, "review", 2,
             dict(log.FRESH, state=2, stability=stability, difficulty=difficulty, due=due, reps=5))
            for stability, difficulty, due, last_review, cid in rows))
    store.conn.execute("ANALYZE")
    store.close()
    return db, decks


def srs_reviewer(db: Path) -> tuple[Callable[[], None], Callable[[], None]]:
    """(show, preview and answer the next card, as `srs review` does; close), the queue already built."""
    from srs.session import Session
    from srs.store import Store

    store = Store.open(db)
    clock = {"now": NOW}
    session = Session(store, store.deck_ids(), lambda: clock["now"])
    session.next_view()  # the queue, built once (start-up, not per card)

    def one_card() -> None:
        view = session.next_view()
        assert view is not None
        session.counts()
        session.preview(view.card)
        session.answer(view.card, 3)
        clock["now"] += timedelta(seconds=5)

    return one_card, store.close


def srs_startup(db: Path, decks: Path):
    """A function that starts `srs review` once and returns the seconds to its first card."""
    env = dict(os.environ, SRS_DB=str(db), SRS_DECKS=str(decks), SRS_NOW=NOW.isoformat(), COLUMNS="100")
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def once() -> tuple[float, float]:
        cpu = _children_cpu()
        shown, _ = until_first_card([sys.executable, "-m", "srs", "review"], env)
        return shown, _children_cpu() - cpu

    return once


# -- Anki -----------------------------------------------------------------------------------------------


def build_anki(root: Path, size: int, states) -> Path:
    from anki.collection import AddNoteRequest, Collection

    path = root / "anki" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    col.set_config("fsrs", True)
    model = col.models.by_name("Basic")
    deck_ids = [col.decks.id(f"Bench::{d}") for d in range(DECKS)]
    col.decks.select(col.decks.id("Bench"))
    requests = []
    for i in range(size):
        note = col.new_note(model)
        note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}."
        requests.append(AddNoteRequest(note=note, deck_id=deck_ids[i % DECKS]))
    col.add_notes(requests)
    today = col.sched.today
    ids = col.db.list("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.id")
    col.close()
    rows = []
    for cid, state in zip(ids, states):
        if state is not None:
            offset, stability, difficulty = state
            rows.append((max(1, int(stability)), today + offset, f'{{"s":{stability:.4f},"d":{difficulty:.4f}}}', cid))
    # Straight into the file: the collection's own db.executemany goes row by row through the backend.
    conn = sqlite3.connect(path)
    conn.executemany("UPDATE cards SET type = 2, queue = 2, ivl = ?, due = ?, factor = 2500, reps = 5, data = ? "
                     "WHERE id = ?", rows)
    conn.commit()
    conn.close()
    return path


ANKI_FIRST_CARD = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
queued = col.sched.get_queued_cards()
from anki.cards import Card
card = Card(col, backend_card=queued.cards[0].card)
sys.stdout.write(card.question()[:40] + "\\n")
sys.stdout.flush()
"""


def anki_reviewer(path: Path) -> tuple[Callable[[], None], Callable[[], None]]:
    """(the same for Anki through its scheduler: the next card and the counts, the next states, the answer;
    close)."""
    from anki.cards import Card
    from anki.collection import Collection
    from anki.scheduler.v3 import CardAnswer

    col = Collection(str(path))
    col.sched.get_queued_cards()

    def one_card() -> None:
        queued = col.sched.get_queued_cards()  # the next card and the counts
        top = queued.cards[0]
        card = Card(col, backend_card=top.card)
        card.start_timer()
        col.sched.describe_next_states(top.states)
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD))

    return one_card, col.close


def anki_startup(path: Path):
    """A function that starts a process showing Anki's first card once and returns the seconds it took."""

    def once() -> tuple[float, float]:
        start, cpu = time.perf_counter(), _children_cpu()
        process = subprocess.Popen([sys.executable, "-c", ANKI_FIRST_CARD, str(path)], text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.readline()
        shown = time.perf_counter() - start
        process.communicate()
        return shown, _children_cpu() - cpu

    return once


def best_alternating(first, second, rounds: int = 5) -> tuple[tuple[float, float], tuple[float, float]]:
    """The best (wall, CPU) of `rounds` runs of each, taken in turns after one warm-up each, so that a change
    in the machine's load falls on both alike."""
    first(), second()
    a, b = [], []
    for _ in range(rounds):
        a.append(first())
        b.append(second())
    return (min(w for w, _ in a), min(c for _, c in a)), (min(w for w, _ in b), min(c for _, c in b))


def per_card_interleaved(root: Path, db: Path, anki_path: Path, rounds: int = 3) -> tuple[float, float]:
    """CPU seconds per card of each, the best of `rounds` runs on fresh copies of the collections (a run
    answers CARDS cards: the day's limits allow no more). Within a run the two answer one card each in
    turn, each timed alone, so that a change in the machine's load falls on both alike."""
    srs_runs, anki_runs = [], []
    for n in range(rounds):
        copy = root / f"round-{n}"
        copy.mkdir()
        shutil.copy(db, copy / db.name)
        shutil.copy(anki_path, copy / anki_path.name)
        srs_card, srs_close = srs_reviewer(copy / db.name)
        anki_card, anki_close = anki_reviewer(copy / anki_path.name)
        spent = [0.0, 0.0]
        for _ in range(CARDS):
            for side, one_card in enumerate((srs_card, anki_card)):
                start = time.process_time()
                one_card()
                spent[side] += time.process_time() - start
        srs_close()
        anki_close()
        srs_runs.append(spent[0] / CARDS)
        anki_runs.append(spent[1] / CARDS)
    return min(srs_runs), min(anki_runs)


def _children_cpu() -> float:
    """User and system CPU seconds of the finished child processes: start-up's cost, whatever the load."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- both -----------------------------------------------------------------------------------------------


def run(size: int) -> dict:
    states = card_states(size)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db, decks = build_srs(root, size, states)
        anki_path = build_anki(root, size, states)
        (srs_start, srs_cpu), (anki_start, anki_cpu) = best_alternating(srs_startup(db, decks),
                                                                        anki_startup(anki_path))
        srs_card, anki_card = per_card_interleaved(root, db, anki_path)
        return {
            "cards": size,
            "srs_card_ms": srs_card * 1000,
            "anki_card_ms": anki_card * 1000,
            "srs_start_ms": srs_start * 1000,
            "anki_start_ms": anki_start * 1000,
            "srs_start_cpu_ms": srs_cpu * 1000,
            "anki_start_cpu_ms": anki_cpu * 1000,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    print("| cards | CPU per card: srs | Anki | ratio | first card, wall: srs | Anki | ratio "
          "| first card, CPU: srs | Anki | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = run(size)
        print(f"| {size:,} | {r['srs_card_ms']:.3f} ms | {r['anki_card_ms']:.3f} ms | "
              f"{r['srs_card_ms'] / r['anki_card_ms']:.2f} | {r['srs_start_ms']:.0f} ms | "
              f"{r['anki_start_ms']:.0f} ms | "
              f"{r['srs_start_ms'] / r['anki_start_ms']:.2f} | {r['srs_start_cpu_ms']:.0f} ms | "
              f"{r['anki_start_cpu_ms']:.0f} ms | {r['srs_start_cpu_ms'] / r['anki_start_cpu_ms']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
