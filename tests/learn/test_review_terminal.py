"""`srs review` in a real terminal (a pseudo-terminal of 40 x 100): single keypresses in raw mode, typed
answers as lines. After every step the database says exactly what the screen said."""

from __future__ import annotations

import json
import sys

import pytest
from learn_helpers import NOW_EPOCH, PRACTICE_FRONTS, TODAY_ENDS_EPOCH, TOMORROW, flashcards

pytestmark = pytest.mark.e2e

NEW, LEARNING, REVIEW = 0, 1, 2


@pytest.fixture
def drill(learner):
    """A learner with five flashcards card01..card05 ("Question number N?" / "Answer number N.")."""
    learner.write("drill.yaml", flashcards("Drill", 5))
    return learner


def reveal_and_rate(term, number: int, key: str, verdict: str) -> None:
    term.expect(f"Question number {number}?", "Space or Enter: show the answer")
    term.send(" ")
    term.expect(f"Answer number {number}.", "1 Again")
    term.send(key)
    term.expect(f"Recorded {verdict}: next in")


def test_each_kind_of_card_is_answered_and_recorded_as_shown(practice, terminal):
    term = terminal(practice, "review")

    # A flashcard: space reveals the back, 3 rates Good.
    term.expect("New 5  Learning 0  Review 0", "Practice · flashcard", PRACTICE_FRONTS[0],
                "Space or Enter: show the answer")
    term.send(" ")
    term.expect("Paris", "1 Again 1m   2 Hard 6m   3 Good 10m   4 Easy ")
    term.send("3")
    term.expect("Recorded Good: next in 10m.")
    capital = practice.uid_of_front(PRACTICE_FRONTS[0])
    assert practice.answers() == [(capital, 3, None, NEW)]
    card = practice.card(capital)
    assert (card["state"], card["reps"]) == (LEARNING, 1)
    assert NOW_EPOCH <= card["last_review"] < NOW_EPOCH + 30  # --now is the session's start; time flows
    assert card["due"] == card["last_review"] + 600

    # An ordering with one adjacent swap: Hard is suggested, and Enter takes it.
    term.expect("New 4  Learning 1  Review 0", "Practice · ordering", PRACTICE_FRONTS[1], "(a) Denoise again.",
                "(b) Noise real images.", "(c) Start from static.", "Type the labels a b c in the right order:")
    term.sendline("c b a")
    term.expect("You: c b a   One adjacent swap.  2/3 in the right relative order.", "Right order: b → c → a",
                "Wreck images first, then denoise from static.", "2 Hard* 6m", "Enter = suggested")
    term.send("\r")
    term.expect("Recorded Hard: next in 6m.")
    assert practice.answers()[-1] == ("stages", 2, "c b a", NEW)

    # A choice: the letter, then Enter takes the suggested Good.
    term.expect("New 3  Learning 2  Review 0", "Practice · choice", PRACTICE_FRONTS[2], "(a) Retrieval.",
                "(b) Diffusion.", "Your answer (letter):")
    term.sendline("b")
    term.expect("You: (b) Diffusion.   Right!", "Answer: (b) Diffusion.", "3 Good* 10m", "Enter = suggested")
    term.send("\r")
    term.expect("Recorded Good: next in 10m.")
    assert practice.answers()[-1] == ("noise-choice", 3, "b", NEW)

    # A selfcheck: the typed answer verbatim above the model answer; no score, no grade suggested.
    term.expect("New 2  Learning 3  Review 0", "Practice · selfcheck", PRACTICE_FRONTS[3],
                "Type your answer (Enter to skip):")
    term.sendline("Small steps are easy predictions")
    shown = term.expect("You wrote:", "Small steps are easy predictions", "Model answer:",
                        "Small steps are easy predictions.", "4 Easy")
    term.send("4")
    shown += term.expect("Recorded Easy: next in")
    assert "Enter = suggested" not in shown and "%" not in shown
    selfcheck = practice.uid_of_front(PRACTICE_FRONTS[3])
    assert practice.answers()[-1] == (selfcheck, 4, "Small steps are easy predictions", NEW)
    assert practice.card(selfcheck)["state"] == REVIEW

    # A cloze, one card per deletion: Enter reveals too; 1 is Again.
    term.expect("New 1  Learning 3  Review 0", "Practice · cloze", PRACTICE_FRONTS[4], "Space or Enter")
    term.send("\r")
    term.expect("Generation starts from pure noise and removes it step by step.", "1 Again")
    term.send("1")
    term.expect("Recorded Again: next in 1m.")
    assert practice.answers()[-1] == ("generation#c1", 1, None, NEW)

    # Its sibling c2 is buried for the day: the learning cards come back early instead, c1 (due in 1m) first.
    shown = term.expect("New 0  Learning 4  Review 0", "Practice · cloze", PRACTICE_FRONTS[4], "Space or Enter")
    assert PRACTICE_FRONTS[5] not in shown
    term.send("q")
    term.expect("Reviewed 5 · accuracy 80% · ", "streak 1 day")
    assert term.wait_exit() == 0
    assert "Traceback" not in term.text

    assert practice.answers() == [
        (capital, 3, None, NEW),
        ("stages", 2, "c b a", NEW),
        ("noise-choice", 3, "b", NEW),
        (selfcheck, 4, "Small steps are easy predictions", NEW),
        ("generation#c1", 1, None, NEW),
    ]
    log = practice.revlog()
    assert {row["source"] for row in log} == {"review"}
    assert all(NOW_EPOCH <= row["reviewed_at"] < NOW_EPOCH + 60 for row in log)
    assert all(row["duration_ms"] is not None and row["duration_ms"] >= 0 for row in log)
    assert practice.card("generation#c2")["reps"] == 0
    assert practice.card("generation#c2")["buried_until"] == TODAY_ENDS_EPOCH


