"""Train the bundled pipeline on the procedural shapes: v-prediction on a zero-terminal-SNR schedule
(Lin et al. 2024), or the noise-prediction loss of the first shipped weights.

Deterministic given the seed on the CPU (unless `minutes` lets the clock end the run): torch's
initialisation, the data (one numpy Generator per step, derived from the seed) and the noise and
timesteps (a torch Generator) all hang on it. A GPU run
from the same seed trains the same recipe, though not bit for bit the same weights.

Run as `srs demo train`, or `python -m srs.demo.train` where the rest of srs's dependencies are absent.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F

from srs.demo import shapes
from srs.demo.pipeline import WEIGHTS_DIR, ShapesPipeline, new_pipeline, new_scheduler
from srs.demo.text_encoder import ShapesTextEncoder
from srs.demo.vocab import token_ids


@dataclass
class TrainConfig:
    # The defaults are the recipe of the shipped weights' first phase (4000 steps took 6 minutes on one
    # H100; on two CPU cores expect about 2 s per step at batch 64, 8 s at 256); see weights/training.json.
    steps: int = 4000
    batch_size: int = 256
    learning_rate: float = 5e-4
    warmup_steps: int | None = None  # None: a twentieth of the steps, at most 500
    ema_decay: float = 0.999
    # Offset noise was the epsilon model's patch for grey backgrounds; zero terminal SNR makes it moot.
    offset_noise: float = 0.0
    prediction_type: str = "v_prediction"  # or "epsilon", the first shipped weights' objective
    zero_snr: bool = True  # rescale the schedule so that t=999 is pure noise
    minutes: float | None = None  # a time budget: the schedule follows the clock, the run ends on time
    seed: int = 0
    device: str = "cpu"
    threads: int | None = None  # torch threads on the CPU; None leaves torch's default
    init_from: str | None = None  # a saved pipeline to go on training, instead of a fresh one


@dataclass
class TrainResult:
    out_dir: Path
    steps: int
    final_loss: float  # mean of the last 200 steps' losses
    seconds: float
    parameters: int


def warmup_steps(config: TrainConfig) -> int:
    """The warm-up scales with the run: a 300-step run spends 15 steps warming up, not all 300."""
    if config.warmup_steps is not None:
        return max(1, config.warmup_steps)
    return max(1, min(500, config.steps // 20))


def learning_rate(config: TrainConfig, step: int, progress: float | None = None) -> float:
    """Linear warm-up, then a cosine decay to a tenth: large early steps, fine late ones. `progress`
    (0 to 1) replaces the step count's when a time budget sets the pace."""
    warmup = warmup_steps(config)
    if step < warmup:
        return config.learning_rate * (step + 1) / warmup
    if progress is None:
        progress = (step - warmup) / max(1, config.steps - warmup)
    progress = min(1.0, max(0.0, progress))
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def training_target(config: TrainConfig, images, noise, a):
    """What the UNet learns to output: the noise, or v = sqrt(a) noise - sqrt(1-a) x0, which at t=999
    (a = 0) is minus the clean image: the model's first step already says what the picture is."""
    if config.prediction_type == "epsilon":
        return noise
    return a.sqrt() * noise - (1 - a).sqrt() * images


def make_batch(config: TrainConfig, step: int, words: list[str], timesteps: int) -> dict[str, torch.Tensor]:
    """Everything random in one training step, drawn from a Generator of its own: the batch does not
    depend on how many were prefetched before it, and a background thread can make it."""
    rng = np.random.default_rng([config.seed, step])
    images, captions = shapes.batch(rng, config.batch_size)
    noise = rng.standard_normal(images.shape, dtype=np.float32)
    # Offset noise (a per-image, per-channel constant on top): with white noise alone the image mean
    # is one component among a thousand and the model learns to leave it alone, so every sample ends
    # on a mid-grey background however the prompt asks for white or black.
    noise += config.offset_noise * rng.standard_normal((*images.shape[:2], 1, 1), dtype=np.float32)
    return {
        "images": torch.from_numpy(images),
        "noise": torch.from_numpy(noise),
        "t": torch.from_numpy(rng.integers(0, timesteps, size=len(images))),
        "ids": torch.tensor([cached_token_ids(c, tuple(words)) for c in captions]),
    }


@functools.lru_cache(maxsize=4096)
def cached_token_ids(prompt: str, words: tuple[str, ...]) -> list[int]:
    return token_ids(prompt, list(words))


