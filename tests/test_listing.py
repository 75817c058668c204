"""`srs list` with unchanged decks answers from the store, exactly as the loader would, and never writes it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DECK = """\
id: words
title: Words
items:
  - id: one
    q: First?
    a: Yes.
  - id: gaps
    text: "A {{c1::cloze}} with {{c2::two}} gaps."
  - id: pick
    question: Which?
    options: [This, That]
    correct: a
"""
QUIZ = """\
id: test
title: A quiz
kind: quiz
items:
  - question: Sure?
    answer: "Yes."
"""


@pytest.fixture
def home(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "words.yaml").write_text(DECK, encoding="utf-8")
    (tmp_path / "decks" / "quiz.yaml").write_text(QUIZ, encoding="utf-8")
    return tmp_path


def env(home: Path) -> dict[str, str]:
    return {"SRS_DB": str(home / "srs.db"), "SRS_DECKS": str(home / "decks"), "SRS_NOW": "2026-11-23T10:00:00Z"}


def listing(run_srs, home: Path, *args: str) -> tuple[list, int]:
    result = run_srs("list", "--json", *args, str(home / "decks"), env=env(home))
    return json.loads(result.stdout), result.exit_code


def stored(home: Path):
    from srs.deck.files import deck_files
    from srs.store.listing import FileStamp, stored_deck_summaries

    return stored_deck_summaries(home / "srs.db", [FileStamp.of(p) for p in deck_files([home / "decks"])])


def test_without_a_database_list_loads_the_files_and_creates_nothing(run_srs, home):
    rows, code = listing(run_srs, home)
    assert code == 0 and [(r["id"], r["items"], r["cards"]) for r in rows] == [("test", 1, 1), ("words", 3, 4)]
    assert not (home / "srs.db").exists()


def test_after_a_sync_the_store_answers_exactly_as_the_files_do(run_srs, home):
    from_files, _ = listing(run_srs, home)
    assert run_srs("due", env=env(home)).exit_code == 0  # the store reads the decks
    assert stored(home) == from_files
    assert listing(run_srs, home) == (from_files, 0)
    assert from_files[1]["kinds"] == {"choice": 1, "cloze": 1, "flashcard": 1}


def test_the_bundled_course_lists_the_same_from_the_store(run_srs, tmp_path):
    paths = [str(REPO / "decks"), str(REPO / "quizzes")]
    e = {"SRS_DB": str(tmp_path / "srs.db")}
    from_files = json.loads(run_srs("list", "--json", *paths, env=e).stdout)
    assert run_srs("due", "--decks", paths[0], "--decks", paths[1], env=e).exit_code == 0
    from srs.deck.files import deck_files
    from srs.store.listing import FileStamp, stored_deck_summaries

    assert stored_deck_summaries(tmp_path / "srs.db", [FileStamp.of(p) for p in deck_files(paths)]) == from_files


def test_a_changed_file_is_read_again_and_the_store_is_left_alone(run_srs, home):
    assert run_srs("due", env=env(home)).exit_code == 0
    before = (home / "srs.db").read_bytes()
    words = home / "decks" / "words.yaml"
    words.write_text(DECK.replace("{{c2::two}}", "two") + "  - q: Another?\n    a: No.\n", encoding="utf-8")
    assert stored(home) is None
    rows, code = listing(run_srs, home)
    assert code == 0 and [(r["id"], r["items"], r["cards"]) for r in rows] == [("test", 1, 1), ("words", 4, 4)]
    assert (home / "srs.db").read_bytes() == before  # list never writes
    assert run_srs("due", env=env(home)).exit_code == 0  # the next sync: the store answers again, the same
    assert stored(home) == rows


def test_a_broken_file_still_reports_its_error(run_srs, home):
    assert run_srs("due", env=env(home)).exit_code == 0
    (home / "decks" / "broken.yaml").write_text("title: Broken\nitems:\n  - q: only\n", encoding="utf-8")
    result = run_srs("list", str(home / "decks"), env=env(home))
    assert result.exit_code == 1
    assert "broken.yaml:3:5: error: flashcard: missing required field 'back'" in result.stderr


def test_a_file_that_another_file_supplies_the_deck_for_is_read(run_srs, home):
    assert run_srs("due", env=env(home)).exit_code == 0
    (home / "decks" / "copy.yaml").write_text(DECK, encoding="utf-8")
    assert stored(home) is None
    result = run_srs("list", str(home / "decks"), env=env(home))
    assert result.exit_code == 1 and "duplicate deck id 'words'" in result.stderr


def test_a_store_from_another_schema_or_not_a_database_is_not_trusted(run_srs, home):
    assert run_srs("due", env=env(home)).exit_code == 0
    import sqlite3

    conn = sqlite3.connect(home / "srs.db")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert stored(home) is None
    (home / "srs.db").write_bytes(b"not a database at all" * 100)
    assert stored(home) is None
    assert listing(run_srs, home)[1] == 0


def test_list_with_unchanged_decks_imports_neither_pydantic_nor_yaml(run_srs, home):
    assert run_srs("due", env=env(home)).exit_code == 0
    code = ("import json, sys\nfrom srs.cli import main\nsys.argv = ['srs', 'list']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**env(home), "PATH": "", "PYTHONPATH": str(REPO), "COLUMNS": "100"})
    assert "words" in done.stdout
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert {"pydantic", "yaml"} & modules == set()