def test_undo_removes_the_last_answer_and_the_same_card_comes_back(drill, terminal):
    term = terminal(drill, "review")
    term.expect("New 5  Learning 0  Review 0", "Question number 1?", "Space or Enter")
    term.send("u")
    term.expect("Nothing to undo.", "New 5  Learning 0  Review 0")  # the same card, shown again

    before = drill.card("card01")
    reveal_and_rate(term, 1, "3", "Good")
    assert len(drill.revlog()) == 1
    assert drill.card("card01") != before

    term.expect("New 4  Learning 1  Review 0", "Question number 2?", "Space or Enter")
    term.send("u")
    term.expect("Undid the answer to “Question number 1?”.")
    assert drill.revlog() == []  # the log shrank by one
    assert drill.card("card01") == before  # every column as it was
    term.expect("New 5  Learning 0  Review 0")  # the same card comes back:

    reveal_and_rate(term, 1, "4", "Easy")
    term.expect("Question number 2?", "Space or Enter")
    term.send("q")
    term.expect("Reviewed 1 · accuracy 100%")
    assert term.wait_exit() == 0
    assert drill.answers() == [("card01", 4, None, NEW)]


def test_bury_hides_the_card_for_the_rest_of_the_day_only(drill, terminal):
    term = terminal(drill, "review")
    term.expect("New 5  Learning 0  Review 0", "Question number 1?", "Space or Enter")
    term.send("b")
    term.expect("Buried until tomorrow.", "New 4  Learning 0  Review 0", "Question number 2?")
    term.send("q")
    term.expect("Due tomorrow: 0.")
    assert term.wait_exit() == 0
    card = drill.card("card01")
    assert (card["buried_until"], card["state"], card["reps"]) == (TODAY_ENDS_EPOCH, NEW, 0)
    assert drill.revlog() == []

    # Later the same day it stays hidden; the learner's next day starts at 04:00.
    later = terminal(drill, "review", now="2026-11-23T23:00:00Z")
    later.expect("New 4  Learning 0  Review 0", "Question number 2?", "Space or Enter")
    later.send("q")
    assert later.wait_exit() == 0
    assert "card01" not in drill.due_ids(now="2026-11-24T03:59:59Z")
    assert drill.due_ids(now="2026-11-24T04:00:00Z")[0] == "card01"

    tomorrow = terminal(drill, "review", now=TOMORROW)
    tomorrow.expect("New 5  Learning 0  Review 0", "Question number 1?", "Space or Enter")
    tomorrow.send("q")
    assert tomorrow.wait_exit() == 0


def test_suspend_takes_the_card_out_of_every_future_review(drill, terminal):
    term = terminal(drill, "review")
    term.expect("Question number 1?", "Space or Enter")
    term.send("s")
    term.expect("Suspended.", "New 4  Learning 0  Review 0", "Question number 2?", "Space or Enter")
    term.send("q")
    assert term.wait_exit() == 0
    assert drill.card("card01")["suspended"] == 1
    assert drill.revlog() == []
    for now in ("2026-11-23T10:00:00Z", TOMORROW, "2027-06-01T10:00:00Z"):
        assert drill.due_ids(now=now) == ["card02", "card03", "card04", "card05"]

    again = terminal(drill, "review", now=TOMORROW)
    again.expect("New 4  Learning 0  Review 0", "Question number 2?", "Space or Enter")
    again.send("q")
    assert again.wait_exit() == 0


