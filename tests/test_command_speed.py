"""`srs list` and `srs show` with unchanged decks start about as fast as `srs --help` (issue 11: under 0.3 s).

Ratios, never seconds: each command is timed beside `srs --help` in the same test (the best wall time of
several fresh processes after a warm-up), so a busy machine slows both alike. benchmarks/bench_commands.py
prints the CPU times behind the bounds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SRS = [sys.executable, "-m", "srs"]


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """An environment whose database has read the bundled course and holds one answer."""
    db = tmp_path_factory.mktemp("speed") / "srs.db"
    env = dict(os.environ, SRS_DB=str(db), SRS_DECKS=os.pathsep.join([str(REPO / "decks"), str(REPO / "quizzes")]),
               COLUMNS="100")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([*SRS, "answer", "intro.noise", "good"], capture_output=True, cwd=REPO, env=env, check=True)
    return env


def best_wall_time(command: list[str], env: dict[str, str], runs: int = 7) -> float:
    subprocess.run(command, capture_output=True, cwd=REPO, env=env)  # warm: byte-code caches, page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=REPO, env=env)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr.decode()
    return min(times)


@pytest.mark.slow
@pytest.mark.parametrize(("args", "bound"), [
    # Idle machine, CPU seconds: list 0.07 and show 0.18 against 0.08 for `srs --help` (0.85x and 2.1x).
    (["list"], 2.0),
    (["show", "intro.noise"], 4.0),
])
def test_list_and_show_with_unchanged_decks_start_within_a_few_times_help(synced, args, bound):
    ours = best_wall_time([*SRS, *args], synced)
    baseline = best_wall_time([*SRS, "--help"], synced)
    print(f"srs {' '.join(args)}: {ours * 1000:.0f} ms; srs --help: {baseline * 1000:.0f} ms; "
          f"ratio {ours / baseline:.2f} (bound {bound})")
    assert ours / baseline < bound
