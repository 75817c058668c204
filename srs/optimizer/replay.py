"""Replaying a card's review log: its state as if it had always been scheduled with today's settings.

Used after fitting new parameters (every card is rescheduled from its log), by `srs undo` of an import and
by the importers (an imported history sets the card's state). Only the scheduling fields are replayed;
suspension, burying, flags and the leech mark stay as they are. The log's states before and after each
answer are rewritten to the replayed ones, so `srs undo` still puts a card back exactly as the log says.

`Replayer` is py-fsrs's `Scheduler.review_card` (fsrs 6.x), as Planner.review calls it, unrolled over plain
numbers: the same expressions in the same order, so it gives bit-for-bit the same stability, difficulty,
step, state and due (fuzz included: drawn from the same per-card seed) without a datetime, a Card copy or a
seeded generator per review. tests/optimizer/test_replay.py holds the Planner-based replay it replaced as
its oracle. Replaying the 12,580-review real log takes about 30 ms with it, against 1.6 s through Planner.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from srs.store import schema
from srs.store.log import FRESH, SCHEDULING
from srs.store.store import CardRecord

# Plain ints, as the store holds them (a replayed state is written and compared as it is).
NEW, LEARNING, REVIEW, RELEARNING = (int(s) for s in (schema.NEW, schema.LEARNING, schema.REVIEW, schema.RELEARNING))

FRESH_STATE: tuple = (NEW, *(FRESH[name] for name in SCHEDULING[1:]))  # FRESH in SCHEDULING's order, plain ints

DAY = 86_400
# py-fsrs's constants (fsrs/scheduler.py): a stability floor, the difficulty range and the fuzz ranges.
STABILITY_MIN = 0.001
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))

# One replayed state: the SCHEDULING fields in that order.
State = tuple


@dataclass(frozen=True, slots=True)
class Step:
    """One replayed review: the card's scheduling fields before and after it."""

    at: int
    rating: int
    before: dict
    after: dict


def _seconds(interval: timedelta) -> int:
    """A learning step as whole seconds, as `int((review time + step).timestamp())` counts it."""
    return interval // timedelta(seconds=1)


