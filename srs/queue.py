"""The day's queue: built once per session, then updated in place after each answer, bury, suspend or undo.

The order follows Anki's v3 scheduler with its default options:
- learning cards first, as soon as they are due (and, when nothing else is left, up to LEARN_AHEAD early);
- reviews of all decks mixed, most overdue first;
- new cards taken deck by deck in turn (quizzes' items included), spread evenly among the reviews; the decks
  take their turns in the order of their `position` option, then by id;
- siblings (the other cards of the same item, such as a cloze's c1 and c2) left out for the day when one of
  them is already queued; answering a card buries its new and review siblings until tomorrow. A deck turns
  this off with `options: {bury_siblings: false}`, everything with the setting `bury_siblings`.

Limits are per deck (deck options, else the global settings) and overall (the global settings), and count
what was already answered today, where the day starts at 4 a.m. local time. `srs due`, `srs review` and the
counts on screen all read the same queue, so they always agree. The SQL is srs.store.day's.
"""

from __future__ import annotations

import bisect
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import zip_longest

from srs.clock import day_end, day_start, start_of_day_after, to_epoch
from srs.store import day as reads
from srs.store.schema import LEARNING, NEW, RELEARNING
from srs.store.store import Store

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
LEARN_AHEAD = timedelta(minutes=20)
NEW_KIND, REVIEW_KIND = "new", "review"
POSITION_NONE = 10_001  # after every deck position (srs.deck.model.DeckOptions allows 0-10,000)


@dataclass(frozen=True)
class Limits:
    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    extra_new: int = 0  # `--extra-new N`: this many new cards more than today's limits allow
    ahead_days: int = 0  # `--ahead DAYS`: reviews due in the next DAYS days count as due today
    decks: dict = field(default_factory=dict, hash=False, compare=False)  # deck id -> its own limits (settings)
    new_order: str = "interleaved"  # or "deck" (deck by deck) or "random"
    bury_siblings: bool = True  # the setting's value where neither a deck's setting nor its YAML says

    @classmethod
    def from_settings(cls, settings, store: Store, *, extra_new: int = 0, ahead_days: int = 0) -> Limits:
        """The learner's settings (srs/settings.py) over each deck's YAML options, and the day's extras."""
        options = store.deck_options()
        names = ("new_per_day", "reviews_per_day", "bury_siblings")
        return cls(
            settings.get("new_per_day"),
            settings.get("reviews_per_day"),
            extra_new,
            ahead_days,
            {deck: {n: settings.get(n, deck, options[deck]) for n in names} for deck in options},
            settings.get("new_order"),
            settings.get("bury_siblings"),
        )

    def for_deck(self, deck_id: str, options: dict[str, dict]) -> dict:
        """A deck's own limits and sibling burying: the learner's settings for it over its YAML `options`."""
        return {**options.get(deck_id, {}), **self.decks.get(deck_id, {})}

    def buries_siblings(self, deck_id: str, options: dict[str, dict]) -> bool:
        return bool(self.for_deck(deck_id, options).get("bury_siblings", self.bury_siblings))


@dataclass(frozen=True)
class Stopped:
    """Why the queue holds no more new cards or reviews: the limit reached and how many cards wait behind it."""

    limit: str  # "new_per_day" or "reviews_per_day"
    value: int
    waiting: int
    overall: bool  # the overall limit (a setting), else the decks' own (deck options)


