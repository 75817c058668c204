"""The README cannot drift from the program: its test command is CI's, and every command is documented."""

import re
from pathlib import Path

import pytest

from srs.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("pip install . && srs review")
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_from_the_lock():
    ci = (ROOT / ".ci" / "run").read_text()
    install_and_test = quick_start_commands()[1].split(". .venv/bin/activate && ", 1)[1]
    assert install_and_test.startswith("pip install -r requirements/lock.txt && pip install --no-deps -e .")
    assert "\n" + install_and_test + "\n" in ci


def test_the_lock_pins_every_dependency_of_every_extra():
    import tomllib
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    pinned = {}
    for line in lock.splitlines():
        if line and not line.startswith((" ", "#")) and "==" in line:
            name, version = line.split("==", 1)
            pinned[name.strip().lower().replace("_", "-").replace(".", "-")] = version.split()[0]
    own = project["name"]
    assert own not in pinned and "@ file:" not in lock, "the lock must not pin this project itself (a local path)"
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    for requirement in wanted:
        name = requirement.name.lower().replace("_", "-").replace(".", "-")
        if name == own:
            continue
        assert name in pinned, f"{name} is not in requirements/lock.txt: refresh the lock (README, Development)"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (name, pinned[name])


def test_every_command_is_in_the_readme():
    ctx = cli.make_context("srs", ["--help"], resilient_parsing=True)
    for name in cli.list_commands(ctx):
        if cli.get_command(ctx, name) is None:
            continue  # an optional part that is not installed
        assert f"srs {name}" in README, f"`srs {name}` is not documented in the README"


@pytest.mark.parametrize("name", ["cli", "json"])
def test_each_reference_is_generated_from_the_program(name):
    # docs/cli.md from every command's --help; docs/json.md from the TypedDicts in srs/jsontypes.py
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"generate_{name}", ROOT / "docs" / f"generate_{name}.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    written = (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8")
    assert written == generator.reference(), f"docs/{name}.md is stale: run python docs/generate_{name}.py"
