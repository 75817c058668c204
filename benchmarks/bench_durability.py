"""What durability costs an answer: srs with synchronous=FULL (its setting) and NORMAL, beside Anki's answer.

Each opens its collection afresh (as a review session does) and answers new cards in a collection of the
same size, in a database on disk (not tmpfs, where a sync to disk would cost nothing). The answers are
interleaved, one of each in turn, so that all three meet the same disk (these machines share theirs), and
the median time of one answer, committed, is reported. Anki's side is the real `anki` package: its
scheduler's answer_card, which commits to its SQLite file in WAL mode with synchronous=FULL.

Run: python benchmarks/bench_durability.py [--cards 2000] [--answers 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.common import one_core

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def srs_answerer(folder: Path, cards: int, synchronous: str) -> tuple[Callable[[], float], Callable[[], None]]:
    """(answer the next new card and return the seconds it took, close)."""
    from srs.session import Session
    from srs.store import Store
    from srs.sync import sync

    decks = folder / "decks"
    decks.mkdir()
    lines = ["title: Bench", "id: bench", "items:"]
    for n in range(cards):
        lines += [f"  - q: Question {n} about noise?", f"    a: Answer {n}."]
    (decks / "bench.yaml").write_text("\n".join(lines) + "\n")
    db = folder / "srs.db"
    store = Store.open(db)
    sync(store, [decks])
    store.close()  # a review session opens the database afresh (its write-ahead log starts empty)
    store = Store.open(db)
    store.conn.execute(f"PRAGMA synchronous = {synchronous}")
    clock = {"now": NOW}
    session = Session(store, ["bench"], lambda: clock["now"])
    cids = iter([row[0] for row in store.conn.execute("SELECT cid FROM cards ORDER BY cid")])

    def answer() -> float:
        card = store.card(next(cids))
        clock["now"] += timedelta(seconds=7)
        start = time.perf_counter()
        session.answer(card, 3, duration_ms=4000)
        return time.perf_counter() - start

    return answer, store.close


def anki_answerer(folder: Path, cards: int) -> tuple[Callable[[], float], Callable[[], None]]:
    from anki.collection import Collection
    from anki.scheduler.v3 import CardAnswer

    path = str(folder / "anki.anki2")
    col = Collection(path)
    basic = col.models.by_name("Basic")
    did = col.decks.id("Bench")
    for n in range(cards):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {n} about noise?", f"Answer {n}."
        col.add_note(note, did)
    col.close()  # as srs: the answers start in a freshly opened collection
    col = Collection(path)
    cids = iter(sorted(col.find_cards(f"did:{did}")))

    def answer() -> float:
        card = col.get_card(next(cids))
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        start = time.perf_counter()
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
        return time.perf_counter() - start

    return answer, col.close


def run(cards: int, answers: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="srs-durability-", dir=Path.cwd()))  # on disk: not a tmpfs /tmp
    makers = {
        "srs_full_ms": lambda f: srs_answerer(f, cards, "FULL"),
        "srs_normal_ms": lambda f: srs_answerer(f, cards, "NORMAL"),
        "anki_ms": lambda f: anki_answerer(f, cards),
    }
    try:
        with one_core():
            answerers = {}
            for name, make in makers.items():
                (root / name).mkdir()
                answerers[name] = make(root / name)
            times: dict[str, list[float]] = {name: [] for name in makers}
            for _ in range(answers):
                for name, (answer, _) in answerers.items():
                    times[name].append(answer())
            for _, close in answerers.values():
                close()
        return {name: statistics.median(values) * 1000 for name, values in times.items()}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    r = run(args.cards, args.answers)
    print(f"answer, median of {args.answers} each, interleaved, in a collection of {args.cards} cards on disk:")
    print(f"  srs, synchronous=FULL    {r['srs_full_ms']:.3f} ms")
    print(f"  srs, synchronous=NORMAL  {r['srs_normal_ms']:.3f} ms")
    print(f"  Anki (answer_card, FULL) {r['anki_ms']:.3f} ms")
    print(f"  FULL / NORMAL            {r['srs_full_ms'] / r['srs_normal_ms']:.2f}x")
    print(f"  srs FULL / Anki          {r['srs_full_ms'] / r['anki_ms']:.2f}x")


if __name__ == "__main__":
    main()
