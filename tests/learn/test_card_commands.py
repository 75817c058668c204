"""`srs card ...`: each action changes the card, is logged, and `srs card undo` takes it back exactly."""

from __future__ import annotations

import json

import pytest
from learn_helpers import PRACTICE, TODAY_ENDS_EPOCH, flashcards

STATE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "suspended",
                 "buried_until", "flagged", "leech")


def state(learner, uid):
    card = learner.card(uid)
    return {k: card[k] for k in STATE_COLUMNS}


@pytest.mark.parametrize(
    "args, uid, changed, message",
    [
        (("suspend", "stages", "noise-choice"), "stages", {"suspended": 1},
         "Suspended stages, noise-choice. `srs card undo` takes it back.\n"),
        (("bury", "stages"), "stages", {"buried_until": TODAY_ENDS_EPOCH},
         "Buried stages. `srs card undo` takes it back.\n"),
        (("flag", "--note", "typo in b", "stages"), "stages", {"flagged": "typo in b"},
         "Flagged stages (note typo in b). `srs card undo` takes it back.\n"),
        (("flag", "stages"), "stages", {"flagged": "needs a fix"},
         "Flagged stages (note needs a fix). `srs card undo` takes it back.\n"),
    ],
)
def test_an_action_changes_the_card_and_undo_restores_it(practice, args, uid, changed, message):
    practice.sync()
    before = state(practice, uid)
    result = practice.cli("card", *args)
    assert (result.exit_code, result.stdout) == (0, message)
    assert state(practice, uid) == {**before, **changed}
    undone = practice.cli("card", "undo")
    assert undone.exit_code == 0 and undone.stdout.startswith(f"Undid '{args[0]}' on {uid}")
    assert state(practice, uid) == before


@pytest.mark.parametrize("action, reverse, column, value", [
    ("suspend", "unsuspend", "suspended", 0), ("bury", "unbury", "buried_until", 0),
    ("flag", "unflag", "flagged", None),
])
def test_each_action_has_its_reverse(practice, action, reverse, column, value):
    practice.cli("card", action, "stages")
    assert practice.cli("card", reverse, "stages").exit_code == 0
    assert practice.card("stages")[column] == value
    assert practice.cli("card", "undo").exit_code == 0  # the reverse, undone
    assert practice.card("stages")[column] != value


def test_forget_makes_the_card_new_and_keeps_its_log(practice):
    practice.cli("answer", "stages", "good")
    practice.cli("answer", "stages", "good", now="2026-11-23T10:15:00Z")
    log = practice.revlog()
    before = state(practice, "stages")
    assert before["state"] == 2
    result = practice.cli("card", "forget", "stages")
    assert result.stdout == "Forgot stages. `srs card undo` takes it back.\n"
    after = state(practice, "stages")
    assert after == {**before, "state": 0, "step": None, "stability": None, "difficulty": None, "due": None,
                     "last_review": None}
    assert practice.revlog() == log
    assert "stages" in practice.due_ids()  # among the new cards again
    practice.cli("card", "undo")
    assert state(practice, "stages") == before


def test_reschedule_moves_the_due_date_and_refuses_a_new_card(practice):
    practice.cli("answer", "stages", "easy")
    result = practice.cli("card", "reschedule", "30", "stages")
    assert result.exit_code == 0
    assert practice.card("stages")["due"] == 1795428000 + 30 * 86400
    refused = practice.cli("card", "reschedule", "3", "noise-choice")
    assert (refused.exit_code, refused.stderr) == (
        1, "Error: card noise-choice is new: it has no schedule to change until it is first answered\n"
    )


def test_one_unknown_id_changes_nothing(practice):
    practice.sync()
    before = practice.cards()
    result = practice.cli("card", "suspend", "stages", "stagse")
    assert (result.exit_code, result.stderr) == (1, "Error: no card with id 'stagse'; did you mean 'stages'?\n")
    assert practice.cards() == before


