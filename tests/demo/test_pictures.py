"""The pictures show the mechanism: frames spaced by noise level, the model's guess under each frame,
the schedule's curve, a note under every picture, and nothing cut off."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_forward_frames_are_evenly_spaced_in_noise_level(sampler):
    from srs.demo.illustrate import FORWARD_NOISE, forward, noise_level

    picture = forward(sampler, "a red circle on a white background", seed=0, steps=5)
    levels = [noise_level(sampler.alphas_cumprod, int(t)) for t in picture.raw["timesteps"]]
    assert np.allclose(levels, FORWARD_NOISE[1:], atol=0.02), levels
    assert picture.captions[0] == "clean" and picture.captions[-1].startswith("t = 999")
    assert picture.chart is not None and "noise level" in picture.note


def test_reverse_shows_the_models_guess_under_each_frame(sampler):
    from srs.demo.illustrate import GUESS_LABEL, REVERSE_NOISE, reverse

    picture = reverse(sampler, "a blue square on a black background", seed=1, steps=25)
    working, guesses = picture.rows
    assert guesses.label == GUESS_LABEL and len(guesses.frames) == len(working.frames) == len(REVERSE_NOISE)
    assert [c.split("\n")[1] for c in working.captions][0] == "noise 1.00"
    assert working.captions[-1] == "step 25\nnoise 0.00"
    final = picture.raw["image"].ravel()

    def likeness(image):
        return np.corrcoef(image.ravel(), final)[0, 1]

    # Layout first: halfway (noise 0.5) the guess is already close to the end, the working image is not.
    middle = REVERSE_NOISE.index(0.5)
    assert likeness(guesses.frames[middle]) > 0.9 > likeness(working.frames[middle])


def test_steps_shows_each_run_with_its_guesses(sampler):
    from srs.demo.illustrate import STEP_COUNTS, steps_

    picture = steps_(sampler, "a green triangle on a gray background", seed=0, steps=25)
    assert [r.label for r in picture.rows] == [f"{n} step{'s' if n > 1 else ''}: {what}" for n in STEP_COUNTS
                                               for what in ("working image", "guess (x0)")]
    one_step = picture.rows[0]
    assert one_step.frames[:-1] == [None] * (len(one_step.frames) - 1)  # one frame, in the last column
    assert sum(f is not None for f in picture.rows[2].frames) == 5  # five steps, five frames


def test_the_schedule_picture_draws_the_curve(sampler):
    from srs.demo.illustrate import schedule

    picture = schedule(sampler, "", seed=0, steps=25)
    assert picture.rows == [] and picture.chart.width > 300 and "SNR" in picture.note


def test_the_new_schedule_ends_at_zero_snr():
    pytest.importorskip("torch")
    from srs.demo.pipeline import new_scheduler

    scheduler = new_scheduler()
    assert scheduler.alphas_cumprod[-1] == 0 and scheduler.config.prediction_type == "v_prediction"


@pytest.mark.parametrize("show", ["forward", "reverse", "steps", "seeds", "prompt", "guidance", "schedule"])
def test_every_picture_has_a_note_and_nothing_is_cut_off(sampler, show, tmp_path):
    from PIL import Image, ImageDraw

    from srs.demo.illustrate import _font, illustrate, layout, save_png
    from srs.demo.render import read_note, read_rows

    prompt = "a big purple diamond on a black background"
    picture = illustrate(show, sampler, prompt, seed=2, steps=3)
    assert picture.note
    place = layout(picture)
    width, height = place["size"]
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    for line in place["note_lines"]:
        assert draw.textlength(line, font=_font(12)) <= width - 8
    for boxes in place["boxes"]:
        for left, top, right, bottom in boxes:
            assert 0 <= left and right <= width and 0 <= top and bottom <= height
    assert draw.textlength(picture.title, font=_font(14)) <= width - 8
    save_png(picture, tmp_path / "p.png")
    assert read_note(tmp_path / "p.png") == picture.note
    assert len(read_rows(tmp_path / "p.png")) == len(picture.rows) + (picture.chart is not None)


def test_guidance_rescale_keeps_the_guided_spread_at_the_conditional_ones():
    torch = pytest.importorskip("torch")
    from srs.demo.pipeline import new_pipeline

    torch.manual_seed(0)
    pipe = new_pipeline()
    latents = torch.randn(2, 3, 32, 32)
    context = pipe._context(["a red circle", "a blue square"], 7.5)
    with torch.no_grad():
        cond = pipe._predict_noise(latents, 500, context[2:], 1.0)
        plain = pipe._predict_noise(latents, 500, context, 7.5, 0.0)
        rescaled = pipe._predict_noise(latents, 500, context, 7.5, 1.0)
    def spread(x):
        return x.std(dim=(1, 2, 3))

    assert torch.allclose(spread(rescaled), spread(cond), rtol=1e-4)
    assert not torch.allclose(spread(plain), spread(cond), rtol=1e-2)


def test_a_clipping_step_goes_on_from_the_clipped_guess_and_its_own_noise():
    # The noise the step keeps is the one that, with the clipped guess, makes up the current sample; by
    # default DDIM keeps the unclipped guess's noise, and 50 guided steps then drifted (test_prompt_grid).
    torch = pytest.importorskip("torch")
    from srs.demo.pipeline import consistent_clipping, new_scheduler

    scheduler = new_scheduler()
    scheduler.set_timesteps(50)
    t, after = int(scheduler.timesteps[10]), int(scheduler.timesteps[11])
    sample = torch.linspace(-1, 1, 48).reshape(1, 3, 4, 4)
    v = torch.full_like(sample, -3.0)  # a guess of the picture far beyond the pixel range
    a, a_next = scheduler.alphas_cumprod[t], scheduler.alphas_cumprod[after]
    step = scheduler.step(v, t, sample, **consistent_clipping(scheduler))
    guess = step.pred_original_sample
    assert guess.max() == 1.0 and a.sqrt() * sample.max() + (1 - a).sqrt() * 3 > 1  # it was clipped
    noise = (sample - a.sqrt() * guess) / (1 - a).sqrt()
    assert torch.allclose(step.prev_sample, a_next.sqrt() * guess + (1 - a_next).sqrt() * noise, atol=1e-5)
    stale = scheduler.step(v, t, sample).prev_sample
    assert not torch.allclose(stale, step.prev_sample, atol=1e-3)


def test_the_pipeline_steps_from_the_clipped_guess_while_its_steps_are_watched():
    # srs.demo.models.Sampler wraps scheduler.step to keep each step's guess; the option must survive that.
    torch = pytest.importorskip("torch")
    from srs.demo.pipeline import new_pipeline

    torch.manual_seed(0)
    pipe = new_pipeline()
    pipe.set_progress_bar_config(disable=True)
    seen = []
    step = pipe.scheduler.step

    def watched(*args, **kwargs):
        seen.append(kwargs.get("use_clipped_model_output"))
        return step(*args, **kwargs)

    pipe.scheduler.step = watched
    pipe("a red circle", num_inference_steps=2, output_type="np", generator=torch.Generator().manual_seed(0))
    assert seen == [True, True]
