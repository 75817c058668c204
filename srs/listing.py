"""The decks `srs list` shows: from the store while no file changed since it read them, else from the files.

With unchanged decks no deck is parsed and pydantic is never imported (srs/store/listing.py); any change,
a new file or a file the store never read sends the listing to the loader, which also reports errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from srs.deck.diagnostics import Diagnostic
    from srs.jsontypes import DeckSummaryJson


def deck_listing(paths: list[Path], db_path: Path) -> tuple[list[DeckSummaryJson], list[Diagnostic]]:
    """Summaries of the decks in `paths` and the errors that kept files out (none when the store answered)."""
    from srs.deck.files import deck_files
    from srs.store.listing import FileStamp, stored_deck_summaries

    stored = stored_deck_summaries(db_path, [FileStamp.of(p) for p in deck_files(paths)])
    if stored is not None:
        return stored, []
    from srs.deck import load_paths
    from srs.deck.summary import deck_summaries

    result = load_paths(list(paths))
    return deck_summaries(result.decks), result.errors
