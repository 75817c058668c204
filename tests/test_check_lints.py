"""`srs check` style warnings on card quality: one exact `file:line:col: warning: message` line each, exit 0.

Each file (or folder) in tests/fixtures/style/ shows one problem and is named for it; the table below is the
specification of what authors see. The bundled course is held to all of them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from srs.deck import load_paths
from srs.deck.lints import near_duplicates

FIXTURES = Path(__file__).parent / "fixtures"
STYLE = FIXTURES / "style"
REPO = FIXTURES.parent.parent

EXPECTED = {
    "near-duplicate-fronts.yaml": "near-duplicate-fronts.yaml:5:8: warning: flashcard: the front is 97 % like "
    "near-duplicate-fronts.yaml:3; near-duplicate cards interfere (merge them, or make them differ)",
    "near-duplicate-across-files": "near-duplicate-across-files/b.yaml:4:15: warning: selfcheck: the front is "
    "98 % like near-duplicate-across-files/a.yaml:3; near-duplicate cards interfere (merge them, or make them "
    "differ)",
    "enumeration-prompt.yaml": "enumeration-prompt.yaml:3:8: warning: flashcard: the front asks for a list "
    "('Name the six'); a card for each member is easier to remember (split it)",
    "long-answer.yaml": "long-answer.yaml:4:8: warning: flashcard: the answer is 44 words, over 40; a long answer "
    "is hard to grade (shorten it, or set the deck's options.max_answer_words)",
    "long-answer-deck-limit.yaml": "long-answer-deck-limit.yaml:5:8: warning: flashcard: the answer is 6 words, "
    "over 5; a long answer is hard to grade (shorten it, or set the deck's options.max_answer_words)",
    "long-cloze-answer.yaml": "long-cloze-answer.yaml:4:11: warning: cloze: c1's answer is 8 words, over 4; "
    "a long answer is hard to grade",
    "cloze-gives-away-another.yaml": "cloze-gives-away-another.yaml:3:11: warning: cloze: c2's answer 'noise' "
    "is shown on its own card, in c1; its card gives it away",
    "cloze-gives-away-itself.yaml": "cloze-gives-away-itself.yaml:3:11: warning: cloze: c1's answer 'forward' "
    "is shown on its own card, in the text around it; its card gives it away",
    "cloze-is-another-cards-answer.yaml": "cloze-is-another-cards-answer.yaml:5:11: warning: cloze: its text is "
    "100 % the answer of cloze-is-another-cards-answer.yaml:3, which shows every blank (merge them)",
    "choice-explanation-cites-letters.yaml": "choice-explanation-cites-letters.yaml:8:18: warning: choice: the "
    "explanation cites option (a) by its letter, but the options are shuffled at each showing (name the option "
    "instead, or set the deck's options.shuffle_options: false)",
    "illustration-misfit.yaml": "illustration-misfit.yaml:6:17: warning: illustrate: 'guidance' does not fit "
    "the item's tags (conditioning); it shows items tagged cfg, classifier-free-guidance, guidance",
}


def test_every_style_fixture_has_its_expected_line():
    assert sorted(p.name for p in STYLE.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_warns_about_the_one_problem_exactly(name, run_srs, monkeypatch):
    monkeypatch.chdir(STYLE)
    result = run_srs("check", name)
    assert result.stdout == EXPECTED[name] + "\n"
    assert result.stderr.endswith(": 0 errors, 1 warning\n")
    assert result.exit_code == 0  # a warning never fails the check


def test_the_bundled_course_has_no_warnings(run_srs, monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_srs("check", "decks", "quizzes")
    assert result.stdout == ""
    assert result.stderr.endswith(" items: 0 errors, 0 warnings\n")


def test_a_deck_limit_lets_long_model_answers_through(tmp_path, run_srs):
    answer = " ".join(["word"] * 60)
    deck = tmp_path / "exercises.yaml"
    deck.write_text(f"title: Exercises\noptions: {{max_answer_words: 60}}\nitems:\n  - question: Why?\n"
                    f"    answer: {answer}\n", encoding="utf-8")
    assert run_srs("check", deck).stdout == ""
    deck.write_text(deck.read_text(encoding="utf-8").replace("60}", "59}"), encoding="utf-8")
    assert "the answer is 60 words, over 59" in run_srs("check", deck).stdout


def test_letters_cited_in_a_choice_that_is_not_shuffled_pass(tmp_path, run_srs):
    deck = tmp_path / "letters.yaml"
    text = (STYLE / "choice-explanation-cites-letters.yaml").read_text(encoding="utf-8")
    deck.write_text(text.replace("items:", "options: {shuffle_options: false}\nitems:"), encoding="utf-8")
    assert run_srs("check", deck).stdout == ""
    deck.write_text(text.replace("retrieval (a)", "retrieval (not b)"), encoding="utf-8")
    assert "cites option (b) by its letter" in run_srs("check", deck).stdout


@pytest.mark.parametrize("front", [
    "What are the four key takeaways of lesson 02?",
    "List the 3 stages of sampling.",
    "Give all the five limits.",
])
def test_enumeration_prompts_are_found_in_several_phrasings(front, tmp_path, run_srs):
    deck = tmp_path / "d.yaml"
    deck.write_text(f"title: D\nitems:\n  - q: {front}\n    a: Several things.\n", encoding="utf-8")
    assert "the front asks for a list" in run_srs("check", deck).stdout


@pytest.mark.parametrize("front", [
    "You prompt for exactly seven apples. What should you check?",
    "Which timestep does DDPM training use?",
])
def test_numbers_that_ask_for_no_list_are_not_enumerations(front, tmp_path, run_srs):
    deck = tmp_path / "d.yaml"
    deck.write_text(f"title: D\nitems:\n  - q: {front}\n    a: One thing.\n", encoding="utf-8")
    assert run_srs("check", deck).stdout == ""


def test_a_picture_that_fits_one_of_the_tags_passes(tmp_path, run_srs):
    deck = tmp_path / "d.yaml"
    deck.write_text("title: D\nitems:\n  - q: What does the guidance scale trade?\n    a: Fit against variety.\n"
                    "    tags: [guidance, variety]\n    illustrate: guidance\n", encoding="utf-8")
    assert run_srs("check", deck).stdout == ""


def test_clozes_with_distinct_answers_pass(tmp_path, run_srs):
    deck = tmp_path / "d.yaml"
    deck.write_text("title: D\nitems:\n  - text: DDPM used T = {{c1::1000}} steps, with beta rising "
                    "{{c2::linearly}}.\n", encoding="utf-8")
    assert run_srs("check", deck).stdout == ""


def test_near_duplicates_are_found_among_many_items_without_comparing_every_pair(tmp_path):
    # 2,000 unrelated fronts and one near-copy of the first: the sketch finds the copy among them.
    rng = random.Random(16)
    words = "noise image step denoiser sample model prompt guidance seed latent pixel schedule signal".split()
    fronts = [" ".join(rng.choice(words) for _ in range(12)) + "?" for _ in range(2000)]
    lines = ["title: Many", "items:"]
    for front in fronts + [fronts[0].replace("?", "s?")]:
        lines += [f"  - q: {front}", "    a: Yes."]
    (tmp_path / "many.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = load_paths([tmp_path / "many.yaml"]).items()
    found = near_duplicates(items)
    assert [(d.line, d.message.split(";")[0]) for d in found] == [
        (4003, f"flashcard: the front is 99 % like {tmp_path / 'many.yaml'}:3")
    ]
