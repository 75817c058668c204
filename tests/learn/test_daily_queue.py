"""The day's queue in a real terminal: new cards deck by deck (quizzes included), siblings kept apart, and
every action undone exactly, in review and in a quiz."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from learn_helpers import TODAY_ENDS_EPOCH, TOMORROW, flashcards

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NEW = 0


def wait_any(term, *patterns: str, timeout: float = 20) -> re.Match:
    """Wait until one of the regular expressions shows after the last match; the earliest one wins."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in (re.compile(p).search(term.text, term.mark) for p in patterns) if m]
        if found:
            match = min(found, key=lambda m: m.start())
            term.mark = match.end()
            return match
        if time.monotonic() > deadline:
            raise AssertionError(f"none of {patterns} showed; the screen ends with:\n{term.text[-3000:]}")
        try:
            term.raw += term.child.read_nonblocking(4096, timeout=0.05)
        except term.pexpect.TIMEOUT:
            pass


PROMPTS = (r"Space or Enter: show the answer", r"Type the labels ([a-z ]+) in the right order:",
           r"Your answer \(letter", r"Type your answer")


def answer_good(term) -> str:
    """Answer whatever card is on screen, rating Good; returns the panel's title (deck · kind)."""
    title = wait_any(term, r"╭─ (.+?) ─")
    prompt = wait_any(term, *PROMPTS)
    if prompt.re.pattern == PROMPTS[0]:
        term.send(" ")
    elif prompt.re.pattern == PROMPTS[1]:
        term.sendline(prompt.group(1))
    elif prompt.re.pattern == PROMPTS[2]:
        term.sendline("a")
    else:
        term.sendline("")
    term.expect("1 Again")
    term.send("3")
    term.expect("Recorded Good")
    return title.group(1)


def test_day_one_of_the_course_takes_new_cards_deck_by_deck_quizzes_included(learner, terminal):
    for folder, target in (("decks", learner.decks), ("quizzes", learner.quizzes)):
        for path in sorted((REPO / folder).glob("*.yaml")):
            shutil.copy(path, target / path.name)
    files = len(list(learner.decks.glob("*.yaml"))) + len(list(learner.quizzes.glob("*.yaml")))
    planned = json.loads(learner.cli("due", "--json").stdout)["cards"]
    decks = list(dict.fromkeys(card["deck"] for card in planned))
    assert len(planned) == 20 and len(decks) == files  # every file of the course is a deck with new cards

    term = terminal(learner, "review")
    titles = [answer_good(term) for _ in range(20)]
    term.send("q")
    assert term.wait_exit() == 0

    # The review showed exactly the cards `srs due` listed, in its order.
    assert [uid for uid, *_ in learner.answers()] == [card["id"] for card in planned]
    # Each deck in turn: the first cards come from as many different decks, the quizzes' among them.
    first_round = [card["deck"] for card in planned[:files]]
    assert sorted(first_round) == sorted(decks)
    kinds = {title.rsplit(" · ", 1)[1] for title in titles}
    assert {"flashcard", "choice", "ordering", "selfcheck"} <= kinds
    quiz_decks = {row[0] for row in learner.sql("SELECT id FROM decks WHERE kind = 'quiz'")}
    assert len(quiz_decks & set(first_round)) == 4


CLOZES = """\
title: Clozes
items:
  - id: stages
    text: Training {{c1::adds noise}}, sampling {{c2::removes it}}, in {{c3::many steps}}.
  - q: What is denoising?
    a: Removing noise.
"""


def test_cloze_siblings_wait_for_another_day(learner, terminal):
    learner.write("clozes.yaml", CLOZES)
    term = terminal(learner, "review")
    shown = term.expect("New 2  Learning 0  Review 0", "Training [...], sampling removes it", "Space or Enter")
    term.send(" ")
    term.expect("1 Again")
    term.send("4")
    shown += term.expect("Recorded Easy", "New 1  Learning 0  Review 0", "What is denoising?", "Space or Enter")
    term.send(" ")
    term.expect("1 Again")
    term.send("4")
    shown += term.expect("Recorded Easy", "Reviewed 2")
    assert term.wait_exit() == 0
    assert "[...]" not in shown.split("Recorded Easy")[1]  # no second card of the cloze today
    assert [uid for uid, *_ in learner.answers()] == ["stages#c1", learner.uid_of_front("What is denoising?")]
    for sibling in ("stages#c2", "stages#c3"):
        assert (learner.card(sibling)["buried_until"], learner.card(sibling)["reps"]) == (TODAY_ENDS_EPOCH, 0)
    # Tomorrow the next deletion comes, and still only one of the item's cards a day.
    assert learner.due_ids(now=TOMORROW) == ["stages#c2"]


