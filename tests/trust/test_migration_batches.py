"""The upgrade to the lean log goes in short write transactions (srs/store/upgrade.py), and keeps every guarantee
of one done at once: a kill between or inside batches loses nothing and the next open goes on; what an older srs
writes to the old log meanwhile is kept; two srs upgrading at once end with one log; no batch converts more than
its share. The fixture and the checks are tests/trust/test_migration.py's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_migration import FIXTURE, dump, lean_reviews, legacy_reviews

from srs.store import Store, log, upgrade
from srs.store.db import upgrade_pending
from srs.store.schema import LEGACY_LOG, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
STAGING = {log.STAGED_LOG, log.STAGED_BEFORE, upgrade.MARKER, upgrade.NOTED, LEGACY_LOG,
           "revlog_v3_inserted", "revlog_v3_updated", "revlog_v3_deleted"}


@pytest.fixture
def legacy(tmp_path) -> Path:
    path = tmp_path / "srs.db"
    shutil.copyfile(FIXTURE, path)
    return path


def names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def marker(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT cid, done FROM {upgrade.MARKER}").fetchone()
    finally:
        conn.close()


def old_log(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM revlog ORDER BY rid").fetchall()
    finally:
        conn.close()


def migrated(path: Path) -> dict[int, tuple]:
    store = Store.open(path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        return lean_reviews(store)
    finally:
        store.close()


class Batches:
    """Counts, per write transaction of the upgrade, the rows converted, the cards they belong to and the thread
    that converted them; `pause` seconds after each COMMIT (for another srs to take the lock)."""

    def __init__(self, monkeypatch, pause: float = 0.0):
        self.rows: list[int] = []
        self.cards: list[set[int]] = []
        self.threads: list[int] = []
        immediate, convert, write = upgrade._immediate, upgrade.convert_legacy_log, log._write_converted

        @contextmanager
        def counted(conn):
            self.rows.append(0)
            self.cards.append(set())
            with immediate(conn):
                yield
            time.sleep(pause)

        def converting(*args, **kwargs):
            converted = convert(*args, **kwargs)
            self.rows[-1] += converted
            if converted:
                self.threads.append(threading.get_ident())
            return converted

        def writing(conn, rows, pins):
            self.cards[-1].update(row[1] for row in rows)
            write(conn, rows, pins)

        monkeypatch.setattr(upgrade, "_immediate", counted)
        monkeypatch.setattr(upgrade, "convert_legacy_log", converting)
        monkeypatch.setattr(log, "_write_converted", writing)


def test_no_transaction_converts_more_than_a_batch_and_the_last_cards_rest(legacy, monkeypatch):
    reviews = legacy_reviews(legacy)
    most = max(sum(1 for r in reviews.values() if r[0] == cid) for cid in {r[0] for r in reviews.values()})
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 50)
    batches = Batches(monkeypatch)
    assert migrated(legacy) == reviews
    converting = [rows for rows in batches.rows if rows]
    assert len(converting) >= len(reviews) // (50 + most) + 1
    assert max(converting) <= 50 + most - 1
    assert sum(batches.rows) == len(reviews)  # no row converted twice
    seen: set[int] = set()
    for cards in batches.cards:  # whole cards: a card's rows all in one batch
        assert not cards & seen
        seen |= cards
    assert not names(legacy) & STAGING


def test_a_kill_inside_a_batch_loses_nothing_and_the_next_open_goes_on_from_the_marker(legacy, monkeypatch):
    reviews, rows = legacy_reviews(legacy), old_log(legacy)
    # A real kill -9 in the middle of the third batch's transaction, after some of its rows were written.
    script = (
        "import os, signal, sys\n"
        "from srs.store import Store, log, upgrade\n"
        "upgrade.BATCH_REVIEWS, log.CONVERT_BATCH, ends, calls = 100, 25, upgrade._batch_end, []\n"
        "def counted(conn, last):\n"
        "    calls.append(last)\n"
        "    return ends(conn, last)\n"
        "def progress(done, total):\n"
        "    if len(calls) == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
        "upgrade._batch_end = counted\n"
        "Store.open(sys.argv[1], on_upgrade=lambda upgrade: progress)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    killed = subprocess.run([sys.executable, "-c", script, str(legacy)], env=env, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert dump(legacy)[0] == 2 and upgrade_pending(legacy)
    assert old_log(legacy) == rows  # the old log whole, as it was
    last, done = marker(legacy)
    assert 200 <= done < 300 and last > 0  # two batches committed, the third's rows gone with its transaction
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 100)
    counts = []
    store = Store.open(legacy, on_upgrade=lambda upgrade: lambda done, total: counts.append((done, total)))
    try:
        assert lean_reviews(store) == reviews
    finally:
        store.close()
    assert counts[0] == (done, 397) and counts[-1] == (397, 397)
    assert [c[0] for c in counts] == sorted(c[0] for c in counts)
    assert not names(legacy) & STAGING and not upgrade_pending(legacy)


def test_an_error_between_batches_leaves_the_old_log_in_use_and_the_next_open_finishes(legacy, monkeypatch):
    reviews, rows = legacy_reviews(legacy), old_log(legacy)
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 100)
    ends = upgrade._batch_end

    def third_fails(conn, last):  # Ctrl-C as the third transaction begins
        calls.append(last)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return ends(conn, last)

    calls: list[int] = []
    monkeypatch.setattr(upgrade, "_batch_end", third_fails)
    with pytest.raises(KeyboardInterrupt):
        Store.open(legacy)
    assert old_log(legacy) == rows and dump(legacy)[0] == 2 and upgrade_pending(legacy)
    last, done = marker(legacy)
    assert last == calls[-1] and 200 <= done < 300
    monkeypatch.setattr(upgrade, "_batch_end", ends)
    assert migrated(legacy) == reviews


def write_as_an_older_srs(path: Path, cids: list[int]) -> None:
    """What an older srs writes to the old log: an answer to the first card and one to the last, an undone answer
    (its row deleted) of the second, and a row of the third changed in place (see old_srs_write)."""
    for action, cid in (("answer", cids[0]), ("answer", cids[-1]), ("undo", cids[1]), ("edit", cids[2])):
        old_srs_write(path, action, cid)


def test_what_an_older_srs_writes_to_the_old_log_meanwhile_is_kept(legacy, tmp_path, monkeypatch):
    cids = sorted({r[0] for r in legacy_reviews(legacy).values()})
    expected_db = tmp_path / "expected.db"  # the same writes on a copy, converted by nobody
    shutil.copyfile(legacy, expected_db)
    write_as_an_older_srs(expected_db, cids)
    expected = legacy_reviews(expected_db)
    assert expected != legacy_reviews(legacy)
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 100)
    immediate, began = upgrade._immediate, []

    @contextmanager
    def between(conn):  # before the second transaction, with the first committed: an older srs writes
        began.append(conn)
        if len(began) == 2:
            assert cids[2] <= marker(legacy)[0] < cids[-1]  # three cards converted, the last not yet
            write_as_an_older_srs(legacy, cids)
        with immediate(conn):
            yield

    monkeypatch.setattr(upgrade, "_immediate", between)
    assert migrated(legacy) == expected
    assert not names(legacy) & STAGING


def test_an_older_srs_rewriting_the_whole_log_meanwhile_is_converted_again_in_batches_too(legacy, monkeypatch):
    reviews = legacy_reviews(legacy)
    most = max(sum(1 for r in reviews.values() if r[0] == cid) for cid in {r[0] for r in reviews.values()})
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 50)
    batches = Batches(monkeypatch)
    immediate = upgrade._immediate  # Batches' own

    @contextmanager
    def between(conn):  # after four batches, an older srs's `optimize` rewrites every row
        if len(batches.rows) == 4:
            conn_old = sqlite3.connect(legacy)
            with conn_old:
                conn_old.execute("UPDATE revlog SET duration_ms = duration_ms")
            conn_old.close()
        with immediate(conn):
            yield

    monkeypatch.setattr(upgrade, "_immediate", between)
    assert migrated(legacy) == reviews
    converted_before = 200
    assert sum(batches.rows) > len(reviews) + converted_before - 1  # the converted cards, converted again
    assert max(batches.rows) <= 50 + most - 1  # each transaction its share, no more


def test_two_srs_upgrading_at_once_share_the_batches_and_end_with_one_log(legacy, monkeypatch):
    reviews = legacy_reviews(legacy)
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 50)
    # Each pauses after a COMMIT longer than SQLite's busy handler sleeps between tries (100 ms at most), so the
    # other, waiting for the lock, takes the next batch.
    batches = Batches(monkeypatch, pause=0.15)
    start, seen, failed = threading.Barrier(2), [], []

    def open_store():  # each srs with its own connection, as two processes
        try:
            start.wait()
            store = Store.open(legacy)
            try:
                seen.append((store.conn.execute("PRAGMA user_version").fetchone()[0], lean_reviews(store)))
            finally:
                store.close()
        except BaseException as exc:  # pragma: no cover - shown by the assertion below
            failed.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failed and seen == [(SCHEMA_VERSION, reviews)] * 2
    assert len(set(batches.threads)) == 2  # both converted batches
    assert sum(batches.rows) == len(reviews)  # each batch once, whichever srs took it
    assert not names(legacy) & STAGING


def test_a_row_no_srs_wrote_in_a_later_batch_undoes_the_batches_before_it(legacy, run_srs, monkeypatch):
    conn = sqlite3.connect(legacy)
    rid = conn.execute("SELECT rid FROM revlog ORDER BY cid DESC LIMIT 1").fetchone()[0]  # in the last batch
    conn.execute("UPDATE revlog SET source = 'somewhere' WHERE rid = ?", [rid])
    conn.commit()
    conn.close()
    before = dump(legacy)
    monkeypatch.setattr(upgrade, "BATCH_REVIEWS", 50)
    batches = Batches(monkeypatch)
    result = run_srs("due", env={"SRS_DB": str(legacy), "SRS_DECKS": str(legacy.parent)})
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == (
        f"Error: cannot use database {legacy}: its review {rid} has a source srs never wrote ('somewhere'); "
        "nothing was changed")
    assert sum(1 for rows in batches.rows if rows) > 2  # batches had been committed
    assert dump(legacy) == before


def test_the_old_log_is_dropped_in_batches_and_a_stop_before_leaves_it_to_the_next_open(legacy, monkeypatch):
    reviews = legacy_reviews(legacy)
    monkeypatch.setattr(upgrade, "drop_legacy", lambda conn: None)  # stopped after the swap committed
    Store.open(legacy).close()
    assert dump(legacy)[0] == SCHEMA_VERSION and LEGACY_LOG in names(legacy)
    assert upgrade_pending(legacy)  # a Tab still leaves it to a command
    monkeypatch.undo()
    monkeypatch.setattr(upgrade, "DROP_BATCH", 100)
    batches = Batches(monkeypatch)
    size = legacy.stat().st_size
    assert migrated(legacy) == reviews
    assert len(batches.rows) == 397 // 100 + 1 and not any(batches.rows)  # 100 rows a transaction, the last drops
    assert LEGACY_LOG not in names(legacy) and not upgrade_pending(legacy)
    assert legacy.stat().st_size < size  # VACUUMed once it was gone


def test_a_new_database_has_the_upgraded_ones_schema(legacy, tmp_path):
    Store.open(legacy).close()
    Store.open(tmp_path / "new.db").close()

    def schema(path):
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                                "ORDER BY type, name").fetchall()
        finally:
            conn.close()

    assert schema(tmp_path / "new.db") == schema(legacy)


# -- any batch size, any writes by an older srs between any transactions ------------------------------------------

OLD_SRS_WRITES = st.lists(
    st.tuples(st.integers(0, 40),  # before which write transaction of the upgrade (counted from 0)
              st.sampled_from(["answer", "undo", "edit"]),
              st.integers(0, 24)),  # which card, by its place among the fixture's cards
    max_size=8,
)


def old_srs_write(path: Path, action: str, cid: int) -> None:
    """One write an older srs makes to its log: an answer to the card, the undo of its newest answer, or a change
    to a row of it in place (as its `optimize` made)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            if action == "answer":
                conn.execute(
                    "INSERT INTO revlog (cid, deck_id, reviewed_at, rating, duration_ms, response, state_before, "
                    "source, before, after) SELECT cid, deck_id, reviewed_at + 86400, 3, 900, NULL, "
                    "json_extract(after, '$.state'), 'review', after, json_set(after, '$.last_review', "
                    "reviewed_at + 86400, '$.reps', json_extract(after, '$.reps') + 1) FROM revlog WHERE cid = ? "
                    "ORDER BY reviewed_at DESC, rid DESC LIMIT 1", [cid])
            elif action == "undo":
                conn.execute("DELETE FROM revlog WHERE rid = (SELECT rid FROM revlog WHERE cid = ? ORDER BY "
                             "reviewed_at DESC, rid DESC LIMIT 1)", [cid])
            else:
                conn.execute("UPDATE revlog SET duration_ms = duration_ms + 1 WHERE rid = (SELECT MIN(rid) FROM "
                             "revlog WHERE cid = ?)", [cid])
    finally:
        conn.close()


