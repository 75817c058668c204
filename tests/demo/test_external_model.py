"""`--model DIR`: any diffusers text-to-image folder, here a tiny randomly initialised Stable Diffusion
pipeline written to disk by the test (CLIP text encoder and tokenizer from a tiny config and vocabulary),
loaded through the real `from_pretrained` path with no network."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parent / "course.yaml"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory) -> Path:
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    folder = tmp_path_factory.mktemp("tiny-sd")
    words = folder / "words"
    words.mkdir()
    # A character-level BPE vocabulary: no merges, every letter alone and at a word's end.
    vocab = ["<|startoftext|>", "<|endoftext|>", *string.ascii_lowercase, *(c + "</w>" for c in string.ascii_lowercase)]
    (words / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(vocab)}))
    (words / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(words / "vocab.json"), str(words / "merges.txt"), model_max_length=77)

    torch.manual_seed(0)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        max_position_embeddings=77, bos_token_id=0, eos_token_id=1, pad_token_id=1, projection_dim=32,
    ))
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=32,
    )
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(32, 64), norm_num_groups=32,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    )
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
        scheduler=DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=False,
                                steps_offset=1),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(folder / "pipeline")
    return folder / "pipeline"


def test_srs_demo_runs_a_stable_diffusion_folder(run_srs, tiny_sd, tmp_path):
    out = tmp_path / "out"
    for show in ("reverse", "guidance", "forward"):
        result = run_srs("demo", "plain-card", "--decks", COURSE, "--model", tiny_sd, "--steps", "3",
                         "--show", show, "--prompt", "a photograph of an astronaut", "--out", out,
                         "--cache", tmp_path / "cache")
        assert result.exit_code == 0, result.output
        assert (out / "plain-card.png").is_file()
        assert "tiny-sd" not in result.output or "pipeline" in result.output


def test_the_sampler_draws_at_the_pipelines_own_size(tiny_sd):
    from srs.demo.models import load_sampler

    sampler = load_sampler(tiny_sd, "cpu")
    assert not sampler.bundled
    sample = sampler.sample("any words at all", [0, 1], steps=2, keep_steps={0, 1})
    assert sample.images.shape == (2, 16, 16, 3)  # 8 latent pixels, a VAE that doubles them
    assert sample.frames[0].shape == (2, 16, 16, 3)
    assert sample.guesses[1].shape == (2, 16, 16, 3)  # the model's guess of the end, decoded too
    assert sample.timesteps == sorted(sample.timesteps, reverse=True) and len(sample.timesteps) == 2
    assert not (sample.images[0] == sample.images[1]).all()
