"""Deck files: the format's model, the loader and the checks across files.

Names are imported on first use (PEP 562): loading pydantic costs start-up time that a review of
unchanged decks does not need.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Deck": "srs.deck.loader",
    "FileResult": "srs.deck.loader",
    "Item": "srs.deck.loader",
    "load_file": "srs.deck.loader",
    "Diagnostic": "srs.deck.diagnostics",
    "LoadResult": "srs.deck.collection",
    "load_paths": "srs.deck.collection",
    "deck_files": "srs.deck.files",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'srs.deck' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
