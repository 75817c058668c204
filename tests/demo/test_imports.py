"""`srs.demo` and its command must not import torch or diffusers: every other srs command would pay
seconds of start-up for them, and without the `demo` extra they must still load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIGHT_MODULES = ["srs.demo", "srs.commands.demo", "srs.demo.cards", "srs.demo.vocab", "srs.demo.render",
                 "srs.demo.measure", "srs.demo.models", "srs.demo.pipeline_folder", "srs.demo.evaluate"]


def run_python(code: str, *flags: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="100")
    env.pop("SRS_DECKS", None)
    return subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, cwd=REPO, env=env)


def test_importing_the_demo_package_and_command_loads_no_torch():
    code = "import sys, json\n" + "".join(f"import {m}\n" for m in LIGHT_MODULES)
    code += "print(json.dumps(sorted(sys.modules)))"
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert "torch" not in loaded and "diffusers" not in loaded


def test_importtime_shows_no_torch_under_the_command_module():
    # The same, as -X importtime reports it: the list of every module the import touched.
    done = run_python("import srs.commands.demo", "-X", "importtime")
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "srs" in imported
    assert not {"torch", "diffusers"} & imported


def test_demo_help_loads_no_torch():
    code = (
        "import sys, json\nfrom srs.commands.demo import demo\n"
        "try:\n    demo(['--help'], prog_name='srs demo')\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    done = run_python(code)
    assert "train" in done.stdout
    loaded = {name.split(".")[0] for name in json.loads(done.stderr.strip().splitlines()[-1])}
    assert "torch" not in loaded


def test_without_the_demo_extra_srs_demo_says_how_to_install_it_in_one_line():
    # sys.modules[name] = None makes `import name` fail as if the package were not installed.
    code = (
        "import sys\nsys.modules['torch'] = None\nsys.modules['diffusers'] = None\n"
        "from srs.cli import cli\n"
        f"cli(['demo', '{REPO / 'tests/demo/course.yaml'}', '--out', sys.argv[1]], prog_name='srs')\n"
    )
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-c", code, str(REPO / "out-never-written")], capture_output=True,
                          text=True, cwd=REPO, env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [f"Error: srs demo needs torch and diffusers: pip install -e '{REPO}[demo]'"]
    assert "Traceback" not in done.stderr


def test_install_hints_name_what_installs_this_project():
    import tomllib

    from srs.distribution import DISTRIBUTION, install_command

    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"] == DISTRIBUTION == "srs-terminal"
    assert install_command("demo") == f"pip install -e '{REPO}[demo]'"  # this test runs from a checkout
