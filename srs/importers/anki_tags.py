"""Anki tags as deck tags: the author's case kept, the nesting (`::`) kept, each level a slug.

Anki keeps a tag as it was written and matches tags ignoring case; decks do the same (srs.deck.model).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_TAG = re.compile(r"[^A-Za-z0-9._-]+")
MAX_TAG = 120


@lru_cache(maxsize=4096)  # a collection has few distinct tags, on many notes
def deck_tag(anki_tag: str) -> str | None:
    """`Lang::Korean` stays `Lang::Korean`; other characters become `-` (accents dropped: `Café` is `Cafe`);
    None for a tag with nothing left."""
    text = unicodedata.normalize("NFKD", anki_tag).encode("ascii", "ignore").decode("ascii")
    levels = [_NOT_TAG.sub("-", level).strip("-._") for level in text.split("::")]
    tag = "::".join(level for level in levels if level)
    return tag[:MAX_TAG].rstrip(":") or None


def deck_tags(anki_tags) -> list[str]:
    """Deck tags for a note's Anki tags: each once, ignoring case (as Anki does), in the case first written."""
    return list(_deck_tags(tuple(anki_tags)))


@lru_cache(maxsize=4096)
def _deck_tags(anki_tags: tuple[str, ...]) -> tuple[str, ...]:
    from srs.deck.model import unique_tags

    return tuple(unique_tags(tag for tag in map(deck_tag, anki_tags) if tag))
