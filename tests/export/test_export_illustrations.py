"""`srs export anki|pdf --illustrations`: each illustrated item's diffusion PNG rides along on its back."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from srs.cli import cli

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.slow

DECK = """\
title: Pictures
id: pictures
items:
  - id: circle
    q: What does the model draw for this prompt?
    a: A red circle.
    illustrate: {show: prompt, prompt: "a red circle on a white background", seed: 1}
  - id: plain
    q: Plain card?
    a: No picture.
"""


@pytest.fixture
def deck(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "pictures.yaml").write_text(DECK, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One illustration cache for the module: the picture is drawn once, then read back (seconds on a CPU)."""
    return tmp_path_factory.mktemp("cache")


def run(*args, cache):
    return CliRunner().invoke(cli, list(args), env={"XDG_CACHE_HOME": str(cache)})


def test_anki_ships_the_illustration_on_the_back(deck, tmp_path, cache):
    out = tmp_path / "pictures.apkg"
    result = run("export", "anki", "--decks", str(deck), "-o", str(out), "--illustrations",
                 "--illustration-steps", "1", cache=cache)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        media = json.loads(package.read("media"))
        assert len(media) == 1
        (member, name), = media.items()
        assert name.endswith(".png")
        assert package.read(member).startswith(b"\x89PNG\r\n\x1a\n")
        package.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    fields = {row[0].split("\x1f")[3]: row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes")}
    conn.close()
    assert fields["circle"][1].endswith(f'<div class="srs-illustration"><img src="{name}"></div>')
    assert "srs-illustration" not in fields["plain"][1]
    assert "srs-illustration" not in fields["circle"][0]


@pytest.mark.parametrize("layout", ["grid", "single"])
def test_pdf_draws_the_illustration_on_the_back(deck, tmp_path, cache, layout):
    with_flag, without = tmp_path / "with.pdf", tmp_path / "without.pdf"
    result = run("export", "pdf", "--decks", str(deck), "-o", str(with_flag), "--layout", layout,
                 "--illustrations", "--illustration-steps", "1", cache=cache)
    assert result.exit_code == 0, result.output
    result = run("export", "pdf", "--decks", str(deck), "-o", str(without), "--layout", layout, cache=cache)
    assert result.exit_code == 0, result.output

    pages = pypdf.PdfReader(with_flag).pages
    if layout == "grid":  # fronts, then backs
        assert len(pages) == 2
        assert not pages[0].images and len(pages[1].images) == 1
    else:  # one card a page, the answer (with its picture) under the question
        assert len(pages) == 2
        assert len(pages[0].images) == 1 and not pages[1].images
    assert all(not page.images for page in pypdf.PdfReader(without).pages)


@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_without_the_demo_extra_illustrations_fail_in_one_line_and_write_nothing(deck, tmp_path, kind):
    # A fresh interpreter where torch cannot be imported, as without the extra.
    out = tmp_path / f"never.{'apkg' if kind == 'anki' else 'pdf'}"
    code = (
        "import sys\nsys.modules['torch'] = None\nsys.modules['diffusers'] = None\n"
        "from srs.cli import cli\n"
        f"cli(['export', {kind!r}, '--decks', sys.argv[1], '-o', sys.argv[2], '--illustrations'], prog_name='srs')\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(deck), str(out)], capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    from srs.distribution import install_command

    assert lines == [f"Error: --illustrations needs torch and diffusers (torch is not installed): "
                     f"{install_command('demo')}"], done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [deck]
