"""Stable item ids and content hashes.

Hashes are taken over canonical JSON, never over concatenated fields, so ("ab", "c") and ("a", "bc")
cannot collide. A derived id hangs on the item's key text only (its front, question, prompt or cloze
text), so editing an answer keeps the id; rewording the key text is handled by relinking in the store.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

# One encoder for all calls: `json.dumps` with options builds a new one every time.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
# Scalars orjson writes as `_CANONICAL` does (an int beyond 64 bits it refuses: see canonical_bytes).
_EXACT = frozenset((str, int, bool, type(None)))


def canonical_json(value: Any) -> str:
    """`value` as canonical JSON: keys sorted, no spaces, text as it is (\\u-escaped only where JSON must).
    The definition that every stored hash was taken of; canonical_bytes writes the same, faster."""
    return _CANONICAL.encode(value)


def canonical_bytes(value: Any) -> bytes:
    """canonical_json(value), encoded as UTF-8: by orjson, which writes the same bytes as `_CANONICAL` for text,
    whole numbers, booleans, null, lists and mappings with text keys (tests/test_identity.py proves it over
    generated values), at a sixth of its time. Anything else (a float, which the two may write differently; a
    subclass; a key that is not text; a number beyond 64 bits or text with a lone surrogate, which orjson refuses)
    goes to `_CANONICAL`, so every hash stays what it was."""
    try:
        plain = _plain(value)
    except RecursionError:
        plain = False
    if plain:
        dumps, sort_keys = _orjson()
        try:
            return dumps(value, option=sort_keys)
        except TypeError:  # orjson.JSONEncodeError: an int beyond 64 bits, a lone surrogate, nesting past 255
            pass
    return canonical_json(value).encode("utf-8")


@functools.cache
def _orjson() -> tuple[Callable[..., bytes], int]:
    """orjson's dumps and its option to sort keys, imported on first use: on its own (without pydantic, which a
    command that hashes has loaded already) it costs 20 ms of start-up, for the modules it imports."""
    import orjson

    return orjson.dumps, orjson.OPT_SORT_KEYS


def _plain(value: Any) -> bool:
    """Whether `value` holds only what orjson and `_CANONICAL` write alike (see canonical_bytes)."""
    cls = value.__class__
    if cls is dict:
        for key, inner in value.items():
            if key.__class__ is not str:
                return False
            if inner.__class__ is not str and not _plain(inner):
                return False
        return True
    if cls is list:
        for inner in value:  # noqa: SIM110 - a loop, not all(): no generator made per list, on every item's hash
            if inner.__class__ is not str and not _plain(inner):
                return False
        return True
    return cls in _EXACT


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def normalize_text(text: str) -> str:
    """Runs of whitespace as one space, no outer whitespace, case folded."""
    return " ".join(text.split()).casefold()  # str.split() and regex \s agree on what whitespace is


def derived_item_id(deck_id: str, kind: str, key_text: str) -> str:
    return f"{deck_id}.{digest([deck_id, kind, normalize_text(key_text)])[:10]}"


def content_hash(content: dict) -> str:
    """Hash of everything the learner sees; changes on any edit, including answers and tags."""
    return digest(content)[:16]
