"""The plumbing commands for scripts (due, answer, undo, flagged), quizzes, and what srs refuses.

All in-process with click's CliRunner; stdout and stderr are checked apart (stdout stays clean for
--json; deck problems, sync news and errors go to stderr)."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from datetime import datetime, timezone

import pytest
from learn_helpers import NOW, NOW_EPOCH, PRACTICE, PRACTICE_FRONTS

NEW, LEARNING, REVIEW = 0, 1, 2


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- due -------------------------------------------------------------------------------------------------


def test_due_json_lists_the_cards_in_review_order(practice):
    result = practice.cli("due", "--json")
    assert result.exit_code == 0
    assert result.stderr == "Added 5 new items.\n"
    capital = practice.uid_of_front(PRACTICE_FRONTS[0])
    selfcheck = practice.uid_of_front(PRACTICE_FRONTS[3])
    # The cloze's second card is its first's sibling: it waits for another day.
    order = [capital, "stages", "noise-choice", selfcheck, "generation#c1"]
    assert json.loads(result.stdout) == {
        "counts": {"learning": 0, "review": 0, "new": 5},
        "cards": [{"id": uid, "deck": "practice", "queue": "new", "due": None} for uid in order],
    }

    assert practice.cli("answer", "stages", "good").exit_code == 0
    # Learning cards due within 20 minutes come after the new ones; once due, before them.
    data = json.loads(practice.cli("due", "--json").stdout)
    assert data["counts"] == {"learning": 1, "review": 0, "new": 4}
    assert [c["id"] for c in data["cards"]] == [capital, "noise-choice", selfcheck, "generation#c1", "stages"]
    assert data["cards"][-1] == {
        "id": "stages", "deck": "practice", "queue": "learning", "due": "2026-11-23T10:10:00+00:00"
    }
    later = json.loads(practice.cli("due", "--json", now="2026-11-23T10:10:00Z").stdout)
    assert [c["id"] for c in later["cards"]][0] == "stages"

    text = practice.cli("due")
    assert text.stdout.splitlines()[:3] == [
        "New 4  Learning 1  Review 0",
        f"new       practice                 {capital}",
        "new       practice                 noise-choice",
    ]


def test_due_keeps_its_columns_when_a_deck_id_is_long(learner):
    learner.write("a.yaml",
                  "title: A\nid: diffusion-practice-exercises\nitems:\n  - id: one\n    q: One?\n    a: One.\n")
    learner.write("b.yaml", "title: B\nid: short\nitems:\n  - id: two\n    q: Two?\n    a: Two.\n")
    lines = learner.cli("due").stdout.splitlines()
    assert lines[1:] == [
        "new       diffusion-practice-exercises one",
        "new       short                        two",
    ]


# -- answer ----------------------------------------------------------------------------------------------


def copy_database(src, dst) -> None:
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def all_rows(db, table: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    finally:
        conn.close()


def test_answer_records_exactly_what_a_review_session_records(practice, tmp_path):
    from srs.clock import parse_now
    from srs.session import Session
    from srs.store import Store

    practice.sync()
    copy = tmp_path / "copy.sqlite3"
    copy_database(practice.db, copy)

    result = practice.cli("answer", "stages", "good", "--response", "c b a", "--json")
    assert (result.exit_code, result.stderr) == (0, "")

    store = Store.open(copy)
    expected = Session(store, ["practice"], lambda: parse_now(NOW)).answer(
        store.find_card("stages"), 3, response="c b a"
    )
    store.close()

    assert json.loads(result.stdout) == {
        "id": "stages",
        "rating": "Good",
        "state": "learning",
        "due": "2026-11-23T10:10:00+00:00",
        "stability": expected.card.stability,
        "difficulty": expected.card.difficulty,
        "leech_suspended": False,
    }
    assert all_rows(practice.db, "cards") == all_rows(copy, "cards")
    assert all_rows(practice.db, "revlog") == all_rows(copy, "revlog")
    log = practice.revlog()
    fields = ("rating", "response", "state_before", "source", "reviewed_at", "duration_ms")
    assert [tuple(row[f] for f in fields) for row in log] == [(3, "c b a", NEW, "review", NOW_EPOCH, None)]


def test_answer_takes_numbers_or_names_and_an_item_id_for_its_first_cloze_card(practice):
    practice.sync()
    result = practice.cli("answer", "generation", "4", "--duration", "2500")
    due = datetime.fromtimestamp(practice.card("generation#c1")["due"], timezone.utc).isoformat()
    assert (result.exit_code, result.stdout) == (0, f"generation#c1: Easy; review, due {due}\n")
    assert practice.answers() == [("generation#c1", 4, None, NEW)]
    assert practice.revlog()[0]["duration_ms"] == 2500
    result = practice.cli("answer", "stages", "great")
    assert result.exit_code == 1
    assert result.stderr == "Error: rating 'great' is not one of 1-4 or again, hard, good, easy\n"
    assert len(practice.revlog()) == 1


@pytest.mark.parametrize(("duration", "message"), [
    ("-5", "--duration must not be negative, got -5"),
    ("99999999999999999999999", "--duration must be at most 86400000 ms (a day), got 99999999999999999999999"),
    ("nan", "--duration must be a finite number of milliseconds, got 'nan'"),
    ("slow", "--duration must be milliseconds, got 'slow'"),
])
def test_an_answers_duration_outside_zero_to_a_day_is_one_line_and_records_nothing(practice, duration, message):
    practice.sync()
    cards = practice.cards()
    result = practice.cli("answer", "stages", "good", "--duration", duration)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert practice.revlog() == [] and practice.cards() == cards


def test_an_answer_dated_before_the_cards_last_one_is_refused_and_undo_still_works(practice):
    practice.sync()
    assert practice.cli("answer", "stages", "good").exit_code == 0
    cards = practice.cards()
    result = practice.cli("answer", "stages", "again", "--now", "2026-11-01T00:00:00Z")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: card stages was answered at 2026-11-23T10:00:00+00:00, after "
                             "2026-11-01T00:00:00+00:00; an answer cannot go before it, nothing was recorded\n")
    assert practice.cards() == cards and len(practice.revlog()) == 1
    assert practice.cli("undo").stdout == "Undid the answer to stages.\n"
    assert practice.revlog() == []


def test_answer_to_an_unknown_card_names_the_nearest(practice):
    practice.sync()
    result = practice.cli("answer", "noise-choise", "good")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no card with id 'noise-choise'; did you mean 'noise-choice'?\n"
    assert practice.revlog() == []


# -- undo ------------------------------------------------------------------------------------------------


def test_undo_restores_every_column_of_the_card(practice):
    practice.sync()
    untouched = practice.cards()
    original = practice.card("stages")
    assert practice.cli("answer", "stages", "again").exit_code == 0
    after_first = practice.card("stages")
    assert practice.cli("answer", "stages", "good", now="2026-11-23T10:05:00Z").exit_code == 0
    assert practice.card("stages") != after_first

    result = practice.cli("undo")
    assert (result.exit_code, result.stdout) == (0, "Undid the answer to stages.\n")
    assert practice.card("stages") == after_first
    assert len(practice.revlog()) == 1

    assert practice.cli("undo").stdout == "Undid the answer to stages.\n"
    assert practice.card("stages") == original
    assert practice.cards() == untouched
    assert practice.revlog() == []

    result = practice.cli("undo")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: nothing to undo\n")


# -- quiz ------------------------------------------------------------------------------------------------

CHECKS = """\
title: Quick checks
options: {shuffle_options: false}
items:
  - q: What does the forward process add?
    a: Noise.
  - question: Why take many small steps?
    answer: Each step is an easy prediction.
  - id: order-stages
    prompt: Put the stages in order.
    steps: {a: Denoise again., b: Noise real images., c: Start from static.}
    answer: [b, c, a]
  - id: core-idea
    question: What is the core idea of diffusion?
    options: [Retrieve a stored image., Start from noise and remove it step by step.]
    correct: b
  - text: Generation starts from {{c1::pure noise}}.
  - q: What does the model predict?
    a: The noise.
