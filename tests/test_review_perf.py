"""The review benchmark's targets, at full scale (100,000 items, 1,000,000 logged reviews), as ratios."""

import pytest

from benchmarks.bench_review import run


@pytest.mark.slow
def test_review_at_scale_meets_its_targets():
    figures = run(items=100_000, reviews=1_000_000)
    print(figures)
    # Each against the baseline measured beside it in the same run (session 8, idle: queue 5.2 ms against a
    # 517 ms full scan; first card 161 ms against 22 ms for `python -c pass`). The bounds leave room for
    # noise, not for a regression in kind. An answer is committed to disk (synchronous=FULL, as Anki), so it
    # is held to a bare UPDATE+INSERT commit with the same durability (benchmarks/bench_durability.py sets it
    # beside Anki's answer).
    assert figures["queue_ms"] < 0.1 * figures["queue_baseline_ms"]
    assert figures["answer_ms"] < 6 * figures["answer_baseline_ms"]  # 2.5x measured at 2,000 items, loaded
    assert figures["startup_ms"] < 15 * figures["startup_baseline_ms"]
    assert figures["peak_mb"] < 200
