"""Helpers the benchmarks share: timing, measuring in a fresh process, and pinning to one core."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """The wall time of each of `repeat` runs of `fn`, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` runs of `fn`, in seconds (the least disturbed by other processes)."""
    return min(timed(fn, repeat))


def in_fresh_process(code: str) -> dict:
    """The figures `code` prints last (one JSON object), run in a fresh Python process from the checkout's
    root, as `srs` itself runs (inside a long pytest process the same code measures differently)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def ratio_within(code: str, bound: float) -> dict:
    """`in_fresh_process(code)`'s figures (with a "ratio"); a run at or past `bound` is measured once more and
    the better run counts: a burst of load on a shared machine can spoil one whole run."""
    figures = in_fresh_process(code)
    if figures["ratio"] >= bound:
        figures = min(figures, in_fresh_process(code), key=lambda f: f["ratio"])
    print(f"measured {figures} (bound {bound})")  # shown by pytest -s, and beside a failure
    return figures


def _idle_ticks() -> dict[int, int]:
    ticks = {}
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name != "cpu":
                ticks[int(name[3:])] = int(fields[3]) + int(fields[4])  # idle + iowait
    return ticks


def idlest_cpu(allowed: set[int], sample_s: float = 0.2) -> int:
    """The allowed CPU that was idle the most over a short sample (Linux); else the lowest numbered."""
    try:
        before = _idle_ticks()
        time.sleep(sample_s)
        after = _idle_ticks()
        return max(sorted(allowed), key=lambda cpu: after.get(cpu, 0) - before.get(cpu, 0))
    except (OSError, ValueError, IndexError):
        return min(allowed)


@contextlib.contextmanager
def one_core() -> Iterator[None]:
    """Run the block pinned to a single (the idlest) CPU where the platform allows it."""
    getter = getattr(os, "sched_getaffinity", None)
    if getter is None:  # pragma: no cover - macOS, Windows
        yield
        return
    before = getter(0)
    os.sched_setaffinity(0, {idlest_cpu(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def until_first_card(argv: list[str], env: dict) -> tuple[float, str]:
    """Start `argv` (an `srs review`), wait until the first card's panel is on screen, then quit it with `q`:
    (seconds until the card showed, what the process wrote to stderr)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("\u256d"):  # the top border of the card's panel
            shown = time.perf_counter() - start
            break
    else:
        raise SystemExit(f"srs review showed no card: {process.communicate()[1]}")
    _, errors = process.communicate("q\n")
    return shown, errors


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


def print_floor_parts(heading: str, parts: dict[str, float], peer: float, target: float) -> None:
    """A `--floor` table: `heading`, then each library-bound part's CPU seconds beside the peer's whole time
    `peer`, then their sum, the ratio no code of srs's own can go under, beside the issue's `target` ratio."""
    width = max(len(name) for name in parts) + 2
    print(heading)
    for name, seconds in parts.items():
        print(f"  {name:<{width}} {seconds:.3f} s  {seconds / peer:.2f}x Anki")
    total = sum(parts.values())
    print(f"  {'the sum: the floor of this design':<{width}} {total:.3f} s  {total / peer:.2f}x Anki "
          f"(target {target}x)")
