"""`srs demo` end to end on a small deck, with the bundled model on the CPU."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from srs.demo.illustrate import read_captions, read_note

COURSE = __import__("pathlib").Path(__file__).resolve().parent / "course.yaml"


def test_an_unknown_word_lists_the_known_ones_before_loading_anything(run_srs, tmp_path):
    result = run_srs("demo", COURSE, "--prompt", "a red unicorn", "--out", tmp_path)
    assert result.exit_code == 1
    assert "'unicorn'" in result.stderr and "circle" in result.stderr and "red" in result.stderr
    assert not list(tmp_path.iterdir())


def test_an_unknown_target_is_named(run_srs, tmp_path):
    result = run_srs("demo", "forward-crad", "--decks", COURSE, "--out", tmp_path)
    assert result.exit_code == 1
    assert "forward-crad" in result.stderr and "did you mean 'forward-card'" in result.stderr


@pytest.mark.slow
def test_each_card_gets_its_picture_and_the_cache_serves_the_second_run(run_srs, tmp_path):
    pytest.importorskip("torch")
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ("demo", COURSE, "--out", out, "--cache", cache, "--steps", "5")
    first = run_srs(*args)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == ["forward-card.png", "guidance-card.png", "plain-card.png"]
    assert read_captions(out / "guidance-card.png") == ["0: prompt ignored", "1: no guidance", "2", "4",
                                                        "7.5: exaggerated"]
    assert read_captions(out / "forward-card.png")[0] == "clean"
    assert "evenly spaced in noise level" in read_note(out / "forward-card.png")
    with Image.open(out / "forward-card.png") as image:
        assert image.width > 6 * 128 and image.height > 128
    assert re.search(r"\d+ steps in [\d.]+ s \(\d+ ms/step\)", first.output)  # the time per step
    assert "→" in first.output and "guidance-card" in first.output

    cached = sorted(cache.iterdir())
    second = run_srs(*args)
    assert second.exit_code == 0
    assert "ms/step" not in second.output  # nothing was sampled again
    assert sorted(cache.iterdir()) == cached


@pytest.mark.slow
def test_same_seed_same_picture_other_seed_other_picture(run_srs, tmp_path):
    pytest.importorskip("torch")

    def picture(seed, name):
        out = tmp_path / name
        result = run_srs("demo", "plain-card", "--decks", COURSE, "--out", out, "--cache", tmp_path / f"c-{name}",
                         "--steps", "4", "--seed", seed, "--show", "seeds")
        assert result.exit_code == 0, result.output
        return (out / "plain-card.png").read_bytes()

    assert picture(5, "a") == picture(5, "b")
    assert picture(5, "a") != picture(6, "c")


@pytest.mark.slow
def test_a_cache_hit_serves_the_picture_without_importing_torch(run_srs, tmp_path):
    pytest.importorskip("torch")
    import json
    import os
    import subprocess
    import sys

    args = ["demo", "plain-card", "--decks", str(COURSE), "--out", str(tmp_path / "out"), "--cache",
            str(tmp_path / "cache"), "--steps", "3"]
    assert run_srs(*args).exit_code == 0  # renders, in this process
    code = ("import sys, json\nfrom srs.cli import cli\n"
            "try:\n    cli(sys.argv[1:], prog_name='srs')\nexcept SystemExit as e:\n    code = e.code\n"
            "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)")
    env = dict(os.environ, COLUMNS="100")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    status, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert status in (0, None), done.stderr
    assert "plain-card" in done.stdout and "ms/step" not in done.stdout + done.stderr
    assert not {"torch", "diffusers"} & {name.split(".")[0] for name in modules}


@pytest.mark.slow
def test_threads_sets_torchs_threads(run_srs, tmp_path):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        result = run_srs("demo", "plain-card", "--decks", COURSE, "--out", tmp_path / "out", "--cache",
                         tmp_path / "cache", "--steps", "2", "--threads", "2")
        assert result.exit_code == 0, result.output
        assert torch.get_num_threads() == 2
        result = run_srs("demo", "plain-card", "--decks", COURSE, "--out", tmp_path / "out", "--cache",
                         tmp_path / "cache2", "--steps", "2")
        assert torch.get_num_threads() == 1  # the bundled model's default
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_an_out_that_is_no_folder_is_one_line_and_draws_nothing(run_srs, tmp_path, where):
    pytest.importorskip("torch")
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" if where == "a-file" else tmp_path / "notes.txt" / "pictures"
    result = run_srs("demo", "forward-card", "--decks", COURSE, "--out", out, "--steps", "1",
                     "--cache", tmp_path / "cache")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"Error: cannot write the pictures to {out}: ")
    assert result.stderr.endswith("; choose another --out\n") and result.stderr.count("\n") == 1
    assert (tmp_path / "notes.txt").read_text() == "mine" and not (tmp_path / "cache").exists()
