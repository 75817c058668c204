"""Prompts, captions and the choice of picture per card: no torch needed."""

from __future__ import annotations

import pytest

from srs.demo.cards import plan_for, seed_for, show_for_tags
from srs.demo.vocab import check_prompt, default_prompt, default_words, split_words, token_ids, unknown_words
from srs.errors import UserError


def test_token_ids_start_with_bos_and_pad_to_a_fixed_length():
    words = default_words()
    ids = token_ids("a red circle", words)
    assert ids[:4] == [1, words.index("a"), words.index("red"), words.index("circle")]
    assert len(ids) == len(token_ids("", words)) and set(token_ids("", words)[1:]) == {0}


def test_spelling_variants_and_punctuation_are_accepted():
    assert split_words("A GREY square, on a white background.") == ["a", "gray", "square", "on", "a", "white",
                                                                     "background"]
    check_prompt("a large grey square")


def test_unknown_words_are_named_and_the_known_words_listed():
    assert unknown_words("a red dog on the moon", default_words()) == ["dog", "moon"]
    with pytest.raises(UserError) as error:
        check_prompt("a red dog")
    message = str(error.value)
    assert "'dog'" in message
    for word in ("red", "blue", "circle", "square", "triangle", "white", "background"):
        assert word in message


def test_default_prompt_is_stable_and_uses_known_words():
    assert default_prompt("forward-card") == default_prompt("forward-card")
    prompts = {default_prompt(f"card-{n}") for n in range(50)}
    assert len(prompts) > 10
    for prompt in prompts:
        check_prompt(prompt)


@pytest.mark.parametrize(
    "tags, show",
    [
        (["forward"], "forward"),
        (["diffusion", "reverse"], "reverse"),
        (["sampling"], "steps"),
        (["steps"], "steps"),
        (["cross-attention"], "prompt"),
        (["text-encoder"], "prompt"),
        (["conditioning"], "prompt"),
        (["guidance"], "guidance"),
        (["diffusion"], "reverse"),
        ([], "reverse"),
    ],
)
def test_the_picture_follows_the_tags(tags, show):
    assert show_for_tags(tags) == show


def test_a_cards_own_illustrate_field_wins_and_the_command_line_wins_over_it(course_items):
    guidance = plan_for(course_items["guidance-card"])
    assert (guidance.show, guidance.prompt, guidance.seed) == ("guidance", "a blue square on a white background", 3)
    forward = plan_for(course_items["forward-card"])
    assert forward.show == "forward" and forward.prompt == default_prompt("forward-card")
    assert forward.seed == seed_for("forward-card") and plan_for(course_items["forward-card"], default_seed=0).seed == 0
    overridden = plan_for(course_items["guidance-card"], prompt="a red circle", seed=9)
    assert (overridden.prompt, overridden.seed) == ("a red circle", 9)
    assert plan_for(course_items["plain-card"]).show == "reverse"


def test_the_demo_draws_exactly_the_illustrations_the_deck_format_accepts():
    # Two lists on purpose (the deck model must not import the demo, nor `srs demo --help` pydantic).
    from typing import get_args

    from srs.deck.model import IllustrationKind
    from srs.demo.cards import SHOWS

    assert get_args(IllustrationKind) == SHOWS


def test_cards_asking_for_the_same_picture_without_a_seed_get_different_seeds():
    from types import SimpleNamespace

    from srs.deck.model import Illustration

    spec = Illustration(show="guidance", prompt="a red circle on a white background")
    plans = [plan_for(SimpleNamespace(id=f"l04.guidance-{i}", illustrate=spec, tags=())) for i in range(7)]
    assert len({p.seed for p in plans}) == 7 and {p.prompt for p in plans} == {spec.prompt}
    assert plans[0].seed == plan_for(SimpleNamespace(id="l04.guidance-0", illustrate=spec, tags=())).seed
