"""The review loop beside Anki (benchmarks/bench_queue_anki.py): per card within 2x Anki's CPU (the target is
1.5x) and flat in size; start-up to the first card at most half of Anki's. Ratios only: machines are shared."""

import pytest

pytest.importorskip("anki")

from benchmarks.bench_queue_anki import run


@pytest.mark.slow
def test_the_review_loop_keeps_pace_with_anki():
    small, large = run(1_000), run(10_000)
    print(small, large)
    for figures in (small, large):
        # The target is 1.5x, met (0.68-0.78x) before answers were synced to disk on every commit
        # (synchronous=FULL, for power cuts): that sync costs ~0.17 ms of kernel time per card here, and srs
        # now measures 1.4-1.7x Anki's 0.30-0.44 ms. The bound holds the line until the gap is closed.
        assert figures["srs_card_ms"] / figures["anki_card_ms"] <= 2.0
        assert figures["srs_start_ms"] / figures["anki_start_ms"] <= 0.5
    # Flat in size: ten times the cards, about the same cost per card (as for Anki).
    assert large["srs_card_ms"] / small["srs_card_ms"] <= 1.5
