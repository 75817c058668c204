"""A review session: which card comes next, and what answering, undoing, burying and flagging do.

The session is the core behind `srs review`, `srs quiz` and `srs answer`; it knows no terminal. Each
answer is committed to the store before `answer` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from srs.cardview import CardView, build_view
from srs.clock import day_end, to_epoch
from srs.queue import DayQueue, Limits, build_queue
from srs.scheduler import Planner, SchedulerSettings
from srs.store.schema import NEW
from srs.store.store import Answer, CardRecord, Store


@dataclass
class Tally:
    reviewed: int = 0
    correct: int = 0  # rated Hard, Good or Easy
    seconds: float = 0.0
    leeches: list[str] = field(default_factory=list)

    def add(self, answer: Answer, duration_ms: int | None) -> None:
        self.reviewed += 1
        self.correct += answer.rating > 1
        self.seconds += (duration_ms or 0) / 1000
        if answer.leech_suspended:
            self.leeches.append(answer.card.uid)

    def remove(self, rating: int) -> None:
        self.reviewed -= 1
        self.correct -= rating > 1


def scheduler_settings(store: Store, deck_id: str | None = None, settings=None) -> SchedulerSettings:
    """FSRS settings for a deck: its own fitted parameters where it has them, and retention, steps and
    maximum interval from the learner's settings over the deck's YAML options (srs/settings.py)."""
    from srs.settings import current

    settings = settings or current()
    params = store.setting(f"fsrs_parameters:{deck_id}") if deck_id else None
    params = params or store.setting("fsrs_parameters")
    options = store.deck_options().get(deck_id, {}) if deck_id else {}
    # Before the settings file existed the retention lived in the store; it stays the default.
    options = {"desired_retention": store.setting("desired_retention", 0.9), **options}
    return SchedulerSettings(
        desired_retention=settings.get("desired_retention", deck_id, options),
        learning_steps=settings.steps("learning_steps", deck_id, options),
        relearning_steps=settings.steps("relearning_steps", deck_id, options),
        maximum_interval=settings.get("maximum_interval", deck_id, options),
        parameters=tuple(params) if params else None,
        fuzz=store.setting("fuzz", True),
    )


class Session:
    def __init__(self, store: Store, deck_ids: list[str], clock: Callable[[], datetime], limits: Limits | None = None,
                 settings=None):
        from srs.settings import current

        self.store = store
        self.deck_ids = deck_ids
        self.clock = clock
        self.settings = settings or current()
        self.limits = limits or Limits.from_settings(self.settings, store)
        self.planner = Planner()
        self.tally = Tally()
        self._answered: list[int] = []  # log rows of this session, newest last: what `u` may undo
        self.reload_decks()

    def reload_decks(self) -> None:
        """Read deck titles, options and scheduler settings again (after the decks were synced anew)."""
        self._titles = self.store.deck_titles()
        self._options = self.store.deck_options()
        self._settings: dict[str, SchedulerSettings] = {}

    # -- what comes next ----------------------------------------------------------------------------

    def queue(self) -> DayQueue:
        return build_queue(self.store, self.clock(), self.deck_ids, self.limits)

    def next_view(self) -> CardView | None:
        cid = self.queue().next_cid()
        return None if cid is None else self.view(self.store.card(cid))

    def view(self, card: CardRecord) -> CardView:
        item = self.store.item(card.iid)
        typed = self._options.get(card.deck_id, {}).get("typed_answers", False)
        return build_view(card, item, self._titles.get(card.deck_id, card.deck_id), typed)

    def settings_for(self, deck_id: str) -> SchedulerSettings:
        if deck_id not in self._settings:
            self._settings[deck_id] = scheduler_settings(self.store, deck_id, self.settings)
        return self._settings[deck_id]

    def preview(self, card: CardRecord) -> dict[int, timedelta]:
        return self.planner.preview(card, self.clock(), self.settings_for(card.deck_id))

    # -- what the learner does ----------------------------------------------------------------------

    def answer(
        self,
        card: CardRecord,
        rating: int,
        *,
        response: str | None = None,
        duration_ms: int | None = None,
        source: str = "review",
    ) -> Answer:
        now = self.clock()
        after = self.planner.review(card, rating, now, self.settings_for(card.deck_id))
        answer = self.store.record_answer(
            card, after, rating, now, duration_ms=duration_ms, response=response, source=source,
            leech_lapses=self.settings.get("leech_threshold"),
            leech_suspends=self.settings.get("leech_action") == "suspend",
        )
        if self.settings.get("bury_siblings"):
            self.store.bury_siblings(card, to_epoch(day_end(now)))
        self.tally.add(answer, duration_ms)
        self._answered.append(answer.rid)
        return answer

    def undo(self) -> CardRecord | None:
        """Undo this session's last answer (not an earlier session's); None when there is none."""
        if not self._answered:
            return None
        undone = self.store.undo_last(self._answered.pop())
        if undone is None:
            return None
        card, info = undone
        self.tally.remove(info["rating"])
        return card

    def bury(self, card: CardRecord) -> None:
        """Hide the card until the next learner's day starts."""
        self.store.update_card(card.cid, buried_until=to_epoch(day_end(self.clock())))

    def suspend(self, card: CardRecord) -> None:
        self.store.update_card(card.cid, suspended=1)

    def flag(self, card: CardRecord, note: str = "needs a fix") -> None:
        self.store.update_card(card.cid, flagged=note or "needs a fix")

    def is_new(self, card: CardRecord) -> bool:
        return card.state == NEW
