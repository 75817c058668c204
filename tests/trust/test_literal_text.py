"""The author's text is kept literally: YAML 1.1 reads `1:20` as 80, `1.10` as 1.1, `0x1F` as 31, `NO` as false
and `12:30:00` as 45000, but a text field keeps the characters written. Options still read numbers."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.deck.loader import load_file

LITERALS = ["1:20", "1.10", "0x1F", "NO", "yes", "Off", "12:30:00", "1e3", "0o17", "-.inf", ".NaN", "1_000",
            "2024-01-01", "2024-01-01 10:00:00", "+12", "0b101", "190:20:30"]


def load(text: str):
    result = load_file("deck.yaml", data=text.encode("utf-8"))
    assert [str(d) for d in result.diagnostics] == []
    return result.deck


@pytest.mark.parametrize("literal", LITERALS)
def test_every_text_field_keeps_what_was_written(literal):
    deck = load(
        f"title: {literal}\ndescription: {literal}\nitems:\n"
        f"  - q: {literal}\n    a: {literal}\n"
        f"  - question: {literal}?\n    answer: {literal}\n"
        f"  - question: pick\n    options: [{literal}, other]\n    correct: a\n    explanation: {literal}\n"
        f"  - prompt: order\n    steps:\n      a: {literal}\n      b: other\n    answer: [a, b]\n"
        f"  - text: '{{{{c1::x}}}}'\n    extra: {literal}\n"
    )
    flash, check, choice, order, cloze = (item.body for item in deck.items)
    assert deck.title == deck.description == literal
    assert flash.front == flash.back == check.answer == choice.options[0] == choice.explanation == literal
    assert order.steps["a"] == cloze.extra == literal


def test_options_still_read_numbers_and_booleans():
    deck = load("title: T\noptions:\n  new_per_day: 0x1F\n  desired_retention: 0.85\n  typed_answers: yes\n"
                "items:\n  - q: a\n    a: b\n")
    assert (deck.options.new_per_day, deck.options.desired_retention, deck.options.typed_answers) == (31, 0.85, True)


def test_quoted_and_block_text_is_as_before():
    deck = load("title: T\nitems:\n  - q: '1:20'\n    a: |\n      1.10\n")
    assert (deck.items[0].body.front, deck.items[0].body.back) == ("1:20", "1.10\n".strip())


# A plain scalar that YAML itself would not read as text: digits, signs, dots, colons and letters.
plain = st.from_regex(r"\A[0-9+\-.:_xXoObBeE]{1,12}\Z").filter(
    lambda s: not s.startswith(("-", ":", "?")) and s.strip() == s
)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_any_plain_scalar_in_a_text_field_comes_back_as_written(text):
    try:
        parsed = yaml.safe_load(f"a: {text}\n")
    except yaml.YAMLError:
        return  # not a plain scalar at all
    if not isinstance(parsed, dict) or parsed.get("a") is None:
        return
    result = load_file("deck.yaml", data=f"title: T\nitems:\n  - q: {text}\n    a: x\n".encode())
    if result.ok:
        assert result.deck.items[0].body.front == text
