"""Loading and checking decks at scale: 10,000 items of all five kinds in 50 files.

Prints the time `srs.deck.load_paths` takes (read, parse with positions, validate, derive ids, check
across files; best of 3, pinned to one core) beside a plain `yaml.load(..., CSafeLoader)` of the same
files, which is the floor any YAML-based loader stands on. Target: under 1 s.

Run: python benchmarks/bench_load.py [--items 10000] [--files 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import yaml

from benchmarks.common import best_of, one_core

WORDS = (
    "noise image step denoiser sample model prompt guidance seed latent pixel schedule variance "
    "training pair static forward reverse process network predict remove add small large gradient "
    "score text encoder decoder attention layer weight loss error mean signal blur detail colour "
    "shape edge picture random fixed learned scale strength photo drawing painting filmstrip"
).split()
ACCENTED = ("café", "naïve", "Schrödinger", "élan", "über", "노이즈", "확산 모델", "🎨", "→")
KINDS = ("flashcard", "flashcard", "flashcard", "selfcheck", "ordering", "choice", "choice", "cloze", "cloze")


def _sentence(rng: random.Random, low: int = 6, high: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
    if rng.random() < 0.1:
        words.append(rng.choice(ACCENTED))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _item_lines(rng: random.Random, kind: str, serial: str) -> list[str]:
    lines: list[str] = []
    if rng.random() < 0.2:
        lines.append(f"id: item-{serial}")
    if kind == "flashcard":
        if rng.random() < 0.7:
            lines += [f"q: {_quoted(_sentence(rng) + f' ({serial})?')}", f"a: {_quoted(_sentence(rng))}"]
        else:
            lines += ["front: |", f"  {_sentence(rng)} ({serial})", f"  {_sentence(rng)}?",
                      f"back: {_quoted(_sentence(rng, 10, 30))}"]
    elif kind == "selfcheck":
        lines += [f"question: {_quoted(_sentence(rng) + f' ({serial})?')}", "answer: >-",
                  f"  {_sentence(rng, 15, 30)}", f"  {_sentence(rng, 10, 20)}."]
    elif kind == "ordering":
        labels = "abcde"[: rng.randint(3, 5)]
        order = list(labels)
        rng.shuffle(order)
        lines += ["kind: ordering", f"prompt: Put the stages in order ({serial}).", "steps:"]
        lines += [f"  {label}: {_quoted(_sentence(rng, 4, 9))}" for label in labels]
        lines += [f"answer: {''.join(order) if rng.random() < 0.5 else '[' + ', '.join(order) + ']'}",
                  f"explanation: {_quoted(_sentence(rng))}"]
    elif kind == "choice":
        options = [_sentence(rng, 3, 8) for _ in range(rng.randint(2, 5))]
        lines += [f"question: {_quoted(_sentence(rng) + f' ({serial})?')}", "options:"]
        lines += [f"  - {_quoted(option)}" for option in options]
        lines += [f"correct: {'abcde'[rng.randrange(len(options))]}", f"explanation: {_quoted(_sentence(rng))}"]
    else:  # cloze
        words = _sentence(rng, 10, 20).split()
        for n in range(1, rng.randint(1, 3) + 1):
            at = rng.randrange(len(words))
            hint = f"::{rng.choice(WORDS)}" if rng.random() < 0.3 else ""
            words[at] = f"{{{{c{n}::{words[at]}{hint}}}}}"
        lines += [f"text: {_quoted(' '.join(words) + f' ({serial}).')}"]
        if rng.random() < 0.3:
            lines.append(f"extra: {_quoted(_sentence(rng))}")
    if rng.random() < 0.3:
        lines.append(f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}-{rng.randint(1, 9)}]")
    return lines


def write_decks(folder: Path, items: int = 10_000, files: int = 50, seed: int = 7) -> list[Path]:
    """Write `items` items of mixed kinds and realistic text, spread over `files` deck files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    per_file = items // files
    paths = []
    for f in range(files):
        out = [f"title: Diffusion::Bench {f}", f"id: bench-{f:02d}", f"description: {_quoted(_sentence(rng))}",
               "tags: [bench]", "options: {new_per_day: 20, desired_retention: 0.9}", "items:"]
        for n in range(per_file):
            kind = rng.choice(KINDS)
            lines = _item_lines(rng, kind, f"{f}-{n}")
            out.append("  - " + lines[0])
            out.extend("    " + line for line in lines[1:])
        path = folder / ("quizzes" if f % 5 == 4 else "decks") / f"bench-{f:02d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def load_decks(folder: Path) -> int:
    from srs.deck import load_paths

    result = load_paths([folder], style=True)  # all that `srs check` does
    if result.errors:  # random sentences earn style warnings (a cloze answer that recurs), which cost the same
        raise SystemExit(f"benchmark decks do not load cleanly: {result.errors[0]}")
    return len(result.items())


def plain_yaml(paths: list[Path]) -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return sum(len(yaml.load(p.read_bytes(), Loader=loader)["items"]) for p in paths)


def run(items: int = 10_000, files: int = 50, repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_decks(folder, items, files)
        with one_core():
            loaded = load_decks(folder)  # also warms imports and the file cache
            if loaded != items or plain_yaml(paths) != items:
                raise SystemExit(f"expected {items} items, loaded {loaded}")
            ours = best_of(lambda: load_decks(folder), repeat)
            baseline = best_of(lambda: plain_yaml(paths), repeat)
    return {"items": items, "files": files, "load_s": ours, "yaml_s": baseline, "ratio": ours / baseline}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=50)
    args = parser.parse_args()
    r = run(args.items, args.files)
    print(f"{r['items']:,} items in {r['files']} files, best of 3, one core")
    print(f"srs.deck.load_paths      {r['load_s'] * 1000:7.1f} ms   target < 1000 ms")
    print(f"yaml.load (CSafeLoader)  {r['yaml_s'] * 1000:7.1f} ms")
    print(f"ratio                    {r['ratio']:7.2f}")


if __name__ == "__main__":
    main()
