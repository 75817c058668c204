"""What each `srs card` action does to a card: the new values of its state columns.

Pure functions over CardRecord; srs/store/actions.py applies them, logs them and undoes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from srs.clock import day_end, days_later, to_epoch
from srs.errors import UserError
from srs.store.schema import NEW
from srs.store.store import CardRecord

DEFAULT_FLAG = "needs a fix"


def suspend(card: CardRecord, now: datetime) -> dict:
    return {"suspended": 1}


def unsuspend(card: CardRecord, now: datetime) -> dict:
    return {"suspended": 0}


def bury(card: CardRecord, now: datetime) -> dict:
    """Hidden until the learner's next day starts."""
    return {"buried_until": to_epoch(day_end(now))}


def unbury(card: CardRecord, now: datetime) -> dict:
    return {"buried_until": 0}


def flag(card: CardRecord, now: datetime, note: str = DEFAULT_FLAG) -> dict:
    return {"flagged": note or DEFAULT_FLAG}


def unflag(card: CardRecord, now: datetime) -> dict:
    return {"flagged": None}


def forget(card: CardRecord, now: datetime) -> dict:
    """New again, with no memory; its review log, repetitions and lapses are kept."""
    return {"state": NEW, "step": None, "stability": None, "difficulty": None, "due": None, "last_review": None}


def reschedule(card: CardRecord, now: datetime, days: int) -> dict:
    """Due `days` days from now (0: now); its memory is kept, so FSRS sees a longer or shorter gap."""
    if card.state == NEW:
        raise UserError(f"card {card.uid} is new: it has no schedule to change until it is first answered")
    return {"due": to_epoch(days_later(now, days))}


# For each action that takes a mark away: whether a card has that mark at `now`, and what to say when not.
MARKED: dict[str, tuple[Callable[[CardRecord, datetime], bool], str]] = {
    "unsuspend": (lambda card, now: bool(card.suspended), "is not suspended"),
    "unbury": (lambda card, now: card.buried_until > to_epoch(now), "is not buried"),
    "unflag": (lambda card, now: card.flagged is not None, "is not flagged"),
}


def detail(options: dict[str, Any]) -> str | None:
    """What the log says beside an action done with these options ("note needs a fix", "days 3")."""
    return ", ".join(f"{name} {value}" for name, value in options.items()) or None


# Each takes (card, now) and its own keyword options (flag: note; reschedule: days).
ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "suspend": suspend, "unsuspend": unsuspend, "bury": bury, "unbury": unbury,
    "flag": flag, "unflag": unflag, "forget": forget, "reschedule": reschedule,
}
