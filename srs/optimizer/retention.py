"""The desired retention that minimises workload, by fsrs-rs's simulator (`optimal_retention`).

The simulator learns a deck of new cards over a year and measures the cost (seconds of review) per card
memorised, for desired retentions between 0.70 and 0.95; the learner's own rating habits, taken from the
log, replace the simulator's defaults where the log has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.optimizer.history import Dataset

MAX_DECK_SIZE = 5000  # the simulation's cost grows with the deck; beyond this the answer barely moves
NEW_PER_DAY = 20


@dataclass(frozen=True)
class RetentionAdvice:
    desired_retention: float
    deck_size: int
    learn_span_days: int


def rating_habits(dataset: Dataset) -> tuple[list[float] | None, list[float] | None]:
    """How often the first rating was Again/Hard/Good/Easy, and later passing ratings Hard/Good/Easy."""
    first = [0, 0, 0, 0]
    passing = [0, 0, 0]
    for card, history in enumerate(dataset.histories):
        if history.reviews:
            first[history.reviews[0].rating - 1] += 1
        for review, delta in zip(history.reviews[1:], dataset.deltas[card][1:]):
            if delta > 0 and review.rating > 1:
                passing[review.rating - 2] += 1
    first_p = [n / sum(first) for n in first] if sum(first) >= 50 and all(first[i] for i in (0, 2)) else None
    passing_p = [n / sum(passing) for n in passing] if sum(passing) >= 50 and passing[1] else None
    return first_p, passing_p


def optimal_retention(parameters, dataset: Dataset, learn_span_days: int = 365) -> RetentionAdvice:
    from fsrs_rs_python import default_simulator_config
    from fsrs_rs_python import optimal_retention as simulate_optimum

    config = default_simulator_config()
    deck_size = min(max(len(dataset.histories), 100), MAX_DECK_SIZE)
    config.deck_size = deck_size
    config.learn_span = learn_span_days
    config.learn_limit = NEW_PER_DAY
    first, passing = rating_habits(dataset)
    if first:
        config.first_rating_prob = first
    if passing:
        config.review_rating_prob = passing
    value = simulate_optimum(config, list(parameters))
    return RetentionAdvice(round(float(value), 3), deck_size, learn_span_days)
