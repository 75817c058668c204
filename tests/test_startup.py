"""Start-up: `srs --help` and `srs check` must feel instant, so the command line imports nothing heavy.

Times are the wall time of a fresh `python -m srs ...` subprocess, the best of several after one warm-up
run (which also writes the byte-code caches an installed package would have). When one of these fails,
look with `python -X importtime -m srs check 2>&1 | sort -t'|' -k2 -n | tail -30`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.common import IMPORTED_BY

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "diffusers", "genanki", "fpdf", "sqlite_utils", "fsrs", "anki", "zstandard")

IMPORTING_CLI = """
import json, sys
import srs.cli
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def environment() -> dict:
    env = dict(os.environ, COLUMNS="100")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SRS_DECKS", None)
    return env


def imported(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=environment())
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def best_wall_time(command: list[str], runs: int = 5) -> float:
    subprocess.run(command, capture_output=True, cwd=REPO, env=environment())  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=REPO, env=environment())
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr.decode()
    return min(times)


def test_importing_the_cli_imports_no_heavy_library():
    modules = imported(IMPORTING_CLI)
    assert "srs" in modules
    assert [name for name in HEAVY if name in modules] == []


@pytest.mark.parametrize("args", [["--help"], ["check", "decks", "quizzes"], ["list", "decks", "quizzes"]])
def test_help_check_and_list_import_no_heavy_library(args):
    modules = imported(IMPORTED_BY.format(args=args))
    assert "click" in modules
    assert [name for name in HEAVY if name in modules] == []


def test_help_imports_neither_pydantic_nor_yaml():
    modules = imported(IMPORTED_BY.format(args=["--help"]))
    assert [name for name in ("pydantic", "yaml") if name in modules] == []


def starts_within(command: list[str], baseline_code: str, ratio: float) -> None:
    """`command` starts within `ratio` times a `python -c baseline_code` timed beside it (ratios, not seconds:
    these machines are noisy, and a busy one slows both alike)."""
    ours = best_wall_time(command, runs=7)
    baseline = best_wall_time([sys.executable, "-c", baseline_code], runs=7)
    print(f"{' '.join(command[2:])}: {ours * 1000:.0f} ms; python -c {baseline_code!r}: {baseline * 1000:.0f} ms; "
          f"ratio {ours / baseline:.2f} (bound {ratio})")
    assert ours / baseline < ratio


def test_help_starts_about_as_fast_as_importing_click():
    # Idle machine: 76 ms against 44 ms for importing click alone (1.7x); `python -c pass` takes 11 ms.
    starts_within([sys.executable, "-m", "srs", "--help"], "import click", 3.0)


def test_check_of_the_course_starts_about_as_fast_as_importing_its_libraries():
    # Idle machine: 183 ms against 75 ms for importing pydantic, yaml and click (2.4x): the rest is building
    # the deck models and reading the course's nine files.
    starts_within([sys.executable, "-m", "srs", "check", "decks", "quizzes"], "import pydantic, yaml, click", 4.0)


def test_review_shows_its_first_question_without_the_scheduler_library(tmp_path):
    # fsrs is needed for the intervals on the answer side, not for the question: quitting there never loads it.
    env = dict(environment(), SRS_DB=str(tmp_path / "srs.db"), SRS_DECKS=str(REPO / "decks"),
               SRS_NOW="2026-11-23T10:00:00Z")
    done = subprocess.run([sys.executable, "-c", IMPORTED_BY.format(args=["review"])], input="q\n",
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert "Diffusion::Intro" in done.stdout  # the first question was shown
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert [name for name in HEAVY if name in modules] == []
