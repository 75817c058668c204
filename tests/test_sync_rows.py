"""The rows a sync hands the store's write path (srs.sync.deck_entry) for every item kind: the content is what the
item's model dumps (its id first, its kind last), and the search text is the one the index computes from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs.deck import load_file
from srs.store.catalog import search_text
from srs.sync import deck_entry, json_text

REPO = Path(__file__).resolve().parent.parent
FILES = [*sorted((REPO / "decks").glob("*.yaml")), *sorted((REPO / "quizzes").glob("*.yaml")),
         REPO / "tests" / "fixtures" / "valid" / "every-kind.yaml"]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_each_row_holds_what_the_model_dumps_and_its_search_text(path):
    result = load_file(path)
    assert result.deck is not None
    entry = deck_entry(result.deck, str(path))
    assert len(entry.items) == len(result.deck.items)
    for item, row in zip(result.deck.items, entry.items):
        expected = item.body.model_dump(mode="json", exclude_defaults=True)
        expected["kind"] = item.kind
        assert row.content == json.dumps(expected, ensure_ascii=False)
        assert row.tags == json.dumps(list(item.tags), ensure_ascii=False)
        assert row.text == search_text(json.loads(row.content))


def test_every_kind_is_covered():
    kinds = {item.kind for path in FILES for item in load_file(path).deck.items}
    assert kinds == {"flashcard", "selfcheck", "ordering", "choice", "cloze"}


JSON_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
JSON_VALUES = st.recursive(
    st.one_of(JSON_TEXT, st.integers(), st.floats(), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(JSON_TEXT, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(JSON_TEXT, st.one_of(JSON_TEXT, st.lists(JSON_TEXT, max_size=4), JSON_VALUES), max_size=6))
@example({"front": "a\u2028\x7f\x1f\"\\", "tags": [], "n": 1.5, "x": None})
def test_content_json_is_what_json_dumps_writes(value):
    assert json_text(value) == json.dumps(value, ensure_ascii=False)
