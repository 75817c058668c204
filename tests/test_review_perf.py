"""The review benchmark's targets, at full scale: 100,000 items and 1,000,000 logged reviews."""

import pytest

from benchmarks.bench_review import run


@pytest.mark.slow
def test_review_at_scale_meets_its_targets():
    figures = run(items=100_000, reviews=1_000_000)
    print(figures)
    assert figures["queue_ms"] < 30
    # An answer is committed to disk (synchronous=FULL, as Anki): where a sync to disk is slow, its cost is
    # the disk's, so it is held to a bare UPDATE+INSERT commit with the same durability instead
    # (benchmarks/bench_durability.py sets it beside Anki's answer).
    assert figures["answer_ms"] < 1 or figures["answer_ms"] < 2 * figures["answer_baseline_ms"]
    assert figures["startup_ms"] < 300
    assert figures["peak_mb"] < 200