"""


def test_quiz_asks_every_question_in_order_then_gives_the_score_and_what_was_missed(learner):
    learner.write("checks.yaml", CHECKS, quiz=True)
    lines = [
        "", "3",  # flashcard: reveal, Good
        "Each step is an easy prediction", "3",  # selfcheck: typed, Good
        "b c a", "",  # ordering: right, take the suggested Good
        "a", "",  # choice: wrong, take the suggested Again
        "", "3",  # cloze: reveal, Good
        "", "4",  # flashcard: reveal, Easy
    ]
    result = learner.cli("quiz", "checks", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for number in range(1, 7):
        assert f"Question {number} of 6" in out
    assert out.index("Question 1 of 6") < out.index("What does the forward process add?")
    assert out.index("What does the forward process add?") < out.index("Question 2 of 6")
    panel = [line.strip("│ ") for line in out.splitlines()]
    at = panel.index("You wrote:")
    assert panel[at:at + 4] == ["You wrote:", "Each step is an easy prediction", "Model answer:",
                                "Each step is an easy prediction."]
    assert "match)" not in out
    assert "You: b c a   All in order!  3/3 in the right relative order." in out
    assert "You: (a) Retrieve a stored image.   Wrong." in out
    assert "Answer: (b) Start from noise and remove it step by step." in out
    assert out.rstrip("\n").splitlines()[-2:] == ["Score: 5/6", "  missed: What is the core idea of diffusion?"]

    log = learner.revlog()
    uids = dict(learner.sql("SELECT cid, uid FROM cards"))
    assert [(row["rating"], row["response"], row["source"]) for row in log] == [
        (3, None, "quiz"),
        (3, "Each step is an easy prediction", "quiz"),
        (3, "b c a", "quiz"),
        (1, "a", "quiz"),
        (3, None, "quiz"),
        (4, None, "quiz"),
    ]
    assert [uids[row["cid"]] for row in log][2:4] == ["order-stages", "core-idea"]


def test_quiz_stopped_early_scores_what_was_asked(learner):
    learner.write("checks.yaml", CHECKS, quiz=True)
    result = learner.cli("quiz", "checks", input="\n3\nq\n")
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n").splitlines()[-1] == "Score: 1/1 · 5 of 6 not reached"
    assert len(learner.revlog()) == 1


# -- names that do not exist -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["review", "quiz", "due"])
def test_an_unknown_deck_names_the_nearest(practice, command):
    practice.write("basics.yaml", "title: Basics\nitems:\n  - q: One?\n    a: One.\n")
    practice.sync()
    result = practice.cli(command, "practise", input="")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: unknown deck 'practise'; did you mean 'practice'?\n"


# -- databases srs refuses -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["--db=~/mine.db", "SRS_DB=~/mine.db"])
def test_a_tilde_no_shell_expanded_is_the_learners_home_not_a_folder_named_tilde(learner, monkeypatch, how):
    home = learner.root / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(learner.root)
    option, _, value = how.partition("=")
    result = learner.cli("due", how) if option == "--db" else learner.cli("due", SRS_DB=value)
    assert result.exit_code == 0, result.output
    assert (home / "mine.db").is_file() and not (learner.root / "~").exists()


def test_a_database_folder_that_cannot_be_made_is_one_error_line(learner):
    blocker = learner.root / "notes.txt"
    blocker.write_text("not a folder\n")
    db = blocker / "srs" / "srs.sqlite3"  # its folder would have to be made inside a file
    result = learner.cli("due", "--db", str(db))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot make the folder for database {db}: ")
    assert "Traceback" not in result.output


def test_a_corrupt_database_is_refused_and_left_untouched(practice):
    practice.db.write_bytes(random.Random(7).randbytes(16384))
    before = digest(practice.db)
    for args in (["due"], ["review"], ["answer", "stages", "good"], ["undo"], ["flagged"]):
        result = practice.cli(*args, input="")
        assert result.exit_code == 1, args
        assert result.stderr == (
            f"Error: cannot use database {practice.db}: "
            "it is damaged or not an srs database\n"
        )
    assert digest(practice.db) == before
    assert sorted(p.name for p in practice.db.parent.glob("srs.sqlite3*")) == ["srs.sqlite3"]


def test_another_programs_sqlite_database_is_refused_and_left_untouched(practice):
    conn = sqlite3.connect(practice.db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = digest(practice.db)
    result = practice.cli("due")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: cannot use database {practice.db}: it is not an srs database (it has tables ['notes'])\n"
    )
    assert digest(practice.db) == before


NEWER = "it was written by a newer srs (schema 99, this srs knows up to 3); upgrade srs"


def test_a_database_from_a_newer_srs_is_refused_and_left_untouched(practice):
    assert practice.run("due").returncode == 0  # in its own process, which lets go of the file
    conn = sqlite3.connect(practice.db)
    conn.execute("PRAGMA journal_mode = DELETE")  # as a newer srs might leave it
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(practice.db)
    for args in (["due"], ["answer", "stages", "good"], ["undo"]):
        result = practice.cli(*args)
        assert (result.exit_code, result.stdout) == (1, ""), args
        assert result.stderr == f"Error: cannot use database {practice.db}: {NEWER}\n"
    assert digest(practice.db) == before
    assert sorted(p.name for p in practice.db.parent.glob("srs.sqlite3*")) == ["srs.sqlite3"]


def test_a_newer_database_whose_tables_changed_is_still_called_newer(practice):
    conn = sqlite3.connect(practice.db)
    conn.execute("CREATE TABLE cards_v99 (id INTEGER PRIMARY KEY)")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(practice.db)
    result = practice.cli("due")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot use database {practice.db}: {NEWER}\n"
    assert digest(practice.db) == before


# -- syncing decks ---------------------------------------------------------------------------------------

BROKEN = """\
title: Broken
items:
  - prompt: Order these.
    steps: {a: One, b: Two}
    answer: [a, c]
  - q: Fine?
    a: Fine.
