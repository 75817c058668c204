"""The desired retention that minimises workload, by fsrs-rs's simulator (`optimal_retention`).

As Anki's `compute_optimal_retention` does, the simulator runs the learner's own collection for a year: every
reviewed card from its memory state, interval and due date (replayed from its log with the parameters), and
the collection's new cards introduced at the daily new-card limit, with the daily review limit. For each
desired retention between 0.70 and 0.95 it measures the seconds of review per card memorised at the end, and
Brent's method finds the minimum. The learner's rating habits, taken from the log, replace the simulator's
defaults where the log has them. docs/scheduling.md compares this with Anki's figure and says where they part.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from srs.optimizer.history import DAY_SECONDS, Dataset

LEARN_SPAN_DAYS = 365  # Anki's default "days to simulate"
NEW_PER_DAY, REVIEWS_PER_DAY = 20, 200  # srs's (and Anki's) default daily limits
# The simulation's cost grows with the collection; beyond this many cards an even sample of them is
# simulated, with the daily limits scaled by the same fraction (the objective is a ratio, so it barely moves).
MAX_SIMULATED = 5000
NO_LIMIT = 3.4e38  # f32::MAX: no cap on seconds of review a day (as Anki asks)


@dataclass(frozen=True)
class RetentionAdvice:
    desired_retention: float
    deck_size: int  # cards simulated (reviewed and new)
    learn_span_days: int


@dataclass(frozen=True, slots=True)
class CollectionCard:
    """A reviewed card as the simulator starts from it."""

    stability: float
    difficulty: float
    due: int  # epoch seconds
    last_review: int  # epoch seconds
    lapses: int
    in_review: bool  # in the review state (a card still in (re)learning is due at once)


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


def collection_cards(parameters, dataset: Dataset) -> list[CollectionCard]:
    """Each card of the dataset as replaying its log with `parameters` (and the default steps) leaves it."""
    from srs.fsrs_math import REVIEW, Replayer
    from srs.scheduler import Planner, SchedulerSettings

    replayer = Replayer(Planner().scheduler(SchedulerSettings(parameters=tuple(parameters))))
    out = []
    for n, history in enumerate(dataset.histories):
        state, _, s, d, due, last, _, lapses = replayer.final(n + 1, [(r.at, r.rating) for r in history.reviews])
        out.append(CollectionCard(s, d, due, last, lapses, state == REVIEW))
    return out


def simulator_cards(parameters, cards: Sequence[CollectionCard], new_cards: int, now: int, new_per_day: int,
                    desired_retention: float = 0.9) -> list:
    """fsrs-rs Cards as Anki's simulate_request_to_config makes them: days relative to today, then new cards
    (no memory yet) due in batches of `new_per_day`."""
    from fsrs_rs_python import Card, check_and_fill_parameters

    filled = check_and_fill_parameters(list(parameters))
    today = now // DAY_SECONDS
    out = []
    for n, card in enumerate(cards):
        c = Card()
        c.id, c.difficulty, c.stability, c.lapses = n + 1, card.difficulty, card.stability, card.lapses
        c.desired_retention, c.parameters = desired_retention, filled
        if card.in_review:
            interval = max(1, (card.due - card.last_review) // DAY_SECONDS)
            relative_due = card.due // DAY_SECONDS - today
            c.interval, c.due = float(interval), float(relative_due)
            c.last_date = float(min(relative_due - interval, 0))
        else:
            c.interval, c.due, c.last_date = 0.0, 0.0, 0.0
        out.append(c)
    for i in range(new_cards):
        c = Card()
        c.id, c.difficulty, c.stability, c.lapses = -i, -math.inf, 1e-8, 0
        c.last_date, c.due, c.interval = -math.inf, float(i // max(new_per_day, 1)), -math.inf
        c.desired_retention, c.parameters = desired_retention, filled
        out.append(c)
    return out


def optimal_retention(
    parameters,
    dataset: Dataset,
    *,
    now: int,
    new_cards: int = 0,
    new_per_day: int = NEW_PER_DAY,
    reviews_per_day: int = REVIEWS_PER_DAY,
    learn_span_days: int = LEARN_SPAN_DAYS,
) -> RetentionAdvice:
    """The desired retention that minimises seconds of review per card memorised over `learn_span_days`, for
    the dataset's cards as they stand at `now` (epoch seconds) and `new_cards` cards not yet studied."""
    from fsrs_rs_python import default_simulator_config
    from fsrs_rs_python import optimal_retention as simulate_optimum

    reviewed = collection_cards(parameters, dataset)
    total = len(reviewed) + new_cards
    keep = min(1.0, MAX_SIMULATED / total) if total else 1.0
    if keep < 1.0:  # an even sample, and daily limits scaled alike
        step = 1 / keep
        reviewed = [reviewed[int(i * step)] for i in range(int(len(reviewed) * keep))]
        new_cards = int(new_cards * keep)
        new_per_day, reviews_per_day = max(1, round(new_per_day * keep)), max(1, round(reviews_per_day * keep))
    cards = simulator_cards(parameters, reviewed, new_cards, now, new_per_day)
    config = default_simulator_config()
    config.deck_size = len(cards)
    config.learn_span = learn_span_days
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    config.max_cost_perday = NO_LIMIT
    use_rating_habits(config, dataset)
    value = simulate_optimum(config, list(parameters), cards)
    return RetentionAdvice(round(float(value), 3), total, learn_span_days)


def use_rating_habits(config, dataset: Dataset) -> None:
    """The simulator presses the buttons as this learner does, where the log says how."""
    first, passing = rating_habits(dataset)
    if first:
        config.first_rating_prob = first
    if passing:
        config.review_rating_prob = passing


def new_deck_retention(parameters, dataset: Dataset, deck_size: int, learn_span_days: int = LEARN_SPAN_DAYS) -> float:
    """srs's earlier objective, kept to show where it parts from Anki's: a deck of `deck_size` cards never
    studied, introduced at NEW_PER_DAY, with the simulator's default limits and cost cap."""
    from fsrs_rs_python import default_simulator_config
    from fsrs_rs_python import optimal_retention as simulate_optimum

    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = learn_span_days
    config.learn_limit = NEW_PER_DAY
    use_rating_habits(config, dataset)
    return round(float(simulate_optimum(config, list(parameters))), 3)
