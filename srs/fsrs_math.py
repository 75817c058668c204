"""FSRS's review step over plain numbers: py-fsrs's `Scheduler.review_card`, branch for branch and term for term,
without its objects (a card, datetimes, copies). The day's preview (srs.scheduler.Planner.outcomes) and the
optimizer's replay of whole logs (srs.optimizer.replay) both step cards with it; tests/optimizer/test_replay.py
holds it to py-fsrs itself."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from datetime import timedelta

from srs import clock
from srs.clock import from_epoch, to_epoch
from srs.store import schema
from srs.store.log import FRESH, SCHEDULING

# Plain ints, as the store holds them (a replayed state is written and compared as it is).
NEW, LEARNING, REVIEW, RELEARNING = (int(s) for s in (schema.NEW, schema.LEARNING, schema.REVIEW, schema.RELEARNING))
FRESH_STATE: tuple = (NEW, *(FRESH[name] for name in SCHEDULING[1:]))  # FRESH in SCHEDULING's order, plain ints


def state_of(card) -> tuple:
    """A card's (or CardRecord's) scheduling fields in SCHEDULING's order, its state a plain int."""
    return (int(card.state), *(getattr(card, name) for name in SCHEDULING[1:]))

DAY = 86_400
# py-fsrs's constants (fsrs/scheduler.py): a stability floor, the difficulty range and the fuzz ranges.
STABILITY_MIN = 0.001
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))

# One replayed state: the SCHEDULING fields in that order.
State = tuple


def learner_days_later(at: int, days: int, offsets: DayOffsets) -> int:
    """Epoch seconds `days` of the learner's days after `at` (srs.clock.days_later): py-fsrs's `at + days`
    days, except across a DST change, where 24-hour steps can land on the wrong learner's day. `offsets`, the
    replay's own, answers for almost every review without asking the clock (the replay's hot path)."""
    due = at + days * DAY
    steady = offsets.steady(at)
    if steady is not None and steady == offsets.steady(due):
        # No change of offset within a day of either moment: both learner's days start at the day-start hour,
        # and `due` reads the same local time as `at`, `days` dates on, in the learner's day `days` on.
        return due
    return to_epoch(clock.days_later(from_epoch(at), days))


class DayOffsets(dict):
    """The local zone's UTC offset (seconds east) by UTC day (epoch seconds // DAY), for one replay: the offset
    through that whole day, or None for a day in which it changes. A day whose first and last second share an
    offset keeps it throughout, as no zone changes its clock twice within a day and back. Two localtime() calls
    a day instead of two a review. `zone` is the `time.tzname` they were read under: `time.tzset()` makes a new
    one, so a zone set again is noticed."""

    def __init__(self, zone: tuple[str, str]) -> None:
        super().__init__()
        self.zone = zone

    def day(self, day: int) -> int | None:
        """The offset through UTC day `day`, or None when it changes within it."""
        offset = self.get(day, _UNKNOWN)
        if offset is _UNKNOWN:
            start = day * DAY
            first, last = time.localtime(start).tm_gmtoff, time.localtime(start + DAY - 1).tm_gmtoff
            offset = self[day] = first if first == last else None
        return offset

    def steady(self, moment: int) -> int | None:
        """The offset at `moment` when it holds from a whole day before to a whole day after it, else None."""
        day = moment // DAY
        offset = self.day(day)
        return offset if offset is not None and self.day(day - 1) == offset == self.day(day + 1) else None


_UNKNOWN = object()


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
        self._offsets = DayOffsets(time.tzname)

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
        return self._run(cid, reviews, start, True)

    def final(self, cid: int, reviews: Sequence[tuple[int, int]], start: State = FRESH_STATE) -> State:
        """The state after the last of `reviews` (at least one): `states(...)[-1]`, without the due date (and
        its fuzz) of every review before it, which no later step reads."""
        return self._run(cid, reviews, start, False)[-1]

    def _run(self, cid: int, reviews: Sequence[tuple[int, int]], start: State, every: bool) -> list[State]:
        """The states after each review (`every`), or after the last alone."""
        w = self.w
        w9, w10, w11, w12, w13, w14, w15, w16, w19 = (w[i] for i in (9, 10, 11, 12, 13, 14, 15, 16, 19))
        e, e_w8, forget_short = math.e, self.e_w8, self.forget_short
        factor, decay, interval_factor, maximum = self.factor, self.decay, self.interval_factor, self.maximum_interval
        initial_s, initial_d, short_term, delta_d = self.initial_s, self.initial_d, self.short_term, self.delta_d
        revert_a, revert_b = self.reversion
        fuzz = self.fuzz
        offsets = self._offsets
        if offsets.zone is not time.tzname:  # the zone was set again since (time.tzset): its offsets may differ
            offsets = self._offsets = DayOffsets(time.tzname)
        out = []
        state, step, s, d, _, last, reps, lapses = start
        final = len(reviews) - 1
        for n, (at, rating) in enumerate(reviews):
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
            if was == REVIEW and rating == 1:
                lapses += 1
            if every or n == final:
                if in_days:
                    days = min(max(round((s / factor) * interval_factor), 1), maximum)
                    if fuzz and days >= 2.5:
                        days = self._fuzzed(days, f"{cid}:{reps}")
                    due = learner_days_later(at, days, offsets)
                else:
                    due = at + seconds
                out.append((state, step, s, d, due, at, reps + 1, lapses))
            reps += 1
            last = at
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


