"""Text is inert: escape sequences and control characters in deck text, file names and error messages never
reach the terminal. Tabs and newlines stay."""

from __future__ import annotations

import io
import re

import pytest

from srs.inert import inert
from srs.ui.console import inert_console

# Each is what a terminal obeys: OSC 52 writes the clipboard, OSC 0 the window title, CSI 2J clears the
# screen, 0x9b is CSI as one C1 byte, DCS, BEL, a carriage return that overwrites the line, and a bare ESC.
HOSTILE = [
    "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b]0;pwned\x1b\\", "\x1b[2J", "\x9b2J", "\x1bP+q\x1b\\", "\x07", "\rfake",
    "\x1bc", "\x90dcs\x9c", "\x9d0;title\x07", "\x1b[31m",
]
YAML_ESCAPES = "".join(s.encode("unicode_escape").decode().replace("\\x1b", "\\e") for s in HOSTILE)
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def deck() -> str:
    h = YAML_ESCAPES
    return (
        f'id: hostile\ntitle: "Title{h}"\nitems:\n'
        f'  - id: one\n    q: "Front{h}"\n    a: "Back{h}"\n'
        f'  - id: two\n    question: "Pick{h}"\n    options: ["Yes{h}", "No{h}"]\n    correct: a\n'
        f'    explanation: "Why{h}"\n'
        f'  - id: three\n    prompt: "Order{h}"\n    steps:\n      a: "First{h}"\n      b: "Second{h}"\n'
        f'    answer: [a, b]\n'
        f'  - id: four\n    text: "Cloze {{{{c1::gap{h}}}}} end"\n'
        f'  - id: five\n    question: "Self{h}"\n    answer: "Check{h}"\n'
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_each_sequence_is_removed_whole(text):
    assert inert(f"before{text}after") in ("beforeafter", "beforefakeafter")


def test_tabs_newlines_and_unicode_stay():
    assert inert("a\tb\nc é 中 🙂") == "a\tb\nc é 🙂".replace("é 🙂", "é 中 🙂")


@pytest.fixture
def home(tmp_path, monkeypatch):
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "hostile.yaml").write_text(deck(), encoding="utf-8")
    return tmp_path


def env(home):
    return {"SRS_DB": str(home / "srs.db"), "SRS_DECKS": str(home / "decks"), "SRS_NOW": "2026-11-23T10:00:00Z",
            "COLUMNS": "100"}


def assert_inert(output: str) -> None:
    found = FORBIDDEN.findall(output)
    assert not found, f"control characters reached the terminal: {found!r}"


def test_the_deck_loads_with_its_hostile_text(home):
    from srs.deck.loader import load_file

    result = load_file(home / "decks" / "hostile.yaml")
    assert result.ok, [str(d) for d in result.diagnostics]
    assert "\x1b]52;" in result.deck.items[0].body.front  # stored as written; only the terminal is spared


def test_a_review_of_hostile_cards_prints_no_escape_or_c1_byte(run_srs, home):
    # Reveal and rate each card: flashcard, choice, ordering, cloze, selfcheck; then the summary.
    result = run_srs("review", input="\n3\na\n\na b\n\n\n3\n\n3\nq\n", env=env(home))
    assert result.exit_code == 0, result.output
    assert "Front" in result.stdout and "Pick" in result.stdout and "Order" in result.stdout
    assert_inert(result.stdout + result.stderr)


@pytest.mark.parametrize("args", [
    ["list"], ["due"], ["due", "--json"], ["show", "one"], ["show", "one", "--json"], ["stats"], ["check"],
    ["flagged"], ["quiz", "hostile"],
])
def test_other_commands_print_no_escape_or_c1_byte(run_srs, home, args):
    result = run_srs(*args, input="q\n", env=env(home))
    assert result.exit_code in (0, 1), result.output
    assert_inert(result.stdout + result.stderr)


