"""`srs add`: the item lands at the end of the deck's items, the rest of the file stays byte for byte,
the loader checks it first, and the bundled course is never written."""

from __future__ import annotations

import json

import pytest
from learn_helpers import PRACTICE

COMMENTED = """\
# My deck: hand-written, with comments and odd formatting that must survive.
title:   Mine   # a title
options: {new_per_day: 5}
items:
  - q: "What is 2+2?"   # arithmetic
    a: '4'

  -   id: cl
      text: >-
        The {{c1::sky}}
        is blue.
# the end of the items
tags: [core]
"""


def test_add_keeps_every_other_byte_and_the_deck_reads_it(learner):
    path = learner.write("mine.yaml", COMMENTED)
    result = learner.cli("add", "mine", "--front", "Capital of Peru?", "--back", "Lima: it's \"the\" city",
                         "--tags", "geo, easy", "--id", "peru")
    assert (result.exit_code, result.stdout) == (0, f"Added peru to {path}.\n")
    inserted = (
        "  - id: peru\n"
        "    front: Capital of Peru?\n"
        "    back: \"Lima: it's \\\"the\\\" city\"\n"
        "    tags: [geo, easy]\n"
    )
    text = path.read_text()
    cut = COMMENTED.index("# the end of the items")
    assert text == COMMENTED[:cut] + inserted + COMMENTED[cut:]
    rows = json.loads(learner.cli("search", "--json", "id:peru").stdout)
    assert [r["front"] for r in rows] == ["Capital of Peru?"]
    assert learner.cli("check", str(path)).exit_code == 0


@pytest.mark.parametrize("text", [
    "title: T\nitems:\n- q: one\n  a: two\n",  # entries at column 0
    "title: T\nitems:\n    - q: one\n      a: two\n\n\n",  # deeper, with trailing blank lines
    "title: T\nitems:\n  - q: one\n    a: two",  # no newline at the end
])
def test_add_follows_the_files_own_indentation(learner, text):
    path = learner.write("t.yaml", text)
    assert learner.cli("add", "t", "--front", "three", "--back", "four").exit_code == 0
    new = path.read_text()
    assert new.startswith(text.rstrip("\n"))
    assert new.count("front: three") == 1
    assert learner.cli("check", str(path)).exit_code == 0
    found = json.loads(learner.cli("search", "--json", "kind:flashcard").stdout)
    assert {r["front"] for r in found} == {"one", "three"}


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_add_keeps_the_files_line_endings(learner, newline):
    text = "title: T\nitems:\n  - q: one\n    a: two\n".replace("\n", newline)
    path = learner.decks / "t.yaml"
    path.write_bytes(text.encode())
    assert learner.cli("add", "t", "--front", "three", "--back", "four").exit_code == 0
    assert path.read_bytes() == (text + "  - front: three\n    back: four\n".replace("\n", newline)).encode()


def test_add_writes_through_a_symlink_and_keeps_the_files_permissions(learner, tmp_path):
    real = tmp_path / "dotfiles" / "t.yaml"
    real.parent.mkdir()
    real.write_text("title: T\nitems:\n  - q: one\n    a: two\n")
    real.chmod(0o600)
    (learner.decks / "t.yaml").symlink_to(real)
    assert learner.cli("add", "t", "--front", "three", "--back", "four").exit_code == 0
    assert (learner.decks / "t.yaml").is_symlink()
    assert real.read_text().endswith("  - front: three\n    back: four\n")
    assert real.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in real.parent.iterdir()] == ["t.yaml"]  # no temporary file left beside it


def test_a_deck_named_by_its_files_name_points_to_its_id(learner):
    path = learner.write("intro.yaml", "id: course-intro\ntitle: Intro\nitems:\n  - q: one\n    a: two\n")
    result = learner.cli("add", "intro", "--front", "three", "--back", "four")
    assert (result.exit_code, result.stderr) == (1, f"Error: {path} holds the deck 'course-intro': give that id\n")
    assert path.read_text().count("q: one") == 1 and "three" not in path.read_text()


def test_prompts_for_what_the_flags_leave_out(practice):
    result = practice.cli("add", "practice", input="Why noise?\nTo learn to remove it.\n")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Front: Why noise?\nBack: To learn to remove it.\n"  # CliRunner echoes the input
    assert (practice.decks / "practice.yaml").read_text() == PRACTICE + (
        "  - front: Why noise?\n    back: To learn to remove it.\n"
    )


STAGES_LINE = PRACTICE.splitlines().index("  - id: stages") + 1


def test_a_failed_check_writes_nothing(practice):
    path = practice.decks / "practice.yaml"
    for args, message in [
        (("--kind", "cloze", "--front", "No deletion here."),
         "Error: the new item was not added: cloze: the text has no deletion; mark one as {{c1::answer}}\n"),
        (("--front", "Q", "--back", "A", "--id", "stages"),
         f"Error: the new item was not added: duplicate id 'stages' (first at line {STAGES_LINE})\n"),
        (("--front", "Q", "--back", "A", "--id", "Bad Id"),
         "Error: the new item was not added: flashcard: 'id' 'Bad Id' is not a valid id: use lower-case letters, "
         "digits, '-', '_' and '.'\n"),
    ]:
        result = practice.cli("add", "practice", *args)
        assert (result.exit_code, result.stderr) == (1, message)
        assert path.read_text() == PRACTICE
    assert sorted(p.name for p in practice.decks.iterdir()) == ["practice.yaml"]


def test_the_editor_writes_an_ordering_item(practice, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\ncat > \"$1\" <<'EOF'\nprompt: Order the steps.\nsteps:\n  a: One.\n  b: Two.\nanswer: [a, b]\nEOF\n"
    )
    editor.chmod(0o755)
    practice.cli("config", "set", "editor", str(editor))
    result = practice.cli("add", "practice", "--kind", "ordering")
    assert result.exit_code == 0, result.output
    assert (practice.decks / "practice.yaml").read_text().endswith(
        "  - prompt: Order the steps.\n    steps:\n      a: One.\n      b: Two.\n    answer:\n      - a\n      - b\n"
    )


def test_a_new_deck_is_offered_for_an_unknown_deck_id(practice):
    result = practice.cli("add", "spanish", "--front", "hola", "--back", "hello", input="y\n")
    assert result.exit_code == 0, result.output
    assert (practice.decks / "spanish.yaml").read_text() == (
        "title: Spanish\nitems:\n  - front: hola\n    back: hello\n"
    )


def test_without_a_deck_folder_of_ones_own_it_offers_one_and_never_touches_the_course(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from srs.cli import cli
    from srs.paths import bundled_course

    course = {p: p.read_bytes() for folder in bundled_course() for p in folder.rglob("*.yaml")}
    monkeypatch.delenv("SRS_DECKS", raising=False)
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(cli, ["add", "--front", "a", "--back", "b"], input="n\n")
    assert refused.exit_code == 1
    assert "You have no deck folder of your own. Start one at" in refused.stderr
    assert not (tmp_path / "decks").exists()
    result = CliRunner().invoke(cli, ["add", "--front", "a", "--back", "b"], input="y\nmy-words\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "decks" / "my-words.yaml").read_text() == "title: My words\nitems:\n  - front: a\n    back: b\n"
    assert {p: p.read_bytes() for folder in bundled_course() for p in folder.rglob("*.yaml")} == course


def test_a_new_deck_needs_a_deck_id(practice):
    result = practice.cli("add", "My Words", "--front", "a", "--back", "b")
    assert (result.exit_code, result.stderr) == (
        1, "Error: 'My Words' is not a deck id: use lower-case letters, digits, '-', '_' and '.'\n"
    )
