"""srs's own State, Rating and Mode: the same values as fsrs's, without importing fsrs to use them."""

import subprocess
import sys

import fsrs
import pytest

from srs.domain import Mode, Rating, State
from srs.store.schema import LEARNING, NEW, RELEARNING, REVIEW


def test_states_past_new_are_fsrs_states():
    assert {s.name: s.value for s in fsrs.State} == {"Learning": 1, "Review": 2, "Relearning": 3}
    for state in fsrs.State:
        assert State[state.name.upper()] == state.value
    assert State.NEW == 0


def test_ratings_are_fsrs_ratings():
    assert [(r.name.upper(), r.value) for r in fsrs.Rating] == [(r.name, r.value) for r in Rating]


def test_the_store_constants_are_the_states():
    assert (NEW, LEARNING, REVIEW, RELEARNING) == (State.NEW, State.LEARNING, State.REVIEW, State.RELEARNING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", Rating.AGAIN), ("4", Rating.EASY), ("good", Rating.GOOD), ("Hard", Rating.HARD), (" EASY ", Rating.EASY),
     ("0", None), ("5", None), ("", None), ("goodish", None), ("again!", None)],
)
def test_a_rating_is_parsed_from_its_number_or_name(text, expected):
    assert Rating.parse(text) == expected


def test_labels():
    assert [s.label for s in State] == ["new", "learning", "review", "relearning"]
    assert [r.label for r in Rating] == ["Again", "Hard", "Good", "Easy"]


def test_a_mode_is_written_as_its_value():
    assert f"{Mode.TYPED}" == str(Mode.TYPED) == "typed"
    assert Mode.CHOICE == "choice"


def test_the_domain_types_do_not_import_fsrs():
    code = "import sys, srs.domain; print('fsrs' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
