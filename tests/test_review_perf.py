"""The review benchmark's targets, at full scale: 100,000 items and 1,000,000 logged reviews."""

import pytest

from benchmarks.bench_review import run


@pytest.mark.slow
def test_review_at_scale_meets_its_targets():
    figures = run(items=100_000, reviews=1_000_000)
    print(figures)
    assert figures["queue_ms"] < 30
    assert figures["answer_ms"] < 1
    assert figures["startup_ms"] < 300
    assert figures["peak_mb"] < 200
