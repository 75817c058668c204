"""Deck files: the format's model, the loader and the checks across files."""

from srs.deck.collection import LoadResult, deck_files, load_paths
from srs.deck.diagnostics import Diagnostic
from srs.deck.loader import Deck, FileResult, Item, load_file

__all__ = ["Deck", "Diagnostic", "FileResult", "Item", "LoadResult", "deck_files", "load_file", "load_paths"]