def test_undo_refuses_when_the_card_changed_since(practice):
    practice.cli("card", "suspend", "stages")
    practice.cli("answer", "stages", "good")
    result = practice.cli("card", "undo")
    assert (result.exit_code, result.stderr) == (1, "Error: card stages changed since 'suspend'; nothing was undone\n")
    assert practice.cli("card", "undo", "--db", str(practice.db)).exit_code == 1


def test_nothing_to_undo(practice):
    result = practice.cli("card", "undo")
    assert (result.exit_code, result.stderr) == (1, "Error: no card action to undo\n")


def test_the_log_lists_answers_and_actions(practice):
    practice.cli("answer", "stages", "good")
    practice.cli("card", "flag", "--note", "odd", "stages", now="2026-11-23T10:05:00Z")
    practice.cli("card", "forget", "stages", now="2026-11-23T10:06:00Z")
    assert json.loads(practice.cli("card", "log", "stages", "--json").stdout) == [
        {"at": "2026-11-23T10:00:00+00:00", "action": "answer", "detail": "Good"},
        {"at": "2026-11-23T10:05:00+00:00", "action": "flag", "detail": "note odd"},
        {"at": "2026-11-23T10:06:00+00:00", "action": "forget", "detail": None},
    ]


def test_edit_opens_the_editor_at_the_items_line(practice, tmp_path):
    record = tmp_path / "args.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    editor.chmod(0o755)
    practice.cli("config", "set", "editor", str(editor))
    result = practice.cli("card", "edit", "noise-choice")
    assert result.exit_code == 0
    line = PRACTICE.splitlines().index("  - id: noise-choice") + 1
    assert record.read_text() == f"+{line} {practice.decks / 'practice.yaml'}\n"


def test_edit_with_a_missing_editor_is_one_line(practice):
    practice.cli("config", "set", "editor", "/nonexistent/editor")
    result = practice.cli("card", "edit", "stages")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1, "Error: cannot start the editor '/nonexistent/editor' (No such file or directory)"
    )


def test_query_picks_the_cards_and_one_undo_takes_them_all_back(practice):
    practice.sync()
    before = practice.cards()
    result = practice.cli("card", "suspend", "--query", "kind:cloze")
    assert result.stdout == "Suspended generation#c1, generation#c2. `srs card undo` takes it back.\n"
    assert [uid for uid, c in practice.cards().items() if c["suspended"]] == ["generation#c1", "generation#c2"]
    assert practice.cli("card", "undo").stdout == "Undid 'suspend' on generation#c1, generation#c2.\n"
    assert practice.cards() == before
    nothing = practice.cli("card", "bury", "-q", "tag:none")
    assert (nothing.exit_code, nothing.stderr) == (1, "Error: no card matches 'tag:none'; nothing was changed\n")


@pytest.mark.parametrize("query", ["", "   ", "\t"])
def test_an_empty_query_changes_no_card_and_says_how_to_mean_every_card(practice, query):
    practice.sync()
    before = practice.cards()
    result = practice.cli("card", "forget", "-q", query)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: --query is empty, which would match every card; to mean every card, write "
                             "-q 'deck:*'\n")
    assert practice.cards() == before
    assert practice.cli("card", "bury", "-q", "deck:*").exit_code == 0


# -- review's keys are the same actions -------------------------------------------------------------------


def actions_of(learner, uid):
    entries = json.loads(learner.cli("card", "log", uid, "--json").stdout)
    return [(entry["action"], entry["detail"]) for entry in entries]


def test_review_keys_are_card_actions_logged_and_u_undoes_them_newest_first(learner):
    learner.write("drill.yaml", flashcards("Drill", 3))
    # card01: bury; card02: suspend; card03: flag (it stays), then u, u: the flag, then the suspension, undone.
    result = learner.cli("review", input="b\ns\nf\nu\nu\nq\n")
    assert result.exit_code == 0
    assert actions_of(learner, "card01") == [("bury", None)]
    assert learner.card("card01")["buried_until"] == TODAY_ENDS_EPOCH
    assert actions_of(learner, "card02") == actions_of(learner, "card03") == []
    assert (learner.card("card02")["suspended"], learner.card("card03")["flagged"]) == (0, None)
    # What is left is an `srs card` action like any other: `srs card undo` takes it back.
    assert learner.cli("card", "undo").stdout == "Undid 'bury' on card01.\n"
    assert learner.card("card01")["buried_until"] == 0


