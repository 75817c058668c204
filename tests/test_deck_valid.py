"""Valid decks: what the loader makes of each form the format allows (docs/format.md)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from srs.deck import load_file
from srs.deck.model import Choice, Cloze, Flashcard, Ordering, SelfCheck

FIXTURES = Path(__file__).parent / "fixtures"


def load(text: str, name: str = "basics.yaml"):
    """The items of a deck file that must load cleanly."""
    result = load_file(name, data=text.encode("utf-8"))
    assert [str(d) for d in result.diagnostics] == []
    return result.deck


def only_item(text: str, name: str = "basics.yaml"):
    (item,) = load(text, name).items
    return item


def one_item_deck(item_yaml: str) -> str:
    return "title: Basics\nitems:\n" + "\n".join("  " + line for line in item_yaml.strip("\n").splitlines()) + "\n"


# --- forms and kinds ---------------------------------------------------------------------------------


def test_compact_q_and_a_make_a_flashcard_with_front_and_back():
    item = only_item(one_item_deck("- q: What is noise?\n  a: Static."))
    assert item.body == Flashcard(front="What is noise?", back="Static.")


def test_compact_and_long_forms_are_the_same_card():
    compact = only_item(one_item_deck("- q: What is noise?\n  a: Static."))
    long = only_item(one_item_deck("- kind: flashcard\n  front: What is noise?\n  back: Static."))
    assert (compact.id, compact.content_hash, compact.body) == (long.id, long.content_hash, long.body)


@pytest.mark.parametrize(
    ("item_yaml", "kind", "model"),
    [
        ("- front: F\n  back: B", "flashcard", Flashcard),
        ("- q: F\n  a: B", "flashcard", Flashcard),
        ("- text: A {{c1::cloze}}.", "cloze", Cloze),
        ("- prompt: P\n  steps: {a: One, b: Two}\n  answer: [a, b]", "ordering", Ordering),
        ("- question: Q\n  options: [One, Two]\n  correct: a", "choice", Choice),
        ("- question: Q\n  answer: A", "selfcheck", SelfCheck),
    ],
)
def test_kind_is_inferred_from_the_keys(item_yaml, kind, model):
    item = only_item(one_item_deck(item_yaml))
    assert item.kind == kind
    assert type(item.body) is model


def test_an_explicit_kind_wins_over_inference():
    item = only_item(one_item_deck("- kind: selfcheck\n  question: Q\n  answer: A"))
    assert item.kind == "selfcheck"


@pytest.mark.parametrize("answer", ["b d c f a e", "bdcfae", "b, d, c, f, a, e", "b → d → c → f → a → e",
                                    "[b, d, c, f, a, e]"])
def test_ordering_answer_labels_may_be_spaced_joined_or_listed(answer):
    item = only_item(one_item_deck(
        "- prompt: Order them.\n  steps: {a: A, b: B, c: C, d: D, e: E, f: F}\n  answer: " + answer
    ))
    assert item.body.answer == ["b", "d", "c", "f", "a", "e"]


def test_choice_correct_may_name_several_labels():
    item = only_item(one_item_deck("- question: Q\n  options: [One, Two, Three]\n  correct: a c"))
    assert item.body.correct == ["a", "c"]


def test_numbers_and_dates_are_kept_as_the_text_written():
    item = only_item(one_item_deck("- q: When did the war end?\n  a: 1945"))
    assert item.body.back == "1945"


def test_deck_defaults_come_from_the_file_name_and_folder():
    deck = load("title: Checks\nitems:\n  - q: Q\n    a: A\n", name="quizzes/Lesson 02.yaml")
    assert (deck.id, deck.kind, deck.description, deck.tags) == ("lesson-02", "quiz", "", ())


def test_deck_tags_are_given_to_every_item_before_its_own():
    deck = load("title: T\ntags: [diffusion, basics]\nitems:\n  - q: Q\n    a: A\n    tags: [forward, basics]\n")
    assert deck.items[0].tags == ("diffusion", "basics", "forward")


def test_items_remember_where_they_are():
    deck = load("title: T\nitems:\n  - q: Q1\n    a: A\n\n  - q: Q2\n    a: A\n")
    assert [(i.line, i.col, i.index) for i in deck.items] == [(3, 5, 0), (6, 5, 1)]


def test_the_valid_fixture_loads_all_six_kinds_with_its_picture():
    result = load_file(FIXTURES / "valid" / "every-kind.yaml")
    assert result.diagnostics == []
    deck = result.deck
    assert (deck.id, deck.title, deck.kind) == ("every-kind", "Diffusion::Every kind", "deck")
    assert (deck.options.new_per_day, deck.options.desired_retention) == (10, 0.85)
    assert [i.kind for i in deck.items] == ["flashcard", "flashcard", "selfcheck", "ordering", "choice", "cloze"]
    assert deck.items[1].body.image == "noise.png"
    assert deck.items[0].illustrate.show == "forward"


# --- Unicode -----------------------------------------------------------------------------------------

KOREAN = "확산 모델은 노이즈에서 시작해 조금씩 제거합니다."
ACCENTS_NFC = "Café, naïve, Schrödinger, señor"
ACCENTS_NFD = unicodedata.normalize("NFD", "Crème brûlée")
EMOJI = "🎨 → 🖼️ 👩‍🔬 🇰🇷"


@pytest.mark.parametrize("text", [KOREAN, ACCENTS_NFC, ACCENTS_NFD, EMOJI])
def test_unicode_text_round_trips_exactly(text):
    deck = load(f'title: "{text}"\nitems:\n  - q: "{text}"\n    a: {text}\n    tags: [ok]\n')
    item = deck.items[0]
    assert (deck.title, item.body.front, item.body.back) == (text, text, text)
    assert item.body.back.encode("utf-8") == text.encode("utf-8")  # no normalisation of any kind


def test_nfc_and_nfd_spellings_stay_distinct():
    assert unicodedata.normalize("NFC", ACCENTS_NFD) != ACCENTS_NFD
    item = only_item(one_item_deck(f"- q: {ACCENTS_NFD}\n  a: A"))
    assert item.body.front == ACCENTS_NFD


def test_a_byte_order_mark_is_ignored():
    result = load_file("bom.yaml", data=b"\xef\xbb\xbftitle: T\nitems:\n  - q: Q\n    a: A\n")
    assert (result.diagnostics, result.deck.title) == ([], "T")


def test_list_json_keeps_unicode_unescaped(run_srs, tmp_path):
    (tmp_path / "korean.yaml").write_text(f"title: {KOREAN}\nitems:\n  - q: {EMOJI}\n    a: {ACCENTS_NFC}\n",
                                          encoding="utf-8")
    result = run_srs("list", "--json", tmp_path)
    assert KOREAN in result.stdout
    assert json.loads(result.stdout)[0]["title"] == KOREAN


# --- identity ----------------------------------------------------------------------------------------

FLASHCARD = "title: Basics\nitems:\n  - q: {front}\n    a: {back}\n"


def flashcard(front: str = "What is noise?", back: str = "Static.", deck: str = "basics.yaml"):
    return only_item(FLASHCARD.format(front=front, back=back), name=deck)


def test_derived_id_is_the_deck_id_and_a_hash_of_kind_and_front():
    # Pinned: a change of scheme would orphan every learner's review history.
    assert flashcard().id == "basics.f97255a7a0"


def test_same_content_gives_the_same_id():
    assert flashcard().id == flashcard().id


def test_editing_the_back_keeps_the_id():
    assert flashcard(back="Random pixels.").id == flashcard().id


def test_editing_the_front_changes_the_id():
    assert flashcard(front="What is pure noise?").id != flashcard().id


def test_reflowing_whitespace_or_case_of_the_front_keeps_the_id():
    assert flashcard(front="'  what IS   noise?'").id == flashcard().id


def test_the_same_front_in_another_deck_gets_another_id():
    other = flashcard(deck="other.yaml")
    assert other.id.startswith("other.")
    assert other.id.removeprefix("other.") != flashcard().id.removeprefix("basics.")


def test_the_same_text_as_another_kind_gets_another_id():
    selfcheck = only_item(one_item_deck("- question: What is noise?\n  answer: Static."))
    assert selfcheck.id != flashcard().id


def test_an_explicit_id_is_kept_whatever_the_text():
    item = only_item(one_item_deck("- id: noise-1\n  q: Anything\n  a: At all"))
    assert (item.id, item.explicit_id) == ("noise-1", True)


def test_hashes_are_canonical_so_moving_text_between_fields_changes_them():
    from srs.deck.identity import digest

    assert digest(["ab", "c"]) != digest(["a", "bc"])
    assert flashcard(front="ab", back="c").content_hash != flashcard(front="a", back="bc").content_hash


BASE_ITEM = """\
- kind: choice
  question: Where does generation start?
  options: [From noise., From an image.]
  correct: a
  explanation: The denoiser runs from noise.
  tags: [start]
  illustrate: reverse"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Where does generation start?", "Where does sampling start?"),
        ("From noise.", "From static."),
        ("correct: a", "correct: b"),
        ("The denoiser runs from noise.", "The denoiser runs from static."),
        ("tags: [start]", "tags: [start, sampling]"),
        ("illustrate: reverse", "illustrate: forward"),
        ("illustrate: reverse", "illustrate: {show: reverse, seed: 3}"),
    ],
)
def test_content_hash_changes_on_any_edit(old, new):
    before = only_item(one_item_deck(BASE_ITEM))
    after = only_item(one_item_deck(BASE_ITEM.replace(old, new)))
    assert after.content_hash != before.content_hash


