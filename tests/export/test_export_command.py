"""`srs export anki|pdf` on the command line: summaries, JSON, one-line errors, and a fast `srs --help`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from export_helpers import numbered_deck

from srs.cli import cli


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {})


def test_anki_prints_a_one_line_summary(deck_folder, tmp_path):
    out = tmp_path / "course.apkg"
    result = run("export", "anki", "--decks", str(deck_folder), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == result.output.strip().splitlines()[0]
    assert result.output.startswith(f"Wrote {out}: 2 decks, 11 notes, 12 cards, 1 image in ")
    assert out.is_file()


def test_pdf_json_summary(deck_folder, tmp_path):
    out = tmp_path / "cards.pdf"
    result = run("export", "pdf", "basics", "--decks", str(deck_folder), "-o", str(out), "--layout", "foldover",
                 "--paper", "letter", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["cards"] == 7 and summary["pages"] == 2 and summary["layout"] == "foldover"
    assert summary["paper"] == "letter" and summary["cut_short"] == []


def test_deck_arguments_may_be_paths(tmp_path):
    path = numbered_deck(tmp_path / "elsewhere", 3)
    out = tmp_path / "n.pdf"
    result = run("export", "pdf", str(path), "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cards"] == 3


def test_decks_come_from_srs_decks_by_default(deck_folder, tmp_path):
    out = tmp_path / "all.apkg"
    result = run("export", "anki", "-o", str(out), "--json", env={"SRS_DECKS": str(deck_folder)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["decks"] == 2


def test_an_unknown_deck_names_the_nearest(deck_folder, tmp_path):
    result = run("export", "anki", "basic", "--decks", str(deck_folder), "-o", str(tmp_path / "x.apkg"))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: unknown deck 'basic'; did you mean 'basics'?"
    assert not (tmp_path / "x.apkg").exists()


@pytest.mark.parametrize("command", ["anki", "pdf"])
def test_an_unwritable_output_is_one_clear_line(deck_folder, tmp_path, command):
    missing = tmp_path / "no-such-folder" / "out.file"
    result = run("export", command, "--decks", str(deck_folder), "-o", str(missing))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: cannot write {missing}: folder {missing.parent} does not exist"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run("export", command, "--decks", str(deck_folder), "-o", str(folder))
    assert result.exit_code != 0


def test_a_missing_image_is_one_line_and_no_file(deck_folder, tmp_path):
    (deck_folder / "media" / "red.png").unlink()
    out = tmp_path / "out.pdf"
    result = run("export", "pdf", "--decks", str(deck_folder), "-o", str(out))
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "image 'media/red.png' not found" in line
    assert not out.exists()


def test_a_deck_with_errors_is_not_exported_in_part(deck_folder, tmp_path):
    (deck_folder / "broken.yaml").write_text("title: Broken\nitems:\n  - q: only a question\n", encoding="utf-8")
    result = run("export", "anki", "--decks", str(deck_folder), "-o", str(tmp_path / "x.apkg"))
    assert result.exit_code == 1
    assert "broken.yaml" in result.output and "srs check" in result.output
    named = run("export", "anki", "basics", "--decks", str(deck_folder), "-o", str(tmp_path / "x.apkg"))
    assert named.exit_code == 0, named.output  # naming the good deck leaves the broken file out


def test_with_history_needs_a_database(deck_folder, tmp_path):
    result = run("export", "anki", "--decks", str(deck_folder), "-o", str(tmp_path / "x.apkg"), "--with-history",
                 "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1
    assert "no srs history" in result.output


def test_the_export_group_imports_nothing_heavy():
    code = (
        "import sys, srs.cli, srs.commands.export as c; "
        "print(sorted(m for m in ('genanki', 'fpdf', 'rich', 'markdown_it', 'pydantic', 'anki', 'PIL') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_lists_both_commands():
    result = run("export", "--help")
    assert result.exit_code == 0
    assert "anki" in result.output and "pdf" in result.output
    assert "--back-offset" in run("export", "pdf", "--help").output


def test_a_progress_bar_is_drawn_only_on_a_terminal(deck_folder, tmp_path, monkeypatch):
    import io

    from srs.export.anki import export_anki
    from srs.progress import Progress
    from srs.ui import progress as progress_module
    from srs.ui.progress import terminal_progress

    with terminal_progress(10_000) as silent:
        assert type(silent) is Progress  # pytest's stderr is not a terminal
    monkeypatch.setattr(progress_module, "EXPORT_BAR_FROM", 1)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    from export_helpers import load

    with terminal_progress(11) as bar:
        assert type(bar) is not Progress
        result = export_anki(load(deck_folder), tmp_path / "x.apkg", progress=bar)
    assert result.notes == 11


def test_decks_sharing_a_title_get_distinct_anki_names():
    from types import SimpleNamespace

    from srs.export.anki import anki_deck_names

    decks = [SimpleNamespace(id="a", title="Course"), SimpleNamespace(id="b", title="course")]
    assert anki_deck_names(decks) == {"a": "Course", "b": "course (b)"}
