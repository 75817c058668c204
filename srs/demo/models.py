"""Load a text-to-image pipeline (the bundled one or any diffusers folder) and sample from it.

`Sampler` hides the differences the illustrations must not see: the bundled model works in pixels
and knows a handful of words; a Stable Diffusion checkpoint works in VAE latents and reads anything,
and treats guidance at or below 1 as "no guidance" where the bundled model reads 0 as "prompt ignored".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from srs.errors import UserError

StepCallback = Callable[[], None]


class Progress(Protocol):
    """What sampling reports: one task per pipeline call, advanced once per denoising step."""

    def start(self, label: str, total: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


@dataclass
class Sample:
    images: np.ndarray  # (n, H, W, 3) in [0, 1]
    frames: dict[int, np.ndarray] = field(default_factory=dict)  # step index -> (n, H, W, 3) in [0, 1]
    # step index -> the model's guess of the finished picture (x0) at that step, where the scheduler says
    guesses: dict[int, np.ndarray] = field(default_factory=dict)
    timesteps: list[int] = field(default_factory=list)  # the timestep each step denoised from


@dataclass
class Sampler:
    """A pipeline folder, checked and fingerprinted without torch; the pipeline itself is loaded on first
    use, so that a picture found in the cache is served without importing torch at all."""

    folder: Path
    device_name: str
    name: str
    identity: str  # changes whenever the weights do; part of the illustration cache key
    bundled: bool
    default_steps: int
    default_guidance: float
    threads: int | None = None  # torch's CPU threads, set when the pipeline loads; None leaves torch's
    _pipe: object = None

    @property
    def pipe(self):
        if self._pipe is None:
            self._pipe = _load_pipeline(self)
        return self._pipe

    @property
    def device(self):
        return self.pipe._execution_device

    def check_prompt(self, prompt: str) -> None:
        if self.bundled:
            from srs.demo.vocab import check_prompt

            check_prompt(prompt, self.pipe.words)

    def sample(
        self,
        prompt: str,
        seeds: list[int],
        steps: int,
        guidance: float | None = None,
        progress: Progress | None = None,
        keep_steps: frozenset[int] | set[int] = frozenset(),
        label: str = "",
    ) -> Sample:
        """One image per seed; seed s always starts from the same static (drawn on the CPU)."""
        import torch

        if self.threads and self.device_name == "cpu" and torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        self.check_prompt(prompt)
        guidance = self.default_guidance if guidance is None else guidance
        if not self.bundled and guidance == 0:
            prompt, guidance = "", 1.0  # what scale 0 means: the prompt has no say at all
        frames: dict[int, np.ndarray] = {}
        guesses: dict[int, np.ndarray] = {}
        timesteps: list[int] = []
        scheduler = self.pipe.scheduler
        step_function = scheduler.step

        def step_and_keep_the_guess(*args, **kwargs):
            # Every diffusers pipeline calls scheduler.step once per denoising step; DDIM, DDPM and Euler
            # return their estimate of the clean picture, which is what a student should see at each step.
            output = step_function(*args, **kwargs)
            index = len(timesteps) - 1
            if isinstance(output, tuple):  # return_dict=False: (prev_sample, pred_original_sample) for DDIM
                guess = output[1] if len(output) > 1 else None
            else:
                guess = getattr(output, "pred_original_sample", None)
            if index in keep_steps and guess is not None:
                guesses[index] = self.to_pixels(guess)
            return output

        def on_step(pipe, index, timestep, tensors):
            if index in keep_steps:
                frames[index] = self.to_pixels(tensors["latents"])
            if progress is not None:
                progress.advance()
            return tensors

        def timestep_seen(*args, **kwargs):
            timesteps.append(int(args[1] if len(args) > 1 else kwargs["timestep"]))
            return step_and_keep_the_guess(*args, **kwargs)

        if progress is not None:
            progress.start(label or f"{steps} steps", steps)
        scheduler.step = timestep_seen
        try:
            output = self.pipe(
                prompt=[prompt] * len(seeds),
                num_inference_steps=steps,
                guidance_scale=guidance,
                generator=[torch.Generator("cpu").manual_seed(s) for s in seeds],
                output_type="np",
                callback_on_step_end=on_step,
                callback_on_step_end_tensor_inputs=["latents"],
            )
        finally:
            del scheduler.step  # the instance attribute goes; the class's method shows through again
            if progress is not None:
                progress.finish()
        return Sample(np.asarray(output.images, dtype=np.float32), frames, guesses, timesteps)

    def to_pixels(self, latents) -> np.ndarray:
        """The pipeline's working state as images, for filmstrips: decoded by the VAE if it has one."""
        import torch

        with torch.no_grad():
            vae = getattr(self.pipe, "vae", None)
            if vae is not None:
                latents = vae.decode(latents.to(vae.dtype) / vae.config.scaling_factor).sample
            images = (latents.float() / 2 + 0.5).clamp(0, 1)
            return images.permute(0, 2, 3, 1).cpu().numpy()

    @property
    def alphas_cumprod(self):
        return self.pipe.scheduler.alphas_cumprod.float().cpu()


