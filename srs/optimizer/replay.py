"""Replaying a card's review log through the Planner: its state as if it had always been scheduled so.

Used after fitting new parameters (every card is rescheduled from its log) and by the importers (an
imported history sets the card's state). Only the scheduling fields are replayed; suspension, burying,
flags and the leech mark stay as they are. The log's states before and after each answer are rewritten to
the replayed ones, so `srs undo` still puts a card back exactly as the log says.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.clock import from_epoch
from srs.store.log import FRESH, SCHEDULING
from srs.store.store import CardRecord


@dataclass(frozen=True, slots=True)
class Step:
    """One replayed review: the card's scheduling fields before and after it."""

    at: int
    rating: int
    before: dict
    after: dict


def replay(planner, settings, card: CardRecord, reviews: list[tuple[int, int]]) -> list[Step]:
    """Replay (epoch seconds, rating) reviews, in time order, from a new card."""
    state = card.with_memory(FRESH)
    steps = []
    for at, rating in reviews:
        after = planner.review(state, rating, from_epoch(at), settings)
        steps.append(Step(at, rating, _scheduling(state), _scheduling(after)))
        state = after
    return steps


def _scheduling(card: CardRecord) -> dict:
    return {name: getattr(card, name) for name in SCHEDULING}


def reschedule(store, deck_ids: list[str] | None = None, *, save_settings: dict | None = None, progress=None) -> int:
    """Recompute every reviewed card's state from its log with its deck's current settings.

    `save_settings` (key -> value) are written first, in the same transaction: the new parameters and the
    cards rescheduled with them are committed together or not at all. Returns how many cards were
    rescheduled.
    """
    from srs.scheduler import Planner
    from srs.session import scheduler_settings
    from srs.store import history

    if deck_ids is not None and not deck_ids:
        return 0
    planner = Planner()
    settings_by_deck: dict = {}
    # Read and write in one transaction, so an answer given meanwhile elsewhere is not lost.
    with store.transaction() as conn:
        history.put_settings(conn, save_settings or {})
        by_card, cards = history.logs_to_replay(conn, deck_ids)
        card_updates, log_updates = [], []
        for n, (cid, log) in enumerate(by_card.items()):
            card = cards[cid]
            settings = settings_by_deck.get(card.deck_id)
            if settings is None:
                settings = settings_by_deck[card.deck_id] = scheduler_settings(store, card.deck_id)
            steps = replay(planner, settings, card, [(row.reviewed_at, row.rating) for row in log])
            for row, step in zip(log, steps):
                log_updates.append((row.rid, step.before["state"], step.after))
            card_updates.append([*(steps[-1].after[name] for name in SCHEDULING), cid])
            if progress:
                progress(n + 1, len(by_card))
        history.write_replay(conn, tuple(SCHEDULING), card_updates, log_updates)
    return len(card_updates)
