"""The six pictures a card can ask for, each a row of captioned frames from real sampling runs.

Each function returns an `Illustration` (frames plus captions, and the raw numbers the tests check);
`grid` turns it into one PIL image with a caption under every frame.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from srs.demo.models import Progress, Sampler
from srs.demo.render import read_captions, read_note, read_rows  # noqa: F401  (their home is torch-free)

# Frames are chosen by noise level (the standard deviation of the noise in the working image), not by
# timestep: the cosine schedule keeps the picture for the first few hundred timesteps and then loses it
# quickly, so frames evenly spaced in t would show three near-clean pictures and three of static.
FORWARD_NOISE = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
REVERSE_NOISE = (1.0, 0.9, 0.75, 0.5, 0.25, 0.1, 0.0)
STEPS_NOISE = (1.0, 0.75, 0.5, 0.25, 0.0)
STEP_COUNTS = (1, 5, 50)
SEED_COUNT = 6
GUIDANCE_SCALES = (0.0, 1.0, 2.0, 4.0, 7.5)
GUIDANCE_CAPTIONS = {0.0: "0: prompt ignored", 1.0: "1: no guidance", 7.5: "7.5: exaggerated"}
TILE = 128  # pixels per frame in the PNG: 32-pixel samples are blown up 4x with hard edges
SMALL_TILE = 80  # for pictures of more than two rows
PAD, CAPTION_LINE, TITLE_H, LABEL_W = 8, 14, 24, 92
GUESS_LABEL = "model's guess of the end (x0)"


@dataclass
class Row:
    label: str  # drawn left of the row; "" for none
    frames: list[np.ndarray | None]  # (H, W, 3) in [0, 1]; None leaves the cell blank
    captions: list[str]


@dataclass
class Illustration:
    show: str
    title: str
    rows: list[Row]
    note: str = ""  # what to look at, under the frames
    chart: Image.Image | None = None  # a drawn panel right of the frames (the noise schedule)
    raw: dict[str, np.ndarray] = field(default_factory=dict)  # numbers for tests, in model space

    @property
    def frames(self) -> list[np.ndarray | None]:
        return self.rows[0].frames if self.rows else []

    @property
    def captions(self) -> list[str]:
        return self.rows[0].captions if self.rows else []


def noise_level(alphas: torch.Tensor, t: int | None) -> float:
    """The noise's standard deviation in the working image at timestep t (None: the finished picture)."""
    return 0.0 if t is None else float((1 - alphas[t]).clamp(min=0).sqrt())


def forward_timesteps(alphas: torch.Tensor, levels=FORWARD_NOISE) -> list[int | None]:
    """For each noise level, the first timestep that reaches it (None for the clean picture)."""
    noise = (1 - alphas).clamp(min=0).sqrt()
    chosen: list[int | None] = []
    for level in levels:
        if level <= 0:
            chosen.append(None)
            continue
        reached = torch.nonzero(noise >= level - 1e-6)
        chosen.append(int(reached[0]) if len(reached) else len(alphas) - 1)
    return chosen


