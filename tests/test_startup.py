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

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "diffusers", "genanki", "fpdf", "sqlite_utils", "fsrs", "anki", "zstandard")

IMPORTING_CLI = """
import json, sys
import srs.cli
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""
# Runs `srs ARGS` in this process, then prints the top-level modules it imported.
IMPORTED_BY = """
import json, sys
from srs.cli import main
sys.argv = ["srs", *{args!r}]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})), file=sys.stderr)
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


def report(what: str, seconds: float) -> None:
    python = best_wall_time([sys.executable, "-c", "pass"])
    print(f"{what}: {seconds * 1000:.0f} ms (python -c pass: {python * 1000:.0f} ms)")


def test_help_starts_in_under_a_quarter_second():
    seconds = best_wall_time([sys.executable, "-m", "srs", "--help"])
    report("srs --help", seconds)
    assert seconds < 0.25


def test_check_of_the_course_starts_fast():
    # The target is 0.25 s, met on an idle machine (about 0.23 s), but of that pydantic's import and model
    # building take about 0.13 s and PyYAML's 0.02 s: the bound leaves room for busy CI machines.
    seconds = best_wall_time([sys.executable, "-m", "srs", "check", "decks", "quizzes"], runs=10)
    report("srs check decks quizzes", seconds)
    assert seconds < 0.5
