"""The ranges srs stores and computes with. Values are checked where they enter (deck check and load,
CSV and package import, `--now`), so no stored value can crash a later command."""

from __future__ import annotations

import math
from datetime import datetime, timezone

EARLIEST_YEAR, LATEST_YEAR = 1970, 2199  # review times and clocks; due dates may run a century past
EARLIEST_EPOCH = 0
LATEST_EPOCH = int(datetime(LATEST_YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp()) - 1
MAX_DURATION_MS = 24 * 3600 * 1000  # one answer that took over a day is a broken clock, not a review
MAX_CLOZE_NUMBER = 999
MAX_CARD_ID_LENGTH = 200
YEARS = f"{EARLIEST_YEAR}-{LATEST_YEAR}"


def epoch_in_range(seconds: int) -> bool:
    return EARLIEST_EPOCH <= seconds <= LATEST_EPOCH


def check_epoch(seconds: int, what: str) -> int:
    """`seconds` back, or ValueError naming `what` when it lies outside the years srs keeps."""
    if not epoch_in_range(seconds):
        raise ValueError(f"{what} lies outside the years {YEARS}")
    return seconds


def parse_duration_ms(text: str, what: str = "review_duration") -> int:
    """Milliseconds as written (a decimal is rounded down); ValueError for anything not in 0..a day."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be milliseconds, got '{text}'") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of milliseconds, got '{text}'")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {text}")
    if value > MAX_DURATION_MS:
        raise ValueError(f"{what} must be at most {MAX_DURATION_MS} ms (a day), got {text}")
    return int(value)


def check_card_id(text: str, what: str = "card_id") -> str:
    if len(text) > MAX_CARD_ID_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_CARD_ID_LENGTH} characters")
    if not text.isprintable():
        raise ValueError(f"{what} holds a control character")
    return text