def train(
    config: TrainConfig,
    out_dir: Path = WEIGHTS_DIR,
    on_step: Callable[[int, float], None] | None = None,
    checkpoint_every: int = 0,
) -> TrainResult:
    """Train and save the averaged weights to out_dir; also every `checkpoint_every` steps, so that a
    run cut short (a time limit) still leaves usable weights."""
    if config.threads:
        torch.set_num_threads(config.threads)
    device = torch.device(config.device)
    torch.manual_seed(config.seed)
    if config.init_from:
        from srs.demo.models import quiet_loading

        quiet_loading()
    scheduler = new_scheduler(config.prediction_type, config.zero_snr)
    pipe = ShapesPipeline.from_pretrained(config.init_from) if config.init_from else new_pipeline(scheduler=scheduler)
    # Going on from weights trained for another objective works: at low noise v is about the noise, and
    # the features carry over; the schedule is always the one this config names.
    unet, text_encoder = pipe.unet.to(device), pipe.text_encoder.to(device)
    modules = torch.nn.ModuleList([unet, text_encoder]).train()
    # The averaged weights sample far cleaner than the last step's, which jitter with the noise.
    ema = copy.deepcopy(modules).eval().requires_grad_(False)
    optimizer = torch.optim.AdamW(modules.parameters(), lr=config.learning_rate, weight_decay=0.01)
    alphas_cumprod = scheduler.alphas_cumprod.to(device)
    words, timesteps = text_encoder.config.words, len(alphas_cumprod)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True

    losses: list[torch.Tensor] = []
    loss_now = float("nan")
    started = time.perf_counter()
    budget = config.minutes * 60 if config.minutes else None
    done = 0

    def checkpoint() -> TrainResult:
        result = TrainResult(
            out_dir=Path(out_dir),
            steps=done,
            final_loss=torch.stack(losses[-200:]).mean().item() if losses else float("nan"),
            seconds=time.perf_counter() - started,
            parameters=sum(p.numel() for p in modules.parameters()),
        )
        save(ema, scheduler, config, result)
        return result

    try:
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            upcoming = prefetch.submit(make_batch, config, 0, words, timesteps)
            for step in range(config.steps):
                batch = {k: v.to(device, non_blocking=True) for k, v in upcoming.result().items()}
                if step + 1 < config.steps:
                    upcoming = prefetch.submit(make_batch, config, step + 1, words, timesteps)
                a = alphas_cumprod[batch["t"]].view(-1, 1, 1, 1)
                noisy = a.sqrt() * batch["images"] + (1 - a).sqrt() * batch["noise"]

                context = text_encoder(batch["ids"])
                prediction = unet(noisy, batch["t"], encoder_hidden_states=context).sample
                loss = F.mse_loss(prediction, training_target(config, batch["images"], batch["noise"], a))
                elapsed = time.perf_counter() - started
                progress = None if budget is None else elapsed / budget
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(config, step, progress)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(modules.parameters(), 1.0)
                optimizer.step()
                update_ema(ema, modules, min(config.ema_decay, (1 + step) / (10 + step)))

                losses.append(loss.detach())
                if step % 50 == 0 or device.type == "cpu":  # reading the loss waits for the GPU
                    loss_now = losses[-1].item()
                done = step + 1
                if on_step is not None:
                    on_step(step, loss_now)
                out_of_time = budget is not None and time.perf_counter() - started >= budget
                if done == config.steps or out_of_time:
                    break
                if checkpoint_every and done % checkpoint_every == 0:
                    checkpoint()
    except KeyboardInterrupt:
        if done:
            checkpoint()  # Ctrl-C keeps what was learnt so far
        raise
    return checkpoint()


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    # One fused call: a per-tensor loop would launch hundreds of tiny GPU kernels every step.
    torch._foreach_lerp_(list(ema.parameters()), list(model.parameters()), 1 - decay)


def save(ema: torch.nn.ModuleList, scheduler, config: TrainConfig, result: TrainResult) -> None:
    unet, text_encoder = (copy.deepcopy(m).cpu() for m in ema)  # the ModuleList holds (unet, text encoder)
    pipe = ShapesPipeline(unet=unet, text_encoder=cast(ShapesTextEncoder, text_encoder), scheduler=scheduler)
    pipe.save_pretrained(result.out_dir, safe_serialization=True)
    record = {
        "config": {**asdict(config), "warmup_steps": warmup_steps(config)},
        "steps": result.steps,
        "final_loss": round(result.final_loss, 5),
        "seconds": round(result.seconds, 1),
        "parameters": result.parameters,
        "torch": torch.__version__,
    }
    (result.out_dir / "training.json").write_text(json.dumps(record, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    """A plain entry point that needs only torch, diffusers and numpy (for machines without click)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m srs.demo.train")
    kinds: dict[str, Callable[[str], Any]] = {
        "steps": int, "batch_size": int, "warmup_steps": int, "seed": int, "threads": int, "init_from": str,
        "minutes": float, "zero_snr": lambda v: v.lower() in ("1", "true", "yes")}
    for field, value in asdict(TrainConfig()).items():
        kind = kinds.get(field, type(value))
        parser.add_argument(f"--{field.replace('_', '-')}", type=kind, default=value)
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--checkpoint-every", type=int, default=100)
    args = vars(parser.parse_args(argv))
    out, log_every = args.pop("out"), args.pop("log_every")
    checkpoint_every = args.pop("checkpoint_every")
    config = TrainConfig(**args)
    started = time.perf_counter()

    def log(step: int, loss: float) -> None:
        if step % log_every == 0 or step == config.steps - 1:
            elapsed = time.perf_counter() - started
            print(f"step {step + 1}/{config.steps}  loss {loss:.4f}  {elapsed:.0f} s", flush=True)

    result = train(config, out, on_step=log, checkpoint_every=checkpoint_every)
    print(f"saved {result.out_dir}: {result.parameters} parameters, {result.steps} steps, "
          f"final loss {result.final_loss:.4f}, {result.seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
