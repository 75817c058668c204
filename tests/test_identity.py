"""Content hashes and derived ids never change: canonical_bytes (orjson where it writes alike) gives exactly the
bytes of canonical_json (the json encoder every stored hash was taken of), for any value, or fails as it does."""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs.deck.identity import canonical_bytes, canonical_json, content_hash, derived_item_id

# Every code point, lone surrogates included (hypothesis leaves them out of text by default), and the ones
# that JSON encoders are likeliest to treat apart: control characters, DEL, C1, the line and paragraph
# separators, the byte-order mark, quotes and backslashes, and characters beyond the BMP.
SPECIAL = "\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f\x80\x85\x9f\u2028\u2029\ufeff\ufffe\uffff\"\\/ \U0001f600\U0010ffff"
TEXT = st.text(st.one_of(st.characters(codec=None, categories=None), st.sampled_from(SPECIAL)), max_size=20)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e16, 1e-7, 0.1, -0.0, 1.5e300, 123456789012345680.0]),
)
SCALARS = st.one_of(TEXT, NUMBERS, st.booleans(), st.none())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=5),
        st.dictionaries(st.integers(), inner, max_size=3),
    ),
    max_leaves=30,
)

PROOF = settings(max_examples=int(os.environ.get("SRS_FUZZ_EXAMPLES", "1000")), deadline=None)


def outcome(function, value):
    try:
        return function(value)
    except (TypeError, ValueError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        return type(exc)


@PROOF
@given(VALUES)
@example({"front": "a\u2028b\x7f\x1f", "back": "é \"q\" \\", "tags": ["x", "y"], "kind": "flashcard"})
@example({"n": 2**63, "m": 2**64, "k": -(2**63) - 1, "b": True, "z": None})
@example({"f": 1e16, "g": float("nan"), "h": [0.1, -0.0]})
@example({"s": "\ud800"})
@example({"b": {"z": 1, "a": [1, {"y": "é", "x": "\U0001f600"}]}, "a": []})
def test_canonical_bytes_are_canonical_json_encoded(value):
    expected = outcome(lambda v: canonical_json(v).encode("utf-8"), value)
    assert outcome(canonical_bytes, value) == expected


def test_deeper_than_orjson_nests_writes_the_same():
    value: list = ["x"]
    for _ in range(300):  # orjson stops at 255 levels
        value = [value]
    assert canonical_bytes(value) == canonical_json(value).encode("utf-8")


def test_stored_hashes_and_ids_are_unchanged():
    # Taken before the hash moved to orjson: an existing database sees no item as edited, no id as new.
    content = {"kind": "flashcard", "front": "Wie heißt das?\u2028", "back": "Straße \"x\"", "tags": ["a::b"]}
    assert content_hash(content) == "c9ba57308d1816a9"
    assert derived_item_id("german", "flashcard", "  Wie   heißt das? ") == "german.d311f7be11"


def test_item_content_is_written_by_orjson(monkeypatch):
    # What the property above proves equal is what a sync hashes: an item's content takes the fast path.
    import srs.deck.identity as identity

    content = {"kind": "cloze", "text": "{{c1::x}}", "tags": ["a"], "hint": None, "n": 3, "ok": True}
    expected = canonical_json(content).encode("utf-8")
    monkeypatch.setattr(identity, "canonical_json", lambda value: pytest.fail("fell back to json"))
    assert canonical_bytes(content) == expected