@settings(max_examples=30, deadline=None)
@given(batch=st.integers(1, 150), writes=OLD_SRS_WRITES, stop=st.none() | st.integers(0, 30))
def test_any_batch_size_with_any_older_srs_writes_between_gives_the_log_converting_at_once_gives(batch, writes, stop):
    """The batched upgrade, with an older srs writing between any of its transactions until the swap, and stopped
    (Ctrl-C) inside any one of them and then run again, ends with exactly the log that converting the old log at
    once, with those writes in it, gives."""
    cids = sorted({r[0] for r in legacy_reviews(FIXTURE).values()})
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        live, expected = Path(tmp) / "srs.db", Path(tmp) / "expected.db"
        shutil.copyfile(FIXTURE, live)
        shutil.copyfile(FIXTURE, expected)  # the same writes, converted by nobody
        patch.setattr(upgrade, "BATCH_REVIEWS", batch)
        immediate, began = upgrade._immediate, [0]

        @contextmanager
        def between(conn):
            if conn.execute("PRAGMA user_version").fetchone()[0] == 2:  # an older srs can write until the swap
                for at, action, card in writes:
                    if at == began[0]:
                        for path in (live, expected):
                            old_srs_write(path, action, cids[card % len(cids)])
            began[0] += 1
            with immediate(conn):
                if began[0] - 1 == stop:
                    raise KeyboardInterrupt  # inside the transaction, after the lock was taken
                yield

        patch.setattr(upgrade, "_immediate", between)
        if stop is not None:
            with contextlib.suppress(KeyboardInterrupt):  # stopped: the next open goes on
                migrated(live)
        assert migrated(live) == legacy_reviews(expected)
        assert not names(live) & STAGING and not upgrade_pending(live)
