"""The six pictures a card can ask for, each a row of captioned frames from real sampling runs.

Each function returns an `Illustration` (frames plus captions, and the raw numbers the tests check);
`grid` turns it into one PIL image with a caption under every frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from srs.demo.models import Progress, Sampler

FORWARD_FRACTIONS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)  # of the training timesteps
STEP_COUNTS = (1, 5, 50)
SEED_COUNT = 6
GUIDANCE_SCALES = (0.0, 1.0, 2.0, 4.0, 7.5)
REVERSE_FRAMES = 8
TILE = 128  # pixels per frame in the PNG: 32-pixel samples are blown up 4x with hard edges
PAD, CAPTION_H, TITLE_H = 8, 18, 24


@dataclass
class Illustration:
    show: str
    title: str
    frames: list[np.ndarray]  # (H, W, 3) in [0, 1]
    captions: list[str]
    raw: dict[str, np.ndarray] = field(default_factory=dict)  # numbers for tests, in model space


def forward(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """A clean sample, then the same image mixed with ever more noise, as training sees it.

    The noise is added to the pixels with the scheduler's own schedule (sqrt(a) x0 + sqrt(1 - a) eps),
    also for latent models: what a student should see is the picture dissolving, not its latents.
    """
    clean = sampler.sample(prompt, [seed], steps, progress=progress, label="clean sample").images[0]
    x0 = torch.from_numpy(clean).permute(2, 0, 1) * 2 - 1
    alphas = sampler.alphas_cumprod
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    frames, captions, last = [], [], None
    for fraction in FORWARD_FRACTIONS:
        t = min(round(fraction * len(alphas)), len(alphas) - 1)
        a = alphas[t] if fraction > 0 else torch.tensor(1.0)
        last = a.sqrt() * x0 + (1 - a).sqrt() * noise
        frames.append(to_image(last))
        captions.append("clean" if fraction == 0 else f"t = {t}")
    return Illustration("forward", f"forward process: \"{prompt}\" noised step by step",
                        frames, captions, raw={"last": last.numpy(), "noise": noise.numpy()})


def reverse(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The sampler's working image after evenly spaced steps, from static to the final picture."""
    keep = sorted({round(i * (steps - 1) / (REVERSE_FRAMES - 1)) for i in range(REVERSE_FRAMES)})
    sample = sampler.sample(prompt, [seed], steps, progress=progress, keep_steps=set(keep), label="denoising")
    frames = [sample.frames[i][0] for i in keep]
    frames[-1] = sample.images[0]  # the pipeline's own output for the last one (identical for pixels)
    captions = [f"step {i + 1}" for i in keep]
    return Illustration("reverse", f"reverse process: \"{prompt}\" denoised from static in {steps} steps",
                        frames, captions)


def steps_(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The same starting static denoised in 1, 5 and 50 steps: more steps, smaller and easier jumps."""
    captions = [f"{n} step{'s' if n > 1 else ''}" for n in STEP_COUNTS]
    frames = [sampler.sample(prompt, [seed], n, progress=progress, label=label).images[0]
              for n, label in zip(STEP_COUNTS, captions)]
    return Illustration("steps", f"number of steps: \"{prompt}\", seed {seed}", frames, captions)


def seeds(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """One prompt, different starting static, different pictures."""
    chosen = list(range(seed, seed + SEED_COUNT))
    images = sampler.sample(prompt, chosen, steps, progress=progress, label=f"{len(chosen)} seeds").images
    return Illustration("seeds", f"one prompt, {len(chosen)} seeds: \"{prompt}\"", list(images),
                        [f"seed {s}" for s in chosen])


def prompt_(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The prompt's sample beside the empty prompt's: what the text changes, from the same static."""
    with_prompt = sampler.sample(prompt, [seed], steps, progress=progress, label="with the prompt").images[0]
    without = sampler.sample("", [seed], steps, progress=progress, label="empty prompt").images[0]
    return Illustration("prompt", f"conditioning: \"{prompt}\" vs no prompt, seed {seed}", [with_prompt, without],
                        [_shorten(prompt), "(empty prompt)"])


def guidance(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """Classifier-free guidance from 0 (prompt ignored) to 7.5 (prompt exaggerated), same static."""
    frames = [
        sampler.sample(prompt, [seed], steps, guidance=scale, progress=progress, label=f"guidance {scale:g}").images[0]
        for scale in GUIDANCE_SCALES
    ]
    return Illustration("guidance", f"guidance scale: \"{prompt}\", seed {seed}", frames,
                        [f"guidance {s:g}" for s in GUIDANCE_SCALES])


ILLUSTRATIONS = {
    "forward": forward,
    "reverse": reverse,
    "steps": steps_,
    "seeds": seeds,
    "prompt": prompt_,
    "guidance": guidance,
}


def illustrate(show: str, sampler: Sampler, prompt: str, seed: int, steps: int | None = None,
               progress: Progress | None = None) -> Illustration:
    return ILLUSTRATIONS[show](sampler, prompt, seed, steps or sampler.default_steps, progress)


def to_image(model_space: torch.Tensor) -> np.ndarray:
    """(3, H, W) in [-1, 1] (noisy frames overshoot; they are clipped for display) to (H, W, 3) in [0, 1]."""
    return (model_space.permute(1, 2, 0).numpy() / 2 + 0.5).clip(0, 1)


def grid(illustration: Illustration) -> Image.Image:
    """The frames side by side on white, a caption under each and the title above (never cut: a
    short row of frames is centred under a long title instead)."""
    font, title_font = _font(12), _font(14)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    n = len(illustration.frames)
    frames_width = PAD + n * (TILE + PAD)
    width = max(frames_width, round(measure.textlength(illustration.title, font=title_font)) + 2 * PAD)
    canvas = Image.new("RGB", (width, TITLE_H + TILE + CAPTION_H + PAD), "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((PAD, 5), illustration.title, fill=(20, 20, 20), font=title_font)
    for (left, top, _, _), frame, text in zip(frame_boxes(canvas, n), illustration.frames, illustration.captions):
        canvas.paste(_tile(frame, TILE), (left, top))
        text = _fit(draw, text, font, TILE)
        draw.text((left + (TILE - draw.textlength(text, font=font)) / 2, top + TILE + 3), text,
                  fill=(60, 60, 60), font=font)
    return canvas


def save_png(illustration: Illustration, path) -> None:
    """The grid, with the title and captions also kept as PNG text, for the terminal view."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Title", illustration.title)
    info.add_text("srs:captions", json.dumps(illustration.captions))
    grid(illustration).save(path, pnginfo=info)


def read_captions(path) -> list[str]:
    with Image.open(path) as image:
        return json.loads(image.text.get("srs:captions", "[]"))


def frame_boxes(image: Image.Image, count: int) -> list[tuple[int, int, int, int]]:
    """Where `grid` put each frame, from the picture's width and the frame count."""
    left = PAD + (image.width - (PAD + count * (TILE + PAD))) // 2
    return [(left + i * (TILE + PAD), TITLE_H, left + i * (TILE + PAD) + TILE, TITLE_H + TILE) for i in range(count)]


def _tile(frame: np.ndarray, tile: int) -> Image.Image:
    image = Image.fromarray(np.round(frame * 255).astype(np.uint8))
    # Small samples keep their pixels crisp; large ones (Stable Diffusion) are shrunk smoothly.
    resample = Image.NEAREST if image.width <= tile else Image.LANCZOS
    return image.resize((tile, tile), resample)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…"
    return text


def _shorten(prompt: str) -> str:
    return prompt.removeprefix("a ").removeprefix("an ") or "(empty prompt)"
