"""Fitting FSRS to a real review log: 12,580 reviews of 1,205 cards (../shared/data/review-logs-real.csv).

Prints, each beside a baseline measured in the same run (these machines are noisy, ratios are not):
- fitting the 21 parameters with fsrs-rs (target < 1 s; known: about 0.02 s), against just building
  the FSRSItems it is given;
- scoring a parameter set (log loss, RMSE(bins)) against the same baseline;
- the whole `srs optimize` on a store holding the log (fit in and out of sample, save, reschedule every
  card from its log), against `srs --help`.

Run: python benchmarks/bench_optimize.py [--log PATH] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from srs.importers.revlog_csv import import_revlog, read_revlog_csv
from srs.optimizer.fit import default_parameters, fit
from srs.optimizer.history import build_dataset, histories_from_rows
from srs.optimizer.metrics import evaluate
from srs.store import Store

DEFAULT_LOG = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "review-logs-real.csv"


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not args.log.exists():
        raise SystemExit(f"no review log at {args.log}")
    log = read_revlog_csv(args.log)
    dataset = build_dataset(histories_from_rows((r.card, "real", r.at, r.rating) for r in log.reviews))
    build_items = timed(dataset.items, args.repeat)
    fit_time = timed(lambda: fit(dataset), args.repeat)
    fitted = fit(dataset)
    score_time = timed(lambda: evaluate(fitted.parameters, dataset), args.repeat)
    defaults, ours = evaluate(default_parameters(), dataset), evaluate(fitted.parameters, dataset)

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "srs.db")
        import_revlog(store, log)
        store.close()
        env_args = ["--db", str(Path(tmp) / "srs.db"), "--decks", tmp]
        command = [sys.executable, "-m", "srs", "optimize", *env_args]
        whole = timed(lambda: subprocess.run(command, check=True, capture_output=True), 3)
        baseline = timed(lambda: subprocess.run([sys.executable, "-m", "srs", "--help"], check=True,
                                                capture_output=True), 3)

    print(f"{dataset.reviews:,} reviews of {len(dataset.histories):,} cards, {len(dataset.targets):,} scored")
    print(f"fit (fsrs-rs)        {fit_time * 1000:8.1f} ms   (building the FSRSItems {build_items * 1000:.1f} ms, "
          f"ratio {fit_time / build_items:.1f})   target < 1000 ms")
    print(f"score a parameter set{score_time * 1000:8.1f} ms   "
          f"(ratio to building the items {score_time / build_items:.1f})")
    print(f"srs optimize, all    {whole * 1000:8.0f} ms   "
          f"(srs --help {baseline * 1000:.0f} ms, ratio {whole / baseline:.1f})")
    print(f"in-sample: defaults log loss {defaults.log_loss:.4f} RMSE(bins) {defaults.rmse_bins:.4f}; "
          f"fitted {ours.log_loss:.4f} / {ours.rmse_bins:.4f}")


if __name__ == "__main__":
    main()
