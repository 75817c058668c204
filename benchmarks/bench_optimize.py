"""`srs optimize` beside the fit it is built around, on the real log and on generated logs.

For each log (the real one, ../shared/data/review-logs-real.csv: 12,580 reviews of 1,205 cards; and generated
learners of --sizes cards, 7 reviews each), each figure beside a baseline measured in the same run:

- fit: fitting the 21 parameters with fsrs-rs once (the issue's baseline: about 0.05 s on the real log);
- whole: the whole `srs optimize` command in this process (click's runner: sync, read the log, two fits,
  three scorings, backup, save, reschedule every card from its log), on a fresh copy of the store each time;
  the ratio whole / fit (target <= 3; docs/scheduling.md says where the time goes);
- lock: the longest write transaction the command held (target < 1 s);
- on the real log also the command as a process beside `srs --help`, and `--retention` beside Anki's own
  `compute_optimal_retention` (the real `anki` package; "today" the day after the log's last review).

`--floor` prints instead, for each log, what the command cannot do without, each part timed alone and counted
in fits: the second fit (to the earlier 80%, for issue 6's out-of-sample scores), the backup before the
reschedule (SQLite's backup API), and SQLite reading every review of the log; their sum with the fit itself is
the ratio no srs code of its own can go under.

Run: python benchmarks/bench_optimize.py [--repeat 5] [--sizes 1000 10000] [--no-anki] [--floor]
(`--sizes 100000` for the issue's 100k cards: generating and importing it takes a few minutes.)
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from srs.importers.revlog_csv import CsvLog, import_revlog, read_revlog_csv
from srs.optimizer.fit import fit
from srs.optimizer.history import build_dataset, histories_from_rows
from srs.store import Store


def default_log() -> Path:
    """$SRS_REAL_LOG, else shared/data/review-logs-real.csv beside the checkout or any folder above it."""
    import os

    if os.environ.get("SRS_REAL_LOG"):
        return Path(os.environ["SRS_REAL_LOG"])
    for folder in Path(__file__).resolve().parents[1].parents:
        if (folder / "shared" / "data" / "review-logs-real.csv").is_file():
            return folder / "shared" / "data" / "review-logs-real.csv"
    return Path("shared/data/review-logs-real.csv")


DAY = 86_400
REVIEWS_PER_CARD = 7


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def lock_timer():
    """Every write transaction the store opens, timed from BEGIN IMMEDIATE to COMMIT; yields the durations."""
    import srs.store.store as store_module

    original = store_module.transaction
    held: list[float] = []

    @contextmanager
    def timed(conn, path="the database"):
        with original(conn, path) as inner:
            start = time.perf_counter()
            try:
                yield inner
            finally:
                pass
        held.append(time.perf_counter() - start)

    store_module.transaction = timed
    try:
        yield held
    finally:
        store_module.transaction = original


def generated_log(folder: Path, cards: int, seed: int = 7) -> CsvLog:
    """A learner of `cards` cards, REVIEWS_PER_CARD reviews each, over a year, as a CSV review log."""
    rng = random.Random(seed)
    start = 1_704_100_000
    lines = ["card_id,review_rating,review_time,review_duration"]
    from datetime import datetime, timezone

    for card in range(cards):
        at = start + rng.randrange(0, 200) * DAY + rng.randrange(8, 22) * 3600
        gap = 1
        for _ in range(REVIEWS_PER_CARD):
            rating = rng.choices([1, 2, 3, 4], [15, 8, 65, 12])[0]
            moment = datetime.fromtimestamp(at, timezone.utc).isoformat()
            lines.append(f"{10_000_000 + card},{rating},{moment},{rng.randrange(2000, 20000)}")
            gap = 1 if rating == 1 else min(gap * rng.uniform(1.8, 3.2), 120)
            at += int(gap * DAY) + rng.randrange(-3, 4) * 3600
    path = folder / f"generated-{cards}.csv"
    path.write_text("\n".join(lines) + "\n")
    return read_revlog_csv(path)


def make_store(folder: Path, log: CsvLog) -> Path:
    path = folder / "template.db"
    store = Store.open(path)
    import_revlog(store, log)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def measure(template: Path, log: CsvLog, repeat: int) -> dict:
    """Fit once (median), and the whole command on a fresh copy of the store (median), its longest lock."""
    from click.testing import CliRunner

    from srs.cli import cli

    dataset = build_dataset(histories_from_rows((r.card, "log", r.at, r.rating) for r in log.reviews))
    fit_time = median_time(lambda: fit(dataset), repeat)
    runs, locks = [], []
    for n in range(repeat):
        work = template.parent / f"run-{n}"
        work.mkdir()
        shutil.copy(template, work / "srs.db")
        # As on any day after its first command: today's backup is there (a daily backup is no cost of optimize).
        from srs.store.backup import daily_backup

        copy = Store.open(work / "srs.db")
        daily_backup(copy.conn, copy.path)
        copy.close()
        with lock_timer() as held:
            start = time.perf_counter()
            result = CliRunner().invoke(cli, ["optimize", "--db", str(work / "srs.db"), "--decks", str(work)])
            runs.append(time.perf_counter() - start)
        assert result.exit_code == 0, result.output
        assert "rescheduled" in result.output, result.output
        locks.append(max(held))
        shutil.rmtree(work)
    whole = statistics.median(runs)
    return {"reviews": dataset.reviews, "cards": len(dataset.histories), "fit": fit_time, "whole": whole,
            "lock": max(locks)}


def floor(template: Path, log: CsvLog, repeat: int) -> dict[str, float]:
    """The parts of `srs optimize` done by libraries alone, medians of `repeat` runs, in fits (see the docstring)."""
    from srs.optimizer.personalize import HOLDOUT
    from srs.store.backup import take_backup

    dataset = build_dataset(histories_from_rows((r.card, "log", r.at, r.rating) for r in log.reviews))
    earlier, _ = dataset.split(1 - HOLDOUT)
    one_fit = median_time(lambda: fit(dataset), repeat)
    store = Store.open(template)
    try:
        backup = median_time(lambda: take_backup(store.conn, store.path, "bench", bound=False), repeat)
        read = median_time(lambda: store.conn.execute(
            "SELECT cid, reviewed_at, rating FROM revlog ORDER BY cid, reviewed_at, rid").fetchall(), repeat)
    finally:
        store.close()
    parts = {"the fit (fsrs-rs)": one_fit,
             "the second fit, to the earlier 80% (fsrs-rs)": median_time(lambda: fit(dataset, earlier), repeat),
             "the backup before the reschedule (SQLite)": backup,
             "reading the log's reviews (SQLite)": read}
    return {name: seconds / one_fit for name, seconds in parts.items()}


def process_times(template: Path, repeat: int) -> tuple[float, float]:
    """`srs optimize` as a process, and `srs --help`, medians."""
    runs = []
    for n in range(repeat):
        work = template.parent / f"proc-{n}"
        work.mkdir()
        shutil.copy(template, work / "srs.db")
        command = [sys.executable, "-m", "srs", "optimize", "--db", str(work / "srs.db"), "--decks", str(work)]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
        shutil.rmtree(work)
    baseline = median_time(lambda: subprocess.run([sys.executable, "-m", "srs", "--help"], check=True,
                                                  capture_output=True), repeat)
    return statistics.median(runs), baseline


def retention_figures(log: CsvLog, folder: Path) -> tuple[float, float]:
    """(srs's --retention, Anki's compute_optimal_retention) on `log`, with srs's fitted parameters."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "optimizer"))
    from anki_retention import anki_optimal_retention

    from srs.optimizer.retention import optimal_retention

    dataset = build_dataset(histories_from_rows((r.card, "log", r.at, r.rating) for r in log.reviews))
    parameters = fit(dataset).parameters
    now = (max(r.at for r in log.reviews) // DAY + 1) * DAY + 12 * 3600
    ours = optimal_retention(parameters, dataset, now=now).desired_retention
    histories: dict = {}
    for r in log.reviews:
        histories.setdefault(r.card, []).append((r.at, r.rating, r.duration_ms))
    for reviews in histories.values():
        reviews.sort()
    anki_folder = folder / "anki"
    anki_folder.mkdir()
    return ours, anki_optimal_retention(anki_folder, histories, parameters).optimal_retention


def print_floor(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        logs = [("real log", read_revlog_csv(args.log))]
        logs += [(f"generated {size:,}", generated_log(Path(tmp), size)) for size in args.sizes]
        for name, log in logs:
            folder = Path(tmp) / name.replace(" ", "-").replace(",", "")
            folder.mkdir()
            parts = floor(make_store(folder, log), log, args.repeat if len(log.reviews) <= 100_000 else 1)
            print(f"{name} ({len(log.reviews):,} reviews), in fits:")
            for part, fits in parts.items():
                print(f"  {part:<48}{fits:>6.2f}")
            print(f"  {'the sum: the floor of the command':<48}{sum(parts.values()):>6.2f}   (target 3)")


def row(name: str, m: dict) -> str:
    ok = "ok" if m["whole"] <= 3 * m["fit"] and m["lock"] < 1 else "MISSED"
    return (f"{name:<22}{m['reviews']:>9,}{m['cards']:>8,}{m['fit'] * 1000:>9.0f}{m['whole'] * 1000:>10.0f}"
            f"{m['whole'] / m['fit']:>8.1f}{m['lock'] * 1000:>9.0f}   {ok}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--no-anki", action="store_true", help="skip the --retention comparison with Anki")
    parser.add_argument("--floor", action="store_true", help="the parts libraries do alone, in fits")
    args = parser.parse_args()
    args.log = args.log or default_log()
    if not args.log.exists():
        raise SystemExit(f"no review log at {args.log}")
    if args.floor:
        print_floor(args)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "real"
        folder.mkdir()
        log = read_revlog_csv(args.log)
        template = make_store(folder, log)
        results.append(("real log", measure(template, log, args.repeat)))
        process, help_time = process_times(template, max(3, args.repeat // 2))
        retention = None if args.no_anki else retention_figures(log, folder)
        for size in args.sizes:
            folder = Path(tmp) / f"gen-{size}"
            folder.mkdir()
            generated = generated_log(folder, size)
            results.append((f"generated {size:,}", measure(make_store(folder, generated), generated,
                                                           args.repeat if size <= 10_000 else 1)))
    print(f"{'log':<22}{'reviews':>9}{'cards':>8}{'fit ms':>9}{'whole ms':>10}{'ratio':>8}{'lock ms':>9}")
    for name, m in results:
        print(row(name, m))
    print("ratio = whole `srs optimize` (in process) / one fsrs-rs fit; target <= 3. lock: longest write "
          "transaction; target < 1000 ms.")
    print(f"srs optimize as a process on the real log {process * 1000:.0f} ms (srs --help {help_time * 1000:.0f} ms, "
          f"ratio {process / help_time:.1f})")
    if retention:
        ours, anki = retention
        print(f"--retention on the real log: srs {ours:.3f}, Anki compute_optimal_retention {anki:.3f} "
              f"(difference {abs(ours - anki):.3f}; target <= 0.03)")


if __name__ == "__main__":
    main()
