"""Grading orderings, choices and typed answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srs.grading import (
    AGAIN,
    GOOD,
    HARD,
    AnswerFormatError,
    compare_typed,
    grade_choice,
    grade_order,
    longest_in_order,
    parse_labels,
)

LABELS = list("abcdef")
CORRECT = list("bdcfae")


@pytest.mark.parametrize("typed", ["b d c f a e", "bdcfae", "B, D, C, F, A, E", "b→d→c→f→a→e", " b-d-c-f-a-e "])
def test_order_is_read_in_every_common_spelling(typed):
    assert parse_labels(typed, LABELS) == CORRECT


def test_an_unknown_label_says_which_labels_exist():
    with pytest.raises(AnswerFormatError, match="unknown label 'g': use a, b, c, d, e, f"):
        parse_labels("b d g", LABELS)


def test_letters_run_together_are_read_as_labels_beside_spaced_ones():
    # "bdcfaa e": the learner typed known labels; what is wrong is the repeated a, which the order check names
    assert parse_labels("bdcfaa e", LABELS) == list("bdcfaae")
    assert parse_labels("bd c f ae", LABELS) == CORRECT
    with pytest.raises(AnswerFormatError, match="unknown label 'bdg': use a, b, c, d, e, f"):
        parse_labels("bdg e", LABELS)


def test_the_right_order_is_good():
    grade = grade_order(CORRECT, CORRECT)
    assert (grade.rating, grade.in_order, grade.total, grade.exact) == (GOOD, 6, 6, True)


def test_one_adjacent_swap_is_hard():
    grade = grade_order(list("dbcfae"), CORRECT)
    assert (grade.rating, grade.one_adjacent_swap, grade.in_order) == (HARD, True, 5)


def test_a_distant_swap_is_again():
    grade = grade_order(list("edcfab"), CORRECT)
    assert grade.rating == AGAIN
    assert grade.in_order == 4  # d c f a


def test_partial_score_is_the_longest_run_in_relative_order():
    assert longest_in_order(list("abcdef"), CORRECT) == 3  # e.g. b c e
    assert longest_in_order(list("eafcdb"), CORRECT) == 1  # exactly reversed


@given(st.permutations(CORRECT))
def test_order_grades_are_consistent(order):
    grade = grade_order(list(order), CORRECT)
    assert 1 <= grade.in_order <= 6
    assert (grade.rating == GOOD) == (list(order) == CORRECT)
    if grade.rating == HARD:
        assert grade.in_order == 5


@given(st.text(max_size=30))
def test_parsing_any_text_either_reads_labels_or_says_why(text):
    try:
        result = parse_labels(text, LABELS)
    except AnswerFormatError as exc:
        assert str(exc)
    else:
        assert result and all(label in LABELS for label in result)


def test_choices_need_exactly_the_correct_set():
    assert grade_choice(["b"], ["b"]) == GOOD
    assert grade_choice(["B"], ["b"]) == GOOD
    assert grade_choice(["a"], ["b"]) == AGAIN
    assert grade_choice(["a"], ["a", "c"]) == AGAIN
    assert grade_choice(["c", "a"], ["a", "c"]) == GOOD


def test_typed_answer_ignores_case_punctuation_and_emphasis():
    result = compare_typed("Pure random STATIC!", "*pure random static*")
    assert result.similarity == 1.0
    assert result.suggested == GOOD


def test_typed_answer_marks_missing_and_extra_words():
    result = compare_typed("remove some noise", "remove a little noise")
    assert result.segments == (("same", "remove"), ("extra", "some"), ("missing", "a little"), ("same", "noise"))
    assert result.suggested == HARD


def test_a_wrong_typed_answer_suggests_again():
    assert compare_typed("a GAN", "many small denoising steps").suggested == AGAIN


@given(st.text(max_size=60), st.text(max_size=60))
def test_typed_comparison_is_bounded_and_total(a, b):
    result = compare_typed(a, b)
    assert 0.0 <= result.similarity <= 1.0
    assert result.suggested in (AGAIN, HARD, GOOD)
