"""What a query means, as a plain Python filter over cards in memory.

The store runs queries in SQL (srs/store/search.py); tests check it against this filter on generated
collections, and the search benchmark measures it as the baseline.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import cache

from srs.search.query import (
    And,
    Field,
    Is,
    Node,
    Not,
    Or,
    Prop,
    Rated,
    Text,
    glob_to_regex,
    words,
)

DAY = 86400
FAR_DAYS = 150_000  # days either way past which no stored time lies (400 years)
EARLIEST, LATEST = -(2**62), 2**62
COMPARE = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq, "!=": operator.ne,
}
SEPARATOR = "\x1f"  # between an item's texts: no word or phrase spans two of them


@dataclass
class SearchCard:
    uid: str
    item_uid: str
    deck_id: str
    kind: str
    text: str  # the item's texts joined with SEPARATOR
    tags: list[str]
    state: int
    due: int | None
    last_review: int | None
    stability: float | None
    lapses: int
    reps: int
    suspended: int
    buried_until: int
    flagged: str | None
    leech: int
    ratings: list[tuple[int, int]] = field(default_factory=list)  # (reviewed_at, rating)


@dataclass(frozen=True)
class Moment:
    """The time a search runs at: now, the start and end of the learner's day (epoch seconds), and the
    FSRS forgetting curve's factor and decay for prop:r."""

    now: int
    day_start: int
    day_end: int
    factor: float
    decay: float
    _starts: dict[int, int] = field(default_factory=dict, compare=False, repr=False)  # day_after's

    def day_after(self, days: int) -> int:
        """The start of the learner's day `days` after today's (before it, when negative): learner's days, not
        24-hour steps, which miss or add an hour across a DST change. Past any time srs keeps, a bound."""
        from srs.clock import from_epoch, start_of_day_after, to_epoch

        if abs(days) > FAR_DAYS:
            return EARLIEST if days < 0 else LATEST
        if days not in self._starts:
            self._starts[days] = to_epoch(start_of_day_after(from_epoch(self.day_start), days))
        return self._starts[days]

    def rated_since(self, days: int) -> int:
        """When rated:`days` begins: the start of the learner's day `days` - 1 before today's."""
        return self.day_after(1 - days)

    def due_days(self, due: int) -> int:
        """Learner's days from today to the day `due` falls in (prop:due): 0 today, 1 tomorrow, -1 yesterday."""
        days = (due - self.day_start) // DAY
        while days < FAR_DAYS and due >= self.day_after(days + 1):
            days += 1
        while days > -FAR_DAYS and due < self.day_after(days):
            days -= 1
        return days


def matches(node: Node, card: SearchCard, at: Moment) -> bool:
    if isinstance(node, And):
        return all(matches(n, card, at) for n in node.nodes)
    if isinstance(node, Or):
        return any(matches(n, card, at) for n in node.nodes)
    if isinstance(node, Not):
        return not matches(node.node, card, at)
    if isinstance(node, Text):
        return has_words(_words(card.text), node.words, node.prefix)
    if isinstance(node, Field):
        if node.name == "kind":
            return card.kind == node.value
        pattern = glob_to_regex(node.value)
        if node.name == "deck":
            return bool(pattern.fullmatch(card.deck_id))
        if node.name == "tag":
            return any(pattern.fullmatch(tag.lower()) for tag in card.tags)  # case ignored, as in Anki
        return bool(pattern.fullmatch(card.uid) or pattern.fullmatch(card.item_uid))
    if isinstance(node, Is):
        return _is(node.state, card, at)
    if isinstance(node, Prop):
        value = prop_value(node.name, card, at)
        return value is not None and COMPARE[node.op](value, node.number)
    if isinstance(node, Rated):
        since = at.rated_since(node.days)
        return any(t >= since and (node.rating is None or r == node.rating) for t, r in card.ratings)
    raise TypeError(node)


@cache
def _words(text: str) -> tuple[str, ...]:
    return words(text)


def has_words(text: tuple[str, ...], wanted: tuple[str, ...], prefix: bool) -> bool:
    """Whether `wanted` occurs in `text` as consecutive words (the last one possibly only begun)."""
    n = len(wanted)
    for start in range(len(text) - n + 1):
        window = text[start : start + n]
        if window[:-1] == wanted[:-1] and (window[-1].startswith(wanted[-1]) if prefix else window[-1] == wanted[-1]):
            return True
    return False


def _is(state: str, card: SearchCard, at: Moment) -> bool:
    if state == "new":
        return card.state == 0
    if state == "learn":
        return card.state in (1, 3)
    if state == "review":
        return card.state in (2, 3)
    if state == "due":
        return (card.state != 0 and card.due is not None and card.due < at.day_end and not card.suspended
                and card.buried_until <= at.now)
    if state == "suspended":
        return bool(card.suspended)
    if state == "buried":
        return card.buried_until > at.now
    if state == "leech":
        return bool(card.leech)
    return card.flagged is not None  # flagged


def prop_value(name: str, card: SearchCard, at: Moment) -> float | None:
    """A card's property, or None where it has none (new cards have no interval, due date or R)."""
    if name == "lapses":
        return card.lapses
    if name == "reps":
        return card.reps
    if card.state == 0:
        return None
    if name == "ivl":
        if card.due is None or card.last_review is None:
            return None
        return (card.due - card.last_review) / DAY
    if name == "due":
        return None if card.due is None else at.due_days(card.due)
    if card.stability is None or card.last_review is None:  # r
        return None
    elapsed = max(0, int((at.now - card.last_review) / DAY))
    return (1 + at.factor * elapsed / card.stability) ** -at.decay