_LOADED: dict[tuple[str, str], Sampler] = {}
BUNDLED_THREADS = 1  # measured: see benchmarks/bench_demo.py and srs/demo/README.md


def load_sampler(model: str | Path | None = None, device: str = "cpu", threads: int | None = None) -> Sampler:
    """The bundled pipeline (model None) or a diffusers pipeline folder, checked now and loaded on first
    use, once per process. `threads`: torch's CPU threads; None means one for the bundled model (more
    only wait on each other for a UNet this small) and torch's default for any other."""
    from srs.demo.pipeline_folder import WEIGHTS_DIR

    folder = Path(model).expanduser().resolve() if model else WEIGHTS_DIR
    key = (str(folder), device)
    if key not in _LOADED:
        _LOADED[key] = _check(folder, device, bundled=model is None, shown=str(model) if model else None)
    sampler = _LOADED[key]
    sampler.threads = threads if threads is not None else (BUNDLED_THREADS if sampler.bundled else None)
    return sampler


def _check(folder: Path, device: str, bundled: bool, shown: str | None) -> Sampler:
    """Everything that can be known about a pipeline folder without torch, each problem one line."""
    from srs.demo.pipeline_folder import read_model_index

    index = read_model_index(folder, shown)
    is_shapes = index["_class_name"] == "ShapesPipeline"
    steps, guidance = (25, 3.0) if is_shapes else (25, 7.5)
    return Sampler(folder, device, "bundled shapes model" if bundled else folder.name, folder_identity(folder),
                   bundled=is_shapes, default_steps=steps, default_guidance=guidance)


def _load_pipeline(sampler: Sampler):
    import torch

    folder, device = sampler.folder, sampler.device_name
    if device == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda: this torch build sees no CUDA GPU; use --device cpu")
    quiet_loading(external=not sampler.bundled)
    try:
        if sampler.bundled:
            from srs.demo.pipeline import ShapesPipeline

            pipe = ShapesPipeline.from_pretrained(folder)
        else:
            from diffusers import DiffusionPipeline

            pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True)
    except UserError:
        raise
    except Exception as exc:  # diffusers raises many kinds; the user needs one line, not a trace
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UserError(f"cannot load the pipeline in {folder}: {reason[:200]}") from exc
    if getattr(pipe, "safety_checker", None) is not None:
        pipe.safety_checker = None  # it blanks images it dislikes; these are classroom pictures
    pipe = pipe.to(device)
    pipe.set_progress_bar_config(disable=True)  # ours shows the steps and their time
    return pipe


def folder_identity(folder: Path) -> str:
    """A digest of the pipeline's files: contents for small ones (the bundled weights keep their
    identity across checkouts), size and modification time for large ones (hashing gigabytes of a
    Stable Diffusion checkpoint on every run would cost more than rendering)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(str(path.relative_to(folder)).encode())
        if stat.st_size <= 64 * 2**20:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def quiet_loading(external: bool = False) -> None:
    # No "install accelerate" advice or loading bars in a student's terminal: ours is the only bar.
    from diffusers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    if not external:
        return  # transformers is not needed, and importing it costs a second
    try:
        from transformers.utils import logging as transformers_logging
    except ImportError:
        return
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
