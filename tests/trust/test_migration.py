"""Migration 3 (the lean log) converts a database made by the srs before it without losing one review or
changing one memory state; interrupted, it leaves that database as it was.

The database is tests/fixtures/legacy/srs-schema2.db, made by srs at schema 2 through its own API (answers,
quiz answers, leeches, undos, cards forgotten and rescheduled by hand, an answer with the clock set back, an
imported CSV log): see make_schema2_db.py beside it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from srs.store import Store, log
from srs.store.schema import SCHEMA_VERSION
from srs.store.store import CardRecord

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "legacy" / "srs-schema2.db"


@pytest.fixture
def legacy(tmp_path) -> Path:
    path = tmp_path / "srs.db"
    shutil.copyfile(FIXTURE, path)
    return path


def legacy_reviews(path: Path) -> dict[int, tuple]:
    """Every review of a schema-2 database: {rid: (card, time, rating, duration, response, source, the card's
    scheduling fields before and after, whether it made the card a leech (and suspended it))}."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        rows = conn.execute("SELECT rid, cid, reviewed_at, rating, duration_ms, response, source, state_before, "
                            "before, after FROM revlog").fetchall()
    finally:
        conn.close()
    reviews = {}
    for rid, cid, at, rating, ms, response, source, state_before, before_json, after_json in rows:
        before, after = json.loads(before_json), json.loads(after_json)
        assert before["state"] == state_before and after["last_review"] == at
        leech = 0
        if after["leech"] and not before["leech"]:
            leech = 2 if after["suspended"] and not before["suspended"] else 1
        reviews[rid] = (cid, at, rating, ms, response, source, tuple(before[n] for n in log.SCHEDULING),
                        tuple(after[n] for n in log.SCHEDULING), leech)
    return reviews


def lean_reviews(store: Store) -> dict[int, tuple]:
    return {
        row.rid: (row.cid, row.reviewed_at, row.rating, row.duration_ms, row.response, row.source,
                  tuple(row.before[n] for n in log.SCHEDULING), tuple(row.after[n] for n in log.SCHEDULING), row.leech)
        for rows in log.logs(store.conn).values() for row in rows
    }


