"""The committed weights obey their prompts: the prompt grid (every colour x shape x background), and
more steps never worse than fewer. What the full grid (4 seeds) measured is in weights/training.json;
these run 2 seeds to stay affordable on a CPU (a few minutes on one core)."""

from __future__ import annotations

import json

import pytest

from srs.demo.pipeline_folder import WEIGHTS_DIR

pytestmark = pytest.mark.slow
SEEDS = 2
# The target, 0.95 each. The committed weights measured colour 1.0, shape 0.993, background 1.0 on the
# full grid (4 seeds) with the sampler stepping from its clipped guess; 0.99, 0.944, 1.0 before (training.json).
MINIMUM = {"colour": 0.95, "shape": 0.95, "background": 0.95}
BRIGHTNESS = {"white": (0.85, 1.0), "black": (0.0, 0.15), "gray": (0.4, 0.6)}  # the targets


@pytest.fixture(scope="module")
def grid(sampler):
    from srs.demo.evaluate import evaluate

    return evaluate(sampler, steps=25, seeds=SEEDS, guidance=3.0)


@pytest.mark.parametrize("measure", sorted(MINIMUM))
def test_the_prompt_grid_is_obeyed(grid, measure):
    assert grid.samples == 72 * SEEDS
    wrong = {p: r[measure] for p, r in grid.per_prompt.items() if r[measure] < SEEDS}
    assert getattr(grid, measure) >= MINIMUM[measure], wrong


@pytest.mark.parametrize("background", sorted(BRIGHTNESS))
def test_backgrounds_reach_their_brightness(grid, background):
    low, high = BRIGHTNESS[background]
    assert low <= grid.brightness[background] <= high, grid.brightness


def test_the_recorded_grid_is_the_committed_weights_own():
    record = json.loads((WEIGHTS_DIR / "training.json").read_text())
    measured = record["grid"]
    assert measured["samples"] == 288 and measured["steps"] == 25 and measured["guidance"] == 3.0
    assert record["config"]["prediction_type"] == "v_prediction"


@pytest.fixture(scope="module")
def five_and_fifty(sampler):
    from srs.demo.evaluate import evaluate, small_grid

    return (evaluate(sampler, steps=5, seeds=SEEDS, prompts=small_grid()),
            evaluate(sampler, steps=50, seeds=SEEDS, prompts=small_grid()))


def test_fifty_steps_keep_the_background_that_five_steps_draw(five_and_fifty):
    five, fifty = five_and_fifty
    assert fifty.background >= five.background, (five.summary(), fifty.summary())
    for background, (low, high) in BRIGHTNESS.items():
        assert low <= fifty.brightness[background] <= high, fifty.brightness


def test_fifty_steps_are_no_worse_than_five(five_and_fifty):
    # Until the sampler stepped from its clipped guess alone (srs.demo.pipeline.consistent_clipping), 50 steps
    # drew colour 0.875 and shape 0.79 here against 1.0 at 5.
    five, fifty = five_and_fifty
    for measure in ("colour", "shape", "background"):
        assert getattr(fifty, measure) >= getattr(five, measure), (measure, five.summary(), fifty.summary())
    assert fifty.brightness_error() <= five.brightness_error() + 0.02, (five.brightness, fifty.brightness)


@pytest.mark.parametrize("scale", [1.0, 4.0, 7.5])
def test_guidance_keeps_the_colour(sampler, scale):
    # Every shape on every background, 2 seeds: before the clipped-guess fix, 4 drew colour 0.875 and 7.5 0.458.
    from srs.demo.evaluate import evaluate, small_grid

    result = evaluate(sampler, steps=25, seeds=SEEDS, guidance=scale, prompts=small_grid())
    wrong = {p: r["colour"] for p, r in result.per_prompt.items() if r["colour"] < SEEDS}
    assert result.colour >= MINIMUM["colour"], (scale, wrong)
