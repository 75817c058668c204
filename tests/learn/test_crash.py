"""A review killed with SIGKILL loses nothing it reported as recorded, and nothing more is written.

Answers are fed through a pipe one at a time; after each, the test waits for "Recorded" on stdout, which
the reviewer prints only after the answer's transaction committed.
"""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from learn_helpers import flashcards

from srs.store import log

pytestmark = pytest.mark.slow

N = 5


class PipedReview:
    """`srs review` with its stdin and stdout on pipes; stdout read line by line in a thread."""

    def __init__(self, learner, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "srs", "review", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=learner.env(), cwd=learner.root, bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"{text!r} did not show; output so far:\n{''.join(self.seen)}") from None
            if line is None:
                raise AssertionError(f"srs ended before {text!r}:\n{''.join(self.seen)}{self.proc.stderr.read()}")
            self.seen.append(line)
            if text in line:
                return

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)  # it reads to the end of the pipe, then stops
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):  # the pipe to a killed process
                stream.close()

    def feed(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def consistent_log_count(learner) -> int:
    """Checks the database is sound and every card agrees with its newest log row; the log's length."""
    conn = sqlite3.connect(learner.db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        newest = [rows[-1] for rows in log.logs(conn).values()]
        for row in newest:
            card = conn.execute("SELECT state, reps, due FROM cards WHERE cid = ?", [row.cid]).fetchone()
            assert card == (row.after["state"], row.after["reps"], row.after["due"])
        answered = conn.execute("SELECT COUNT(*) FROM cards WHERE reps > 0").fetchone()[0]
        assert answered == len(newest)  # no card changed without its log row
        return conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    finally:
        conn.close()


def test_kill_9_after_n_answers_keeps_exactly_n_and_a_new_review_resumes(learner):
    learner.write("drill.yaml", flashcards("Drill", 10))
    review = PipedReview(learner)
    try:
        for number in range(1, N + 1):
            review.wait_for(f"Question number {number}?")
            review.feed("")  # reveal
            review.feed("3")  # Good
            review.wait_for("Recorded Good")
            assert len(learner.revlog()) == number  # committed before it said so
        review.wait_for(f"Question number {N + 1}?")
        review.proc.send_signal(signal.SIGKILL)
        assert review.proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        review.close()

    assert consistent_log_count(learner) == N
    assert learner.answers() == [(f"card{n:02d}", 3, None, 0) for n in range(1, N + 1)]

    # A new review starts where the killed one stopped.
    result = learner.run("review", input=" \n3\nq\n")
    assert result.returncode == 0, result.stderr
    assert f"New {10 - N}  Learning {N}  Review 0" in result.stdout
    assert result.stdout.index(f"Question number {N + 1}?") < result.stdout.index("Recorded Good")
    assert "Reviewed 1 · accuracy 100%" in result.stdout
    assert len(learner.revlog()) == N + 1
    assert learner.answers()[-1] == (f"card{N + 1:02d}", 3, None, 0)


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.01])
def test_kill_9_while_an_answer_is_being_written_leaves_it_all_or_nothing(learner, delay):
    learner.write("drill.yaml", flashcards("Drill", 10))
    learner.sync()
    review = PipedReview(learner)
    try:
        for number in range(1, 3):
            review.wait_for(f"Question number {number}?")
            review.feed("")
            review.feed("3")
            review.wait_for("Recorded Good")
        review.wait_for("Question number 3?")
        review.feed("")
        review.wait_for("Answer number 3.")
        review.feed("3")
        time.sleep(delay)
        review.proc.send_signal(signal.SIGKILL)
        review.proc.wait(timeout=10)
    finally:
        review.close()
    assert consistent_log_count(learner) in (2, 3)
    result = learner.run("due", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["new"] + consistent_log_count(learner) == 10
