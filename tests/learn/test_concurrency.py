"""Several srs processes on one database at once: every answer is kept and nobody sees "database is
locked"; a lock held longer than the busy timeout is one clear line and exit status 1."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
import time
import traceback

import pytest
from learn_helpers import NOW, flashcards

import srs.store.db

pytestmark = pytest.mark.slow

ROUNDS = 150  # answers per process
CARDS_PER_PROCESS = 10


def _fork():
    return multiprocessing.get_context("fork")


def run_together(target, jobs: list[tuple]) -> list[dict]:
    """Run target(barrier, results, *job) for each job in its own process, all let go at the same moment."""
    ctx = _fork()
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(barrier, results, *job)) for job in jobs]
    for proc in procs:
        proc.start()
    out = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    return sorted(out, key=lambda r: r["name"])


def answer_with_the_session(barrier, results, name, db, uids, rounds):
    """A worker: Session.answer on its own cards, `rounds` times, re-reading each card before answering."""
    report = {"name": name, "answered": 0, "errors": []}
    try:
        from srs.clock import parse_now
        from srs.session import Session
        from srs.store import Store

        store = Store.open(db)
        now = parse_now(NOW)
        session = Session(store, [], lambda: now)
        barrier.wait(timeout=30)
        report["start"] = time.monotonic()
        for n in range(rounds):
            try:
                card = store.find_card(uids[n % len(uids)])
                session.answer(card, 1 + n % 4, response=f"{name}-{n}")
                report["answered"] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is reported to the test
                report["errors"].append(f"{type(exc).__name__}: {exc}")
        report["end"] = time.monotonic()
        store.close()
    except Exception:  # noqa: BLE001
        report["errors"].append(traceback.format_exc())
    results.put(report)


def answer_with_the_command(barrier, results, name, env, uids, rounds):
    """A worker: `srs answer UID good --json` (click's runner, no start-up cost), `rounds` times."""
    report = {"name": name, "answered": 0, "errors": []}
    try:
        from click.testing import CliRunner

        from srs.cli import cli

        runner = CliRunner()
        barrier.wait(timeout=30)
        report["start"] = time.monotonic()
        for n in range(rounds):
            result = runner.invoke(cli, ["answer", uids[n % len(uids)], "good", "--json"], env=env)
            if result.exit_code == 0 and json.loads(result.stdout)["rating"] == "Good" and not result.stderr:
                report["answered"] += 1
            else:
                report["errors"].append(f"exit {result.exit_code}: {result.output}{result.exception!r}")
        report["end"] = time.monotonic()
    except Exception:  # noqa: BLE001
        report["errors"].append(traceback.format_exc())
    results.put(report)


def sync_a_new_database(barrier, results, name, env):
    """A worker: the first `srs due` on a database nobody has created yet."""
    report = {"name": name, "errors": []}
    try:
        from click.testing import CliRunner

        from srs.cli import cli

        runner = CliRunner()
        barrier.wait(timeout=30)
        result = runner.invoke(cli, ["due", "--json"], env=env)
        if result.exit_code != 0:
            report["errors"].append(f"exit {result.exit_code}: {result.output}{result.exception!r}")
        else:
            report["due"] = json.loads(result.stdout)["counts"]
    except Exception:  # noqa: BLE001
        report["errors"].append(traceback.format_exc())
    results.put(report)


@pytest.fixture
def shared(learner):
    """20 synced flashcards, card01..card20: the first process answers 01-10, the second 11-20."""
    learner.write("drill.yaml", flashcards("Drill", 2 * CARDS_PER_PROCESS))
    learner.sync()
    uids = [f"card{n:02d}" for n in range(1, 2 * CARDS_PER_PROCESS + 1)]
    learner.halves = (uids[:CARDS_PER_PROCESS], uids[CARDS_PER_PROCESS:])
    return learner


def check_every_answer_kept(learner, reports, expected_per_card: int) -> None:
    assert [r["errors"] for r in reports] == [[], []]
    assert [r["answered"] for r in reports] == [ROUNDS, ROUNDS]
    first, second = reports
    assert first["start"] < second["end"] and second["start"] < first["end"], "the two did not overlap"
    assert learner.sql("SELECT COUNT(*) FROM revlog") == [(2 * ROUNDS,)]
    per_card = learner.sql(
        "SELECT c.uid, c.reps, COUNT(r.rid) FROM cards c LEFT JOIN revlog r ON r.cid = c.cid GROUP BY c.cid"
    )
    assert per_card == [(uid, expected_per_card, expected_per_card) for uid, _, _ in per_card]
    assert learner.sql("PRAGMA integrity_check") == [("ok",)]


def test_two_processes_answering_at_once_keep_every_answer(shared):
    reports = run_together(
        answer_with_the_session,
        [("one", str(shared.db), shared.halves[0], ROUNDS), ("two", str(shared.db), shared.halves[1], ROUNDS)],
    )
    check_every_answer_kept(shared, reports, ROUNDS // CARDS_PER_PROCESS)
    # Each process's answers are all there, in its own order.
    for name in ("one", "two"):
        rows = shared.sql("SELECT response FROM revlog WHERE response LIKE ? ORDER BY rid", [f"{name}-%"])
        responses = [row[0] for row in rows]
        assert responses == [f"{name}-{n}" for n in range(ROUNDS)]


def test_two_srs_answer_loops_at_once_keep_every_answer(shared):
    env = {k: v for k, v in shared.env().items() if k.startswith("SRS_") or k in ("TZ", "COLUMNS", "TERM")}
    reports = run_together(
        answer_with_the_command, [("one", env, shared.halves[0], ROUNDS), ("two", env, shared.halves[1], ROUNDS)]
    )
    check_every_answer_kept(shared, reports, ROUNDS // CARDS_PER_PROCESS)


@pytest.mark.parametrize("attempt", range(3))
def test_several_srs_started_at_once_on_a_new_database_all_work(learner, attempt):
    learner.write("drill.yaml", flashcards("Drill", 5))
    env = {k: v for k, v in learner.env().items() if k.startswith("SRS_") or k in ("TZ", "COLUMNS", "TERM")}
    reports = run_together(sync_a_new_database, [(f"p{n}", env) for n in range(3)])
    assert [r["errors"] for r in reports] == [[], [], []]
    assert [r["due"] for r in reports] == [{"learning": 0, "review": 0, "new": 5}] * 3
    assert learner.sql("SELECT COUNT(*), COUNT(DISTINCT uid) FROM cards") == [(5, 5)]
    from srs.store.schema import SCHEMA_VERSION

    assert learner.sql("PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_a_lock_held_longer_than_the_busy_timeout_is_one_clear_line_and_exit_1(shared, monkeypatch):
    monkeypatch.setattr(srs.store.db, "BUSY_TIMEOUT_MS", 1000)
    before = shared.cards()
    holder = sqlite3.connect(shared.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock and does not let go
    try:
        started = time.monotonic()
        result = shared.cli("answer", "card01", "good")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: database {shared.db} is busy: another srs has held it for over 1 s; try again\n"
    )
    assert 1.0 <= waited < 2.5  # the timeout is waited out once, not once per attempt to begin
    assert shared.revlog() == []
    assert shared.cards() == before


def test_a_lock_held_shorter_than_the_busy_timeout_is_waited_for(shared, monkeypatch):
    monkeypatch.setattr(srs.store.db, "BUSY_TIMEOUT_MS", 5000)
    holder = sqlite3.connect(shared.db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        result = shared.cli("answer", "card01", "good")
        waited = time.monotonic() - started
    finally:
        release.join()
        holder.close()
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "card01: Good; learning, due 2026-11-23T10:10:00+00:00\n"
    assert waited >= 0.4
    assert shared.answers() == [("card01", 3, None, 0)]
