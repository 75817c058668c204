"""No stored value crashes a later command: review-log rows that an older srs let in (year 1, year 9999, a
duration of 2^63 ms) are left out of what is computed from the log, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest

from srs.store import log

DECK = "id: d\ntitle: D\nitems:\n  - id: a\n    q: A?\n    a: 1\n  - id: b\n    q: B?\n    a: 2\n"
ODD_ROWS = [(-62135596800, None), (253402214400, 2**63 - 1), (1795428000 - 86400, 2**63 - 1), (-1, -5)]


@pytest.fixture
def env(tmp_path, run_srs, monkeypatch):
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "d.yaml").write_text(DECK)
    env = {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "SRS_NOW": "2026-11-23T10:00:00Z"}
    assert run_srs("answer", "a", "good", env=env).exit_code == 0
    conn = sqlite3.connect(tmp_path / "srs.db")
    for at, duration in ODD_ROWS:
        conn.execute(  # srs/store/log.py's columns
            "INSERT INTO revlog (cid, reviewed_at, rating, duration_ms, state_before, source, state, step, stability, "
            "difficulty, due, reps, lapses) SELECT cid, ?, 3, ?, 0, ?, state, step, stability, difficulty, due, reps, "
            "lapses FROM revlog LIMIT 1", [at, duration, log.SOURCE_CODE["import"]])
    conn.commit()
    conn.close()
    return env


@pytest.mark.parametrize("args", [
    ["stats"], ["stats", "--json"], ["due"], ["show", "a"], ["show", "a", "--json"], ["review"],
    ["optimize", "--dry-run"], ["evaluate"], ["quiz", "d"],
])
def test_odd_stored_reviews_crash_no_command(run_srs, env, args):
    result = run_srs(*args, input="q\n", env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
