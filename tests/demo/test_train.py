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


def test_the_warmup_scales_with_the_steps():
    pytest.importorskip("torch")
    from srs.demo.train import TrainConfig, learning_rate, warmup_steps

    assert warmup_steps(TrainConfig(steps=300)) == 15
    assert warmup_steps(TrainConfig(steps=100_000)) == 500
    assert warmup_steps(TrainConfig(steps=3)) == 1
    assert warmup_steps(TrainConfig(steps=300, warmup_steps=40)) == 40
    config = TrainConfig(steps=300, learning_rate=1e-3)
    assert learning_rate(config, 14) == pytest.approx(1e-3)  # warm by step 15, not step 500
    assert learning_rate(config, 299) == pytest.approx(1e-4, rel=0.01)
    assert learning_rate(config, 100, progress=1.0) == pytest.approx(1e-4)  # a time budget sets the pace


def test_v_prediction_targets_the_clean_image_at_pure_noise():
    torch = pytest.importorskip("torch")
    from srs.demo.pipeline import new_scheduler
    from srs.demo.train import TrainConfig, training_target

    scheduler = new_scheduler()
    assert scheduler.alphas_cumprod[-1] == 0  # zero terminal SNR: t=999 holds no trace of the image
    images, noise = torch.full((1, 3, 4, 4), 0.5), torch.randn(1, 3, 4, 4)
    a = scheduler.alphas_cumprod[[999]].view(-1, 1, 1, 1)
    assert torch.equal(training_target(TrainConfig(), images, noise, a), -images)
    assert torch.equal(training_target(TrainConfig(prediction_type="epsilon"), images, noise, a), noise)


def test_a_piped_run_logs_a_line_per_n_steps_and_checkpoints(run_srs, tmp_path):
    pytest.importorskip("torch")
    result = run_srs("demo", "train", "--steps", "4", "--batch-size", "2", "--threads", "1", "--log-every", "2",
                     "--checkpoint-every", "2", "--out", tmp_path / "w")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("step ")]
    assert [line.split()[1] for line in lines] == ["2/4", "4/4"]
    record = json.loads((tmp_path / "w" / "training.json").read_text())
    assert record["steps"] == 4 and record["config"]["prediction_type"] == "v_prediction"
    assert record["config"]["warmup_steps"] == 1


def test_ctrl_c_saves_what_was_learnt(tmp_path):
    pytest.importorskip("torch")
    from srs.demo.train import TrainConfig, train

    def interrupt(step, loss):
        if step == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(TrainConfig(steps=50, batch_size=2, threads=1), tmp_path / "w", on_step=interrupt)
    assert json.loads((tmp_path / "w" / "training.json").read_text())["steps"] == 3