EDITOR_SCRIPT = """\
import json, pathlib, sys
deck = pathlib.Path(sys.argv[-1])
deck.write_text(deck.read_text().replace("a: Paris\\n", "a: Paris, on the Seine\\n"))
pathlib.Path(sys.argv[0]).with_suffix(".args.json").write_text(json.dumps(sys.argv[1:]))
"""

GEOGRAPHY = """\
title: Geography
items:
  - q: What is the capital of France?
    a: Paris
  - q: What is the capital of Italy?
    a: Rome
"""


def test_edit_opens_the_editor_at_the_card_and_reloads_it_keeping_its_history(learner, terminal):
    deck = learner.write("geography.yaml", GEOGRAPHY)
    script = learner.root / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    term = terminal(learner, "review", EDITOR=f"{sys.executable} {script}")

    term.expect("What is the capital of France?", "Space or Enter")
    term.send(" ")
    term.expect("Paris", "1 Again")
    term.send("1")
    term.expect("Recorded Again: next in 1m.", "What is the capital of Italy?", "Space or Enter")
    term.send(" ")
    term.expect("Rome", "1 Again")
    term.send("3")
    term.expect("Recorded Good: next in 10m.")

    # France comes back (learning, due within 20 minutes): edit it.
    term.expect("New 0  Learning 2  Review 0", "What is the capital of France?", "Space or Enter")
    france = learner.uid_of_front("What is the capital of France?")
    before = learner.card(france)
    term.send("e")
    term.expect("Reloaded the deck", "What is the capital of France?", "Space or Enter")
    assert json.loads(script.with_suffix(".args.json").read_text()) == ["+3", str(deck)]
    term.send(" ")
    term.expect("Paris, on the Seine", "1 Again")
    term.send("3")
    term.expect("Recorded Good: next in 10m.")
    # Both are due at 10:10 now; France, the older card, comes first.
    term.expect("New 0  Learning 2  Review 0", "What is the capital of France?", "Space or Enter")
    term.send("q")
    assert term.wait_exit() == 0

    # The back changed; the id (derived from the front), the card and its history did not.
    assert learner.uid_of_front("What is the capital of France?") == france
    content = json.loads(learner.sql("SELECT content FROM items WHERE uid = ?", [france])[0][0])
    assert content["back"] == "Paris, on the Seine"
    assert learner.card(france)["cid"] == before["cid"]
    italy = learner.uid_of_front("What is the capital of Italy?")
    assert [(uid, rating) for uid, rating, _, _ in learner.answers()] == [(france, 1), (italy, 3), (france, 3)]
    assert learner.card(france)["reps"] == 2


def test_flag_marks_the_card_for_the_author_with_its_file_and_line(drill, terminal):
    term = terminal(drill, "review")
    term.expect("Question number 1?", "Space or Enter")
    term.send("f")
    term.expect("Flagged for the author (see `srs flagged`).")
    reveal_and_rate(term, 1, "3", "Good")  # the flagged card stays on screen to be answered
    term.expect("Question number 2?", "Space or Enter")
    term.send("q")
    assert term.wait_exit() == 0

    assert drill.card("card01")["flagged"] == "needs a fix"
    deck = drill.decks / "drill.yaml"
    result = drill.cli("flagged")
    assert (result.exit_code, result.stdout) == (0, f"{deck}:3: card01: needs a fix\n")
    result = drill.cli("flagged", "--json")
    assert json.loads(result.stdout) == [{"id": "card01", "path": str(deck), "line": 3, "note": "needs a fix"}]


