"""Plain-data summaries of loaded decks, for `srs list`."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from srs.deck.loader import Deck

if TYPE_CHECKING:
    from srs.jsontypes import DeckSummaryJson


def deck_summaries(decks: list[Deck]) -> list[DeckSummaryJson]:
    rows: list[DeckSummaryJson] = []
    for deck in decks:
        kinds = Counter(item.kind for item in deck.items)
        rows.append(
            {
                "id": deck.id,
                "title": deck.title,
                "kind": deck.kind,
                "path": deck.path,
                "items": len(deck.items),
                "cards": sum(len(item.card_ids()) for item in deck.items),
                "kinds": dict(sorted(kinds.items())),
            }
        )
    return rows