class Replayer:
    """One fsrs.Scheduler's review_card over plain tuples (see the module's docstring). The loop is written
    out in one function, with every per-rating constant computed once: this is the rescheduling's hot path."""

    def __init__(self, scheduler) -> None:
        w = self.w = tuple(scheduler.parameters)
        self.decay = scheduler._DECAY
        self.factor = scheduler._FACTOR
        self.maximum_interval = scheduler.maximum_interval
        self.fuzz = scheduler.enable_fuzzing
        self.interval_factor = (scheduler.desired_retention ** (1 / self.decay)) - 1
        self.learning = self._steps(scheduler.learning_steps)
        self.relearning = self._steps(scheduler.relearning_steps)
        ratings = range(5)  # indexed by rating; 0 unused
        # _initial_stability, _initial_difficulty(clamp=True), and the rating's terms in _short_term_stability
        # and _next_difficulty, as py-fsrs computes them.
        self.initial_s = tuple(max(w[r - 1], STABILITY_MIN) for r in ratings)
        self.initial_d = tuple(
            min(max(w[4] - (math.e ** (w[5] * (r - 1))) + 1, MIN_DIFFICULTY), MAX_DIFFICULTY) for r in ratings
        )
        self.short_term = tuple(math.e ** (w[17] * (r - 3 + w[18])) for r in ratings)
        self.delta_d = tuple(-(w[6] * (r - 3)) for r in ratings)
        easy_difficulty = w[4] - (math.e ** (w[5] * (4 - 1))) + 1  # _initial_difficulty(Easy, clamp=False)
        self.reversion = (w[7] * easy_difficulty, 1 - w[7])
        self.e_w8 = math.e ** w[8]
        self.forget_short = math.e ** (w[17] * w[18])
        self._random = random.Random()

    @staticmethod
    def _steps(steps: Sequence[timedelta]) -> tuple[tuple[int, ...], int]:
        """Each step's interval in seconds, and Hard's on the first step."""
        if not steps:
            return (), 0
        hard = steps[0] * 1.5 if len(steps) == 1 else (steps[0] + steps[1]) / 2.0
        return tuple(_seconds(s) for s in steps), _seconds(hard)

    def states(self, cid: int, reviews: Sequence[tuple[int, int]], start: State = FRESH_STATE) -> list[State]:
        """The state after each (epoch seconds, rating) review, in order, from `start`; py-fsrs's
        review_card, branch for branch and term for term."""
        w = self.w
        w9, w10, w11, w12, w13, w14, w15, w16, w19 = (w[i] for i in (9, 10, 11, 12, 13, 14, 15, 16, 19))
        e, e_w8, forget_short = math.e, self.e_w8, self.forget_short
        factor, decay, interval_factor, maximum = self.factor, self.decay, self.interval_factor, self.maximum_interval
        initial_s, initial_d, short_term, delta_d = self.initial_s, self.initial_d, self.short_term, self.delta_d
        revert_a, revert_b = self.reversion
        fuzz = self.fuzz
        out = []
        state, step, s, d, _, last, reps, lapses = start
        for at, rating in reviews:
            was = state
            elapsed = (at - last) // DAY if last is not None else None
            if state == NEW:
                state, step = LEARNING, 0
            # -- memory: stability and difficulty
            if s is None or d is None:  # a new card's first answer (learning state)
                s, d = initial_s[rating], initial_d[rating]
            else:
                if elapsed is not None and elapsed < 1:
                    increase = short_term[rating] * (s ** -w19)
                    if rating > 1 and increase < 1.0:
                        increase = 1.0
                    s = s * increase
                else:
                    r = (1 + factor * (elapsed if elapsed and elapsed > 0 else 0) / s) ** decay
                    if rating == 1:
                        long_term = w11 * (d ** -w12) * (((s + 1) ** (w13)) - 1) * (e ** ((1 - r) * w14))
                        short = s / forget_short
                        s = long_term if long_term < short else short
                    else:
                        s = s * (
                            1 + e_w8 * (11 - d) * (s ** -w9) * ((e ** ((1 - r) * w10)) - 1)
                            * (w15 if rating == 2 else 1) * (w16 if rating == 4 else 1)
                        )
                if s < STABILITY_MIN:
                    s = STABILITY_MIN
                damped = d + (10.0 - d) * delta_d[rating] / 9.0
                d = revert_a + revert_b * damped
                d = MIN_DIFFICULTY if d < MIN_DIFFICULTY else MAX_DIFFICULTY if d > MAX_DIFFICULTY else d
            # -- the next interval: days in the review state, else a (re)learning step in seconds
            in_days = False
            seconds = 0
            if state == REVIEW:
                if rating == 1 and self.relearning[0]:
                    state, step, seconds = RELEARNING, 0, self.relearning[0][0]
                else:
                    in_days = True
            else:
                steps, hard = self.learning if state == LEARNING else self.relearning
                if not steps or (step >= len(steps) and rating > 1):
                    state, step, in_days = REVIEW, None, True
                elif rating == 1:
                    step, seconds = 0, steps[0]
                elif rating == 2:
                    seconds = hard if step == 0 else steps[step]
                elif rating == 3 and step + 1 < len(steps):
                    step += 1
                    seconds = steps[step]
                else:  # Good on the last step, or Easy
                    state, step, in_days = REVIEW, None, True
            if in_days:
                days = min(max(round((s / factor) * interval_factor), 1), maximum)
                if fuzz and days >= 2.5:
                    days = self._fuzzed(days, f"{cid}:{reps}")
                due = at + days * DAY
            else:
                due = at + seconds
            if was == REVIEW and rating == 1:
                lapses += 1
            reps += 1
            last = at
            out.append((state, step, s, d, due, at, reps, lapses))
        return out

    def _fuzzed(self, days: int, seed: str) -> int:
        """py-fsrs's _get_fuzzed_interval, with Planner's reproducible draw (one, seeded by "cid:reps")."""
        delta = 1.0
        for start, end, factor in FUZZ_RANGES:
            delta += factor * max(min(float(days), end) - start, 0.0)
        low, high = round(days - delta), round(days + delta)
        low, high = max(2, low), min(high, self.maximum_interval)
        low = min(low, high)
        self._random.seed(seed)
        return min(round((self._random.random() * (high - low + 1)) + low), self.maximum_interval)