def test_quit_and_a_second_review_continues_where_the_first_stopped(drill, terminal):
    first = terminal(drill, "review")
    first.expect("New 5  Learning 0  Review 0")
    reveal_and_rate(first, 1, "3", "Good")
    first.expect("New 4  Learning 1  Review 0")
    reveal_and_rate(first, 2, "3", "Good")
    first.expect("New 3  Learning 2  Review 0", "Question number 3?", "Space or Enter")
    first.send("q")
    first.expect("Reviewed 2 · accuracy 100%")
    assert first.wait_exit() == 0
    assert drill.answers() == [("card01", 3, None, NEW), ("card02", 3, None, NEW)]

    due = json.loads(drill.cli("due", "--json").stdout)
    assert due["counts"] == {"learning": 2, "review": 0, "new": 3}
    assert [card["id"] for card in due["cards"]] == ["card03", "card04", "card05", "card01", "card02"]

    second = terminal(drill, "review")
    second.expect("New 3  Learning 2  Review 0")
    reveal_and_rate(second, 3, "3", "Good")
    second.expect("New 2  Learning 3  Review 0", "Question number 4?", "Space or Enter")
    second.send("q")
    second.expect("Reviewed 1 · accuracy 100%")
    assert second.wait_exit() == 0
    assert drill.answers() == [("card01", 3, None, NEW), ("card02", 3, None, NEW), ("card03", 3, None, NEW)]


@pytest.mark.parametrize("where", ["rating keys", "typed answer"])
def test_ctrl_c_quits_cleanly_keeping_every_recorded_answer(practice, terminal, where):
    term = terminal(practice, "review")
    term.expect(PRACTICE_FRONTS[0], "Space or Enter")
    term.send(" ")
    term.expect("1 Again")
    term.send("3")
    term.expect("Recorded Good", PRACTICE_FRONTS[1], "Type the labels")
    term.sendline("b c a")
    term.expect("All in order!", "Enter = suggested")
    term.send("\r")
    term.expect("Recorded Good", PRACTICE_FRONTS[2], "Your answer (letter):")
    if where == "rating keys":  # raw mode: Ctrl-C arrives as a key
        term.sendline("a")
        term.expect("Wrong.", "Enter = suggested")
    term.ctrl_c()
    term.expect("Reviewed 2 · accuracy 100%")
    assert term.wait_exit() == 0
    assert "Traceback" not in term.text and "KeyboardInterrupt" not in term.text
    assert term.text.count("Recorded ") == 2
    capital = practice.uid_of_front(PRACTICE_FRONTS[0])
    assert practice.answers() == [(capital, 3, None, NEW), ("stages", 3, "b c a", NEW)]


def test_keys_typed_ahead_are_not_lost(drill, terminal):
    term = terminal(drill, "review")
    term.expect("Question number 1?", "Space or Enter")
    term.send(" 3")  # reveal and rate in one go, faster than the screen
    term.expect("Answer number 1.", "Recorded Good: next in 10m.", "Question number 2?", "Space or Enter")
    term.send("q")
    assert term.wait_exit() == 0
    assert drill.answers() == [("card01", 3, None, NEW)]


@pytest.mark.parametrize("typed, kept", [
    ("fast\x1b[Dt", "fastt"),  # an arrow key: it moves the cursor back, and t goes in before the last t
    ("a b\x07 c", "a b c"),  # a control character
])
def test_escape_sequences_typed_into_an_answer_are_not_echoed_or_kept(learner, terminal, typed, kept):
    learner.write("check.yaml", "title: Check\nitems:\n  - question: Why?\n    answer: Because.\n")
    term = terminal(learner, "review")
    term.expect("Why?", "Type your answer")
    shown_before = len(term.raw)
    term.sendline(typed)
    term.expect("You wrote:", kept, "Model answer:", "1 Again")
    echoed = term.raw[shown_before:].split("You wrote:", 1)[1]
    assert "\x1b[2J" not in echoed and "\x1b[D" not in echoed and "\x07" not in echoed
    term.send("3")
    term.expect("Recorded Good")
    assert learner.answers()[0][2] == kept


def test_arrow_keys_edit_a_typed_answer(learner, terminal):
    learner.write("check.yaml", "title: Check\nitems:\n  - question: Why?\n    answer: Because.\n")
    term = terminal(learner, "review")
    term.expect("Why?", "Type your answer")
    term.send("fst\x1b[D\x1b[Da\r")  # a typo fixed with the left arrow
    term.expect("You wrote:", "Model answer:", "1 Again")
    term.send("3")
    term.expect("Recorded Good")
    assert learner.answers()[0][2] == "fast"


def test_escape_sequences_in_a_scripted_answer_are_not_echoed_or_kept(learner):
    learner.write("check.yaml", "title: Check\nitems:\n  - question: Why?\n    answer: Because.\n")
    out = learner.cli("review", input="why\x1b[2J\x1b[31m red\n3\n").stdout  # clear the screen, turn red
    assert "You wrote:" in out
    assert "\x1b" not in out.split("You wrote:", 1)[1]
    assert learner.answers()[0][2] == "why red"
