"""One 25-step sample of the bundled shapes model on the CPU (target < 2 s).

Printed beside a baseline measured in the same run, one forward pass of its UNet (these machines are
noisy, ratios are not): a guided sample costs 25 batched forward passes plus the text encoder and the
scheduler, so the ratio shows how much the pipeline adds around the network.

Run: python benchmarks/bench_demo.py [--steps 25] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time

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
    result = {
        "sample_s": round(sample_s, 3),
        "steps": args.steps,
        "per_step_ms": round(sample_s / args.steps * 1000, 1),
        "unet_forward_ms": round(forward_s * 1000, 1),
        "sample_over_forward": round(sample_s / forward_s, 1),
        "load_s": round(load_s, 2),
        "threads": torch.get_num_threads(),
        "target_s": 2.0,
        "ok": sample_s < 2.0,
    }
    print(f"{args.steps}-step sample ({size}x{size}, guided): {sample_s:.2f} s "
          f"({result['per_step_ms']} ms/step; target < 2 s) = {result['sample_over_forward']}x "
          f"one UNet forward pass ({result['unet_forward_ms']} ms); load {load_s:.2f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