def test_content_hash_ignores_layout_and_quoting():
    block = only_item(one_item_deck(BASE_ITEM))
    relaid = only_item(one_item_deck(
        '- question: "Where does generation start?"\n'
        "  kind: choice\n"
        "  options:\n    - From noise.\n    - 'From an image.'\n"
        "  correct: [a]\n"
        "  illustrate: {show: reverse}\n"
        "  tags:\n    - start\n"
        "  explanation: >-\n    The denoiser runs\n    from noise.\n"
    ))
    assert relaid.content_hash == block.content_hash


def test_each_cloze_deletion_number_is_its_own_card():
    text = "'{{c2::b}} then {{c1::a}}, {{c1::again}} and {{c3::c::hint}}'"
    item = only_item(one_item_deck(f"- id: cloze-1\n  text: {text}"))
    assert item.card_ids() == ["cloze-1#c1", "cloze-1#c2", "cloze-1#c3"]


def test_other_kinds_are_one_card_under_the_item_id():
    assert flashcard().card_ids() == ["basics.f97255a7a0"]


# --- srs list ----------------------------------------------------------------------------------------


def test_list_json_counts_items_and_cards_by_kind(run_srs, monkeypatch):
    monkeypatch.chdir(FIXTURES / "valid")
    result = run_srs("list", "--json", ".")
    assert json.loads(result.stdout) == [
        {
            "id": "every-kind",
            "title": "Diffusion::Every kind",
            "kind": "deck",
            "path": "every-kind.yaml",
            "items": 6,
            "cards": 7,
            "kinds": {"choice": 1, "cloze": 1, "flashcard": 2, "ordering": 1, "selfcheck": 1},
        }
    ]
    assert result.exit_code == 0
