"""What review says and asks: ordering hints, choices, `?`, "nothing due" and the ways to study more,
the clock that flows from --now, and the commands that give a card back."""

from __future__ import annotations

import json
import re

import pytest
from learn_helpers import NOW, TODAY_ENDS_EPOCH, flashcards

ORDERINGS = """\
title: Orders
items:
  - id: three
    prompt: Put the three in order.
    steps: {c: Third?, a: Second?, b: First?}
    answer: [b, a, c]
  - id: six
    prompt: Put the six in order.
    steps: {a: A, b: B, c: C, d: D, e: E, f: F}
    answer: [b, d, c, f, a, e]
"""


def test_the_ordering_hint_names_the_exercises_own_labels_in_alphabetical_order(learner):
    learner.write("orders.yaml", ORDERINGS)
    result = learner.cli("review", input="b a c\n3\nbdcfae\n3\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Type the labels a b c in the right order:" in out
    assert "Type the labels a b c d e f in the right order:" in out
    assert "e.g." not in out and "b d c f a e" not in out.split("You: b d c f a e")[0]
    assert [(uid, response) for uid, _, response, _ in learner.answers()] == [("three", "b a c"),
                                                                             ("six", "b d c f a e")]


@pytest.mark.parametrize("typed, reason", [
    ("bc", "use every label once (3 in all): a missing; try again."),
    ("b a a c", "use every label once (3 in all): a more than once; try again."),
    ("b b", "use every label once (3 in all): a, c missing; b more than once; try again."),
])
def test_an_order_that_does_not_use_every_label_once_is_asked_again_with_the_reason(learner, typed, reason):
    learner.write("orders.yaml", ORDERINGS)
    result = learner.cli("review", input=f"{typed}\nb a c\n3\nq\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index(reason)
    assert lines[at + 1] == "Type the labels a b c in the right order:"
    assert learner.answers()[0][:3] == ("three", 3, "b a c")


CHOICE = """\
title: Choices
items:
  - id: pick
    question: Which one starts from noise?
    options: [Retrieval, Diffusion, Search, Sorting]
    correct: b
"""


def test_choice_options_are_shuffled_at_each_showing_and_the_log_keeps_the_decks_labels(learner):
    learner.write("choice.yaml", CHOICE)
    seen = set()
    for day in range(8):
        result = learner.cli("due", "--json", now=f"2026-12-{day + 1:02d}T10:00:00Z")
        assert result.exit_code == 0
        out = learner.cli("review", input="?\nq\n", now=f"2026-12-{day + 1:02d}T10:00:00Z").stdout
        shown = [line.strip("│ ")[4:] for line in out.splitlines() if line.startswith("│ (")]
        assert sorted(shown) == ["Diffusion", "Retrieval", "Search", "Sorting"]
        seen.add(tuple(shown))
    assert len(seen) > 1  # shuffled (8 showings in one order: 1 in 24^7)



@pytest.mark.e2e
def test_the_learner_types_the_label_shown_and_the_log_keeps_the_decks(learner, terminal):
    learner.write("choice.yaml", CHOICE)
    term = terminal(learner, "review")
    screen = term.expect("Which one starts from noise?", "Your answer (letter):")
    shown = dict(re.findall(r"│ \(([a-d])\) (\w+)", screen))
    label = {text: label for label, text in shown.items()}["Diffusion"]
    term.sendline(label)
    term.expect(f"You: ({label}) Diffusion   Right!", f"Answer: ({label}) Diffusion", "Enter = suggested")
    term.send("\r")
    term.expect("Recorded Good", "Your answer (letter):")  # back within the learn-ahead window
    term.sendline("q")
    assert term.wait_exit() == 0
    assert learner.answers()[-1][:3] == ("pick", 3, "b")


def test_choice_options_keep_their_order_where_the_deck_says_so(learner):
    learner.write("choice.yaml", CHOICE.replace("items:", "options: {shuffle_options: false}\nitems:"))
    out = learner.cli("review", input="q\n").stdout
    assert [line.strip("│ ") for line in out.splitlines() if line.startswith("│ (")] == [
        "(a) Retrieval", "(b) Diffusion", "(c) Search", "(d) Sorting"]


def test_question_mark_lists_the_keys_and_the_card_stays(learner):
    learner.write("drill.yaml", flashcards("Drill", 2))
    out = learner.cli("review", input="?\n \n?\n3\nq\n").stdout
    assert out.count("Keys: space or Enter show the answer") == 2
    assert "u undo the last action · b bury until tomorrow · s suspend" in out
    assert learner.answers()[0][:2] == ("card01", 3)


# -- nothing due ------------------------------------------------------------------------------------------


def test_nothing_due_names_the_new_card_limit_and_extra_new_studies_more(learner):
    learner.write("drill.yaml", flashcards("Drill", 5).replace("items:", "options: {new_per_day: 2}\nitems:"))
    first = learner.cli("review", input=" \n4\n \n4\n")
    assert first.exit_code == 0
    lines = first.stdout.splitlines()
    at = lines.index("That is all for now.")  # the session ran out: it says why
    assert lines[at + 1].startswith("3 more new cards wait: the decks' own daily limits")
    out = learner.cli("review").stdout.splitlines()
    assert out[:3] == [
        "Nothing is due now.",
        "3 more new cards wait: the decks' own daily limits of new cards are reached (deck option new_per_day).",
        "To learn more today: srs review --extra-new 3",
    ]
    days = (min(learner.card(uid)["due"] for uid in ("card01", "card02")) - TODAY_ENDS_EPOCH) // 86400 + 1
    assert days > 1  # answered Easy: not due tomorrow, so `--ahead 1` would show nothing
    assert out[-2] == f"The next reviews are due in {days} days: srs review --ahead {days}"
    assert learner.due_ids() == []
    assert learner.cli("due", "--json", "--extra-new", "2").stdout.count('"id"') == 2
    result = learner.cli("review", "--extra-new", "1", input=" \n4\n")
    assert "Question number 3?" in result.stdout and "Question number 4?" not in result.stdout
    assert [uid for uid, *_ in learner.answers()] == ["card01", "card02", "card03"]


def test_nothing_due_names_the_overall_limit(learner):

    learner.write("drill.yaml", flashcards("Drill", 3))
    learner.sync()
    assert learner.cli("config", "set", "new_per_day", "1").exit_code == 0
    assert learner.cli("review", input=" \n4\n").exit_code == 0
    assert learner.cli("review").stdout.splitlines()[1] == (
        "2 more new cards wait: today's limit of 1 new cards is reached (setting new_per_day).")


def test_nothing_due_offers_no_ahead_when_no_card_is_in_review(learner):
    learner.write("drill.yaml", flashcards("Drill", 2).replace("items:", "options: {new_per_day: 0}\nitems:"))
    out = learner.cli("review").stdout  # only new cards, held back by the deck's limit: reviewing ahead shows none
    assert out.startswith("Nothing is due now.\n")
    assert "--ahead" not in out


def test_ahead_reviews_what_is_due_in_the_next_days(learner):
    learner.write("drill.yaml", flashcards("Drill", 1))
    assert learner.cli("answer", "card01", "easy").exit_code == 0
    due = learner.card("card01")["due"]
    days = (due - TODAY_ENDS_EPOCH) // 86400 + 1
    assert learner.cli("review").stdout.startswith("Nothing is due now.\n")
    assert learner.due_ids() == []
    assert learner.cli("due", "--json", "--ahead", str(days - 1)).stdout.count('"id"') == 0
    assert learner.due_ids() == [] and json.loads(
        learner.cli("due", "--json", "--ahead", str(days)).stdout)["counts"]["review"] == 1
    result = learner.cli("review", "--ahead", str(days), input=" \n3\n")
    assert "Question number 1?" in result.stdout
    assert [rating for _, rating, *_ in learner.answers()] == [4, 3]


# -- the clock flows from --now ---------------------------------------------------------------------------


def test_with_now_time_flows_from_the_sessions_start(learner, monkeypatch):
    """A card answered Again comes back once its minute has passed, then leaves when it is learned."""
    from srs.clock import parse_now
    from srs.commands.options import Workspace

    ticks = iter([100.0, 100.0, 100.4, 161.0, 700.0])
    monkeypatch.setattr("time.monotonic", lambda: next(ticks))
    ws = Workspace(store=None, deck_ids=[], sync_summary=None, diagnostics=[], fixed_now=parse_now(NOW))
    assert ws.clock() == parse_now(NOW)  # one-shot commands: fixed
    ws.start_clock()
    assert [ws.clock().isoformat() for _ in range(4)] == [
        "2026-11-23T10:00:00+00:00", "2026-11-23T10:00:00+00:00", "2026-11-23T10:01:01+00:00",
        "2026-11-23T10:10:00+00:00"]


def test_a_card_answered_again_comes_back_when_due_then_leaves(learner):
    from datetime import timedelta

    from srs.clock import parse_now
    from srs.session import Session
    from srs.store import Store

    learner.write("drill.yaml", flashcards("Drill", 30))
    learner.sync()
    store = Store.open(learner.db)
    clock = {"now": parse_now(NOW)}
    session = Session(store, ["drill"], lambda: clock["now"])
    first = session.next_view().card
    session.answer(first, 1)  # Again: due in a minute
    shown = []
    for _ in range(40):
        clock["now"] += timedelta(seconds=20)
        view = session.next_view()
        if view is None:
            break
        shown.append(view.uid)
        session.answer(view.card, 3 if view.uid == "card01" else 4)
    assert shown[:2] == ["card02", "card03"]  # within the minute, new cards
    assert shown[2] == "card01"  # its minute passed: before the new cards
    assert shown.count("card01") == 2  # Good, again after 10 minutes Good: learned, it leaves the day
    assert session.counts() == {"learning": 0, "review": 0, "new": 0}
    store.close()


# -- giving a card back by id -----------------------------------------------------------------------------


def test_unsuspend_unbury_and_unflag_give_a_card_back(learner):
    learner.write("drill.yaml", flashcards("Drill", 2))
    assert learner.cli("review", input="s\nb\n").exit_code == 0
    assert learner.due_ids() == []
    # The same commands as `srs card unsuspend|unbury|unflag`: logged, and undone by `srs card undo`.
    assert learner.cli("unsuspend", "card01").stdout == "Unsuspended card01. `srs card undo` takes it back.\n"
    assert learner.cli("unbury", "card02").stdout == "Unburied card02. `srs card undo` takes it back.\n"
    assert learner.due_ids() == ["card01", "card02"]
    assert learner.cli("unsuspend", "card01").stdout == "card01 is not suspended.\n"
    assert learner.cli("review", input="f\nq\n").exit_code == 0
    assert learner.cli("unflag", "card01").stdout == "Unflagged card01. `srs card undo` takes it back.\n"
    assert learner.card("card01")["flagged"] is None
    assert learner.cli("card", "undo").stdout == "Undid 'unflag' on card01.\n"
    assert learner.card("card01")["flagged"] == "needs a fix"
    result = learner.cli("unbury", "card9")
    assert result.exit_code == 1 and result.stderr.startswith("Error: no card with id 'card9'")


def test_the_quiz_names_missed_questions_without_their_markdown(learner):
    learner.write("md.yaml", "title: Md\noptions: {shuffle_options: false}\nitems:\n"
                  "  - id: md\n    question: 'Which **method** starts from `noise`?'\n"
                  "    options: [Retrieval, Diffusion]\n    correct: b\n", quiz=True)
    out = learner.cli("quiz", "md", input="a\n\n").stdout
    assert out.rstrip("\n").splitlines()[-2:] == ["Score: 0/1", "  missed: Which method starts from noise?"]


def test_the_quiz_scores_a_wrong_choice_as_missed_even_when_rated_good(learner):
    learner.write("two.yaml", "title: Two\noptions: {shuffle_options: false}\nitems:\n"
                  "  - id: start\n    question: Which method starts from noise?\n"
                  "    options: [Retrieval, Diffusion]\n    correct: b\n"
                  "  - id: stages\n    prompt: Put the stages in order.\n"
                  "    steps: {a: Denoise again., b: Noise real images., c: Start from static.}\n"
                  "    answer: [b, c, a]\n", quiz=True)
    out = learner.cli("quiz", "two", input="a\n3\na c b\n4\n").stdout  # both wrong, both rated as if right
    assert "Wrong." in out and "Not quite." in out
    assert out.rstrip("\n").splitlines()[-3:] == [
        "Score: 0/2", "  missed: Which method starts from noise?", "  missed: Put the stages in order."]
    assert [rating for _, rating, *_ in learner.answers()] == [3, 4]  # the learner's ratings still schedule


def test_question_mark_help_fits_an_80_column_terminal_unwrapped(learner):
    learner.write("drill.yaml", flashcards("Drill", 1))
    out = learner.cli("review", input="?\nq\n", COLUMNS="80").stdout.splitlines()
    at = next(n for n, line in enumerate(out) if line.startswith("Keys: "))
    help_lines = out[at:at + 6]
    assert all(len(line) <= 80 for line in help_lines)
    assert all(line.startswith("      ") for line in help_lines[1:])  # no line wrapped onto the margin
    assert any("u undo the last action · b bury until tomorrow · s suspend" in line for line in help_lines)


def test_the_rating_keys_go_on_their_own_line_where_one_line_would_wrap(learner):
    learner.write("drill.yaml", flashcards("Drill", 1))
    out = learner.cli("review", input=" \nq\n", COLUMNS="80").stdout.splitlines()
    at = next(n for n, line in enumerate(out) if line.startswith("1 Again "))
    assert out[at].rstrip().endswith("4 Easy 10d")
    assert out[at + 1] == "(u undo, b bury, s suspend, e edit, f flag, ? keys, q quit)"
    wide = learner.cli("review", input=" \nq\n", COLUMNS="120").stdout.splitlines()
    assert any(line.startswith("1 Again ") and line.endswith("? keys, q quit)") for line in wide)