@dataclass
class DayQueue:
    day_end_s: int
    learning: list[tuple[int, int]] = field(default_factory=list)  # (due, cid), sorted; due before day_end_s
    main: deque = field(default_factory=deque)  # (cid, generation): reviews and new cards, in order
    room: dict[str, int] = field(default_factory=dict)  # how many more new cards and reviews the limits allowed
    _kind: dict[int, tuple[str, int]] = field(default_factory=dict)  # cid -> (kind, generation) while in main
    _learning_due: dict[int, int] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=lambda: {NEW_KIND: 0, REVIEW_KIND: 0})
    _generation: int = 0

    # -- reading ------------------------------------------------------------------------------------

    def next_cid(self, now: datetime) -> int | None:
        """The card to show at `now`: a learning card due, else the next review or new card, else a learning
        card due within LEARN_AHEAD."""
        now_s = to_epoch(now)
        if self.learning and self.learning[0][0] <= now_s:
            return self.learning[0][1]
        head = self._main_head()
        if head is not None:
            return head
        if self.learning and self.learning[0][0] <= to_epoch(now + LEARN_AHEAD):
            return self.learning[0][1]
        return None

    def order(self, now: datetime) -> list[int]:
        """Every card the queue holds at `now`, in the order a review shows them if none comes back."""
        now_s, ahead_s = to_epoch(now), to_epoch(now + LEARN_AHEAD)
        due = [cid for when, cid in self.learning if when <= now_s]
        ahead = [cid for when, cid in self.learning if now_s < when <= ahead_s]
        main = [cid for cid, gen in self.main if self._kind.get(cid, (None, -1))[1] == gen]
        return due + main + ahead

    def counts(self, now: datetime) -> dict[str, int]:
        ahead_s = to_epoch(now + LEARN_AHEAD)
        return {
            "learning": bisect.bisect_right(self.learning, (ahead_s, float("inf"))),
            "review": self._counts[REVIEW_KIND],
            "new": self._counts[NEW_KIND],
        }

    def cids(self) -> list[int]:
        """Every card the queue holds, learning cards due later today included."""
        return [cid for _, cid in self.learning] + [cid for cid, gen in self.main
                                                     if self._kind.get(cid, (None, -1))[1] == gen]

    # -- updating in place --------------------------------------------------------------------------

    def answered(self, cid: int, state: int, due: int | None) -> None:
        """A card was answered: out of the queue, and back among the learning cards if it is learning and due
        again today."""
        self.remove(cid)
        if state in (LEARNING, RELEARNING):
            self.place(cid, state, due)

    def remove(self, cid: int) -> None:
        """Take a card out (answered, buried, suspended); a card the queue does not hold is ignored."""
        entry = self._kind.pop(cid, None)
        if entry is not None:
            self._counts[entry[0]] -= 1
            if self.main and self.main[0][0] == cid:
                self.main.popleft()
        due = self._learning_due.pop(cid, None)
        if due is not None:
            self.learning.pop(bisect.bisect_left(self.learning, (due, cid)))

    def place(self, cid: int, state: int, due: int | None) -> None:
        """Put a card where its state says: learning by its due time (if due today), else at the front of the
        reviews and new cards (a card given back by undo is shown again first)."""
        self.remove(cid)
        if state in (LEARNING, RELEARNING):
            if due is not None and due < self.day_end_s:
                self._learning_due[cid] = due
                bisect.insort(self.learning, (due, cid))
            return
        kind = NEW_KIND if state == NEW else REVIEW_KIND
        self._generation += 1
        self.main.appendleft((cid, self._generation))
        self._kind[cid] = (kind, self._generation)
        self._counts[kind] += 1

    def _main_head(self) -> int | None:
        while self.main:
            cid, gen = self.main[0]
            if self._kind.get(cid, (None, -1))[1] == gen:
                return cid
            self.main.popleft()  # removed earlier, or placed again in front since
        return None

    def _append_main(self, cid: int, kind: str) -> None:
        self.main.append((cid, 0))
        self._kind[cid] = (kind, 0)
        self._counts[kind] += 1


