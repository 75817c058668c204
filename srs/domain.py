"""The domain's small types: a card's state, a rating and how a card is answered.

State and Rating mirror fsrs.State and fsrs.Rating value for value (tests/test_domain.py pins them), but
are srs's own: `srs --help`, `check` and `list` must start without importing fsrs, and a card that was
never reviewed has a state (NEW) that fsrs does not name. Both are IntEnums, so they are stored, compared
and sent to fsrs as the plain integers they equal.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class State(IntEnum):
    NEW = 0  # never reviewed: no FSRS memory yet
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        """"new", "learning", "review" or "relearning", as the JSON outputs and card info write it."""
        return self.name.lower()


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        """"Again", "Hard", "Good" or "Easy", as the buttons show it."""
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: str) -> Rating | None:
        """A rating from "1"-"4" or its name in any case; None for anything else."""
        word = text.strip().upper()
        if word in cls.__members__:
            return cls[word]
        return cls(int(word)) if word in ("1", "2", "3", "4") else None


class Mode(str, Enum):
    """How the learner answers a card."""

    REVEAL = "reveal"  # show the answer, then rate
    TYPED = "typed"  # type the answer; graded against the expected text
    SELFCHECK = "selfcheck"  # write an answer, compare with a model answer, rate
    ORDER = "order"  # type labels in order
    CHOICE = "choice"  # pick the right option(s)

    # Written as its value everywhere (f-strings, str(), JSON), on every Python version.
    __str__ = str.__str__
    __format__ = str.__format__  # type: ignore[assignment]
