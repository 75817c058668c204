"""Shell completion, run for real: the script `srs completion bash` prints, sourced in bash, with
COMP_WORDS and COMP_CWORD set as bash sets them on Tab."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@pytest.fixture
def complete(practice, tmp_path):
    """complete("srs", "card", "suspend", "st") -> what bash offers for the last word."""
    practice.sync()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "srs").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m srs "$@"\n')
    (bin_dir / "srs").chmod(0o755)
    script = practice.cli("completion", "bash").stdout
    (tmp_path / "srs.bash").write_text(script)

    def run(*words: str) -> list[str]:
        env = practice.env()
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        quoted = " ".join(f"'{w}'" for w in words)
        program = (f"source {tmp_path / 'srs.bash'}\n"
                   f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
                   "_srs_completion srs\n"
                   'printf "%s\\n" "${COMPREPLY[@]}"\n')
        result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if line]

    return run


def test_commands(complete):
    assert complete("srs", "con") == ["config"]
    assert {"card", "completion", "config"} <= set(complete("srs", "c"))


def test_subcommands_and_options(complete):
    assert complete("srs", "card", "unb") == ["unbury"]
    assert complete("srs", "search", "--js") == ["--json"]


def test_card_ids_from_the_store(complete):
    assert complete("srs", "card", "suspend", "st") == ["stages"]
    assert complete("srs", "card", "forget", "gen") == ["generation#c1", "generation#c2"]
    assert complete("srs", "show", "noise") == ["noise-choice"]


def test_deck_ids_from_the_store(complete):
    assert complete("srs", "review", "pra") == ["practice"]


def test_settings_keys(complete):
    assert complete("srs", "config", "set", "leech_") == ["leech_threshold", "leech_action"]
    assert "deck.practice.new_per_day" in complete("srs", "config", "get", "deck.")
    assert complete("srs", "-c", "day_") == ["day_starts_at="]
    assert complete("srs", "config", "set", "new_order", "") == ["interleaved", "deck", "random"]
    assert complete("srs", "config", "set", "leech_action", "t") == ["tag"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_ask_srs_for_the_same_completions(practice, shell):
    """zsh and fish are not installed here: check the script is printed, then ask srs as their scripts do."""
    practice.sync()
    script = practice.cli("completion", shell)
    assert script.exit_code == 0 and f"_SRS_COMPLETE={shell}_complete" in script.stdout.replace("'", "")
    # zsh passes the index of the word under the cursor, fish the word itself
    env = {**practice.env(), "_SRS_COMPLETE": f"{shell}_complete", "COMP_WORDS": "srs card suspend gen",
           "COMP_CWORD": "3" if shell == "zsh" else "gen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "srs"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0
    assert "generation#c1" in result.stdout and "generation#c2" in result.stdout and "stages" not in result.stdout
