"""One item's card info, as Anki's Card Info shows it: text, place, memory state and review history.

Data only; srs.ui.card_info lays it out and `srs show` prints it.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from srs.clock import from_epoch, to_epoch
from srs.domain import Rating, State
from srs.errors import UserError
from srs.store.schema import NEW
from srs.store.store import CardRecord

if TYPE_CHECKING:
    from srs.jsontypes import CardInfoJson, ReviewJson

STATE_NAMES = {int(s): s.label for s in State}
RATING_NAMES = {int(r): r.label for r in Rating}


def resolve_cards(store, uid: str) -> list[CardRecord]:
    """The card with this id, or every card of the item with this id; names the nearest id on a miss."""
    from srs.store.history import cards_by_uid

    return cards_by_uid(store, uid) or [store.find_card(uid)]  # raises UserError with a "did you mean"


def card_info(store, uid: str, now: datetime) -> list[CardInfoJson]:
    """Card info for the card `uid`, or for each card of the item `uid`."""
    from srs.cardview import build_view
    from srs.scheduler import Planner, to_fsrs
    from srs.session import scheduler_settings

    cards = resolve_cards(store, uid)
    titles = store.deck_titles()
    planner = Planner()
    out: list[CardInfoJson] = []
    for card in cards:
        item = store.item(card.iid)
        title = titles.get(card.deck_id, card.deck_id)
        view = build_view(card, item, title)
        settings = scheduler_settings(store, card.deck_id)
        scheduler = planner.scheduler(settings)
        retrievability = None
        if card.state != NEW and card.stability is not None:
            retrievability = scheduler.get_card_retrievability(to_fsrs(card), current_datetime=now)
        history: list[ReviewJson] = []
        for row in store.revlog_for(card.cid):
            before, after = row.before, row.after
            predicted = None
            if before["stability"] is not None and before["last_review"] is not None:
                was = card.with_memory(before)
                at = from_epoch(row.reviewed_at)
                predicted = scheduler.get_card_retrievability(to_fsrs(was), current_datetime=at)
            history.append({
                "reviewed_at": from_epoch(row.reviewed_at).isoformat(),
                "type": _review_type(row.state_before),
                "rating": row.rating,
                "rating_name": RATING_NAMES.get(row.rating, str(row.rating)),
                "interval_s": (after["due"] - row.reviewed_at) if after["due"] is not None else None,
                "stability": after["stability"],
                "difficulty": after["difficulty"],
                "retrievability": predicted,
                "duration_ms": row.duration_ms,
                "response": row.response,
                "source": row.source,
            })
        durations = [h["duration_ms"] for h in history if h["duration_ms"] is not None]
        out.append({
            "id": card.uid,
            "item": item.uid,
            "kind": item.kind,
            "deck": card.deck_id,
            "deck_title": title,
            "location": f"{_shown_path(item.path)}:{item.line}",
            "front": view.front,
            "back": view.back,
            "choices": view.choices,
            "tags": item.tags,
            "state": STATE_NAMES.get(card.state, str(card.state)),
            "stability": card.stability,
            "difficulty": card.difficulty,
            "retrievability": retrievability,
            "desired_retention": settings.desired_retention,
            "parameters": "fitted" if settings.parameters else "default",
            "due": from_epoch(card.due).isoformat() if card.due is not None else None,
            "due_in_s": (card.due - to_epoch(now)) if card.due is not None else None,
            "last_review": from_epoch(card.last_review).isoformat() if card.last_review else None,
            "reps": card.reps,
            "lapses": card.lapses,
            "suspended": bool(card.suspended),
            "buried": card.buried_until > to_epoch(now),
            "leech": bool(card.leech),
            "flagged": card.flagged,
            "retired": bool(item.retired),
            "total_time_ms": sum(durations) if durations else None,
            "average_time_ms": sum(durations) / len(durations) if durations else None,
            "history": history,
        })
    if not out:
        raise UserError(f"no card with id '{uid}'")
    return out


def _review_type(state_before: int) -> str:
    return {0: "learn", 1: "learn", 2: "review", 3: "relearn"}.get(state_before, "review")


def _shown_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return relative if not relative.startswith("..") else path