def forward(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """A clean sample, then the same image mixed with ever more noise, as training sees it, beside a
    small curve of the schedule.

    The noise is added to the pixels with the scheduler's own schedule (sqrt(a) x0 + sqrt(1 - a) eps),
    also for latent models: what a student should see is the picture dissolving, not its latents.
    """
    clean = sampler.sample(prompt, [seed], steps, progress=progress, label="clean sample").images[0]
    x0 = torch.from_numpy(clean).permute(2, 0, 1) * 2 - 1
    alphas = sampler.alphas_cumprod
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    frames: list[np.ndarray | None] = []
    captions: list[str] = []
    last = x0
    chosen = forward_timesteps(alphas)
    for t in chosen:
        a = alphas[t] if t is not None else torch.tensor(1.0)
        last = a.sqrt() * x0 + (1 - a).sqrt() * noise
        frames.append(to_image(last))
        captions.append("clean" if t is None else f"t = {t}\nnoise {noise_level(alphas, t):.2f}")
    end = float(alphas[-1])
    left = (f"nothing of the picture is left at t = {len(alphas) - 1} (zero terminal SNR)" if end == 0
            else f"a trace of the picture is left at t = {len(alphas) - 1} (SNR {end / (1 - end):.1e}, not 0)")
    note = ("Frames are evenly spaced in noise level, not in t (see the curve): the noise level climbs fast "
            f"early and levels off near 1 late; {left}.")
    return Illustration("forward", f"forward process: \"{prompt}\" noised step by step",
                        [Row("", frames, captions)], note=note,
                        chart=schedule_chart(alphas, [t for t in chosen if t is not None], TILE + 2 * CAPTION_LINE),
                        raw={"last": last.numpy(), "noise": noise.numpy(), "timesteps": np.array(chosen[1:])})


def planned_timesteps(sampler: Sampler, steps: int) -> list[int]:
    scheduler = copy.deepcopy(sampler.pipe.scheduler)
    scheduler.set_timesteps(steps)
    return [int(t) for t in scheduler.timesteps]


def steps_at_levels(alphas: torch.Tensor, timesteps: list[int], levels) -> list[int | None]:
    """For each wanted noise level, the step whose result is nearest to it; the last column is always
    the last step (the finished picture). None leaves a column blank where its step is already shown:
    a 1-step run has one frame, not five copies of it."""
    last = len(timesteps) - 1
    after = [noise_level(alphas, timesteps[i + 1] if i + 1 < len(timesteps) else None) for i in range(len(timesteps))]
    chosen: list[int | None] = []
    for level in levels[:-1]:
        best = min(range(last), key=lambda i: abs(after[i] - level), default=None)
        chosen.append(None if best is None or best in chosen else best)
    return chosen + [last]


def _runs(sampler, prompt, seed, steps, levels, progress, label) -> tuple[list[Row], dict]:
    alphas = sampler.alphas_cumprod
    timesteps = planned_timesteps(sampler, steps)
    chosen = steps_at_levels(alphas, timesteps, levels)
    keep = {i for i in chosen if i is not None}
    sample = sampler.sample(prompt, [seed], steps, progress=progress, keep_steps=keep, label=label)
    frames: list[np.ndarray | None] = []
    guesses: list[np.ndarray | None] = []
    captions: list[str] = []
    for i in chosen:
        if i is None:
            frames.append(None)
            guesses.append(None)
            captions.append("")
            continue
        after = timesteps[i + 1] if i + 1 < len(timesteps) else None
        frames.append(sample.images[0] if after is None else sample.frames[i][0])
        guesses.append(sample.guesses[i][0] if i in sample.guesses else None)
        captions.append(f"step {i + 1}\nnoise {noise_level(alphas, after):.2f}")
    rows = [Row("working image", frames, captions)]
    if any(g is not None for g in guesses):
        rows.append(Row(GUESS_LABEL, guesses, [""] * len(guesses)))
    return rows, {"chosen": chosen, "timesteps": timesteps, "sample": sample}


def reverse(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The sampler's working image at evenly spaced noise levels, from static to the final picture,
    with the model's guess of the finished picture (x0) under each."""
    rows, info = _runs(sampler, prompt, seed, steps, REVERSE_NOISE, progress, "denoising")
    note = ("Bottom row: at every step the model guesses the finished picture. The first guess is a blur, the "
            "average of everything the prompt allows; colour, background and place settle early, while the "
            "top row is still static, and later steps only sharpen the edges.")
    guesses = info["sample"].guesses
    raw = {"guesses": np.array([guesses[i][0] for i in info["chosen"] if i is not None and i in guesses]),
           "image": info["sample"].images[0]}
    return Illustration("reverse", f"reverse process: \"{prompt}\" denoised from static in {steps} steps",
                        rows, note=note, raw=raw)


def steps_(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The same starting static denoised in 1, 5 and 50 steps, each run with the model's guesses."""
    rows, finals = [], []
    for n in STEP_COUNTS:
        label = f"{n} step{'s' if n > 1 else ''}"
        run, info = _runs(sampler, prompt, seed, n, STEPS_NOISE, progress, label)
        run[0].label = f"{label}: working image"
        if len(run) > 1:
            run[1].label = f"{label}: guess (x0)"
        rows += run
        finals.append(info["sample"].images[0])
    note = ("Every run starts from the same static with the same first guess, a blur. One step takes that "
            "guess as the answer; five and fifty steps refine it in smaller jumps, and may settle elsewhere.")
    return Illustration("steps", f"number of steps: \"{prompt}\", seed {seed}", rows, note=note,
                        raw={"finals": np.array(finals)})


def seeds(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """One prompt, different starting static, different pictures."""
    chosen = list(range(seed, seed + SEED_COUNT))
    images = sampler.sample(prompt, chosen, steps, progress=progress, label=f"{len(chosen)} seeds").images
    note = "Same prompt, different starting static: place and size change; what the prompt names stays."
    return Illustration("seeds", f"one prompt, {len(chosen)} seeds: \"{prompt}\"",
                        [Row("", list(images), [f"seed {s}" for s in chosen])], note=note)


def prompt_(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The prompt's sample beside the empty prompt's: what the text changes, from the same static."""
    with_prompt = sampler.sample(prompt, [seed], steps, progress=progress, label="with the prompt").images[0]
    without = sampler.sample("", [seed], steps, progress=progress, label="empty prompt").images[0]
    note = "Same static, same model: only the text differs, and it decides colour, shape and background."
    return Illustration("prompt", f"conditioning: \"{prompt}\" vs no prompt, seed {seed}",
                        [Row("", [with_prompt, without], [_shorten(prompt), "(empty prompt)"])], note=note)


def guidance(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """Classifier-free guidance from 0 (prompt ignored) to 7.5 (prompt exaggerated), same static.

    Measured on the bundled weights (3 prompts x 3 seeds, 1 to 7.5): the shape's area grows by a fifth to a
    half and its colour gets purer; the colour stays right, because the sampler steps from its guess
    clipped to the pixel range (srs.demo.pipeline.consistent_clipping)."""
    frames = [
        sampler.sample(prompt, [seed], steps, guidance=scale, progress=progress, label=f"guidance {scale:g}").images[0]
        for scale in GUIDANCE_SCALES
    ]
    captions = [GUIDANCE_CAPTIONS.get(s, f"{s:g}") for s in GUIDANCE_SCALES]
    note = ("Each step moves away from the empty prompt's prediction, this many times as far as the prompt "
            "asks: 0 ignores the prompt (the model's prior), 1 is the plain model, and larger scales exaggerate "
            "what the prompt says: look at the shape growing and its colour getting purer from 1 to 7.5. Each "
            "step's guess is clipped to the pixel range, which keeps even 7.5 on the prompt's colour.")
    return Illustration("guidance", f"guidance scale: \"{prompt}\", seed {seed}", [Row("", frames, captions)],
                        note=note)


def schedule(sampler: Sampler, prompt: str, seed: int, steps: int, progress: Progress | None = None) -> Illustration:
    """The noise schedule itself: how much noise and how much picture each timestep holds, and the SNR."""
    alphas = sampler.alphas_cumprod
    end = float(alphas[-1])
    where = ("it reaches 0 at the last step (zero terminal SNR), so training ends where sampling starts: at "
             "pure noise" if end == 0 else f"it ends at {end / (1 - end):.1e}, not 0: training always leaves a "
             "trace of the picture that the sampler, starting from pure noise, never has")
    note = ("The signal fades slowly at first, then fast; the noise level climbs fast, then levels off near 1. "
            f"The SNR (signal over noise power) spans many powers of ten; {where}. The sampler's {steps} steps "
            "are the ticks.")
    chart = schedule_chart(alphas, planned_timesteps(sampler, steps), 2 * TILE + 40, width=3 * TILE + 180,
                           ticks_label=f"{steps} sampling steps")
    return Illustration("schedule", f"noise schedule: {len(alphas)} timesteps, {steps} sampling steps", [],
                        note=note, chart=chart,
                        raw={"alphas_cumprod": alphas.numpy()})


ILLUSTRATIONS = {
    "forward": forward,
    "reverse": reverse,
    "steps": steps_,
    "seeds": seeds,
    "prompt": prompt_,
    "guidance": guidance,
    "schedule": schedule,
}


def illustrate(show: str, sampler: Sampler, prompt: str, seed: int, steps: int | None = None,
               progress: Progress | None = None) -> Illustration:
    return ILLUSTRATIONS[show](sampler, prompt, seed, steps or sampler.default_steps, progress)


def to_image(model_space: torch.Tensor) -> np.ndarray:
    """(3, H, W) in [-1, 1] (noisy frames overshoot; they are clipped for display) to (H, W, 3) in [0, 1]."""
    return (model_space.permute(1, 2, 0).numpy() / 2 + 0.5).clip(0, 1)


def layout(illustration: Illustration) -> dict:
    """Where everything goes: the tile size, each row's frame boxes, the chart's and the note's place.
    Kept in the PNG too, so that the terminal view crops the same boxes."""
    font, title_font = _font(12), _font(14)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    rows = illustration.rows
    tile = TILE if len(rows) <= 2 else SMALL_TILE
    columns = max((len(r.frames) for r in rows), default=0)
    label_w = LABEL_W if any(r.label for r in rows) else 0
    caption_lines = [max((len(_wrap(measure, c, font, tile)) for c in r.captions), default=0) for r in rows]
    frames_w = PAD + label_w + columns * (tile + PAD) if columns else PAD
    chart_w, chart_h = illustration.chart.size if illustration.chart is not None else (0, 0)
    content_w = frames_w + (chart_w + PAD if chart_w else 0)
    title_w = round(measure.textlength(illustration.title, font=title_font)) + 2 * PAD
    width = max(content_w, title_w, 360)
    left = (width - content_w) // 2
    boxes, top = [], TITLE_H
    for row, lines in zip(rows, caption_lines):
        x = left + PAD + label_w
        boxes.append([(x + i * (tile + PAD), top, x + i * (tile + PAD) + tile, top + tile)
                      for i in range(len(row.frames))])
        top += tile + lines * CAPTION_LINE + PAD
    chart_box = None
    if chart_w:
        chart_box = (left + frames_w, TITLE_H, left + frames_w + chart_w, TITLE_H + chart_h)
        top = max(top, TITLE_H + chart_h + PAD)
    note_lines = _wrap(measure, illustration.note, font, width - 2 * PAD) if illustration.note else []
    height = top + len(note_lines) * CAPTION_LINE + PAD
    return {"size": (width, height), "tile": tile, "boxes": boxes, "label_x": left + PAD, "label_w": label_w,
            "chart": chart_box, "note_top": top, "note_lines": note_lines}


def grid(illustration: Illustration) -> Image.Image:
    """The rows of frames on white, a caption under each frame, a label left of each row, the title
    above and the note under it all. Nothing is cut: captions and notes wrap, and a short row of
    frames is centred under a long title."""
    font, title_font = _font(12), _font(14)
    place = layout(illustration)
    canvas = Image.new("RGB", place["size"], "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((PAD, 5), illustration.title, fill=(20, 20, 20), font=title_font)
    tile = place["tile"]
    for row, boxes in zip(illustration.rows, place["boxes"]):
        if row.label and boxes:
            for j, line in enumerate(_wrap(draw, row.label, font, place["label_w"] - PAD)):
                draw.text((place["label_x"], boxes[0][1] + 4 + j * CAPTION_LINE), line, fill=(90, 90, 90), font=font)
        for (left, top, _, _), frame, text in zip(boxes, row.frames, row.captions):
            if frame is None:
                draw.rectangle((left, top, left + tile - 1, top + tile - 1), outline=(225, 225, 225))
            else:
                canvas.paste(_tile(frame, tile), (left, top))
            for j, line in enumerate(_wrap(draw, text, font, tile)):
                draw.text((left + (tile - draw.textlength(line, font=font)) / 2, top + tile + 2 + j * CAPTION_LINE),
                          line, fill=(60, 60, 60), font=font)
    if place["chart"] is not None and illustration.chart is not None:
        canvas.paste(illustration.chart, place["chart"][:2])
    for j, line in enumerate(place["note_lines"]):
        draw.text((PAD, place["note_top"] + j * CAPTION_LINE), line, fill=(30, 60, 120), font=font)
    return canvas


def schedule_chart(alphas: torch.Tensor, marks: list[int], height: int, width: int = 230,
                   ticks_label: str = "") -> Image.Image:
    """Noise level sqrt(1 - a) and signal level sqrt(a) against t (0 to 1, left axis), and log10 SNR
    (right axis, clipped to +-4) with the chosen timesteps marked. PIL only: no plotting library."""
    font = _font(11)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = 30, width - 34, 16, height - 30
    draw.rectangle((left, top, right, bottom), outline=(180, 180, 180))
    a = alphas.double().clamp(0, 1).numpy()
    last = len(a) - 1

    def x(t):
        return left + (right - left) * t / last

    def y(v, low=0.0, high=1.0):
        return bottom - (bottom - top) * (min(max(v, low), high) - low) / (high - low)

    with np.errstate(divide="ignore"):
        log_snr = np.log10(a / np.maximum(1 - a, 1e-12))
    curves = [(np.sqrt(1 - a), (200, 60, 40), lambda v: y(v)), (np.sqrt(a), (40, 110, 200), lambda v: y(v)),
              (log_snr, (60, 150, 60), lambda v: y(v, -4, 4))]
    for values, colour, to_y in curves:
        points = [(x(t), to_y(float(values[t]))) for t in range(0, last + 1, 4)]
        points.append((x(last), to_y(float(values[last]))))
        draw.line(points, fill=colour, width=2)
    for t in marks:
        draw.line((x(t), bottom, x(t), bottom + 4), fill=(80, 80, 80))
        draw.ellipse((x(t) - 2, y(float(np.sqrt(1 - a[t]))) - 2, x(t) + 2, y(float(np.sqrt(1 - a[t]))) + 2),
                     fill=(200, 60, 40))
    draw.text((2, top - 6), "1", fill=(90, 90, 90), font=font)
    draw.text((2, bottom - 8), "0", fill=(90, 90, 90), font=font)
    draw.text((right + 3, top - 6), "1e4", fill=(60, 150, 60), font=font)
    draw.text((right + 3, (top + bottom) / 2 - 6), "1", fill=(60, 150, 60), font=font)
    draw.text((right + 3, bottom - 8), "1e-4", fill=(60, 150, 60), font=font)
    draw.text((left, bottom + 5), "t = 0", fill=(90, 90, 90), font=font)
    end = f"t = {last}"
    draw.text((right - draw.textlength(end, font=font), bottom + 5), end, fill=(90, 90, 90), font=font)
    if ticks_label:
        draw.text(((left + right - draw.textlength(ticks_label, font=font)) / 2, bottom + 5), ticks_label,
                  fill=(90, 90, 90), font=font)
    legend = [("noise", (200, 60, 40)), ("signal", (40, 110, 200)), ("SNR (log)", (60, 150, 60))]
    lx = float(left)
    for name, colour in legend:
        draw.text((lx, 1), name, fill=colour, font=font)
        lx += draw.textlength(name, font=font) + 10
    draw.text((left, bottom + 16), "", font=font)
    return image


def save_png(illustration: Illustration, path) -> None:
    """The grid, with the title, captions and frame boxes also kept as PNG text, for the terminal view."""
    from PIL.PngImagePlugin import PngInfo

    place = layout(illustration)
    info = PngInfo()
    info.add_text("Title", illustration.title)
    info.add_text("Description", illustration.note)
    info.add_text("srs:captions", json.dumps(illustration.captions))
    rows = [{"label": r.label, "captions": r.captions, "boxes": b} for r, b in zip(illustration.rows, place["boxes"])]
    if place["chart"] is not None:
        rows.append({"label": "schedule", "captions": [""], "boxes": [list(place["chart"])]})
    info.add_text("srs:rows", json.dumps(rows))
    grid(illustration).save(path, pnginfo=info)


def _tile(frame: np.ndarray, tile: int) -> Image.Image:
    image = Image.fromarray(np.round(frame * 255).astype(np.uint8))
    # Small samples keep their pixels crisp; large ones (Stable Diffusion) are shrunk smoothly.
    resample = Image.Resampling.NEAREST if image.width <= tile else Image.Resampling.LANCZOS
    return image.resize((tile, tile), resample)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    """Lines of at most `width` pixels, broken at spaces (and at the caption's own line breaks)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return [line for line in lines] if text else []


def _shorten(prompt: str) -> str:
    return prompt.removeprefix("a ").removeprefix("an ") or "(empty prompt)"
