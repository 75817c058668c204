"""One 25-step sample of the bundled shapes model on the CPU (target < 2 s).

Printed beside a baseline measured in the same run, one forward pass of its UNet (these machines are
noisy, ratios are not): a guided sample costs 25 batched forward passes plus the text encoder and the
scheduler, so the ratio shows how much the pipeline adds around the network.

Also: the same sample at 1 and 2 torch threads (why `srs demo --threads` defaults to 1 for the bundled
model), and a cached `srs demo` run beside `srs --help` in fresh processes (a cache hit imports no
torch, so it costs about what any srs command costs).

Run: python benchmarks/bench_demo.py [--steps 25] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import best_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import torch

    from srs.demo.models import load_sampler

    started = time.perf_counter()
    sampler = load_sampler(None, "cpu")
    sampler.pipe  # noqa: B018  (loading is lazy: a cache hit never pays for it)
    load_s = time.perf_counter() - started
    unet = sampler.pipe.unet
    size = unet.config.sample_size
    x = torch.randn(1, unet.config.in_channels, size, size)
    context = sampler.pipe.text_encoder.encode(["a red circle"])

    def forward_pass():
        with torch.no_grad():
            unet(x, 500, encoder_hidden_states=context)

    def sample():
        sampler.sample("a red circle on a white background", [0], args.steps)

    sample()  # warm-up: first calls allocate and pick kernels
    forward_s = best_of(forward_pass, 10)
    sample_s = best_of(sample, args.repeats)
    by_threads = {}
    for threads in (1, 2):
        sampler.threads = threads
        by_threads[threads] = best_of(sample, args.repeats)
    sampler.threads = 1
    hit_s, plain_s = cache_hit_vs_plain_command()
    result = {
        "sample_s": round(sample_s, 3),
        "steps": args.steps,
        "per_step_ms": round(sample_s / args.steps * 1000, 1),
        "unet_forward_ms": round(forward_s * 1000, 1),
        "sample_over_forward": round(sample_s / forward_s, 1),
        "load_s": round(load_s, 2),
        "threads": 1,
        "sample_s_by_threads": {k: round(v, 3) for k, v in by_threads.items()},
        "two_threads_over_one": round(by_threads[2] / by_threads[1], 2),
        "cache_hit_s": round(hit_s, 2),
        "srs_help_s": round(plain_s, 2),
        "cache_hit_over_srs_help": round(hit_s / plain_s, 2),
        "target_s": 2.0,
        "ok": sample_s < 2.0,
    }
    print(f"{args.steps}-step sample ({size}x{size}, guided): {sample_s:.2f} s "
          f"({result['per_step_ms']} ms/step; target < 2 s) = {result['sample_over_forward']}x "
          f"one UNet forward pass ({result['unet_forward_ms']} ms); load {load_s:.2f} s")
    print(f"2 threads / 1 thread: {result['two_threads_over_one']}x; cached `srs demo` {hit_s:.2f} s = "
          f"{result['cache_hit_over_srs_help']}x `srs --help` ({plain_s:.2f} s)")
    print(json.dumps(result))


def cache_hit_vs_plain_command(repeats: int = 3) -> tuple[float, float]:
    """Fresh processes: a second `srs demo` of one card (served from the cache) and `srs --help`."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        demo = [sys.executable, "-m", "srs", "demo", "plain-card", "--decks", str(root / "tests/demo/course.yaml"),
                "--out", f"{folder}/out", "--cache", f"{folder}/cache", "--steps", "5"]
        env = dict(os.environ, PYTHONPATH=str(root))
        subprocess.run(demo, check=True, capture_output=True, env=env)  # renders once

        def run(command):
            return lambda: subprocess.run(command, check=True, capture_output=True, env=env)

        return best_of(run(demo), repeats), best_of(run([sys.executable, "-m", "srs", "--help"]), repeats)


if __name__ == "__main__":
    main()
