"""XP, levels and achievements, as the lesson pages show them ("Level 0 Spark", "0/200 XP to next level").

Pure rules over a few facts about the learner's whole history; `srs.stats` gathers the facts in SQL.

XP: every answer earns 10, a correct one (Hard, Good or Easy) 5 more, and a new card's first answer 20
more. Level n starts at 100·n·(n+1) XP: 0, 200, 600, 1,200, 2,000, ... so each level takes 200 XP more
than the one before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from srs.jsontypes import AchievementJson, XpJson

XP_PER_REVIEW = 10
XP_CORRECT_BONUS = 5
XP_PER_NEW_CARD = 20

LEVEL_NAMES = (
    "Spark", "Ember", "Flame", "Blaze", "Beacon", "Torch", "Lantern", "Lighthouse",
    "Comet", "Star", "Nova", "Supernova", "Galaxy",
)

MASTERED_STABILITY_DAYS = 21  # a deck is mastered when every card is in review with at least this stability
MARATHON_REVIEWS = 100  # in one learner's day


def xp_for(reviews: int, correct: int, new_cards: int) -> int:
    return XP_PER_REVIEW * reviews + XP_CORRECT_BONUS * correct + XP_PER_NEW_CARD * new_cards


def level_start(level: int) -> int:
    """The XP at which `level` begins."""
    return 100 * level * (level + 1)


def level_name(level: int) -> str:
    if level < len(LEVEL_NAMES):
        return LEVEL_NAMES[level]
    return f"{LEVEL_NAMES[-1]} {level - len(LEVEL_NAMES) + 2}"  # Galaxy 2, Galaxy 3, ...


@dataclass(frozen=True)
class Progress:
    xp: int
    level: int
    name: str
    level_xp: int  # where this level began
    next_level_xp: int  # where the next one begins
    next_name: str

    @property
    def into_level(self) -> int:
        return self.xp - self.level_xp

    @property
    def level_span(self) -> int:
        return self.next_level_xp - self.level_xp

    def title(self) -> str:
        return f"Level {self.level} {self.name}"

    def to_next_text(self) -> str:
        return f"{self.into_level:,}/{self.level_span:,} XP to next level"

    def to_dict(self) -> XpJson:
        return {
            "xp": self.xp,
            "level": self.level,
            "name": self.name,
            "level_xp": self.level_xp,
            "next_level_xp": self.next_level_xp,
            "next_name": self.next_name,
            "into_level": self.into_level,
            "level_span": self.level_span,
            "title": self.title(),
            "to_next": self.to_next_text(),
        }


def progress(xp: int) -> Progress:
    level = 0
    while level_start(level + 1) <= xp:
        level += 1
    return Progress(xp, level, level_name(level), level_start(level), level_start(level + 1), level_name(level + 1))


@dataclass
class Facts:
    """What the achievements look at, over the learner's whole history (every deck)."""

    reviews: int = 0
    correct: int = 0
    new_cards: int = 0
    longest_streak: int = 0
    marathon: bool = False  # MARATHON_REVIEWS answers in one learner's day
    perfect_quiz: bool = False  # every question of a quiz answered right in one sitting (one learner's day)
    mastered_decks: list[str] = field(default_factory=list)
    decks_studied: int = 0
    night_owl: bool = False  # an answer between midnight and 4 a.m. local time
    early_bird: bool = False  # an answer between 4 and 7 a.m. local time

    @property
    def xp(self) -> int:
        return xp_for(self.reviews, self.correct, self.new_cards)


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    earned: bool
    value: int | None = None  # progress towards `goal`, for the countable ones
    goal: int | None = None

    def to_dict(self) -> AchievementJson:
        return {
            "id": self.id, "name": self.name, "description": self.description, "earned": self.earned,
            "value": self.value, "goal": self.goal,
        }


def _count(id_: str, name: str, description: str, value: int, goal: int) -> Achievement:
    return Achievement(id_, name, description, value >= goal, min(value, goal), goal)


def _flag(id_: str, name: str, description: str, earned: bool) -> Achievement:
    return Achievement(id_, name, description, bool(earned))


def achievements(facts: Facts) -> list[Achievement]:
    f = facts
    return [
        _count("first-review", "First step", "Answer your first card", f.reviews, 1),
        _count("reviews-10", "Warming up", "Answer 10 cards", f.reviews, 10),
        _count("reviews-100", "Centurion", "Answer 100 cards", f.reviews, 100),
        _count("reviews-1000", "Thousand cranes", "Answer 1,000 cards", f.reviews, 1000),
        _count("new-100", "Collector", "Learn 100 new cards", f.new_cards, 100),
        _count("streak-3", "Hat trick", "Review 3 days in a row", f.longest_streak, 3),
        _count("streak-7", "Week streak", "Review 7 days in a row", f.longest_streak, 7),
        _count("streak-30", "Month streak", "Review 30 days in a row", f.longest_streak, 30),
        _flag("marathon", "Marathon", f"Answer {MARATHON_REVIEWS} cards in one day", f.marathon),
        _flag("perfect-quiz", "Perfect quiz", "Answer every question of a quiz right", f.perfect_quiz),
        _flag(
            "deck-mastered", "Deck master",
            f"Every card of a deck in review, stable for {MASTERED_STABILITY_DAYS}+ days",
            bool(f.mastered_decks),
        ),
        _count("explorer", "Explorer", "Study cards from 3 decks", f.decks_studied, 3),
        _flag("night-owl", "Night owl", "Review between midnight and 4 a.m.", f.night_owl),
        _flag("early-bird", "Early bird", "Review between 4 and 7 a.m.", f.early_bird),
    ]
