"""FSRS scheduling through the `fsrs` package, applied to the store's card records.

The `fsrs` package decides every interval; this module only converts between its Card and our
CardRecord and makes the fuzz reproducible, so the interval shown on the "Good" button is the one the
answer then gets. `fsrs` is imported on first use: a review shows its first question without it.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from srs.clock import days_later, from_epoch, to_epoch
from srs.domain import Rating, State
from srs.store.schema import NEW, REVIEW
from srs.store.store import CardRecord

if TYPE_CHECKING:
    import fsrs

RATINGS = {int(r): r.label for r in Rating}  # {1: "Again", ..., 4: "Easy"}


@dataclass(frozen=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    parameters: tuple[float, ...] | None = None  # None: FSRS-6 defaults

    def build(self) -> fsrs.Scheduler:
        import fsrs

        kwargs: dict[str, Any] = dict(
            desired_retention=self.desired_retention,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            maximum_interval=self.maximum_interval,
            enable_fuzzing=self.fuzz,
        )
        if self.parameters is not None:
            kwargs["parameters"] = self.parameters
        return fsrs.Scheduler(**kwargs)


@dataclass
class Planner:
    """Schedules cards with one fsrs.Scheduler per distinct setting (decks may override retention)."""

    settings: SchedulerSettings = field(default_factory=SchedulerSettings)
    _cache: dict = field(default_factory=dict)
    _replayers: dict = field(default_factory=dict)

    def scheduler(self, settings: SchedulerSettings | None = None) -> fsrs.Scheduler:
        settings = settings or self.settings
        if settings not in self._cache:
            self._cache[settings] = settings.build()
        return self._cache[settings]

    def review(
        self, card: CardRecord, rating: int, now: datetime, settings: SchedulerSettings | None = None
    ) -> CardRecord:
        """The card after answering `rating` at `now`; the input is not changed."""
        import fsrs

        scheduler = self.scheduler(settings)
        with _reproducible_fuzz(card):
            after, _ = scheduler.review_card(to_fsrs(card), fsrs.Rating(rating), review_datetime=now)
        return _answered(card, rating, after, now)

    def outcomes(
        self, card: CardRecord, now: datetime, settings: SchedulerSettings | None = None
    ) -> dict[int, CardRecord]:
        """The card after each rating at `now`, as review() gives them: what a reviewer previews, and then
        records for the rating chosen. Stepped with srs.fsrs_math (py-fsrs's arithmetic over plain numbers, the
        same fuzz draw), a quarter of py-fsrs's cost per card; tests/test_session.py holds it to review()."""
        from srs.fsrs_math import Replayer, state_of
        from srs.store.log import SCHEDULING

        key = settings or self.settings
        replayer = self._replayers.get(key)
        if replayer is None:
            replayer = self._replayers[key] = Replayer(self.scheduler(settings))
        start, at = state_of(card), to_epoch(now)
        return {rating: card.with_memory(dict(zip(SCHEDULING, replayer.states(card.cid, [(at, rating)], start)[0])))
                for rating in RATINGS}

    def preview(
        self, card: CardRecord, now: datetime, settings: SchedulerSettings | None = None
    ) -> dict[int, timedelta]:
        """For each rating, how long until the card would be due again."""
        return intervals(self.outcomes(card, now, settings), now)

    def retrievability(self, card: CardRecord, now: datetime) -> float | None:
        if card.state == NEW or card.stability is None:
            return None
        return self.scheduler().get_card_retrievability(to_fsrs(card), current_datetime=now)


def intervals(outcomes: dict[int, CardRecord], now: datetime) -> dict[int, timedelta]:
    """For each rating, how long from `now` until the card in `outcomes` (Planner.outcomes) is due."""
    return {rating: from_epoch(after.due or 0) - now for rating, after in outcomes.items()}


def _answered(card: CardRecord, rating: int, after: fsrs.Card, now: datetime) -> CardRecord:
    """Our record of `card` after fsrs scheduled it (`after`) for `rating` at `now`."""
    lapse = card.state == REVIEW and rating == 1
    due = after.due
    if int(after.state) == REVIEW:  # py-fsrs adds whole 24-hour days; count them as learner's days (as fsrs_math does)
        due = days_later(now, round((after.due - now) / timedelta(days=1)))
    return card.with_memory(
        {
            "state": int(after.state),
            "step": after.step,
            "stability": after.stability,
            "difficulty": after.difficulty,
            "due": to_epoch(due),
            "last_review": to_epoch(after.last_review or now),  # fsrs sets it to the review's time
            "reps": card.reps + 1,
            "lapses": card.lapses + int(lapse),
        }
    )


def to_fsrs(card: CardRecord) -> fsrs.Card:
    import fsrs

    if card.state == NEW:
        return fsrs.Card(card_id=card.cid, state=fsrs.State.Learning, step=0)
    return fsrs.Card(
        card_id=card.cid,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        # A card past "new" always has a due time; fsrs's own default (now) stands in if a store lacks one.
        **({"due": from_epoch(card.due)} if card.due is not None else {}),
        last_review=from_epoch(card.last_review) if card.last_review is not None else None,
    )


def _seed(card: CardRecord) -> str:
    return f"{card.cid}:{card.reps}"


@contextmanager
def _reproducible_fuzz(card: CardRecord):
    # fsrs draws fuzz from the module-level random(); seed it per card and repetition (as Anki does)
    # so a preview and the real answer agree.
    import fsrs.scheduler as fsrs_scheduler

    original = fsrs_scheduler.random
    fsrs_scheduler.random = random.Random(_seed(card)).random
    try:
        yield
    finally:
        fsrs_scheduler.random = original


def format_interval(delta: timedelta) -> str:
    """Anki's short style: 45s, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return f"{round(seconds)}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".rstrip("0").rstrip(".") + "mo"
    return f"{days / 365:.1f}".rstrip("0").rstrip(".") + "y"


STATE_NAMES = {int(s): s.label for s in State}  # {0: "new", ..., 3: "relearning"}