def test_siblings_together_where_the_deck_says_so(learner):
    learner.write("clozes.yaml", CLOZES.replace("items:", "options: {bury_siblings: false}\nitems:"))
    assert learner.due_ids()[:3] == ["stages#c1", "stages#c2", "stages#c3"]
    result = learner.cli("review", input=" \n4\n \n4\nq\n")
    assert result.exit_code == 0
    assert [uid for uid, *_ in learner.answers()] == ["stages#c1", "stages#c2"]
    assert learner.card("stages#c3")["buried_until"] == 0


@pytest.fixture
def drill(learner):
    learner.write("drill.yaml", flashcards("Drill", 3))
    return learner


def test_suspend_then_undo_gives_the_card_back(drill, terminal):
    term = terminal(drill, "review")
    term.expect("New 3  Learning 0  Review 0", "Question number 1?", "Space or Enter")
    term.send(" ")
    term.expect("1 Again")
    term.send("3")
    term.expect("Recorded Good", "New 2  Learning 1  Review 0", "Question number 2?", "Space or Enter")
    term.send("s")
    term.expect("Suspended.", "New 1  Learning 1  Review 0", "Question number 3?", "Space or Enter")
    assert drill.card("card02")["suspended"] == 1
    term.send("u")
    # The suspension is undone, not the answer before it; the card comes back at once.
    term.expect("Undid suspending “Question number 2?”.", "New 2  Learning 1  Review 0", "Question number 2?",
                "Space or Enter")
    assert drill.card("card02")["suspended"] == 0
    assert drill.answers() == [("card01", 3, None, NEW)]
    term.send("b")
    term.expect("Buried until tomorrow.", "Question number 3?", "Space or Enter")
    term.send("u")
    term.expect("Undid burying “Question number 2?”.", "Question number 2?", "Space or Enter")
    assert drill.card("card02")["buried_until"] == 0
    term.send("f")
    term.expect("Flagged for the author")
    term.send("u")
    term.expect("Undid flagging “Question number 2?”.", "Question number 2?", "Space or Enter")
    assert drill.card("card02")["flagged"] is None
    term.send("u")
    term.expect("Undid the answer to “Question number 1?”.", "New 3  Learning 0  Review 0", "Question number 1?")
    term.send("u")
    term.expect("Nothing to undo.")
    term.send("q")
    assert term.wait_exit() == 0
    assert drill.revlog() == []


QUIZ = """\
title: Checks
options: {shuffle_options: false}
items:
""" + "".join(f"  - id: q{n}\n    question: Which is number {n}?\n    options: ['{n}', 'not {n}']\n    correct: a\n"
              for n in range(1, 7))


def test_undo_inside_a_quiz_keeps_the_score_right(learner, terminal):
    learner.write("checks.yaml", QUIZ, quiz=True)
    term = terminal(learner, "quiz", "checks")
    term.expect("Question 1 of 6", "Which is number 1?", "Your answer (letter):")
    term.sendline("a")
    term.expect("Right!", "Enter = suggested")
    term.send("\r")
    term.expect("Recorded Good", "Question 2 of 6", "Your answer (letter):")
    term.sendline("u")
    # Back to question 1, whose answer left the score; answered wrong this time.
    term.expect("Undid the answer to “Which is number 1?”.", "Question 1 of 6", "Your answer (letter):")
    term.sendline("b")
    term.expect("Wrong.", "Enter = suggested")
    term.send("\r")
    for n in range(2, 7):
        term.expect(f"Question {n} of 6", f"Which is number {n}?", "Your answer (letter):")
        term.sendline("a")
        term.expect("Right!", "Enter = suggested")
        term.send("\r")
        term.expect("Recorded Good")
    term.expect("Score: 5/6", "missed: Which is number 1?")
    assert term.wait_exit() == 0
    assert [(uid, rating) for uid, rating, *_ in learner.answers()] == [
        ("q1", 1), ("q2", 3), ("q3", 3), ("q4", 3), ("q5", 3), ("q6", 3)]


EDITOR_SCRIPT = """\
import pathlib, sys
deck = pathlib.Path(sys.argv[-1])
deck.write_text(deck.read_text().replace("Answer number 1.", "Answer number one."))
"""


def test_undo_of_an_edit_puts_the_deck_file_back(drill, terminal):
    script = drill.root / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    deck = drill.decks / "drill.yaml"
    before = deck.read_text()
    term = terminal(drill, "review", EDITOR=f"{sys.executable} {script}")
    term.expect("Question number 1?", "Space or Enter")
    term.send("e")
    term.expect("Reloaded the deck", "Question number 1?", "Space or Enter")
    assert "Answer number one." in deck.read_text()
    term.send("u")
    term.expect("Reloaded the deck", "Undid the edit of “Question number 1?”.", "Question number 1?", "Space or Enter")
    assert deck.read_text() == before
    term.send(" ")
    term.expect("Answer number 1.", "1 Again")
    term.send("q")
    assert term.wait_exit() == 0
    content = drill.sql("SELECT content FROM items WHERE uid = 'card01'")[0][0]
    assert json.loads(content)["back"] == "Answer number 1."
