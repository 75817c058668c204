"""The position-keeping YAML parser reads what `yaml.safe_load` reads, and knows where each value is."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.deck.yamltree import MAX_ALIAS_VALUES, YamlProblem, parse

REPO = Path(__file__).resolve().parent.parent

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
    st.sampled_from(["yes", "No", "on", "~", "null", "1e3", "0x1F", "0o17", "1_000", "2024-01-31", "12:30",
                     "<<", "=", ".inf", "-.nan", "{{c1::x}}", "- a", "a: b", "#", "'", '"']),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=400)
@given(VALUES, st.sampled_from([None, True, False]))
def test_reads_the_same_values_as_safe_load(value, flow):
    text = yaml.safe_dump({"doc": value}, allow_unicode=True, default_flow_style=flow)
    assert same(parse(text).value, yaml.safe_load(text))


@pytest.mark.parametrize(
    "path", sorted((REPO / "decks").glob("*.yaml")) + sorted((REPO / "quizzes").glob("*.yaml"))
    + [REPO / "tests" / "fixtures" / "valid" / "every-kind.yaml"], ids=lambda p: p.name,
)
def test_reads_the_course_as_safe_load_does(path):
    text = path.read_text(encoding="utf-8")
    assert same(parse(text).value, yaml.safe_load(text))


def test_records_where_every_value_and_key_is():
    doc = parse("title: T\nitems:\n  - q: Q\n    tags: [a, b]\n")
    assert doc.value_at == {
        (): (1, 1), ("title",): (1, 8), ("items",): (3, 3), ("items", 0): (3, 5),
        ("items", 0, "q"): (3, 8), ("items", 0, "tags"): (4, 11),
        ("items", 0, "tags", 0): (4, 12), ("items", 0, "tags", 1): (4, 15),
    }
    assert doc.key_at == {("title",): (1, 1), ("items",): (2, 1), ("items", 0, "q"): (3, 5),
                          ("items", 0, "tags"): (4, 5)}


def test_a_path_not_recorded_falls_back_to_its_nearest_ancestor():
    doc = parse("title: T\nitems:\n  - q: Q\n")
    assert doc.position(("items", 0, "a")) == (3, 5)
    assert doc.position(("items", 0, "q", 2)) == (3, 8)


def test_an_alias_shares_its_anchor_value_and_sits_where_the_alias_is():
    doc = parse("tags: &t [a, b]\nmore: *t\n")
    assert doc.value["more"] is doc.value["tags"]
    assert doc.position(("more",)) == (2, 7)
    assert doc.position(("more", 1)) == (2, 7)


def test_duplicate_keys_are_collected_and_the_last_value_wins():
    doc = parse("a: 1\nb: 2\na: 3\n")
    assert doc.value == {"a": 3, "b": 2}
    assert doc.duplicate_keys == [(("a",), (1, 1), (3, 1))]


def test_non_text_keys_become_text():
    assert parse("1: a\ntrue: b\n2024-01-31: c\n").value == {"1": "a", "true": "b", "2024-01-31": "c"}


def test_plain_text_that_only_looks_like_a_date_or_number_stays_text():
    assert parse("a: 2024-13-45\nb: " + "9" * 5000 + "\n").value == {"a": "2024-13-45", "b": "9" * 5000}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_a_document_with_nothing_in_it_is_none(text):
    assert parse(text) is None


def test_aliases_may_expand_to_the_limit_but_not_past_it():
    ten = "[" + ", ".join(["x"] * 9) + "]"  # an anchored list of 9 is 10 values with the list itself
    at_limit = f"a: &a {ten}\nb: [" + ", ".join(["*a"] * (MAX_ALIAS_VALUES // 10)) + "]\n"
    assert len(parse(at_limit).value["b"]) == MAX_ALIAS_VALUES // 10
    with pytest.raises(YamlProblem, match="alias bomb"):
        parse(at_limit.replace("b: [", "b: [*a, "))
