"""Backups: consistent copies before imports, reschedules and once a day, a bounded set, and a restore that
gives back exactly the history that was backed up."""

from __future__ import annotations

import gc
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from trust_helpers import deck_home

from srs.store import Store
from srs.store.backup import KEEP_RECENT, backups, daily_backup, prune, take_backup

DECK = "id: basics\ntitle: Basics\nitems:\n" + "".join(f"  - id: c{n}\n    q: Q{n}?\n    a: {n}\n" for n in range(5))
LOG = ("card_id,review_rating,review_time,review_duration\n"
       "c3,3,2026-11-01T10:00:00Z,4000\nc4,1,2026-11-02T10:00:00Z,5000\n")


@pytest.fixture
def env(tmp_path, monkeypatch):
    deck_home(tmp_path, monkeypatch, {"basics.yaml": DECK}, {"log.csv": LOG})
    return {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "SRS_NOW": "2026-11-23T10:00:00Z"}


def history(db: Path) -> list[str]:
    """Every row of every table, as SQL text."""
    gc.collect()
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_restore_gives_back_the_history_exactly_as_it_was_backed_up(run_srs, tmp_path, env):
    for card in ("c0", "c1"):
        assert run_srs("answer", card, "good", env=env).exit_code == 0
    made = run_srs("backup", env=env)
    assert made.exit_code == 0, made.output
    (taken,) = [b.path for b in backups(tmp_path / "srs.db") if b.reason == "manual"]
    assert made.stdout == f"Backed up {tmp_path / 'srs.db'} to {taken}.\n"
    saved = history(tmp_path / "srs.db")
    assert history(taken) == saved

    # Later: more answers, an import, an undo, an edited deck.
    assert run_srs("answer", "c2", "again", env=env).exit_code == 0
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    (tmp_path / "decks" / "basics.yaml").write_text(DECK.replace("Q0?", "Question zero?"))
    assert run_srs("answer", "c0", "easy", env=env).exit_code == 0
    changed = history(tmp_path / "srs.db")
    assert changed != saved

    result = run_srs("restore", taken, env=env)
    assert result.exit_code == 0, result.output
    assert history(tmp_path / "srs.db") == saved
    # What was there before the restore was kept, so the restore can be undone too.
    (before,) = [b.path for b in backups(tmp_path / "srs.db") if b.reason == "before-restore"]
    assert history(before) == changed
    assert result.stdout == (f"Restored {tmp_path / 'srs.db'} from {taken}; "
                             f"the history as it was before is in {before}.\n")
    assert run_srs("restore", before, env=env).exit_code == 0
    assert history(tmp_path / "srs.db") == changed


def test_an_import_and_a_reschedule_are_preceded_by_a_backup(run_srs, tmp_path, env):
    assert run_srs("answer", "c0", "good", env=env).exit_code == 0
    before_import = history(tmp_path / "srs.db")
    assert run_srs("import", "revlog", tmp_path / "log.csv", env=env).exit_code == 0
    (imported,) = [b.path for b in backups(tmp_path / "srs.db") if b.reason == "before-import"]
    assert history(imported) == before_import
    optimized = run_srs("optimize", env=env)
    assert optimized.exit_code in (0, 1)
    # A backup precedes a reschedule, and only a reschedule (tests/optimizer has one that reschedules).
    rescheduled = "rescheduled" in optimized.output
    assert [b.reason for b in backups(tmp_path / "srs.db")].count("before-reschedule") == int(rescheduled)


def test_the_first_use_of_a_day_backs_up_once(run_srs, tmp_path, env):
    assert run_srs("answer", "c0", "good", env=env).exit_code == 0  # the database had no reviews: no backup
    assert [b.reason for b in backups(tmp_path / "srs.db")] == []
    assert run_srs("due", env=env).exit_code == 0
    assert run_srs("due", env=env).exit_code == 0
    assert [b.reason for b in backups(tmp_path / "srs.db")] == ["daily"]


def test_a_file_in_the_backups_folder_srs_did_not_name_crashes_no_command(run_srs, tmp_path, env):
    assert run_srs("answer", "c0", "good", env=env).exit_code == 0
    folder = tmp_path / "backups"
    folder.mkdir(exist_ok=True)
    (folder / "srs-20261399-250000-manual.sqlite3").write_text("a name like a backup's, with month 13")
    for args in (["due"], ["backup", "--list"], ["backup"]):
        assert run_srs(*args, env=env).exit_code == 0, args
    assert [b.reason for b in backups(tmp_path / "srs.db")] == ["daily", "manual"]


def test_a_backup_stamped_in_the_future_does_not_stop_the_daily_one(run_srs, tmp_path, env):
    assert run_srs("answer", "c0", "good", env=env).exit_code == 0  # history to keep
    store = Store.open(tmp_path / "srs.db")
    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    take_backup(store.conn, tmp_path / "srs.db", "daily", now + timedelta(days=900))  # the clock was wrong once
    assert daily_backup(store.conn, tmp_path / "srs.db", now) is not None
    store.close()


@pytest.mark.parametrize("content", [b"not a database", b"SQLite format 3\x00" + b"\0" * 100])
def test_restoring_something_that_is_no_srs_backup_is_one_line_and_changes_nothing(run_srs, tmp_path, env, content):
    assert run_srs("answer", "c0", "good", env=env).exit_code == 0
    saved = history(tmp_path / "srs.db")
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(content)
    result = run_srs("restore", bogus, env=env)
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: ") and str(bogus) in result.output
    assert history(tmp_path / "srs.db") == saved


def test_the_set_of_backups_is_bounded_like_ankis(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    start = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    first = take_backup(store.conn, tmp_path / "srs.db", "daily", start, bound=False)
    store.close()
    for hours in range(6, 24 * 400, 6):  # four backups a day for 400 days (copies of one: pruning reads names)
        stamp = (start + timedelta(hours=hours)).strftime("%Y%m%d-%H%M%S")
        (first.parent / f"srs-{stamp}-daily.sqlite3").write_bytes(first.read_bytes())
    now = start + timedelta(hours=24 * 400)
    prune(tmp_path / "srs.db", now)
    kept = backups(tmp_path / "srs.db")
    assert KEEP_RECENT <= len(kept) <= KEEP_RECENT + 12 + 10 + 9
    assert kept[-1].taken == now - timedelta(hours=6)  # the newest stays
    assert now - kept[0].taken <= timedelta(days=30 * 9)  # nothing older than the monthly span
    days = {b.taken.date() for b in kept if now - b.taken < timedelta(days=12)}
    assert len(days) >= 12  # one a day for the last 12 days
