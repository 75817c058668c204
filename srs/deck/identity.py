"""Stable item ids and content hashes.

Hashes are taken over canonical JSON, never over concatenated fields, so ("ab", "c") and ("a", "bc")
cannot collide. A derived id hangs on the item's key text only (its front, question, prompt or cloze
text), so editing an answer keeps the id; rewording the key text is handled by relinking in the store.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# One encoder for all calls: `json.dumps` with options builds a new one every time.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def normalize_text(text: str) -> str:
    """Runs of whitespace as one space, no outer whitespace, case folded."""
    return " ".join(text.split()).casefold()  # str.split() and regex \s agree on what whitespace is


def derived_item_id(deck_id: str, kind: str, key_text: str) -> str:
    return f"{deck_id}.{digest([deck_id, kind, normalize_text(key_text)])[:10]}"


def content_hash(content: dict) -> str:
    """Hash of everything the learner sees; changes on any edit, including answers and tags."""
    return digest(content)[:16]
