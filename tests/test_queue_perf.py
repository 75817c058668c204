"""The review loop beside Anki (benchmarks/bench_queue_anki.py): per card at most 1.5x Anki's CPU and flat in
size; start-up to the first card at most half of Anki's. Ratios only: machines are shared."""

import pytest

pytest.importorskip("anki")

from benchmarks.bench_queue_anki import run


@pytest.mark.slow
def test_the_review_loop_keeps_pace_with_anki():
    small, large = run(1_000), run(10_000)
    print(small, large)
    for figures in (small, large):
        # Both commit each answer to disk before the next card (one fsync each; see the benchmark).
        assert figures["srs_card_ms"] / figures["anki_card_ms"] <= 1.5
        assert figures["srs_start_ms"] / figures["anki_start_ms"] <= 0.5
    # Flat in size: ten times the cards, about the same cost per card (as for Anki).
    assert large["srs_card_ms"] / small["srs_card_ms"] <= 1.5