def _state(card: CardRecord) -> State:
    return tuple(getattr(card, name) for name in SCHEDULING)


def replayer_for(planner, settings) -> Replayer:
    """The Replayer of `planner`'s scheduler for `settings` (built, and so validated, by fsrs once)."""
    return Replayer(planner.scheduler(settings))


def replay(planner, settings, card: CardRecord, reviews: list[tuple[int, int]]) -> list[Step]:
    """Replay (epoch seconds, rating) reviews, in time order, from a new card."""
    states = replayer_for(planner, settings).states(card.cid, reviews)
    befores = [FRESH_STATE, *states[:-1]]
    return [
        Step(at, rating, dict(zip(SCHEDULING, before)), dict(zip(SCHEDULING, after)))
        for (at, rating), before, after in zip(reviews, befores, states)
    ]


# -- rescheduling cards from the store's log ----------------------------------------------------------------


def replay_logs(logs, cards: dict[int, CardRecord], settings_for: Callable) -> tuple[list, list]:
    """The card and log updates that replaying `logs` ({cid: [LogRow, ...]}, srs/store/log.py) gives:
    (cid, state) for every card whose state changes, and (log row, before, after) for every review."""
    replayers: dict = {}
    card_updates, log_updates = [], []
    for cid, log in logs.items():
        card = cards[cid]
        replayer = replayers.get(card.deck_id)
        if replayer is None:
            replayer = replayers[card.deck_id] = settings_for(card.deck_id)
        if not log:
            final = FRESH_STATE
        else:
            states = replayer.states(cid, [(r.reviewed_at, r.rating) for r in log])
            before = FRESH_STATE
            for review, after in zip(log, states):
                log_updates.append((review, before, after))
                before = after
            final = states[-1]
        if final != _state(card):
            card_updates.append((cid, final))
    return card_updates, log_updates


def _settings_for(store) -> Callable:
    from srs.scheduler import Planner
    from srs.session import scheduler_settings

    planner = Planner()
    return lambda deck_id: replayer_for(planner, scheduler_settings(store, deck_id))


def replay_cards(store, conn, cids: list[int]) -> None:
    """Inside the caller's transaction `conn`: replay these cards from what their logs hold now (a card with
    no log left is new again) and write the result."""
    from srs.store import history

    logs, cards = history.logs_to_replay(conn, cids=cids)
    card_updates, log_updates = replay_logs(logs, cards, _settings_for(store))
    history.write_replay(conn, SCHEDULING, card_updates, log_updates)


# Before writing, the replay is computed outside the write lock; were the store changed meanwhile by another
# connection, it is computed again, and after this many tries inside the lock.
OPTIMISTIC_TRIES = 3
# Log rows are written this many to a transaction (about 0.1 s each), before the cards and the settings.
LOG_ROWS_PER_TRANSACTION = 20_000
CARDS_PER_TRANSACTION = 50_000  # about 0.4 s of write lock each