def test_file_names_and_error_messages_are_inert(run_srs, home):
    bad = home / "decks" / "bad\x1b]0;title\x07\x9b2J.yaml"
    bad.write_text("title: Broken\nitems:\n  - q: only a question\n", encoding="utf-8")
    for args in (["check"], ["due"], ["answer", "no\x1b[2Jsuch", "good"]):
        result = run_srs(*args, env=env(home))
        assert "decks/bad.yaml" in result.output or args[0] == "answer"  # the sequences go whole
        assert_inert(result.stdout + result.stderr)


def test_a_colour_terminal_gets_rich_styles_but_nothing_from_the_deck():
    from rich.text import Text

    out = io.StringIO()
    console = inert_console(file=out, force_terminal=True, color_system="standard", width=80)
    console.print(Text("Front" + "".join(HOSTILE), style="bold red"))
    text = out.getvalue()
    assert "\x1b[1;31m" in text  # rich's own style still works
    leftover = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert_inert(leftover.replace("\n", ""))
    assert "Frontfake" in leftover


def test_a_workspace_with_hostile_history_prints_nothing_a_terminal_obeys(run_srs, home):
    # One history, then every command that shows deck text, imported text, file names or sync lines.
    e = env(home)
    hostile = "".join(HOSTILE)
    (home / "log.csv").write_text(
        "card_id,review_rating,review_time,review_duration\n"
        f"one,3,1763800000000,4000\nno{hostile}such,3,1763800000000,4000\n", encoding="utf-8")
    steps = [
        ["answer", "one", "good"], ["answer", "two", "again", "--response", f"b{hostile}"],
        ["import", "revlog", home / "log.csv", "--skip-bad"],
        ["card", "flag", "three", "--note", f"typo{hostile}"], ["card", "log", "three"], ["flagged"],
        ["list"], ["show", "one"], ["show", "two"], ["search", "Front"], ["search", f"x{hostile}"], ["stats"],
        ["check"], ["sync", "--status"], ["due"],
    ]
    for args in steps:
        result = run_srs(*args, env=e)
        assert result.exit_code in (0, 1), (args, result.output)
        assert_inert(result.stdout + result.stderr)
    assert "Front" in run_srs("show", "one", env=e).stdout


def test_a_sync_line_about_a_hostile_file_is_inert(run_srs, home):
    e = env(home)
    assert run_srs("list", env=e).exit_code == 0
    moved = home / "decks" / "moved\x1b]0;title\x07\x9b2J.yaml"
    (home / "decks" / "hostile.yaml").rename(moved)
    broken = home / "decks" / "broken\x1b]0;title\x07\x9b2J.yaml"
    broken.write_text("title: Broken\nitems:\n  - q: only\n", encoding="utf-8")
    result = run_srs("due", env=e)
    assert "skipped 1 file with errors" in result.stderr and "decks/broken.yaml:3:5: error:" in result.stderr
    assert_inert(result.stdout + result.stderr)


def test_echo_makes_a_line_inert_once_as_it_is_written(capsys):
    from srs.ui.console import echo

    echo("Front" + "".join(HOSTILE) + "\tend")
    echo("err" + "\x1b[2J", err=True)
    out, err = capsys.readouterr()
    assert (out, err) == ("Frontfake\tend\n", "err\n")


def test_rich_markup_in_deck_text_is_shown_as_written_never_obeyed(run_srs, tmp_path, monkeypatch):
    """`[/]` crashed the review (rich's MarkupError) and `[link=...]` became a terminal hyperlink (OSC 8) when
    the deck's title reached rich as markup; every deck text is shown as written."""
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW"):
        monkeypatch.delenv(name, raising=False)
    markup = "[/] [link=https://evil.example]click[/link] [bold]:skull:"
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "m.yaml").write_text(
        f'id: m\ntitle: "{markup}"\nitems:\n  - id: one\n    q: "{markup}"\n    a: "{markup}"\n', encoding="utf-8")
    result = run_srs("review", input="\n3\nq\n", env=env(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"╭─ {markup} · flashcard " in result.stdout  # the title, as written
    assert result.stdout.count(markup) >= 3  # and the front and the back
