"""The review log as FSRS sees it: per card, its ratings with the days between them.

Two ways of counting days are offered, because they give different memory states:

- `ELAPSED`: whole 24-hour periods since the previous review, `floor(seconds / 86400)`. This is how
  py-fsrs (`timedelta.days`), which schedules srs's cards, counts, and how the known figures for
  `review-logs-real.csv` were computed; it is the default.
- `LEARNER`: learner days, which start at 4 a.m. local time (srs.clock), like Anki's day rollover. A
  review at 11 p.m. and one at 5 a.m. the next morning are one learner day apart but zero elapsed days.

An FSRS item (fsrs-rs's unit of training and evaluation) is one review that came at least a day after
the card's previous one, together with every earlier review of the card; same-day reviews are history
but never targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

DAY_SECONDS = 86_400
QUARTER_HOUR = 900
ELAPSED, LEARNER = "elapsed", "learner"
COUNTINGS = (ELAPSED, LEARNER)


class Review(NamedTuple):  # a tuple: a log has one per review, made and read in the command's hot loops
    at: int  # epoch seconds
    rating: int  # 1-4


@dataclass(slots=True)
class CardHistory:
    key: int | str  # the store's card key (cid), or any id for histories that do not come from a store
    deck_id: str
    reviews: list[Review]


class Target:
    """One scored review: the `index`-th review of card `card` (positions in the dataset's lists). A plain
    class with slots: thousands are made per fit, and a frozen dataclass took four times as long to make."""

    __slots__ = ("at", "card", "index")

    def __init__(self, at: int, card: int, index: int) -> None:
        self.at, self.card, self.index = at, card, index

    def _key(self) -> tuple[int, int, int]:
        return self.at, self.card, self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Target(at={self.at}, card={self.card}, index={self.index})"


class Layout(NamedTuple):
    """A dataset's reviews laid end to end, card after card ("flat"), as numpy arrays."""

    start: Any  # each card's first review, flat
    position: Any  # each review's position in the dataset's targets (-1: not scored)
    flat: Any  # each target's review, flat
    first: Any  # each target's card's first review, flat


@dataclass
class Dataset:
    """Card histories with their day deltas, and the reviews FSRS scores, in time order."""

    histories: list[CardHistory]
    deltas: list[list[int]]
    targets: list[Target]
    counting: str = ELAPSED
    _ratings: list[list[int]] = field(default_factory=list, repr=False)
    cache: dict = field(default_factory=dict, repr=False)  # what depends on the log alone, computed once

    @property
    def reviews(self) -> int:
        return sum(len(h.reviews) for h in self.histories)

    def ratings(self, card: int) -> list[int]:
        return self.every_rating()[card]

    def every_rating(self) -> list[list[int]]:
        """Each card's ratings, in time order (listed once)."""
        if not self._ratings:
            self._ratings = [[r.rating for r in h.reviews] for h in self.histories]
        return self._ratings

    def review_days(self, enough: int | None = None) -> int:
        """How many distinct learner days the log spans (for the too-little-history check); counting stops
        at `enough` when given."""
        from srs.clock import from_epoch, learner_date

        # Every UTC offset and every DST change falls on a quarter hour, so the reviews of one quarter hour
        # share a learner day: each quarter hour is dated once (not every review).
        quarters = sorted({r.at // QUARTER_HOUR for h in self.histories for r in h.reviews})
        days: set = set()
        for quarter in quarters:
            days.add(learner_date(from_epoch(quarter * QUARTER_HOUR)))
            if enough is not None and len(days) >= enough:
                break
        return len(days)

    def fsrs_reviews(self) -> list[list]:
        """Each card's fsrs-rs FSRSReviews (rating, days since the previous), built once."""
        built = self.cache.get("reviews")
        if built is None:
            from fsrs_rs_python import FSRSReview

            built = self.cache["reviews"] = [
                [FSRSReview(r.rating, d) for r, d in zip(h.reviews, deltas)]
                for h, deltas in zip(self.histories, self.deltas)
            ]
        return built

    def card_items(self, cards: list[int]) -> list:
        """fsrs-rs FSRSItems of the whole history of each of `cards` (built once per card)."""
        from fsrs_rs_python import FSRSItem

        built = self.cache.setdefault("card_items", {})
        reviews = self.fsrs_reviews()
        for card in cards:
            if card not in built:
                built[card] = FSRSItem(reviews[card])
        return [built[card] for card in cards]

    def items(self, targets: list[Target] | None = None) -> list:
        """fsrs-rs FSRSItems for `targets` (default: all), in the same (time) order; each built once."""
        every = self.cache.get("items")
        if every is None:
            from fsrs_rs_python import FSRSItem

            reviews = self.fsrs_reviews()
            every = self.cache["items"] = [FSRSItem(reviews[t.card][: t.index + 1]) for t in self.targets]
        if targets is None:
            return every
        return [every[n] for n in self.positions(targets).tolist()]

    def layout(self) -> Layout:
        """Every review of every card laid end to end, card after card ("flat"), as numpy arrays (built once)."""
        built = self.cache.get("layout")
        if built is None:
            import numpy as np

            lengths = np.fromiter((len(h.reviews) for h in self.histories), dtype=np.intp, count=len(self.histories))
            start = np.zeros(len(lengths), dtype=np.intp)
            np.cumsum(lengths[:-1], out=start[1:])
            _, cards, indexes = self.columns()
            first = start[cards]
            position = np.full(int(lengths.sum()), -1, dtype=np.intp)
            position[first + indexes] = np.arange(len(self.targets))
            built = self.cache["layout"] = Layout(start, position, first + indexes, first)
        return built

    def columns(self) -> tuple[Any, Any, Any]:
        """The targets' (at, card, index) as numpy arrays, in the targets' order (made by build_dataset)."""
        return self.cache["columns"]

    def positions(self, targets: list[Target]):
        """The positions in `targets` of these targets of the dataset (its own, as `split` gives them), as a
        numpy array."""
        import numpy as np

        by_id = self.cache.get("by_id")
        if by_id is None:  # the dataset's Targets live as long as it does, so their ids name them
            by_id = self.cache["by_id"] = {id(t): n for n, t in enumerate(self.targets)}
        try:
            return np.array([by_id[id(t)] for t in targets], dtype=np.intp)
        except KeyError:  # equal Targets made elsewhere: found by card and index
            start, position, _, _ = self.layout()
            cards = np.fromiter((t.card for t in targets), dtype=np.intp, count=len(targets))
            indexes = np.fromiter((t.index for t in targets), dtype=np.intp, count=len(targets))
            return position[start[cards] + indexes]

    def split(self, fraction: float) -> tuple[list[Target], list[Target]]:
        """The earlier `fraction` of the scored reviews and the later rest, cut at a moment in time."""
        if not self.targets:
            return [], []
        cut = min(max(int(len(self.targets) * fraction), 1), len(self.targets) - 1)
        moment = self.targets[cut].at
        earlier = [t for t in self.targets if t.at < moment]
        later = [t for t in self.targets if t.at >= moment]
        return earlier, later


def day_deltas(times: list[int], counting: str = ELAPSED) -> list[int]:
    """Days between each review and the previous one (0 for the first), counted as `counting` says."""
    if counting not in COUNTINGS:
        raise ValueError(f"unknown day counting {counting!r}")
    if not times:
        return []
    if counting == ELAPSED:
        return [0] + [max(0, (b - a) // DAY_SECONDS) for a, b in zip(times, times[1:])]
    days = [learner_day_number(t) for t in times]
    return [0] + [max(0, b - a) for a, b in zip(days, days[1:])]


def learner_day_number(epoch: int) -> int:
    """An ordinal for the learner's day containing `epoch` (days start at 4 a.m. local time)."""
    from srs.clock import from_epoch, learner_date

    return learner_date(from_epoch(epoch)).toordinal()


def build_dataset(histories: Iterable[CardHistory], counting: str = ELAPSED) -> Dataset:
    import numpy as np

    histories = [h for h in histories if h.reviews]
    deltas: list[list[int]] = []
    made: list[Target] = []
    at: list[int] = []
    cards: list[int] = []
    indexes: list[int] = []
    at_of = itemgetter(0)  # a Review's time
    for card, history in enumerate(histories):
        history.reviews.sort(key=at_of)
        times = [r.at for r in history.reviews]
        d = day_deltas(times, counting)
        deltas.append(d)
        scored = [index for index in range(1, len(d)) if d[index] > 0]
        made += [Target(times[index], card, index) for index in scored]
        at += [times[index] for index in scored]
        cards += [card] * len(scored)
        indexes += scored
    # In time order; stable, so at one time by card and index (as they were made). The targets' columns are
    # kept as arrays for the metrics and the items (Dataset.layout), so no Target is read one by one again.
    order = np.argsort(np.array(at, dtype=np.int64), kind="stable")
    dataset = Dataset(histories, deltas, [made[n] for n in order.tolist()], counting)
    dataset.cache["columns"] = tuple(np.array(column, dtype=np.int64)[order] for column in (at, cards, indexes))
    return dataset


def histories_from_rows(rows: Iterable[tuple]) -> list[CardHistory]:
    """(card key, deck id, epoch seconds, rating) rows, in any order, grouped into card histories."""
    by_card: dict = {}
    for key, deck_id, at, rating in rows:
        history = by_card.get(key)
        if history is None:
            history = by_card[key] = CardHistory(key, deck_id, [])
        history.reviews.append(Review(int(at), int(rating)))
    for history in by_card.values():
        history.reviews.sort(key=itemgetter(0))
    return list(by_card.values())


def load_histories(store, deck_ids: list[str] | None = None) -> list[CardHistory]:
    """The store's review log as card histories, for the given decks (default: every deck)."""
    from srs.store.history import review_history

    if deck_ids is not None and not deck_ids:
        return []
    histories = []
    # The rows come by card and then time (and rid): each card's are one run, already in order.
    for cid, rows in groupby(review_history(store, deck_ids), key=itemgetter(0)):
        run = list(rows)
        histories.append(CardHistory(cid, run[0][1], [Review(at, rating) for _, _, at, rating in run]))
    return histories


def read_histories(store, deck_ids: list[str] | None = None, *, snapshot: bool = True) -> tuple[list[CardHistory], int]:
    """`load_histories` read in one snapshot (no write lock), with the store's version then, for a reschedule
    to check that nothing changed before it writes (srs.optimizer.replay.reschedule). Without `snapshot`
    (inside the caller's transaction) the version is 0."""
    from srs.store.history import read_snapshot

    if not snapshot:
        return load_histories(store, deck_ids), 0
    with read_snapshot(store) as (_, version):
        return load_histories(store, deck_ids), version
