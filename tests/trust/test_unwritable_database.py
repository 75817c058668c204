"""A database srs may read but not write (a read-only file, a read-only mount) is one line in srs's own words,
and every command that only reads it still works; so is one found damaged in the middle of a command."""

from __future__ import annotations

import sqlite3

import pytest
from trust_helpers import deck_home

import srs.store.db

DECK = "id: home\ntitle: Home\nitems:\n  - id: one\n    q: One?\n    a: 1\n  - id: two\n    q: Two?\n    a: 2\n"
NOW = "2026-11-23T10:00:00Z"


@pytest.fixture
def read_only(tmp_path, monkeypatch, run_srs):
    """A learner with one answer in the database, which from now on srs opens read-only, as SQLite opens a file
    it may not write (made so by the URI, not by the file's mode: tests may run as root, who may write all)."""
    home = deck_home(tmp_path, monkeypatch, {"home.yaml": DECK})
    env = {"SRS_DB": str(home / "srs.db"), "SRS_DECKS": str(home / "decks"), "SRS_NOW": NOW}
    assert run_srs("answer", "one", "good", env=env).exit_code == 0
    connect = sqlite3.connect

    def connect_read_only(database, *args, **kwargs) -> sqlite3.Connection:
        if str(database) != env["SRS_DB"]:
            return connect(database, *args, **kwargs)
        return connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(srs.store.db.sqlite3, "connect", connect_read_only)
    return env


def rows(db: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM revlog").fetchall() + conn.execute("SELECT * FROM cards").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("args", [["answer", "two", "good"], ["undo"], ["card", "suspend", "one"],
                                  ["card", "reschedule", "3", "one"]])
def test_a_write_to_a_read_only_database_is_one_line_in_srss_words(run_srs, read_only, args):
    before = rows(read_only["SRS_DB"])
    result = run_srs(*args, env=read_only)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: cannot write database {read_only['SRS_DB']}: the file or its folder is "
                             "read-only or cannot be opened\n")
    assert rows(read_only["SRS_DB"]) == before


@pytest.mark.parametrize("args", [["due"], ["stats"], ["list"], ["card", "log", "one"]])
def test_reading_a_read_only_database_works(run_srs, read_only, args):
    assert run_srs(*args, env=read_only).exit_code == 0


def test_a_page_found_damaged_in_the_middle_of_a_command_is_srss_one_line(run_srs, tmp_path, monkeypatch):
    import gc

    home = deck_home(tmp_path, monkeypatch, {"home.yaml": DECK})
    db = home / "srs.db"
    env = {"SRS_DB": str(db), "SRS_DECKS": str(home / "decks"), "SRS_NOW": NOW}
    days = [f"one,3,{2010 + n // 300}-{1 + n // 25 % 12:02d}-{1 + n % 25:02d}T10:00:00Z,1000" for n in range(3000)]
    (home / "log.csv").write_text("card_id,review_rating,review_time,review_duration\n" + "\n".join(days) + "\n")
    assert run_srs("import", "revlog", home / "log.csv", env=env).exit_code == 0
    gc.collect()  # the command's connection closes: the log is in the file itself
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = 'revlog' AND pagetype = 'leaf'")]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:  # the middle of the review log: opening the database still works
        handle.seek((pages[len(pages) // 2] - 1) * size)
        handle.write(b"\xa5" * size)
    result = run_srs("stats", env=env)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: cannot use database {db}: it is damaged or not an srs database\n"


def test_a_database_path_that_is_no_regular_file_is_srss_one_line(run_srs, tmp_path, monkeypatch):
    import os

    home = deck_home(tmp_path, monkeypatch, {"home.yaml": DECK})
    fifo = home / "srs.db"
    os.mkfifo(fifo)  # a named pipe: SQLite cannot read a database from it
    result = run_srs("due", env={"SRS_DB": str(fifo), "SRS_DECKS": str(home / "decks"), "SRS_NOW": NOW})
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: cannot use database {fifo}: the system could not read or write it (is it a "
                             "regular file on a working disk?)\n")
