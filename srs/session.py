"""A review session: which card comes next, and what answering, undoing, burying and flagging do.

The session is the core behind `srs review`, `srs quiz`, `srs due` and `srs answer`; it knows no terminal.
It builds the day's queue once and updates it in place after each action. Each action is committed to the
store before it returns, and each can be undone, newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from srs import card_actions
from srs.cardview import CardView, build_view
from srs.clock import day_end, from_epoch, learner_date, start_of_day_after, to_epoch
from srs.queue import DayQueue, Limits, Stopped, build_queue, stopped_by
from srs.scheduler import Planner, SchedulerSettings, intervals
from srs.store import actions
from srs.store import day as reads
from srs.store.schema import NEW, REVIEW
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


@dataclass
class Step:
    """One thing the learner did, as much as undoing it needs."""

    action: str  # "answer", "bury", "suspend", "flag" or "edit"
    card: CardRecord  # as it was before
    rid: int | None = None  # the answer's log row
    rating: int | None = None
    batch: int | None = None  # a bury's, suspend's or flag's batch in card_actions (srs/store/actions.py)
    restore: Callable[[], object] | None = None  # for an edit: puts the file back


@dataclass
class Undone:
    action: str
    card: CardRecord  # as it is again
    rating: int | None = None


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
        self._steps: list[Step] = []  # this session's actions, newest last: what `u` may undo
        self._queue: DayQueue | None = None
        self._previewed: tuple[CardRecord, datetime, dict[int, CardRecord]] | None = None  # see preview()
        self.reload_decks()

    def reload_decks(self) -> None:
        """Read deck titles, options and scheduler settings again (after the decks were synced anew)."""
        self._titles = self.store.deck_titles()
        self._options = self.store.deck_options()
        self._settings: dict[str, SchedulerSettings] = {}
        self._previewed = None  # scheduled under settings that may have changed
        queue = self._queue
        if queue is not None:  # an edit may have removed or suspended queued cards
            for cid in reads.gone(self.store.conn, queue.cids()):
                queue.remove(cid)

    # -- what comes next ----------------------------------------------------------------------------

    def queue(self) -> DayQueue:
        """The day's queue: built on first use, updated in place since, built anew when a new day starts."""
        now = self.clock()
        if self._queue is None or to_epoch(now) >= self._queue.day_end_s:
            self._queue = build_queue(self.store, now, self.deck_ids, self.limits, self._options)
        return self._queue

    def next_view(self) -> CardView | None:
        cid = self.queue().next_cid(self.clock())
        return None if cid is None else self.view(self.store.card(cid))

    def counts(self) -> dict[str, int]:
        return self.queue().counts(self.clock())

    def order(self) -> list[int]:
        """The cards due now, in the order a review shows them (if none comes back)."""
        return self.queue().order(self.clock())

    def stopped_by(self) -> list[Stopped]:
        """The daily limits that hold cards back today (for "nothing is due")."""
        return stopped_by(self.store, self.queue(), self.deck_ids, self.limits, self.clock())

    def next_review_days(self) -> int | None:
        """`--ahead` this many days would bring the next review into today's queue (None: no review waits)."""
        day_end_s = self.queue().day_end_s
        window_end = to_epoch(start_of_day_after(from_epoch(day_end_s), self.limits.ahead_days))
        due = reads.next_review_due(self.store.conn, self.deck_ids, window_end)
        return None if due is None else (learner_date(from_epoch(due)) - learner_date(from_epoch(day_end_s))).days + 1

    def view(self, card: CardRecord) -> CardView:
        item = self.store.item(card.iid)
        typed = self._options.get(card.deck_id, {}).get("typed_answers", False)
        return build_view(card, item, self._titles.get(card.deck_id, card.deck_id), typed)

    def deck_option(self, deck_id: str, name: str, default=None):
        return self._options.get(deck_id, {}).get(name, default)

    def settings_for(self, deck_id: str) -> SchedulerSettings:
        if deck_id not in self._settings:
            self._settings[deck_id] = scheduler_settings(self.store, deck_id, self.settings)
        return self._settings[deck_id]

    def preview(self, card: CardRecord) -> dict[int, timedelta]:
        """How long until the card is due again after each rating. The cards after each rating are kept, so
        the answer that follows records the one chosen instead of scheduling it again (as Anki's answer
        applies the states its queue computed)."""
        now = self.clock()
        outcomes = self.planner.outcomes(card, now, self.settings_for(card.deck_id))
        self._previewed = (card, now, outcomes)
        return intervals(outcomes, now)

    def _scheduled(self, card: CardRecord, rating: int, now: datetime) -> CardRecord:
        """The card after `rating` at `now`: the preview's outcome moved on to `now` where it is the same card
        and as many whole days since its last review (fsrs's only measure of elapsed time, so the result
        equals scheduling anew), else scheduled anew."""
        previewed, at, outcomes = self._previewed or (None, now, {})
        last = card.last_review
        if previewed == card and (last is None or (now - from_epoch(last)).days == (at - from_epoch(last)).days):
            after = outcomes[rating]
            shift = to_epoch(now) - to_epoch(at)
            return after.with_memory({"due": (after.due or 0) + shift, "last_review": to_epoch(now)})
        return self.planner.review(card, rating, now, self.settings_for(card.deck_id))

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
        after = self._scheduled(card, rating, now)
        self._previewed = None
        until, siblings = self._siblings_to_bury(card, now)
        buried = self.store.cards(siblings)  # as they were, for the log
        answer = self.store.record_answer(
            card, after, rating, now, duration_ms=duration_ms, response=response, source=source,
            leech_lapses=self.settings.get("leech_threshold"),
            leech_suspends=self.settings.get("leech_action") == "suspend",
            bury=dict.fromkeys(siblings, until),
            # Logged with the answer (as its batch -rid), so that undoing it, here or by `srs undo`, lifts them.
            then=(lambda conn, rid: actions.log_sibling_burials(conn, rid, card, buried, until, now))
            if buried else None,
        )
        self.tally.add(answer, duration_ms)
        self._steps.append(Step("answer", card, rid=answer.rid, rating=rating))
        if self._queue is not None:
            if answer.leech_suspended:
                self._queue.remove(card.cid)
            else:
                self._queue.answered(card.cid, answer.card.state, answer.card.due)
            for cid in siblings:
                self._queue.remove(cid)
        return answer

    def _siblings_to_bury(self, card: CardRecord, now: datetime) -> tuple[int, list[int]]:
        """(until, cids): the answered card's new and review siblings to bury until the next day, by the same
        rule the queue keeps them out by."""
        queue = self._queue
        until = queue.day_end_s if queue is not None and to_epoch(now) < queue.day_end_s else to_epoch(day_end(now))
        if not self.limits.buries_siblings(card.deck_id, self._options):
            return until, []
        return until, [cid for cid, state, buried in reads.siblings(self.store.conn, card.iid, card.cid)
                       if state in (NEW, REVIEW) and buried < until]

    def undo(self) -> Undone | None:
        """Undo this session's last action (not an earlier session's); None when there is none."""
        if not self._steps:
            return None
        step = self._steps[-1]
        if step.action == "answer":
            # Refused when the card was answered again elsewhere; gives back the siblings the answer buried.
            undone = actions.undo_answer(self.store, step.rid)
            self._steps.pop()
            if undone is None:
                return None
            card, info = undone
            self.tally.remove(info["rating"])
        else:
            if step.batch is not None:  # refused when the card changed elsewhere since
                actions.undo_batch(self.store, step.batch)
            self._steps.pop()
            if step.restore is not None:
                step.restore()
            card = self.store.card(step.card.cid)
        if self._queue is not None:
            self._queue.place(card.cid, card.state, card.due)
        return Undone(step.action, card, step.rating)

    def bury(self, card: CardRecord) -> None:
        """Hide the card until the next learner's day starts."""
        self._mark("bury", card)

    def suspend(self, card: CardRecord) -> None:
        self._mark("suspend", card)

    def flag(self, card: CardRecord, note: str = card_actions.DEFAULT_FLAG) -> None:
        self._mark("flag", card, leave_queue=False, note=note)

    def edited(self, card: CardRecord, restore: Callable[[], object]) -> None:
        """The card's deck file was edited; `restore` puts it back as it was (for undo)."""
        self._steps.append(Step("edit", card, restore=restore))

    def _mark(self, action: str, card: CardRecord, leave_queue: bool = True, **options) -> None:
        """Do `srs card ACTION` to the card: the same change, logged alike (`srs card log`)."""
        now = self.clock()
        values = card_actions.ACTIONS[action](card, now, **options)
        batch = actions.record_actions(self.store, action, card_actions.detail(options), [(card, values)], now)
        self._steps.append(Step(action, card, batch=batch))
        if leave_queue and self._queue is not None:
            self._queue.remove(card.cid)
