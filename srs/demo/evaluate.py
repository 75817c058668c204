"""The prompt grid: every colour x shape x background the vocabulary knows, a few seeds each, judged by
what the samples show (srs.demo.measure). This is how weights are accepted (weights/training.json keeps
the grid of the committed ones) and what tests/demo/test_prompt_grid.py checks.

Run as `python -m srs.demo.evaluate [MODEL_FOLDER] [--steps 25] [--seeds 4] [--json]`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from srs.demo.measure import background_name, measure, shape_name
from srs.demo.vocab import BACKGROUNDS, COLOURS, SHAPES, caption

VIVID = tuple(c for c in COLOURS if c not in BACKGROUNDS)
# The targets for the background's mean brightness (the border's median, averaged over RGB).
BRIGHTNESS_TARGETS = {"white": (0.85, 1.0), "black": (0.0, 0.15), "gray": (0.4, 0.6)}


@dataclass
class GridResult:
    steps: int
    guidance: float
    seeds: int
    samples: int = 0
    colour: float = 0.0  # fraction of samples whose blob has the prompt's colour
    shape: float = 0.0
    background: float = 0.0
    brightness: dict[str, float] = field(default_factory=dict)  # background word -> mean brightness
    per_prompt: dict[str, dict[str, int]] = field(default_factory=dict)  # prompt -> right counts

    def meets_targets(self, accuracy: float = 0.95) -> bool:
        in_range = all(low <= self.brightness[b] <= high for b, (low, high) in BRIGHTNESS_TARGETS.items())
        return min(self.colour, self.shape, self.background) >= accuracy and in_range

    def brightness_error(self) -> float:
        """How far each background's mean brightness is from its colour's, averaged over the three."""
        return float(np.mean([abs(level - np.mean(COLOURS[b]) / 255) for b, level in self.brightness.items()]))

    def summary(self) -> dict:
        record = asdict(self)
        record.pop("per_prompt")
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in record.items()} | {
            "brightness": {k: round(v, 3) for k, v in self.brightness.items()}}


def grid_prompts() -> list[tuple[str, str, str, str]]:
    """(prompt, colour, shape, background) for every combination."""
    return [(caption(c, s, b, None), c, s, b) for b in BACKGROUNDS for s in SHAPES for c in VIVID]


def small_grid() -> list[tuple[str, str, str, str]]:
    """Every shape on every background once, the colours taking turns: 12 prompts, each word in several."""
    return [(caption(VIVID[(i + j) % len(VIVID)], s, b, None), VIVID[(i + j) % len(VIVID)], s, b)
            for i, b in enumerate(BACKGROUNDS) for j, s in enumerate(SHAPES)]


def judge(images: np.ndarray, colour: str, shape: str, background: str) -> dict[str, list]:
    found = [measure(image) for image in images]
    return {
        "colour": [b.colour_name == colour for b in found],
        "shape": [shape_name(image) == shape for image in images],
        "background": [background_name(image) == background for image in images],
        "brightness": [float(np.mean(b.background)) for b in found],
    }


def evaluate(sampler, steps: int = 25, seeds: int = 4, guidance: float = 3.0, prompts=None,
             on_prompt=None) -> GridResult:
    """Sample every grid prompt with seeds 0..seeds-1 (one batch per prompt) and score them."""
    result = GridResult(steps=steps, guidance=guidance, seeds=seeds)
    right = {"colour": 0, "shape": 0, "background": 0}
    levels: dict[str, list[float]] = {b: [] for b in BACKGROUNDS}
    for prompt, colour, shape, background in prompts or grid_prompts():
        images = sampler.sample(prompt, list(range(seeds)), steps, guidance=guidance).images
        verdict = judge(images, colour, shape, background)
        result.per_prompt[prompt] = {k: int(sum(verdict[k])) for k in right}
        for k in right:
            right[k] += sum(verdict[k])
        levels[background] += verdict["brightness"]
        result.samples += len(images)
        if on_prompt is not None:
            on_prompt(prompt, result.per_prompt[prompt])
    for k, count in right.items():
        setattr(result, k, count / max(1, result.samples))
    result.brightness = {b: float(np.mean(v)) for b, v in levels.items() if v}
    return result


def main(argv: list[str] | None = None) -> None:
    import argparse

    import torch

    from srs.demo.models import load_sampler

    parser = argparse.ArgumentParser(prog="python -m srs.demo.evaluate")
    parser.add_argument("model", nargs="?", default=None)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--guidance", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the whole result, per prompt too")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = evaluate(load_sampler(args.model), args.steps, args.seeds, args.guidance)
    print(json.dumps(asdict(result) if args.json else result.summary(), indent=2))


if __name__ == "__main__":
    main()