def reschedule(store, deck_ids: list[str] | None = None, *, save_settings: dict | None = None, progress=None) -> int:
    """Recompute every reviewed card's state from its log with its deck's current settings.

    `save_settings` (key -> value) are written in the same transaction as the cards (up to
    CARDS_PER_TRANSACTION of them; see `_write_cards`): the new parameters and the cards rescheduled with
    them are committed together or not at all. No write lock is held while the replay is computed: it reads
    a snapshot, replays, picks the log rows that change, writes them in short transactions, and then the cards and
    settings, in a transaction that first checks that no other connection has committed since the snapshot
    (else all is computed again; rows already right are not rewritten). So an answer given meanwhile
    elsewhere is never lost, and at 100k cards no transaction lasts a second. The log rows are the replay's
    record, derived from the log: were the process stopped before the last transaction, they would show the
    new states while cards and settings kept the old (`srs optimize` again puts them in step). Returns how
    many cards were rescheduled.
    """
    from srs.store import history

    if deck_ids is not None and not deck_ids:
        return 0
    save_settings = save_settings or {}
    for _ in range(OPTIMISTIC_TRIES):
        with history.read_snapshot(store) as (conn, version):
            logs, cards = history.logs_to_replay(conn, deck_ids)
        card_updates, log_updates = replay_logs(logs, cards, _settings_for_saving(store, save_settings))
        rows = history.log_rows(log_updates)
        for start in range(0, len(rows), LOG_ROWS_PER_TRANSACTION):
            with store.transaction() as conn:
                history.write_log_rows(conn, rows[start:start + LOG_ROWS_PER_TRANSACTION])
        history.stage_cards(store.conn, SCHEDULING, card_updates)
        if not _write_cards(store, version, save_settings):
            continue
        if progress:
            progress(len(logs), len(logs))
        return len(logs)
    with store.transaction() as conn:  # the store kept changing: compute and write inside one lock
        return _reschedule_in(store, conn, deck_ids, save_settings, progress)


def _write_cards(store, version: int, save_settings: dict) -> bool:
    """The staged cards, and then the settings with the last of them; False (and the settings unwritten) when
    another connection committed since the snapshot `version`. Up to CARDS_PER_TRANSACTION cards (any
    collection but a huge one) are written in the settings' transaction, so both are committed together or
    not at all; beyond that, in transactions of that many cards, each checked, the settings in the last:
    were the process stopped between them, some cards would hold the new states under the old parameters
    (valid FSRS states; `srs optimize` again finishes the job)."""
    from srs.store import history

    cids = history.staged_card_ids(store.conn)
    bounds = [(cids[i], cids[min(i + CARDS_PER_TRANSACTION, len(cids)) - 1])
              for i in range(0, len(cids), CARDS_PER_TRANSACTION)] or [(0, -1)]
    try:
        for n, (first, last) in enumerate(bounds):
            with store.transaction() as conn:
                if not history.unchanged_since(conn, version):
                    return False
                history.write_staged_cards(conn, SCHEDULING, first, last)
                if n == len(bounds) - 1:
                    history.put_settings(conn, save_settings)
        return True
    finally:
        history.clear_staged_cards(store.conn)


def _reschedule_in(store, conn, deck_ids, save_settings: dict, progress) -> int:
    from srs.store import history

    history.put_settings(conn, save_settings)
    logs, cards = history.logs_to_replay(conn, deck_ids)
    card_updates, log_updates = replay_logs(logs, cards, _settings_for(store))
    history.write_replay(conn, SCHEDULING, card_updates, log_updates)
    if progress:
        progress(len(logs), len(logs))
    return len(logs)


def _settings_for_saving(store, save_settings: dict) -> Callable:
    """Each deck's replayer with `save_settings` as they will be once written (they are not yet)."""
    from srs.scheduler import Planner
    from srs.session import scheduler_settings

    planner = Planner()
    overlay = _SettingsOverlay(store, save_settings)
    return lambda deck_id: replayer_for(planner, scheduler_settings(overlay, deck_id))  # type: ignore[arg-type]


class _SettingsOverlay:
    """The store as scheduler_settings reads it, with settings about to be saved in place of the stored."""

    def __init__(self, store, values: dict) -> None:
        self._store, self._values = store, values

    def setting(self, key: str, default=None):
        if key in self._values:
            return self._values[key]
        return self._store.setting(key, default)

    def deck_options(self):
        return self._store.deck_options()
