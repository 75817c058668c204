"""Helpers for the learning tests: a learner's workspace (temp DB and deck folders, a fixed clock) and a
real-terminal driver. The fixtures that hand them out are in conftest.py.

Every test gets its own database and deck folders under `tmp_path`, the clock fixed with `--now`/SRS_NOW,
TZ=UTC (the learner's day starts at 04:00 local time), TERM and COLUMNS fixed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from click.testing import CliRunner

from srs.cli import cli
from srs.store import log

NOW = "2026-11-23T10:00:00Z"  # a Monday, 10:00 UTC: six hours into the learner's day
NOW_EPOCH = 1795428000
TODAY_ENDS = "2026-11-24T04:00:00Z"  # the next day starts at 04:00
TODAY_ENDS_EPOCH = 1795492800
TOMORROW = "2026-11-24T10:00:00Z"

COLUMNS = 100
ROWS = 40

CARD_COLUMNS = (
    "cid", "iid", "uid", "ord", "deck_id", "idx", "active", "state", "step", "stability", "difficulty", "due",
    "last_review", "reps", "lapses", "suspended", "buried_until", "flagged", "leech",
)

# One item of each kind; the cloze has two deletions, so six cards. No ids on the flashcard and the
# selfcheck: theirs are derived from the front/question, as most authors leave them.
PRACTICE = """\
title: Practice
options: {shuffle_options: false}
items:
  - q: What is the capital of France?
    a: Paris
  - id: stages
    prompt: Put the stages in order.
    steps:
      a: Denoise again.
      b: Noise real images.
      c: Start from static.
    answer: [b, c, a]
    explanation: Wreck images first, then denoise from static.
  - id: noise-choice
    question: Which method starts from noise?
    options:
      - Retrieval.
      - Diffusion.
    correct: b
  - question: Why take many small steps?
    answer: Small steps are easy predictions.
  - id: generation
    text: Generation starts from {{c1::pure noise}} and removes it {{c2::step by step}}.
