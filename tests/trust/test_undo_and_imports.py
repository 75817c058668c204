"""`srs undo` reaches only what the learner did (review, quiz, `srs answer`), never imported history."""

from __future__ import annotations

import sqlite3

import pytest

DECK = "id: basics\ntitle: Basics\nitems:\n  - id: one\n    q: One?\n    a: 1\n  - id: two\n    q: Two?\n    a: 2\n"
LOG = "card_id,review_rating,review_time,review_duration\n" + "\n".join(
    ["one,3,2026-11-01T10:00:00Z,4000", "one,3,2026-11-05T10:00:00Z,3000", "two,1,2026-11-02T10:00:00Z,5000"]
) + "\n"
NOW = "2026-11-23T10:00:00Z"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "basics.yaml").write_text(DECK)
    (tmp_path / "log.csv").write_text(LOG)
    return {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "SRS_NOW": NOW}


def sources(tmp_path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(tmp_path / "srs.db")
    try:
        return conn.execute(
            "SELECT c.uid, r.source FROM revlog r JOIN cards c ON c.cid = r.cid ORDER BY r.reviewed_at"
        ).fetchall()
    finally:
        conn.close()


def test_undo_after_an_import_is_nothing_to_undo(run_srs, tmp_path, env):
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    before = sources(tmp_path)
    assert len(before) == 3
    result = run_srs("undo", env=env)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: nothing of yours to undo (undo takes back answers, never imported history)")
    assert sources(tmp_path) == before


def test_undo_after_an_import_names_the_backup_that_undoes_it_whole(run_srs, tmp_path, env):
    from srs.store.backup import backups

    assert run_srs("answer", "two", "good", env=env).exit_code == 0
    assert run_srs("undo", env=env).exit_code == 0  # the learner's own answer: undone
    assert run_srs("answer", "two", "good", env=env).exit_code == 0
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    (backup,) = [b.path for b in backups(tmp_path / "srs.db") if b.reason == "before-import"]
    assert run_srs("undo", env=env).exit_code == 0  # still the learner's answer, older than the import rows
    result = run_srs("undo", env=env)
    assert result.stderr == ("Error: nothing of yours to undo (undo takes back answers, never imported history); "
                             f"`srs restore {backup}` puts back the history from before the last import\n")
    assert run_srs("restore", backup, env=env).exit_code == 0
    assert [source for _, source in sources(tmp_path)] == ["review"]


def test_undo_takes_back_the_learners_answer_and_leaves_imported_reviews(run_srs, tmp_path, env):
    assert run_srs("answer", "one", "good", env=env).exit_code == 0
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0  # older reviews, newer rows
    result = run_srs("undo", env=env)
    assert (result.exit_code, result.stdout) == (0, "Undid the answer to one.\n")
    assert sources(tmp_path) == [("one", "import"), ("two", "import"), ("one", "import")]
    result = run_srs("undo", env=env)
    assert result.exit_code == 1 and result.stderr.startswith("Error: nothing of yours to undo")
    assert len(sources(tmp_path)) == 3
    # The card is as the imported reviews alone leave it.
    alone = {**env, "SRS_DB": str(tmp_path / "alone.db")}
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=alone).exit_code == 0
    assert memory(tmp_path / "srs.db") == memory(tmp_path / "alone.db")


def memory(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT uid, state, stability, difficulty, reps, lapses, last_review FROM cards "
                            "ORDER BY uid").fetchall()
    finally:
        conn.close()
