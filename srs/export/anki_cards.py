"""srs's cards and reviews in Anki's own columns: one rule for the package export and the sync mirror.

- `item_card_keys`: which Anki card (note GUID, card ordinal) is which srs card;
- `revlog_values`: a review-log row's ease, interval, last interval, factor, time taken and kind;
- `card_columns`: a card's type, queue, due, interval, factor, reps, lapses, left and memory state.

Both follow what Anki itself writes: the time taken is capped at the deck preset's "maximum answer
seconds" (60 by default; Anki's `Card.time_taken`), the FSRS memory state is kept as Anki rounds it
(stability to 4 places, difficulty to 3) with the last review's time, and review cards are due on a day
number (see `srs.clock.learner_days`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from srs.domain import State

DAY = 86_400

# Anki's card types and queues.
TYPE_LEARN, TYPE_REVIEW, TYPE_RELEARN = 1, 2, 3
QUEUE_SUSPENDED, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = -1, 1, 2, 3
# Anki's revlog review kinds.
REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN = 0, 1, 2
# SM-2's starting ease, for learners who turn FSRS off in Anki.
DEFAULT_EASE = 2500
# Anki's default "maximum answer seconds": a longer answer is logged as this long.
MAX_ANSWER_MS = 60_000

STATE_NAMES = {int(s): s.label for s in State}  # {0: "new", ..., 3: "relearning"}


def state_name(state) -> str:
    """"new", "learning", "review" or "relearning", from the store's number or a name."""
    if isinstance(state, int):
        return STATE_NAMES.get(state, "new")
    return state if state in ("new", "learning", "review", "relearning") else "new"


def card_ordinal(card_id: str) -> int:
    """Anki's card ordinal of an srs card: a cloze note's cards by deletion (c1 is 0), else 0."""
    return int(card_id.rsplit("#c", 1)[1]) - 1 if "#c" in card_id else 0


def item_card_keys(item, guid: str) -> dict[tuple[str, int], str]:
    """(note GUID, card ordinal) -> srs card id, for the cards of `item`, whose note has GUID `guid`."""
    return {(guid, card_ordinal(card_id)): card_id for card_id in item.card_ids()}


def answer_ms(duration_ms: int | None) -> int:
    """The time taken as Anki logs it: milliseconds, at most `MAX_ANSWER_MS`."""
    return max(0, min(int(duration_ms or 0), MAX_ANSWER_MS))


def anki_factor(difficulty: float | None) -> int:
    """Anki logs FSRS difficulty (1-10) shifted to 0.1-1.1, times 1000, in the ease-factor column."""
    return round(((float(difficulty) - 1) / 9 + 0.1) * 1000) if difficulty is not None else 0


def revlog_interval(at: int, state_after: str, due_after: int | None) -> int:
    """Anki's revlog interval: days for review cards, negative seconds for (re)learning steps."""
    if due_after is None:
        return 0
    seconds = max(0, int(due_after - at))
    if state_name(state_after) == "review":
        return max(1, round(seconds / DAY))
    return -max(1, seconds)


def revlog_kind(state_before) -> int:
    return {"review": REVLOG_REVIEW, "relearning": REVLOG_RELEARN}.get(state_name(state_before), REVLOG_LEARN)


@dataclass(frozen=True)
class RevlogValues:
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    kind: int


def revlog_values(at: int, rating: int, duration_ms: int | None, state_before, state_after, due_after: int | None,
                  difficulty: float | None, last_interval: int = 0) -> RevlogValues:
    """One review as Anki logs it (`at` and `due_after` in epoch seconds; states as names or numbers)."""
    return RevlogValues(int(rating), revlog_interval(at, state_after, due_after), last_interval,
                        anki_factor(difficulty), answer_ms(duration_ms), revlog_kind(state_before))


def memory_data(stability: float | None, difficulty: float | None, last_review: int | None) -> dict:
    """The card's `data` JSON keys for its FSRS memory state, rounded as Anki rounds them."""
    if stability is None or difficulty is None:
        return {}
    data: dict = {"s": round(float(stability), 4), "d": round(float(difficulty), 3)}
    if last_review is not None:
        data["lrt"] = int(last_review)  # Anki 25.07+ keeps the last review time; older versions ignore it
    return data


@dataclass(frozen=True)
class CardColumns:
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    data: dict


def card_columns(state, due: int, last: int, reps: int, lapses: int, stability: float | None,
                 difficulty: float | None, day_number: Callable[[int], int], suspended: bool = False,
                 reviewed: bool = True) -> CardColumns:
    """An srs card that has been studied (state not "new"), in Anki's card columns.

    `due` and `last` (its last review) are epoch seconds; `day_number` gives Anki's day number of an
    epoch second in the target collection. A review card is due on a day; a (re)learning step shorter
    than a day at a time (seconds), a longer one on a day, like a review."""
    state = state_name(state)
    interval_days = max(1, round((due - last) / DAY))
    if state == "review":
        ctype, queue, due_value, ivl, left = TYPE_REVIEW, QUEUE_REVIEW, day_number(due), interval_days, 0
    else:
        ctype = TYPE_RELEARN if state == "relearning" else TYPE_LEARN
        if due - last < DAY:
            queue, due_value = QUEUE_LEARN, due
        else:
            queue, due_value = QUEUE_DAY_LEARN, day_number(due)
        ivl = interval_days if state == "relearning" else 0
        left = 1  # one learning step to go
    if suspended:
        queue = QUEUE_SUSPENDED  # its type kept
    data = memory_data(stability, difficulty, last if reviewed else None)
    return CardColumns(ctype, queue, due_value, ivl, DEFAULT_EASE, reps, lapses, left, data)