"""

# Cards in the order a fresh review shows them (all new, in file order).
PRACTICE_FRONTS = [
    "What is the capital of France?",
    "Put the stages in order.",
    "Which method starts from noise?",
    "Why take many small steps?",
    "Generation starts from [...] and removes it step by step.",
    "Generation starts from pure noise and removes it [...].",
]


def flashcards(title: str, count: int, prefix: str = "card") -> str:
    """A deck of `count` flashcards with explicit ids card01, card02, ..."""
    lines = [f"title: {title}", "items:"]
    for n in range(1, count + 1):
        lines += [f"  - id: {prefix}{n:02d}", f"    q: Question number {n}?", f"    a: Answer number {n}."]
    return "\n".join(lines) + "\n"


ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def plain(text: str) -> str:
    """Terminal output without colours, cursor moves and carriage returns."""
    return ANSI.sub("", text).replace("\r", "")


@dataclass
class Learner:
    """One learner's world: a database, deck folders, and the commands run against them."""

    root: Path
    now: str = NOW
    db: Path = field(init=False)
    decks: Path = field(init=False)
    quizzes: Path = field(init=False)

    def __post_init__(self):
        self.db = self.root / "srs.sqlite3"
        self.decks = self.root / "decks"
        self.quizzes = self.root / "quizzes"
        self.decks.mkdir(parents=True, exist_ok=True)
        self.quizzes.mkdir(parents=True, exist_ok=True)

    # -- decks ----------------------------------------------------------------------------------------

    def write(self, name: str, text: str, *, quiz: bool = False) -> Path:
        """Write a deck file; its mtime always moves on, so a sync sees every rewrite."""
        path = (self.quizzes if quiz else self.decks) / name
        old = path.stat().st_mtime_ns if path.exists() else 0
        path.write_text(text, encoding="utf-8")
        if path.stat().st_mtime_ns <= old:
            os.utime(path, ns=(old + 1_000_000, old + 1_000_000))
        return path

    # -- running srs ----------------------------------------------------------------------------------

    def env(self, now: str | None = None, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SRS_") and k not in ("EDITOR", "VISUAL")}
        env.update(
            SRS_DB=str(self.db),
            SRS_DECKS=os.pathsep.join([str(self.decks), str(self.quizzes)]),
            SRS_NOW=now or self.now,
            SRS_CONFIG=str(self.root / "settings.toml"),
            TERM="xterm-256color",
            COLUMNS=str(COLUMNS),
            LINES=str(ROWS),
            TZ="UTC",
            PYTHONIOENCODING="utf-8",
        )
        env.update(extra)
        return env

    def cli(self, *args: str, input: str | None = None, now: str | None = None, **extra: str):
        """`srs ARGS` in this process (click's CliRunner); stdout and stderr apart."""
        env = self.env(now, **extra)
        keep = {"SRS_DB", "SRS_DECKS", "SRS_NOW", "SRS_CONFIG", "TERM", "COLUMNS", "LINES", "TZ", *extra}
        env = {k: env[k] for k in keep}
        return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    def run(self, *args: str, input: str | None = None, now: str | None = None, timeout: float = 30, **extra: str):
        """`python -m srs ARGS` as its own process."""
        return subprocess.run(
            [sys.executable, "-m", "srs", *args], input=input, capture_output=True, text=True,
            env=self.env(now, **extra), cwd=self.root, timeout=timeout,
        )

    def sync(self) -> None:
        result = self.cli("due")
        assert result.exit_code == 0, result.output

    # -- the database ---------------------------------------------------------------------------------

    def sql(self, query: str, params=()) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def card(self, uid: str) -> dict:
        rows = self.sql(f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE uid = ?", [uid])
        assert rows, f"no card {uid}"
        return dict(zip(CARD_COLUMNS, rows[0]))

    def cards(self) -> dict[str, dict]:
        rows = self.sql(f"SELECT {', '.join(CARD_COLUMNS)} FROM cards ORDER BY cid")
        return {row[2]: dict(zip(CARD_COLUMNS, row)) for row in rows}

    def revlog(self) -> list[dict]:
        """Every log row (srs.store.log.LogRow as a dict, with its state_before), in the order written."""
        conn = sqlite3.connect(self.db)
        try:
            rows = [row for card_rows in log.logs(conn).values() for row in card_rows]
        finally:
            conn.close()
        return [{**asdict(row), "state_before": row.state_before} for row in sorted(rows, key=lambda r: r.rid)]

    def answers(self) -> list[tuple]:
        """The review log as (card uid, rating, response, state before)."""
        return self.sql(
            "SELECT c.uid, r.rating, r.response, r.state_before FROM revlog r JOIN cards c ON c.cid = r.cid "
            "ORDER BY r.rid"
        )

    def uid_of_front(self, front: str) -> str:
        for uid, content in self.sql("SELECT uid, content FROM items"):
            data = json.loads(content)
            if front in (data.get("front"), data.get("question"), data.get("prompt"), data.get("text")):
                return uid
        raise AssertionError(f"no item with front {front!r}")

    def due_ids(self, now: str | None = None) -> list[str]:
        result = self.cli("due", "--json", now=now)
        assert result.exit_code == 0, result.output
        return [card["id"] for card in json.loads(result.stdout)["cards"]]


# -- a real terminal ----------------------------------------------------------------------------------


def _default_interrupt() -> None:
    """In the child: Ctrl-C interrupts, as when a shell starts srs, even where pytest was started in the
    background (which leaves SIGINT ignored, and Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """`srs ARGS` on a pseudo-terminal of ROWS x COLUMNS; waits for text in the colour-stripped output."""

    def __init__(self, learner: Learner, *args: str, now: str | None = None, **extra: str):
        import pexpect

        self.pexpect = pexpect
        self.child = pexpect.spawn(
            sys.executable, ["-m", "srs", *args], env=learner.env(now, **extra), cwd=str(learner.root),
            dimensions=(ROWS, COLUMNS), encoding="utf-8", codec_errors="replace", timeout=20,
            preexec_fn=_default_interrupt,
        )
        self.child.delaybeforesend = None  # we wait for the screen before each key instead
        self.child.delayafterclose = self.child.delayafterterminate = 0.05
        self.raw = ""
        self.mark = 0  # how far into plain(self.raw) expect() has matched

    @property
    def text(self) -> str:
        return plain(self.raw)

    def since_mark(self) -> str:
        return self.text[self.mark:]

    def expect(self, *texts: str, timeout: float = 20) -> str:
        """Wait until each of `texts` shows, in that order, after the last match; returns what showed."""
        start = self.mark
        for text in texts:
            self._wait_for(text, timeout)
        return self.text[start:self.mark]

    def _wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            found = self.text.find(text, self.mark)
            if found >= 0:
                self.mark = found + len(text)
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not show; the screen so far ends with:\n{self.text[-3000:]}")
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=0.05)
            except self.pexpect.TIMEOUT:
                pass
            except self.pexpect.EOF:
                found = self.text.find(text, self.mark)
                if found >= 0:
                    continue
                raise AssertionError(f"srs ended before {text!r} showed:\n{self.text[-3000:]}") from None

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def sendline(self, line: str) -> None:
        self.child.send(line + "\r")

    def ctrl_c(self) -> None:
        self.child.sendintr()

    def wait_exit(self, timeout: float = 20) -> int:
        """Read to the end; the exit status (or -signal)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=0.1)
            except self.pexpect.TIMEOUT:
                if time.monotonic() > deadline:
                    raise AssertionError(f"srs did not exit; the screen ends with:\n{self.text[-3000:]}") from None
            except self.pexpect.EOF:
                break
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -self.child.signalstatus

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
