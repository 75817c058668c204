"""Stable item ids and content hashes.

Hashes are taken over canonical JSON, never over concatenated fields, so ("ab", "c") and ("a", "bc")
cannot collide. A derived id hangs on the item's key text only (its front, question, prompt or cloze
text), so editing an answer keeps the id; rewording the key text is handled by relinking in the store.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_SPACES = re.compile(r"\s+")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def normalize_text(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def derived_item_id(deck_id: str, kind: str, key_text: str) -> str:
    return f"{deck_id}.{digest([deck_id, kind, normalize_text(key_text)])[:10]}"


def content_hash(content: dict) -> str:
    """Hash of everything the learner sees; changes on any edit, including answers and tags."""
    return digest(content)[:16]
