"""`srs demo train`: deterministic on the CPU given the seed, saved in diffusers' layout."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_training_is_deterministic_and_loadable(tmp_path):
    pytest.importorskip("torch")
    from srs.demo.pipeline import ShapesPipeline
    from srs.demo.train import TrainConfig, train

    config = TrainConfig(steps=3, batch_size=4, warmup_steps=2, seed=11, threads=1)
    first = train(config, tmp_path / "a")
    train(config, tmp_path / "b")
    weights = "unet/diffusion_pytorch_model.safetensors"
    assert (tmp_path / "a" / weights).read_bytes() == (tmp_path / "b" / weights).read_bytes()
    assert first.final_loss == first.final_loss and first.final_loss < 2  # finite, noise-sized
    record = json.loads((tmp_path / "a" / "training.json").read_text())
    assert record["config"]["seed"] == 11 and record["steps"] == 3
    index = json.loads((tmp_path / "a" / "model_index.json").read_text())
    assert index["_class_name"] == "ShapesPipeline"
    pipe = ShapesPipeline.from_pretrained(tmp_path / "a")
    assert pipe.unet.config.sample_size == 32


def test_the_train_command_shows_progress_and_saves(run_srs, tmp_path):
    pytest.importorskip("torch")
    result = run_srs("demo", "train", "--steps", "2", "--batch-size", "2", "--threads", "1", "--out", tmp_path / "w")
    assert result.exit_code == 0, result.output
    assert "saved" in result.output and "2 steps" in result.output
    assert (tmp_path / "w" / "model_index.json").is_file()
    assert f"srs demo --model {tmp_path / 'w'}" in result.output


def test_training_never_overwrites_the_bundled_weights_by_default(run_srs, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from srs.demo.pipeline import WEIGHTS_DIR

    before = {p: p.stat().st_mtime_ns for p in WEIGHTS_DIR.rglob("*")}
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = run_srs("demo", "train", "--steps", "1", "--batch-size", "2", "--threads", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "srs" / "demo-model" / "model_index.json").is_file()
    assert {p: p.stat().st_mtime_ns for p in WEIGHTS_DIR.rglob("*")} == before


def test_an_unwritable_output_fails_before_training(run_srs, tmp_path):
    pytest.importorskip("torch")
    (tmp_path / "file").write_text("not a folder")
    result = run_srs("demo", "train", "--steps", "1", "--out", tmp_path / "file" / "model")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot save the model to ") and result.output.count("\n") == 1
    assert "training" not in result.output