def table(path: Path, name: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()
    finally:
        conn.close()


def checksum(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def test_the_fixture_holds_what_a_learners_database_holds():
    reviews = legacy_reviews(FIXTURE)
    sources = {review[5] for review in reviews.values()}
    assert sources == {"review", "quiz", "import"}
    assert any(review[8] == 2 for review in reviews.values())  # a leech, suspended
    assert any(review[4] is not None for review in reviews.values())  # a quiz answer's response
    actions = {row[4] for row in table(FIXTURE, "card_actions")}
    assert actions == {"forget", "reschedule", "flag"}
    # Cards forgotten or rescheduled between two answers: a state before that is not the previous state after.
    by_card: dict[int, list[tuple]] = {}
    for _, review in sorted(reviews.items(), key=lambda item: (item[1][1], item[0])):
        by_card.setdefault(review[0], []).append(review)
    broken = sum(1 for rows in by_card.values() for a, b in zip(rows, rows[1:]) if a[7] != b[6])
    assert broken >= 2


def test_migration_keeps_every_review_and_every_memory_state(legacy):
    reviews, cards = legacy_reviews(legacy), table(legacy, "cards")
    others = {name: table(legacy, name) for name in ("items", "decks", "card_actions", "settings", "files")}
    store = Store.open(legacy)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        migrated = lean_reviews(store)
        assert len(migrated) == len(reviews) == 397
        assert migrated == reviews
        assert checksum(sorted(migrated.items())) == checksum(sorted(reviews.items()))
    finally:
        store.close()
    assert table(legacy, "cards") == cards
    assert {name: table(legacy, name) for name in others} == others


def test_undo_after_the_migration_puts_the_card_back_as_the_old_log_said(legacy):
    conn = sqlite3.connect(legacy)
    rid, cid, before = conn.execute(  # the newest answer that is its card's newest (the clock was set back once)
        "SELECT rid, cid, before FROM revlog r WHERE source IN ('review', 'quiz') AND NOT EXISTS (SELECT 1 FROM "
        "revlog n WHERE n.cid = r.cid AND n.reviewed_at > r.reviewed_at) ORDER BY rid DESC LIMIT 1").fetchone()
    conn.close()
    store = Store.open(legacy)
    try:
        card, undone = store.undo_last(rid)
        assert card.cid == cid and card.memory() == json.loads(before)
        assert store.revlog_for(cid)[-1].rid != rid
    finally:
        store.close()


def test_the_lean_log_is_what_the_answers_wrote(legacy):
    """A migrated log goes on as a new one: an answer's row reads back as the card before and after it."""
    store = Store.open(legacy)
    try:
        card = store.find_card("q10")
        from datetime import datetime, timezone

        from srs.scheduler import Planner

        now = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
        after = Planner().review(card, 3, now)
        answer = store.record_answer(card, after, 3, now, duration_ms=1200)
        row = store.revlog_for(card.cid)[-1]
        assert row.rid == answer.rid and row.source == "review" and row.duration_ms == 1200
        assert row.before == {n: getattr(card, n) for n in log.SCHEDULING}
        assert row.after == {n: getattr(store.card(card.cid), n) for n in log.SCHEDULING}
    finally:
        store.close()


def test_an_interrupted_migration_leaves_the_old_database_as_it_was(legacy, monkeypatch):
    dump_before = dump(legacy)
    written = []

    def fail_midway(conn, rows, pins):
        original(conn, rows, pins)
        written.append(len(rows))
        raise RuntimeError("interrupted")

    original = log._write_converted
    monkeypatch.setattr(log, "_write_converted", fail_midway)
    with pytest.raises(RuntimeError, match="interrupted"):
        Store.open(legacy)
    assert written and written[0] > 0  # it had written rows of the new log when it stopped
    assert dump(legacy) == dump_before
    monkeypatch.undo()
    store = Store.open(legacy)  # and the next srs migrates it whole
    try:
        assert len(lean_reviews(store)) == 397
    finally:
        store.close()


def test_a_log_row_no_srs_wrote_stops_the_migration_in_one_line(legacy, run_srs):
    conn = sqlite3.connect(legacy)
    conn.execute("UPDATE revlog SET source = 'somewhere' WHERE rid = 5")
    conn.commit()
    conn.close()
    dump_before = dump(legacy)
    result = run_srs("due", env={"SRS_DB": str(legacy), "SRS_DECKS": str(legacy.parent)})
    announced, error = result.stderr.splitlines()  # the upgrade was announced, then stopped in one line
    assert announced.startswith("Upgrading the database to schema 3 (one time, 397 reviews)")
    assert (result.exit_code, error) == (1, f"Error: cannot use database {legacy}: its review 5 has a source "
                                            "srs never wrote ('somewhere'); nothing was changed")
    assert dump(legacy) == dump_before


def dump(path: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0], list(conn.iterdump())
    finally:
        conn.close()


def test_a_migrated_database_is_smaller(legacy):
    size = legacy.stat().st_size
    Store.open(legacy).close()
    assert legacy.stat().st_size < size  # VACUUMed after the migration


def test_card_record_fields_the_log_keeps_are_the_scheduling_ones():
    assert set(log.SCHEDULING) <= set(CardRecord.MUTABLE)


@pytest.mark.parametrize("query", [
    "SELECT cid, ord FROM cards WHERE iid = 1",
    "UPDATE cards SET active = 0 WHERE iid = 1",
    "SELECT cid, state, buried_until FROM cards WHERE iid = 1 AND cid != 2 AND active = 1 AND suspended = 0",
    "SELECT 1 FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.iid = 1 LIMIT 1",
])
def test_lookups_by_item_use_the_index_that_replaced_the_dropped_one(tmp_path, query):
    store = Store.open(tmp_path / "srs.db")
    try:
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    finally:
        store.close()
    assert "cards_item_active" in plan and "SCAN c" not in plan and "SCAN cards" not in plan


def test_a_command_that_upgrades_the_database_says_so_once_on_stderr(legacy, run_srs):
    env = {"SRS_DB": str(legacy), "SRS_DECKS": str(legacy.parent)}
    first = run_srs("due", "--json", env=env)
    assert first.exit_code == 0
    [backup] = (legacy.parent / "backups").glob("*-before-migration.sqlite3")
    assert first.stderr.splitlines()[0] == (f"Upgrading the database to schema {SCHEMA_VERSION} (one time, "
                                            f"397 reviews): a backup is kept at {backup}")
    assert json.loads(first.stdout)["counts"] == {"learning": 0, "review": 0, "new": 0}  # stdout stays the JSON
    second = run_srs("due", env=env)
    assert second.exit_code == 0 and "Upgrading" not in second.stderr
    assert second.stdout == "New 0  Learning 0  Review 0\n"


def test_the_upgrade_is_announced_then_its_progress_counts_up_to_every_review(legacy, monkeypatch):
    monkeypatch.setattr(log, "CONVERT_BATCH", 100)
    told, counts = [], []

    def on_upgrade(upgrade):
        told.append(upgrade)
        return lambda done, total: counts.append((done, total))

    Store.open(legacy, on_upgrade=on_upgrade).close()
    [upgrade] = told
    assert (upgrade.schema, upgrade.target, upgrade.reviews) == (2, SCHEMA_VERSION, 397)
    assert upgrade.backup.is_file() and upgrade.backup.parent == legacy.parent / "backups"
    assert counts == [(0, 397), (100, 397), (200, 397), (300, 397), (397, 397)]
    Store.open(legacy, on_upgrade=on_upgrade).close()  # once only
    Store.open(legacy.parent / "new.db", on_upgrade=on_upgrade).close()  # a new database is made, not upgraded
    assert told == [upgrade]


def test_a_field_a_legacy_row_lacks_is_a_new_cards(legacy):
    reviews = legacy_reviews(legacy)
    conn = sqlite3.connect(legacy)
    conn.execute("UPDATE revlog SET after = json_remove(after, '$.step') WHERE rid = 5")
    conn.commit()
    conn.close()
    after = dict(zip(log.SCHEDULING, reviews[5][7]), step=None)
    reviews[5] = (*reviews[5][:7], tuple(after[n] for n in log.SCHEDULING), reviews[5][8])
    store = Store.open(legacy)
    try:
        assert lean_reviews(store) == reviews
    finally:
        store.close()


def test_completion_leaves_the_upgrade_to_a_command(legacy):
    from types import SimpleNamespace

    from srs.commands.completion import card_ids

    context = SimpleNamespace(params={"db_path": str(legacy)}, parent=None)
    assert card_ids(context, "q1") == []  # a Tab on an old database offers nothing rather than wait
    assert dump(legacy)[0] == 2 and not (legacy.parent / "backups").exists()
    Store.open(legacy).close()
    assert "q1" in card_ids(context, "q1")


def test_on_a_terminal_a_bar_follows_the_reviews_converted(legacy, monkeypatch):
    import io

    from srs.commands.options import open_store

    terminal = io.StringIO()
    monkeypatch.setattr(terminal, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr", terminal)
    open_store(legacy).close()
    shown = terminal.getvalue()
    assert shown.startswith("Upgrading the database to schema 3 (one time, 397 reviews): a backup is kept at ")
    assert "Converting reviews" in shown and "397/397" in shown