def build_queue(store: Store, now: datetime, deck_ids: list[str], limits: Limits,
                options: dict[str, dict] | None = None) -> DayQueue:
    """The day's queue at `now` for these decks, in the order above."""
    end = day_end(now)
    queue = DayQueue(to_epoch(end))
    if not deck_ids:
        return queue
    options = store.deck_options() if options is None else options
    deck_ids = in_position(deck_ids, options)
    done = store.answered_since(day_start(now))
    now_s, end_s = to_epoch(now), to_epoch(end)
    reviews_before = to_epoch(start_of_day_after(end, limits.ahead_days))  # the last day ahead's end
    new_left = max(limits.new_per_day - sum(d["new"] for d in done.values()), 0) + limits.extra_new
    reviews_left = max(limits.reviews_per_day - sum(d["review"] for d in done.values()), 0)
    conn = store.conn
    seen: set[int] = set()  # items with a card queued: their other cards wait for another day
    opts = {deck_id: limits.for_deck(deck_id, options) for deck_id in deck_ids}
    bury = {deck_id: limits.buries_siblings(deck_id, options) for deck_id in deck_ids}
    shuffle_seed = to_epoch(day_start(now)) % 1_000_003 if limits.new_order == "random" else None

    for deck_id in deck_ids:
        for due, cid, iid in reads.learning_due(conn, deck_id, end_s, now_s):
            queue._learning_due[cid] = due
            queue.learning.append((due, cid))
            seen.add(iid)
    queue.learning.sort()

    reviews: list[tuple[int, int, int]] = []
    for deck_id in deck_ids:
        deck_done = done.get(deck_id, {"new": 0, "review": 0})
        wanted = min(opts[deck_id].get("reviews_per_day", limits.reviews_per_day) - deck_done["review"],
                     reviews_left)
        reviews += _gather(lambda limit, offset, d=deck_id: reads.reviews_due(conn, d, reviews_before, now_s,
                                                                              limit, offset),
                           wanted, seen if bury[deck_id] else None, iid_at=2)
    reviews.sort()
    kept_reviews = [cid for _, cid, _ in reviews[:reviews_left]]

    new_by_deck: list[list[int]] = []
    for deck_id in deck_ids:
        deck_done = done.get(deck_id, {"new": 0, "review": 0})
        wanted = min(opts[deck_id].get("new_per_day", limits.new_per_day) - deck_done["new"]
                     + limits.extra_new, new_left)
        rows = _gather(lambda limit, offset, d=deck_id: reads.new_cards(conn, d, now_s, limit, offset,
                                                                          shuffle_seed),
                       wanted, seen if bury[deck_id] else None, iid_at=1)
        new_by_deck.append([cid for cid, _ in rows])
    if limits.new_order == "interleaved":  # decks take turns, so one large deck does not hold back the others
        new = [cid for group in zip_longest(*new_by_deck) for cid in group if cid is not None][:new_left]
    else:
        new = [cid for group in new_by_deck for cid in group]
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(new)
        new = new[:new_left]

    for cid, kind in _mix(kept_reviews, new):
        queue._append_main(cid, kind)
    queue.room = {NEW_KIND: new_left - len(new), REVIEW_KIND: reviews_left - len(kept_reviews)}
    return queue


def in_position(deck_ids: list[str], options: dict[str, dict]) -> list[str]:
    """The decks in the order of their `position` option (a course's lessons in teaching order); the decks
    without one after them, in the order given (by id)."""
    return sorted(deck_ids, key=lambda deck_id: options.get(deck_id, {}).get("position", POSITION_NONE))


def _gather(fetch, wanted: int, seen: set[int] | None, iid_at: int) -> list[tuple]:
    """Up to `wanted` rows from `fetch(limit, offset)`, skipping (when `seen` is given) rows whose item
    already has a card queued; fetches again past the skipped ones."""
    if wanted <= 0:
        return []
    if seen is None:
        return fetch(wanted, 0)
    rows: list[tuple] = []
    offset = 0
    while len(rows) < wanted:
        size = wanted - len(rows) + 8
        batch = fetch(size, offset)
        offset += len(batch)
        for row in batch:
            if row[iid_at] not in seen:
                seen.add(row[iid_at])
                rows.append(row)
                if len(rows) == wanted:
                    break
        if len(batch) < size:
            break
    return rows


def _mix(reviews: list[int], new: list[int]) -> list[tuple[int, str]]:
    """New cards spread evenly among the reviews (Anki's default "mix with reviews")."""
    mixed: list[tuple[int, str]] = []
    n = r = 0
    while n < len(new) or r < len(reviews):
        if r == len(reviews) or (n < len(new) and (n + 0.5) / len(new) < (r + 0.5) / len(reviews)):
            mixed.append((new[n], NEW_KIND))
            n += 1
        else:
            mixed.append((reviews[r], REVIEW_KIND))
            r += 1
    return mixed


def stopped_by(store: Store, queue: DayQueue, deck_ids: list[str], limits: Limits, now: datetime) -> list[Stopped]:
    """Why the queue holds no more new cards or reviews: each limit that left cards out, with how many wait
    behind it. The decks' own limits where the overall one still had room."""
    exist = reads.held_back(store.conn, deck_ids, to_epoch(day_end(now)), to_epoch(now))
    counts = queue.counts(now)
    stopped = []
    for kind, setting, value in ((NEW_KIND, "new_per_day", limits.new_per_day),
                                 (REVIEW_KIND, "reviews_per_day", limits.reviews_per_day)):
        waiting = exist[kind] - counts[kind]
        if waiting > 0:
            stopped.append(Stopped(setting, value, waiting, overall=queue.room.get(kind, 0) == 0))
    return stopped
