"""Rescheduling after a fit: computed outside the write lock, written in short transactions, and never
losing an answer that another process records meanwhile."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

from srs.clock import from_epoch
from srs.importers.revlog_csv import import_revlog, read_revlog_csv
from srs.optimizer import replay
from srs.optimizer.replay import SCHEDULING, reschedule
from srs.scheduler import Planner
from srs.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import TRUE_PARAMETERS, synthetic_log, write_csv  # noqa: E402


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "log.csv"
    write_csv(path, synthetic_log(60, 5, seed=3))
    store = Store.open(tmp_path / "srs.db")
    import_revlog(store, read_revlog_csv(path))
    yield store
    store.close()


def states(store) -> dict:
    columns = ", ".join(SCHEDULING)
    return {row[0]: row[1:] for row in store.conn.execute(f"SELECT cid, {columns} FROM cards ORDER BY cid")}


def test_an_answer_recorded_meanwhile_by_another_process_is_kept(store, monkeypatch):
    cid = store.conn.execute("SELECT cid FROM cards WHERE reps > 0 LIMIT 1").fetchone()[0]
    original = replay.final_states
    calls = []

    def answer_meanwhile(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # while the first replay is computed, another process answers a card
            other = Store.open(store.path)
            card = other.card(cid)
            now = from_epoch(card.last_review) + timedelta(days=30)
            other.record_answer(card, Planner().review(card, 3, now), 3, now)
            other.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(replay, "final_states", answer_meanwhile)
    assert reschedule(store, save_settings={"fsrs_parameters": TRUE_PARAMETERS}) == 60
    assert len(calls) == 2  # the first result was not written over the answer: it was computed again
    log = store.revlog_for(cid)
    card = store.card(cid)
    assert card.reps == len(log) and card.last_review == log[-1].reviewed_at
    assert store.setting("fsrs_parameters") == TRUE_PARAMETERS


def test_a_second_reschedule_with_the_same_settings_writes_nothing(store):
    reschedule(store, save_settings={"fsrs_parameters": TRUE_PARAMETERS})
    before = states(store)
    store.conn.execute("CREATE TEMP TABLE touched (cid INTEGER)")
    for table in ("cards", "revlog"):
        store.conn.execute(f"CREATE TEMP TRIGGER touch_{table} AFTER UPDATE ON main.{table} "
                           "BEGIN INSERT INTO touched VALUES (new.cid); END")
    reschedule(store, save_settings={"fsrs_parameters": TRUE_PARAMETERS})
    assert states(store) == before
    assert store.conn.execute("SELECT COUNT(*) FROM touched").fetchone()[0] == 0  # no card, no log row


def count_transactions(monkeypatch) -> list:
    """A list that grows by one each time the store opens a write transaction."""
    import srs.store.store as store_module

    original = store_module.transaction
    opened: list = []

    def counting(conn, path="the database"):
        opened.append(1)
        return original(conn, path)

    monkeypatch.setattr(store_module, "transaction", counting)
    return opened


def test_the_log_is_history_and_only_cards_and_settings_are_written_in_one_transaction(store, monkeypatch):
    columns = "rid, state_before, state, step, stability, difficulty, due, reps, lapses"
    log_before = store.conn.execute(f"SELECT {columns} FROM revlog ORDER BY rid").fetchall()
    cards_before = states(store)
    opened = count_transactions(monkeypatch)
    reschedule(store, save_settings={"fsrs_parameters": TRUE_PARAMETERS})
    assert len(opened) == 1  # the cards and the settings together
    assert store.conn.execute(f"SELECT {columns} FROM revlog ORDER BY rid").fetchall() == log_before
    assert sum(states(store)[cid] != state for cid, state in cards_before.items()) > 50


def test_a_huge_collection_writes_its_cards_in_several_checked_transactions(store, tmp_path, monkeypatch):
    copy = Store.open(tmp_path / "copy.db")
    store.conn.backup(copy.conn)
    reschedule(copy, save_settings={"fsrs_parameters": TRUE_PARAMETERS})  # all cards in one transaction
    monkeypatch.setattr(replay, "CARDS_PER_TRANSACTION", 25)
    opened = count_transactions(monkeypatch)
    reschedule(store, save_settings={"fsrs_parameters": TRUE_PARAMETERS})
    assert len(opened) == 3  # 60 cards 25 at a time, the settings with the last
    assert states(store) == states(copy)
    assert store.setting("fsrs_parameters") == TRUE_PARAMETERS
    copy.close()
