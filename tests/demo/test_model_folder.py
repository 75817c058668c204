"""Every way a `--model` folder can be wrong ends in one line that says which, before torch loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parent / "course.yaml"
WEIGHTS = Path(__file__).resolve().parents[2] / "srs" / "demo" / "weights"


def shapes_index() -> dict:
    return json.loads((WEIGHTS / "model_index.json").read_text())


def broken(tmp_path: Path, how: str) -> tuple[Path, str]:
    """A folder broken in one way, and the line srs must print for it."""
    folder = tmp_path / "model"
    if how == "missing":
        return folder, f"Error: --model {folder}: no such folder"
    if how == "a file":
        folder.write_text("weights?")
        return folder, f"Error: --model {folder}: not a folder"
    folder.mkdir()
    index = folder / "model_index.json"
    if how == "no index":
        return folder, f"Error: {folder} is not a diffusers pipeline folder (no model_index.json)"
    if how == "invalid json":
        index.write_text('{"_class_name": "ShapesPipeline",\n  "unet": [')
        return folder, f"Error: {index} is not valid JSON (line 2, column 12)"
    if how == "not an object":
        index.write_text("[1, 2]")
        return folder, f"Error: {index} names no pipeline class (\"_class_name\")"
    if how == "no class":
        index.write_text(json.dumps({"unet": ["diffusers", "UNet2DConditionModel"]}))
        return folder, f"Error: {index} names no pipeline class (\"_class_name\")"
    index.write_text(json.dumps(shapes_index()))
    for part in ("scheduler", "text_encoder", "unet"):
        shutil.copytree(WEIGHTS / part, folder / part)
    if how == "missing component":
        shutil.rmtree(folder / "unet")
        return folder, f"Error: {folder}: model_index.json lists the component 'unet' but there is no unet/ folder"
    if how == "empty component":
        shutil.rmtree(folder / "unet")
        (folder / "unet").mkdir()
        return folder, f"Error: {folder}: the component folder unet/ is empty"
    if how == "corrupt weights":
        (folder / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(b"\x00" * 64)
        return folder, f"Error: cannot load the pipeline in {folder}: "
    raise ValueError(how)


CASES = ["missing", "a file", "no index", "invalid json", "not an object", "no class", "missing component",
         "empty component"]


@pytest.mark.parametrize("how", CASES)
def test_a_bad_model_folder_is_one_line(run_srs, tmp_path, how):
    folder, expected = broken(tmp_path, how)
    result = run_srs("demo", "plain-card", "--decks", COURSE, "--model", folder, "--out", tmp_path / "out",
                     "--cache", tmp_path / "cache")
    assert result.exit_code == 1
    assert result.stderr == expected + "\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_weights_that_do_not_load_are_one_line(run_srs, tmp_path):
    pytest.importorskip("torch")
    folder, expected = broken(tmp_path, "corrupt weights")
    result = run_srs("demo", "plain-card", "--decks", COURSE, "--model", folder, "--out", tmp_path / "out",
                     "--cache", tmp_path / "cache")
    assert result.exit_code == 1
    assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
