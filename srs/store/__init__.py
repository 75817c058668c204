"""The SQLite store of items, card states and the review log."""

from srs.store.schema import LEARNING, NEW, RELEARNING, REVIEW
from srs.store.store import Answer, CardRecord, ItemRecord, Store

__all__ = ["Answer", "CardRecord", "ItemRecord", "LEARNING", "NEW", "RELEARNING", "REVIEW", "Store"]