"""


def test_a_deck_with_errors_is_skipped_with_its_errors_shown_and_the_others_still_work(practice):
    broken = practice.write("broken.yaml", BROKEN)
    result = practice.cli("due", "--json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{broken}:5:13: error: ordering: the answer leaves out step 'b'",
        f"{broken}:5:17: error: ordering: the answer names step 'c', but the steps are a, b",
        "Added 5 new items; skipped 1 file with errors.",
    ]
    data = json.loads(result.stdout)
    assert data["counts"] == {"learning": 0, "review": 0, "new": 5}
    assert {card["deck"] for card in data["cards"]} == {"practice"}

    review = practice.cli("review", "practice", input="\n3\nq\n")
    assert review.exit_code == 0
    assert "Recorded Good: next in 10m." in review.stdout
    assert review.stderr.splitlines()[-1] == "Skipped 1 file with errors."
    assert practice.answers() == [(practice.uid_of_front(PRACTICE_FRONTS[0]), 3, None, NEW)]


def test_a_deck_that_breaks_keeps_its_stored_cards_and_their_history(practice):
    practice.sync()
    assert practice.cli("answer", "stages", "good").exit_code == 0
    before = practice.cards()
    deck = practice.write("practice.yaml", PRACTICE.replace("answer: [b, c, a]", "answer: [b, c, x]"))
    result = practice.cli("due", "--json")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "Skipped 1 file with errors."
    assert str(deck) in result.stderr
    assert json.loads(result.stdout)["counts"] == {"learning": 1, "review": 0, "new": 4}
    assert practice.cards() == before
    assert len(practice.revlog()) == 1


def test_rewording_a_front_keeps_the_card_and_its_history(practice):
    practice.sync()
    old_uid = practice.uid_of_front(PRACTICE_FRONTS[0])
    assert practice.cli("answer", old_uid, "good").exit_code == 0
    before = practice.card(old_uid)

    practice.write("practice.yaml", PRACTICE.replace("capital of France?", "capital city of France?"))
    result = practice.cli("due", "--json")
    assert result.exit_code == 0
    assert result.stderr == "Kept the history of 1 edited card.\n"

    new_uid = practice.uid_of_front("What is the capital city of France?")
    assert new_uid != old_uid and new_uid.startswith("practice.")
    after = practice.card(new_uid)
    assert after == before | {"uid": new_uid}  # same key, same state: only the public id moved
    assert practice.answers() == [(new_uid, 3, None, NEW)]
    assert [c["id"] for c in json.loads(result.stdout)["cards"]][-1] == new_uid
    assert practice.cli("answer", old_uid, "good").stderr.startswith(f"Error: no card with id '{old_uid}'")


def test_removing_an_item_retires_it_and_adding_it_back_restores_its_history(practice):
    practice.sync()
    assert practice.cli("answer", "noise-choice", "again").exit_code == 0
    before = practice.card("noise-choice")
    item = PRACTICE[PRACTICE.index("  - id: noise-choice"):PRACTICE.index("  - question: Why")]

    practice.write("practice.yaml", PRACTICE.replace(item, ""))
    result = practice.cli("due", "--json")
    assert result.stderr == "Retired 1 removed item.\n"
    assert "noise-choice" not in [c["id"] for c in json.loads(result.stdout)["cards"]]
    assert practice.card("noise-choice")["active"] == 0
    assert practice.sql("SELECT retired FROM items WHERE uid = 'noise-choice'") == [(1,)]
    assert len(practice.revlog()) == 1  # retired, never deleted

    practice.write("practice.yaml", PRACTICE)
    result = practice.cli("due", "--json")
    assert result.stderr == "Restored 1 item with its history.\n"
    assert practice.card("noise-choice") == before
    assert practice.answers() == [("noise-choice", 1, None, NEW)]
    assert json.loads(result.stdout)["counts"] == {"learning": 1, "review": 0, "new": 4}


# -- the clock -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "23/11/2026 10:00"])
def test_a_bad_now_is_a_clear_error(practice, value):
    expected = f"Error: --now: '{value}' is not an ISO 8601 time such as 2026-11-23T09:00:00\n"
    result = practice.cli("due", "--now", value)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)
    result = practice.cli("due", SRS_NOW=value)
    assert (result.exit_code, result.stderr) == (1, expected)
    assert not practice.db.exists()  # refused before anything was opened


def test_now_moves_the_learners_day(practice):
    practice.sync()
    assert practice.cli("answer", "stages", "easy").exit_code == 0
    due = practice.card("stages")["due"]
    before = json.loads(practice.cli("due", "--json").stdout)["counts"]
    assert before == {"learning": 0, "review": 0, "new": 4}
    on_the_day = datetime.fromtimestamp(due, timezone.utc).isoformat()
    assert json.loads(practice.cli("due", "--json", now=on_the_day).stdout)["counts"]["review"] == 1


def test_sync_reports_its_progress_in_bytes_of_the_changed_files(practice):
    from srs.store import Store
    from srs.sync import sync

    quiz = practice.write("checks.yaml", CHECKS, quiz=True)
    changed = (practice.decks / "practice.yaml").stat().st_size + quiz.stat().st_size
    store = Store.open(practice.db)
    heard: list[tuple[int, int]] = []
    report = sync(store, [practice.decks, practice.quizzes], lambda done, total: heard.append((done, total)))
    assert [total for _, total in heard] == [changed, changed]
    assert heard[-1][0] == changed and heard[0][0] < changed
    assert report.deck_ids == ["practice", "checks"]  # in file order, as before the reading

    heard.clear()
    practice.write("practice.yaml", PRACTICE.replace("Paris", "Paris, on the Seine"))
    report = sync(store, [practice.decks, practice.quizzes], lambda done, total: heard.append((done, total)))
    size = (practice.decks / "practice.yaml").stat().st_size
    assert heard == [(size, size)]  # the unchanged quiz is not read again
    assert report.deck_ids == ["practice", "checks"]
    store.close()
