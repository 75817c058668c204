"""The day's queue, computed in SQL on the card indexes: learning cards due, reviews, then new cards.

Limits are per deck (deck options, else the global settings) and overall (the global settings), and
count what was already answered today, where the day starts at 4 a.m. local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, zip_longest

from srs.clock import day_end, day_start, to_epoch
from srs.store.schema import LEARNING, NEW, RELEARNING, REVIEW
from srs.store.store import Store

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class Limits:
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    decks: dict = field(default_factory=dict, hash=False, compare=False)  # deck id -> its own limits
    new_order: str = "interleaved"  # or "deck" (deck by deck) or "random"

    @classmethod
    def from_store(cls, store: Store) -> Limits:
        return cls(
            store.setting("new_per_day", DEFAULT_NEW_PER_DAY),
            store.setting("reviews_per_day", DEFAULT_REVIEWS_PER_DAY),
        )

    @classmethod
    def from_settings(cls, settings, store: Store) -> Limits:
        """The learner's settings (srs/settings.py) over each deck's YAML options."""
        options = store.deck_options()
        names = ("new_per_day", "reviews_per_day")
        return cls(
            settings.get("new_per_day"),
            settings.get("reviews_per_day"),
            {deck: {n: settings.get(n, deck, options[deck]) for n in names} for deck in options},
            settings.get("new_order"),
        )


@dataclass
class DayQueue:
    learning: list[int] = field(default_factory=list)  # due now
    review: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    learning_ahead: list[int] = field(default_factory=list)  # due within LEARN_AHEAD
    learning_later: int = 0  # due later today

    def next_cid(self) -> int | None:
        for cid in chain(self.learning, self.review, self.new, self.learning_ahead):
            return cid
        return None

    def counts(self) -> dict[str, int]:
        return {
            "learning": len(self.learning) + len(self.learning_ahead),
            "review": len(self.review),
            "new": len(self.new),
        }


def build_queue(store: Store, now: datetime, deck_ids: list[str], limits: Limits) -> DayQueue:
    queue = DayQueue()
    if not deck_ids:
        return queue
    done = store.answered_since(day_start(now))
    options = store.deck_options()
    now_s, end_s, ahead_s = to_epoch(now), to_epoch(day_end(now)), to_epoch(now + LEARN_AHEAD)
    new_left = max(limits.new_per_day - sum(d["new"] for d in done.values()), 0)
    reviews_left = max(limits.reviews_per_day - sum(d["review"] for d in done.values()), 0)
    db = store.conn
    learning: list[tuple[int, int]] = []
    reviews: list[tuple[int, int]] = []
    new_by_deck: list[list[int]] = []
    for deck_id in deck_ids:
        deck_done = done.get(deck_id, {"new": 0, "review": 0})
        opts = {**options.get(deck_id, {}), **limits.decks.get(deck_id, {})}
        # States are literals, not parameters: SQLite uses a partial index only when it can prove the
        # query's WHERE implies the index's, and it cannot see through a bound parameter.
        learning += db.execute(
            f"SELECT due, cid FROM cards WHERE deck_id = ? AND state IN ({LEARNING}, {RELEARNING}) AND due < ? "
            "AND active = 1 AND suspended = 0 AND buried_until <= ?",
            [deck_id, end_s, now_s],
        ).fetchall()
        deck_reviews = min(opts.get("reviews_per_day", limits.reviews_per_day) - deck_done["review"], reviews_left)
        if deck_reviews > 0:
            reviews += db.execute(
                f"SELECT due, cid FROM cards WHERE deck_id = ? AND state = {REVIEW} AND due < ? AND active = 1 "
                "AND suspended = 0 AND buried_until <= ? ORDER BY due LIMIT ?",
                [deck_id, end_s, now_s, deck_reviews],
            ).fetchall()
        deck_new = min(opts.get("new_per_day", limits.new_per_day) - deck_done["new"], new_left)
        if deck_new > 0:
            new_by_deck.append(
                [
                    row[0]
                    for row in db.execute(
                        f"SELECT cid FROM cards WHERE deck_id = ? AND state = {NEW} AND active = 1 AND suspended = 0 "
                        f"AND buried_until <= ? ORDER BY {_new_order(limits, now)} LIMIT ?",
                        [deck_id, now_s, deck_new],
                    )
                ]
            )
    learning.sort()
    queue.learning = [cid for due, cid in learning if due <= now_s]
    queue.learning_ahead = [cid for due, cid in learning if now_s < due <= ahead_s]
    queue.learning_later = sum(1 for due, _ in learning if due > ahead_s)
    reviews.sort()
    queue.review = [cid for _, cid in reviews[:reviews_left]]
    # Decks take turns, so one large deck does not hold back the others' new cards.
    if limits.new_order == "interleaved":
        ordered = [cid for group in zip_longest(*new_by_deck) for cid in group if cid is not None]
    else:
        ordered = [cid for group in new_by_deck for cid in group]
        if limits.new_order == "random":
            import random

            random.Random(to_epoch(day_start(now))).shuffle(ordered)
    queue.new = ordered[:new_left]
    return queue


def _new_order(limits: Limits, now: datetime) -> str:
    """SQL ORDER BY for a deck's new cards: file order, or shuffled the same way all day."""
    if limits.new_order != "random":
        return "idx, ord"
    seed = to_epoch(day_start(now)) % 1_000_003
    return f"(cid * 2654435761 + {seed}) % 4294967311, cid"
