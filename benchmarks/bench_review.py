"""Review at scale: 100,000 items and 1,000,000 logged reviews.

Prints, each beside a baseline measured in the same run (these machines are noisy, ratios are not):
- building the day's queue (target < 30 ms; Anki: ~38 ms at 50,000 cards, ~110 ms at 200,000),
  against a plain full scan of the cards table;
- recording an answer, committed to disk (target < 1 ms median, or where the disk's sync is slower, under
  twice a bare UPDATE + INSERT commit with the same durability, synchronous=FULL; bench_durability.py sets
  it beside Anki's answer);
- start-up to the first card with unchanged decks (target < 300 ms), against `python -c pass`;
- peak memory of that review process (target < 200 MB).

Run: python benchmarks/bench_review.py [--items 100000] [--reviews 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.common import best_of, timed, until_first_card
from srs.queue import Limits, build_queue
from srs.session import Session
from srs.store import Store, log
from srs.sync import sync

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def write_decks(folder: Path, items: int, files: int = 50) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    per_file = items // files
    for f in range(files):
        lines = [f"title: Bench {f}", f"id: bench-{f}", "items:"]
        for n in range(per_file):
            lines.append(f"  - q: Question {f}-{n} about diffusion step {n % 50}?")
            lines.append(f"    a: Answer {n}, remove a little noise, then repeat.")
        (folder / f"bench-{f:02d}.yaml").write_text("\n".join(lines) + "\n")


def fill_history(store: Store, reviews: int, seed: int = 1) -> None:
    """Give most cards a memory state and spread `reviews` log rows over them (bulk SQL, not the API)."""
    rng = random.Random(seed)
    now = int(NOW.timestamp())
    cids = [row[0] for row in store.conn.execute("SELECT cid FROM cards")]
    studied = cids[: int(len(cids) * 0.8)]
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE cards SET state = 2, stability = ?, difficulty = ?, due = ?, last_review = ?, reps = ? "
            "WHERE cid = ?",
            [
                (rng.uniform(1, 300), rng.uniform(1, 10), now + rng.randrange(-5, 200) * 86400,
                 now - rng.randrange(1, 100) * 86400, 10, cid)
                for cid in studied
            ],
        )
        after = dict(log.FRESH, state=2)
        log.insert_chain(conn, (
            (studied[i % len(studied)], now - rng.randrange(1, 400 * 86400), rng.choice((1, 3, 3, 3, 4)), 5000,
             "review", 2, after)
            for i in range(reviews)))


def bench_queue(store: Store, deck_ids: list[str]) -> tuple[float, float]:
    limits = Limits(new_per_day=20, reviews_per_day=200)
    ours = statistics.median(timed(lambda: build_queue(store, NOW, deck_ids, limits), 21))
    baseline = statistics.median(timed(lambda: store.conn.execute("SELECT * FROM cards").fetchall(), 5))
    return ours, baseline


def bench_answer(store: Store, deck_ids: list[str]) -> tuple[float, float]:
    clock = {"now": NOW}
    session = Session(store, deck_ids, lambda: clock["now"])
    cids = [row[0] for row in store.conn.execute("SELECT cid FROM cards WHERE state = 2 LIMIT 300")]
    times = []
    for cid in cids:
        card = store.card(cid)
        clock["now"] += timedelta(seconds=7)
        start = time.perf_counter()
        session.answer(card, 3, duration_ms=4000)
        times.append(time.perf_counter() - start)
    conn = store.conn

    def bare():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE cards SET reps = reps + 1 WHERE cid = ?", [cids[0]])
        conn.execute(
            "INSERT INTO revlog (cid, reviewed_at, rating, state_before, state, reps, lapses) "
            "VALUES (?, 0, 3, 2, 2, 1, 0)", [cids[0]])
        conn.execute("COMMIT")

    baseline = statistics.median(timed(bare, 300))
    conn.execute("DELETE FROM revlog WHERE reviewed_at = 0")
    return statistics.median(times), baseline


def bench_startup(db: Path, decks: Path) -> tuple[float, float, float]:
    """Wall time from launching `srs review` to the first card's panel on its output, best of 5."""
    env = dict(os.environ, SRS_DB=str(db), SRS_DECKS=str(decks), SRS_NOW=NOW.isoformat(), COLUMNS="100")
    # An installed package has its bytecode compiled (pip does it); a checkout run with this set would
    # compile every module on every start and measure the compiler instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    peaks = []

    def review_to_first_card() -> float:
        shown, errors = until_first_card([sys.executable, "-c", REPORT_PEAK_MEMORY, "review"], env)
        peaks.append(int(errors.rsplit("MAXRSS ", 1)[1]) / 1024)
        return shown

    review_to_first_card()  # warm the file cache and write the bytecode
    ours = min(review_to_first_card() for _ in range(5))
    baseline = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    return ours, baseline, max(peaks)


# Runs `srs ARGS...` and reports the process's own peak resident memory (KB) on stderr as it exits.
# VmHWM, not getrusage: Linux carries ru_maxrss across exec, so a child of a big parent (pytest) would
# report the parent's size.
REPORT_PEAK_MEMORY = (
    "import atexit, re, sys\n"
    "def report():\n"
    "    status = open('/proc/self/status').read()\n"
    "    sys.stderr.write('MAXRSS %s\\n' % re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    "atexit.register(report)\n"
    "from srs.cli import cli\n"
    "cli(sys.argv[1:], prog_name='srs')\n"
)


def run(items: int, reviews: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_decks(tmp / "decks", items)
        store = Store.open(tmp / "srs.db")
        start = time.perf_counter()
        report = sync(store, [tmp / "decks"])
        if report.diagnostics:
            raise SystemExit(f"benchmark decks do not load: {report.diagnostics[0]}")
        first_sync = time.perf_counter() - start
        fill_history(store, reviews)
        store.conn.execute("ANALYZE")
        queue, queue_base = bench_queue(store, report.deck_ids)
        answer, answer_base = bench_answer(store, report.deck_ids)
        store.close()
        startup, startup_base, peak_mb = bench_startup(tmp / "srs.db", tmp / "decks")
    return {
        "items": items, "reviews": reviews, "first_sync_s": first_sync,
        "queue_ms": queue * 1000, "queue_baseline_ms": queue_base * 1000,
        "answer_ms": answer * 1000, "answer_baseline_ms": answer_base * 1000,
        "startup_ms": startup * 1000, "startup_baseline_ms": startup_base * 1000,
        "peak_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    r = run(args.items, args.reviews)
    print(f"{r['items']:,} items, {r['reviews']:,} reviews (first sync of all decks: {r['first_sync_s']:.1f} s)")
    print(f"day's queue        {r['queue_ms']:7.2f} ms   (full scan of cards {r['queue_baseline_ms']:.2f} ms, "
          f"ratio {r['queue_ms'] / r['queue_baseline_ms']:.3f})   target < 30 ms")
    print(f"record an answer   {r['answer_ms']:7.3f} ms   (bare UPDATE+INSERT commit {r['answer_baseline_ms']:.3f} ms, "
          f"ratio {r['answer_ms'] / r['answer_baseline_ms']:.2f})   target < 1 ms or ratio < 2")
    print(f"start-up to card   {r['startup_ms']:7.1f} ms   (python -c pass {r['startup_baseline_ms']:.1f} ms, "
          f"ratio {r['startup_ms'] / r['startup_baseline_ms']:.1f})   target < 300 ms")
    print(f"peak memory        {r['peak_mb']:7.1f} MB   (of the review process)   target < 200 MB")


if __name__ == "__main__":
    main()
