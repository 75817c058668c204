"""`srs list` and `srs show` with unchanged decks, beside the start-ups they stand on.

Each command is a fresh `python -m srs ...` process, as a learner runs it, on the bundled course (or, with
--items N, N generated items of every kind in N/200 files, as benchmarks/bench_load.py writes them) and a
database that has already read them (so no deck changed). Times are CPU seconds (user + system) of the
child, the best of several runs after a warm-up: on a busy machine they move far less than wall time.
Printed beside them, on the same machine in the same run:
  - `python -c "import yaml"` and a plain `yaml.load(CSafeLoader)` of the same deck files: the floor any
    YAML-deck tool stands on;
  - `srs --help`: srs's own start-up (python, click, the command table).
Target (issue 11): `srs list` and `srs show` under 0.3 s with unchanged decks, and neither imports pydantic
(the deck models) when no deck changed.

Run: python benchmarks/bench_commands.py [--runs 7] [--items 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import IMPORTED_BY

REPO = Path(__file__).resolve().parent.parent
COURSE = [str(REPO / "decks"), str(REPO / "quizzes")]
YAML_ALONE = (
    "import sys, yaml\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, encoding='utf-8') as f: yaml.load(f, Loader=yaml.CSafeLoader)\n"
)


def environment(db: Path, decks: list[str]) -> dict[str, str]:
    env = dict(os.environ, COLUMNS="100", SRS_DB=str(db), SRS_DECKS=os.pathsep.join(decks))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one run of `command` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, cwd=REPO, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed:\n{done.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_cpu(command: list[str], env: dict[str, str], runs: int) -> float:
    cpu_seconds(command, env)  # warm-up: byte-code caches, the page cache, a first sync
    return min(cpu_seconds(command, env) for _ in range(runs))


def imported(args: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run([sys.executable, "-c", IMPORTED_BY.format(args=args)], capture_output=True,
                          text=True, cwd=REPO, env=env)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def first_item(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "srs", "due", "--json"], capture_output=True, text=True,
                          cwd=REPO, env=env, check=True)
    return json.loads(done.stdout)["cards"][0]["id"]


def measure(runs: int, items: int = 0) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        decks = COURSE
        if items:
            from benchmarks.bench_load import write_decks

            write_decks(Path(tmp) / "generated", items, files=max(5, items // 200))
            decks = [str(Path(tmp) / "generated" / "decks"), str(Path(tmp) / "generated" / "quizzes")]
        env = environment(Path(tmp) / "srs.db", decks)
        item = first_item(env)  # also the first sync: from here on no deck changes
        subprocess.run([sys.executable, "-m", "srs", "answer", item, "good"], capture_output=True, cwd=REPO,
                       env=env, check=True)
        files = sorted(str(p) for folder in decks for p in Path(folder).rglob("*.yaml"))
        srs = [sys.executable, "-m", "srs"]
        times = {
            "python -c 'import yaml'": best_cpu([sys.executable, "-c", "import yaml"], env, runs),
            "yaml.load of the same decks": best_cpu([sys.executable, "-c", YAML_ALONE, *files], env, runs),
            "srs --help": best_cpu([*srs, "--help"], env, runs),
            "srs list": best_cpu([*srs, "list"], env, runs),
            "srs show (a reviewed card)": best_cpu([*srs, "show", item], env, runs),
        }
        for args in (["list"], ["show", item]):
            heavy = sorted({"pydantic", "yaml", "torch", "anki"} & imported(args, env))
            print(f"srs {' '.join(args)} imports: {', '.join(heavy) or 'none of pydantic, yaml, torch, anki'}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--items", type=int, default=0, help="generated items instead of the bundled course")
    args = parser.parse_args()
    times = measure(args.runs, args.items)
    print(f"{args.items:,} generated items" if args.items else "the bundled course", f"best of {args.runs}")
    yaml_alone, help_ = times["python -c 'import yaml'"], times["srs --help"]
    print(f"{'command':<34} {'CPU s':>7} {'× import yaml':>14} {'× srs --help':>13}  target")
    for name, seconds in times.items():
        target = "< 0.3 s" if name.startswith(("srs list", "srs show")) else ""
        verdict = ("met" if seconds < 0.3 else "MISSED") if target else ""
        print(f"{name:<34} {seconds:>7.3f} {seconds / yaml_alone:>14.2f} {seconds / help_:>13.2f}  {target} {verdict}")


if __name__ == "__main__":
    main()
