"""Fitting the 21 FSRS-6 parameters to a review log with fsrs-rs (through fsrs-rs-python; no torch)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from srs.optimizer.history import Dataset, Target

# Below these the fit mostly learns noise: keep the defaults and say so.
MIN_REVIEWS = 400  # reviews in the log
MIN_SCORED = 200  # of them, reviews at least a day after the card's previous one
MIN_DAYS = 7  # distinct learner days with reviews


def default_parameters() -> list[float]:
    from fsrs_rs_python import DEFAULT_PARAMETERS

    return list(DEFAULT_PARAMETERS)


@dataclass(frozen=True)
class Fit:
    parameters: list[float]
    seconds: float
    items: int


def fit(dataset: Dataset, targets: list[Target] | None = None) -> Fit:
    """Parameters fitted to the scored reviews `targets` (default: all of them)."""
    from fsrs_rs_python import FSRS

    items = dataset.items(targets)
    start = time.perf_counter()
    parameters = FSRS(default_parameters()).compute_parameters(items)
    return Fit([float(p) for p in parameters], time.perf_counter() - start, len(items))


def too_little_history(dataset: Dataset) -> str | None:
    """Why the log is too small to fit, in words; None when it is big enough."""
    reviews, scored = dataset.reviews, len(dataset.targets)
    if reviews < MIN_REVIEWS or scored < MIN_SCORED:
        return (
            f"too little history to fit: {reviews} reviews, {scored} of them a day or more after the card's "
            f"previous review (needs at least {MIN_REVIEWS} and {MIN_SCORED})"
        )
    days = dataset.review_days(enough=MIN_DAYS)
    if days < MIN_DAYS:
        return f"too little history to fit: reviews on {days} days (needs at least {MIN_DAYS})"
    return None
