"""The review loop beside Anki (benchmarks/bench_queue_anki.py): per card at most 1.5x Anki's CPU and flat in
size; start-up to the first card at most half of Anki's. Ratios only: machines are shared."""

import pytest

pytest.importorskip("anki")

from benchmarks.bench_queue_anki import run

CARD, START = 1.5, 0.5  # the bounds: per card against Anki's, start-up against Anki's


def worst(figures: dict) -> float:
    """How close a run came to its bounds (1.0: exactly at them)."""
    return max(figures["srs_card_ms"] / figures["anki_card_ms"] / CARD,
               figures["srs_start_ms"] / figures["anki_start_ms"] / START)


def measured(size: int) -> dict:
    # Each figure is already the best of several turns taken alternately with Anki's. A burst of load on a
    # shared machine can still spoil one whole run (CI once measured Anki's start-up at 300 ms against its
    # usual 210), so a run that misses is measured once more and the better run counts.
    first = run(size)
    if worst(first) <= 1.0:
        return first
    second = run(size)
    print("measured again:", first, second)
    return min(first, second, key=worst)


@pytest.mark.slow
def test_the_review_loop_keeps_pace_with_anki():
    small, large = measured(1_000), measured(10_000)
    print(small, large)
    for figures in (small, large):
        # Both commit each answer to disk before the next card (one fsync each; see the benchmark).
        assert figures["srs_card_ms"] / figures["anki_card_ms"] <= CARD
        assert figures["srs_start_ms"] / figures["anki_start_ms"] <= START
    # Flat in size: ten times the cards, about the same cost per card (as for Anki).
    assert large["srs_card_ms"] / small["srs_card_ms"] <= 1.5