def test_a_flag_in_review_shows_in_the_cards_log_with_its_note(learner):
    learner.write("drill.yaml", flashcards("Drill", 1))
    assert learner.cli("review", input="f\nq\n").exit_code == 0
    assert actions_of(learner, "card01") == [("flag", "note needs a fix")]


def test_srs_undo_gives_back_the_siblings_the_answer_buried(practice):
    assert practice.cli("answer", "generation", "good").exit_code == 0  # its first cloze card
    assert practice.card("generation#c2")["buried_until"] == TODAY_ENDS_EPOCH
    assert actions_of(practice, "generation#c2") == [("bury", "sibling generation#c1 answered")]
    # The burial belongs to the answer: `srs card undo` does not take it back on its own ...
    assert practice.cli("card", "undo").stderr == "Error: no card action to undo\n"
    # ... `srs undo` takes back both, as `u` does in review.
    assert practice.cli("undo").stdout == "Undid the answer to generation#c1.\n"
    assert practice.card("generation#c2")["buried_until"] == 0
    assert actions_of(practice, "generation#c2") == []
    assert practice.card("generation#c1")["reps"] == 0


def test_undo_of_an_answer_leaves_a_sibling_changed_since_as_it_is(practice):
    practice.cli("answer", "generation", "good")
    practice.cli("card", "unbury", "generation#c2")  # the learner gave it back by hand
    practice.cli("card", "suspend", "generation#c2")
    assert practice.cli("undo").exit_code == 0
    sibling = practice.card("generation#c2")
    assert (sibling["buried_until"], sibling["suspended"]) == (0, 1)


def test_u_in_review_gives_back_the_siblings_the_answer_buried(learner):
    learner.write("clozes.yaml", "title: Clozes\nitems:\n  - id: gen\n    text: '{{c1::Noise}} then {{c2::steps}}.'\n")
    assert learner.cli("review", input=" \n3\nu\nq\n").exit_code == 0
    assert (learner.card("gen#c1")["reps"], learner.card("gen#c2")["buried_until"]) == (0, 0)
    assert actions_of(learner, "gen#c2") == []


def test_a_card_flagged_in_review_can_be_flagged_again_and_answered(learner):
    learner.write("drill.yaml", flashcards("Drill", 1))
    assert learner.cli("review", input="f\nf\n \n3\nq\n").exit_code == 0
    # (In the same second the log lists answers before actions.)
    assert sorted(actions_of(learner, "card01")) == [("answer", "Good"), ("flag", "note needs a fix"),
                                                     ("flag", "note needs a fix")]
    assert learner.card("card01")["flagged"] == "needs a fix"


@pytest.mark.parametrize("args", [("forget", "stages"), ("reschedule", "30", "stages")])
def test_srs_undo_of_an_answer_refuses_while_a_later_forget_or_reschedule_stands(practice, args):
    # The mirror of test_undo_refuses_when_the_card_changed_since: putting the state before the answer back would
    # silently take back the forget or the reschedule too.
    practice.cli("answer", "stages", "good")
    assert practice.cli("card", *args).exit_code == 0
    changed, log = state(practice, "stages"), practice.revlog()
    result = practice.cli("undo")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "Error: card stages was rescheduled or forgotten since that answer; nothing was undone\n")
    assert (state(practice, "stages"), practice.revlog()) == (changed, log)
    assert practice.cli("card", "undo").exit_code == 0  # newest first: the card action, then the answer
    assert practice.cli("undo").stdout == "Undid the answer to stages.\n"
    assert practice.card("stages")["reps"] == 0 and practice.revlog() == []
