"""Synthetic review logs: learners whose memory follows FSRS with known parameters (for tests)."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

START = 1_704_100_000  # 2024-01-01
DAY = 86_400

# A learner who forgets faster than the defaults assume (lower initial stabilities, slower growth).
TRUE_PARAMETERS = list(DEFAULT_PARAMETERS)
TRUE_PARAMETERS[0:4] = [0.08, 0.4, 1.2, 4.0]
TRUE_PARAMETERS[8] = 1.1


def recall_probability(parameters, days: float, stability: float) -> float:
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * days / stability) ** decay


def synthetic_log(cards: int, reviews_per_card: int, seed: int = 1, parameters=None) -> list[tuple[str, int, int]]:
    """(card id, rating, epoch seconds) rows; every review at least a day after the card's previous one."""
    parameters = parameters or TRUE_PARAMETERS
    fsrs = FSRS(parameters)
    rng = random.Random(seed)
    rows = []
    for card in range(cards):
        card_id = str(1_000_000 + card)
        at = START + rng.randrange(0, 20) * DAY + rng.randrange(9, 20) * 3600
        rating = rng.choices([1, 2, 3, 4], [30, 5, 55, 10])[0]
        state = getattr(fsrs.next_states(None, 0.9, 0), {1: "again", 2: "hard", 3: "good", 4: "easy"}[rating]).memory
        rows.append((card_id, rating, at))
        for _ in range(reviews_per_card - 1):
            days = max(1, round(state.stability * rng.uniform(0.4, 2.5)))
            at += days * DAY + rng.randrange(-3, 4) * 3600
            recalled = rng.random() < recall_probability(parameters, days, state.stability)
            rating = rng.choices([2, 3, 4], [10, 80, 10])[0] if recalled else 1
            name = {1: "again", 2: "hard", 3: "good", 4: "easy"}[rating]
            state = getattr(fsrs.next_states(state, 0.9, days), name).memory
            rows.append((card_id, rating, at))
    rows.sort(key=lambda r: r[2])
    return rows


def write_csv(path, rows) -> None:
    lines = ["card_id,review_rating,review_time,review_duration"]
    for card_id, rating, at in rows:
        moment = datetime.fromtimestamp(at, timezone.utc).isoformat()
        lines.append(f"{card_id},{rating},{moment},{4000 + (at % 7) * 1000}")
    path.write_text("\n".join(lines) + "\n")
