"""`srs undo` takes back the newest change: the learner's own answer (review, quiz, `srs answer`), or the last
import as a whole, and says which. Imported reviews are never undone one at a time."""

from __future__ import annotations

import sqlite3

import pytest
from trust_helpers import deck_home

from srs.store import log

DECK = "id: basics\ntitle: Basics\nitems:\n  - id: one\n    q: One?\n    a: 1\n  - id: two\n    q: Two?\n    a: 2\n"
LOG = "card_id,review_rating,review_time,review_duration\n" + "\n".join(
    ["one,3,2026-11-01T10:00:00Z,4000", "one,3,2026-11-05T10:00:00Z,3000", "two,1,2026-11-02T10:00:00Z,5000"]
) + "\n"
NOW = "2026-11-23T10:00:00Z"


@pytest.fixture
def env(tmp_path, monkeypatch):
    more = LOG.replace("2026-11-0", "2026-10-0") + "77,3,2026-10-09T10:00:00Z,1000\n"
    deck_home(tmp_path, monkeypatch, {"basics.yaml": DECK}, {"log.csv": LOG, "more.csv": more})
    return {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "SRS_NOW": NOW}


def query(tmp_path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(tmp_path / "srs.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def sources(tmp_path) -> list[tuple[str, str]]:
    rows = query(tmp_path, "SELECT c.uid, r.source FROM revlog r JOIN cards c ON c.cid = r.cid ORDER BY r.reviewed_at")
    return [(uid, log.SOURCES[code]) for uid, code in rows]


def memory(tmp_path) -> list[tuple]:
    return query(tmp_path, "SELECT uid, state, stability, difficulty, due, reps, lapses, last_review FROM cards "
                           "WHERE active = 1 ORDER BY uid")


def test_undo_after_an_import_takes_the_whole_import_back(run_srs, tmp_path, env):
    assert run_srs("due", env=env).exit_code == 0
    fresh = memory(tmp_path)
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    assert len(sources(tmp_path)) == 3 and memory(tmp_path) != fresh
    result = run_srs("undo", env=env)
    undone = f"Undid the import of 3 reviews of 2 cards from {tmp_path / 'log.csv'}.\n"
    assert (result.exit_code, result.stdout) == (0, undone)
    assert sources(tmp_path) == [] and memory(tmp_path) == fresh
    result = run_srs("undo", env=env)
    assert (result.exit_code, result.stderr) == (1, "Error: nothing to undo\n")


def test_undo_goes_back_through_answers_and_imports_in_the_order_they_happened(run_srs, tmp_path, env):
    assert run_srs("answer", "one", "good", env=env).exit_code == 0
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0  # older reviews, newer rows
    assert run_srs("answer", "two", "easy", "--now", "2026-11-24T10:00:00Z", env=env).exit_code == 0
    steps = [run_srs("undo", env=env).stdout for _ in range(3)]
    undone = f"Undid the import of 3 reviews of 2 cards from {tmp_path / 'log.csv'}.\n"
    assert steps == ["Undid the answer to two.\n", undone, "Undid the answer to one.\n"]
    assert sources(tmp_path) == []


def test_the_learners_answer_survives_the_undone_import_unchanged(run_srs, tmp_path, env):
    assert run_srs("answer", "one", "good", env=env).exit_code == 0
    answered = memory(tmp_path)
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    assert run_srs("undo", env=env).exit_code == 0
    assert sources(tmp_path) == [("one", "review")]
    assert memory(tmp_path) == answered


def test_placeholders_an_import_made_are_retired_with_it(run_srs, tmp_path, env):
    assert run_srs("import", "revlog", tmp_path / "more.csv", env=env).exit_code == 0
    assert query(tmp_path, "SELECT uid, retired FROM items WHERE deck_id = 'imported-revlog'") == [("revlog-77", 0)]
    assert run_srs("undo", env=env).stdout.startswith("Undid the import of 4 reviews of 3 cards")
    assert query(tmp_path, "SELECT uid, retired FROM items WHERE deck_id = 'imported-revlog'") == [("revlog-77", 1)]


def test_only_the_last_import_is_undone_whole_and_an_older_one_points_to_the_backups(run_srs, tmp_path, env):
    assert run_srs("import", "revlog", tmp_path / "more.csv", env=env).exit_code == 0
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    assert run_srs("undo", env=env).stdout.startswith("Undid the import of 3 reviews")
    result = run_srs("undo", env=env)
    assert result.exit_code == 1
    assert result.stderr == ("Error: nothing to undo: the newest reviews come from an import that was not the last "
                             "one; `srs backup --list` shows the backups taken before each import, and `srs restore "
                             "FILE` puts one back\n")
    assert len(sources(tmp_path)) == 4
