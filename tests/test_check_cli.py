"""`srs check` on broken decks: one exact `file:line:col: error: message` line per problem, exit 1, no traceback.

Each file in tests/fixtures/invalid/ holds exactly one problem and is named for it; a folder holds a problem
that spans its files. The table below is the specification of what authors see.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from srs.deck import load_file, yamltree
from srs.deck.yamltree import YamlProblem

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = FIXTURES / "invalid"

PARSER_SAYS = "the YAML parser says: "

EXPECTED = {
    # YAML itself
    # srs's own words, then the YAML parser's detail, whose wording is the parser's and so is not pinned here
    "bad-yaml-syntax.yaml": "bad-yaml-syntax.yaml:5:1: error: YAML syntax error in what starts at line 3; "
    + PARSER_SAYS,
    "tab-indent.yaml": "tab-indent.yaml:4:1: error: tab character: YAML indentation must use spaces, not tabs",
    "duplicate-key.yaml": "duplicate-key.yaml:5:5: error: duplicate key 'a' (first given at line 4)",
    "yaml-bomb.yaml": "yaml-bomb.yaml:6:45: error: YAML aliases expand to more than 100,000 values; "
    "refusing what looks like an alias bomb",
    "recursive-alias.yaml": "recursive-alias.yaml:4:8: error: YAML alias refers to itself (a recursive structure)",
    "nesting-too-deep.yaml": "nesting-too-deep.yaml:2:107: error: YAML nesting is deeper than 100 levels",
    "python-tag.yaml": "python-tag.yaml:3:8: error: unsupported YAML tag '!!python/object/apply:os.system': "
    "a deck holds only text, numbers, lists and mappings",
    "merge-key.yaml": "merge-key.yaml:4:5: error: YAML merge keys (<<) are not supported in decks",
    "two-documents.yaml": "two-documents.yaml:5:1: error: a deck file holds one YAML document, "
    "but `---` starts another here",
    # the bytes of the file
    "invalid-utf8.yaml": "invalid-utf8.yaml:1:11: error: invalid UTF-8 (byte 0xe9); save the file as UTF-8",
    "control-character.yaml": "control-character.yaml:1:25: error: control character U+0000 is not allowed "
    "in YAML text; remove it",
    "empty.yaml": "empty.yaml:1:1: error: empty file: a deck needs a `title` and `items`",
    # the deck's shape
    "top-level-list.yaml": "top-level-list.yaml:1:1: error: a deck file must be a mapping with `title` and "
    "`items`, not a list",
    "missing-title.yaml": "missing-title.yaml:1:1: error: missing required field 'title'",
    "no-items.yaml": "no-items.yaml:2:8: error: 'items' needs at least 1 entry",
    "unknown-deck-field-typo.yaml": "unknown-deck-field-typo.yaml:2:1: error: unknown field 'descripton' "
    "(did you mean 'description'?)",
    "desired-retention-out-of-range.yaml": "desired-retention-out-of-range.yaml:2:30: error: "
    "'options.desired_retention' must be between 0.7 and 0.99, not 1.5",
    "wrong-type-new-per-day.yaml": "wrong-type-new-per-day.yaml:2:24: error: 'options.new_per_day' must be "
    "a whole number, not 'many'",
    # items
    "missing-back.yaml": "missing-back.yaml:3:5: error: flashcard: missing required field 'back'",
    "wrong-type-list-as-text.yaml": "wrong-type-list-as-text.yaml:3:8: error: flashcard: 'q' must be text, "
    "not a list",
    "unknown-field-typo.yaml": "unknown-field-typo.yaml:3:5: error: flashcard: unknown field 'fornt' "
    "(did you mean 'front'?)",
    "q-and-front.yaml": "q-and-front.yaml:3:5: error: give either `q` or `front`, not both",
    "unknown-item-kind.yaml": "unknown-item-kind.yaml:3:11: error: unknown item kind 'flashcrd' "
    "(did you mean 'flashcard'?)",
    "kind-not-inferable.yaml": "kind-not-inferable.yaml:3:5: error: cannot tell the item's kind: add `kind:` "
    "(flashcard, selfcheck, ordering, choice, cloze) or give `q`/`a`",
    "bad-slug-id.yaml": "bad-slug-id.yaml:3:9: error: flashcard: 'id' 'Forward Process' is not a valid id: "
    "use lower-case letters, digits, '-', '_' and '.'",
    "duplicate-id.yaml": "duplicate-id.yaml:6:5: error: duplicate id 'noise' (first at line 3)",
    "duplicate-id-across-files": "duplicate-id-across-files/b.yaml:5:5: error: duplicate id 'noise' "
    "(also at duplicate-id-across-files/a.yaml:3:5)",
    "ordering-answer-unknown-label.yaml": "ordering-answer-unknown-label.yaml:8:23: error: ordering: the answer "
    "names step 'd', but the steps are a-c",
    "ordering-answer-repeated-label.yaml": "ordering-answer-repeated-label.yaml:8:20: error: ordering: the answer "
    "lists step 'b' twice",
    "ordering-answer-missing-label.yaml": "ordering-answer-missing-label.yaml:8:13: error: ordering: the answer "
    "leaves out step 'c'",
    "choice-no-correct-option.yaml": "choice-no-correct-option.yaml:5:14: error: choice: no option is marked "
    "correct",
    "choice-correct-names-missing-option.yaml": "choice-correct-names-missing-option.yaml:5:14: error: choice: "
    "correct names option 'c', but the options are a, b",
    "cloze-no-deletion.yaml": "cloze-no-deletion.yaml:3:11: error: cloze: the text has no deletion; mark one "
    "as {{c1::answer}}",
    "image-missing.yaml": "image-missing.yaml:5:12: error: image 'missing.png' not found next to the deck file",
    "image-outside-folder.yaml": "image-outside-folder.yaml:5:12: error: image '../valid/noise.png' is outside "
    "the deck's folder",
}


def test_every_invalid_fixture_has_its_expected_line():
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_reports_the_one_problem_exactly(name, run_srs, monkeypatch):
    monkeypatch.chdir(INVALID)
    result = run_srs("check", name)
    if EXPECTED[name].endswith(PARSER_SAYS):
        line, detail = result.stdout.split(PARSER_SAYS)
        assert (line + PARSER_SAYS, detail.count("\n")) == (EXPECTED[name], 1) and detail.strip()
    else:
        assert result.stdout == EXPECTED[name] + "\n"
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_check_summarises_on_stderr(run_srs, monkeypatch):
    monkeypatch.chdir(INVALID)
    result = run_srs("check", "duplicate-id-across-files")
    assert result.stderr == "2 files, 1 item: 1 error, 0 warnings\n"


def test_check_reports_every_problem_of_a_file(run_srs, monkeypatch):
    monkeypatch.chdir(FIXTURES / "several")
    result = run_srs("check", "three-problems.yaml")
    assert result.stdout.splitlines() == [
        "three-problems.yaml:4:5: error: flashcard: unknown field 'bakc' (did you mean 'back'?)",
        "three-problems.yaml:8:14: error: choice: correct names option 'd', but the options are a-c",
        "three-problems.yaml:10:11: error: cloze: the text has no deletion; mark one as {{c1::answer}}",
    ]
    assert result.stderr == "1 file, 0 items: 3 errors, 0 warnings\n"  # a file with errors loads no items
    assert result.exit_code == 1


def test_check_json_gives_counts_and_every_diagnostic(run_srs, monkeypatch):
    monkeypatch.chdir(FIXTURES / "several")
    result = run_srs("check", "--json", "three-problems.yaml")
    assert json.loads(result.stdout) == {
        "files": 1,
        "items": 0,
        "errors": 3,
        "warnings": 0,
        "diagnostics": [
            {"path": "three-problems.yaml", "line": 4, "col": 5, "severity": "error",
             "message": "flashcard: unknown field 'bakc' (did you mean 'back'?)"},
            {"path": "three-problems.yaml", "line": 8, "col": 14, "severity": "error",
             "message": "choice: correct names option 'd', but the options are a-c"},
            {"path": "three-problems.yaml", "line": 10, "col": 11, "severity": "error",
             "message": "cloze: the text has no deletion; mark one as {{c1::answer}}"},
        ],
    }
    assert result.stderr == ""
    assert result.exit_code == 1


def test_check_passes_the_bundled_course(run_srs, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent.parent)
    result = run_srs("check", "decks", "quizzes")
    assert [line for line in result.stdout.splitlines() if ": error: " in line] == []
    assert " items: 0 errors, " in result.stderr
    assert result.exit_code == 0


def test_check_passes_a_valid_deck_with_exit_0(run_srs, monkeypatch):
    monkeypatch.chdir(FIXTURES / "valid")
    result = run_srs("check", ".")
    assert result.stdout == ""
    assert result.stderr == "1 file, 6 items: 0 errors, 0 warnings\n"
    assert result.exit_code == 0


def test_check_on_a_path_that_does_not_exist_says_so(run_srs, tmp_path):
    result = run_srs("check", tmp_path / "nope.yaml")
    assert result.stderr == f"Error: no such file or folder: {tmp_path / 'nope.yaml'}\n"
    assert result.exit_code == 1


def test_an_alias_bomb_is_refused_before_anything_large_is_built():
    data = (INVALID / "yaml-bomb.yaml").read_bytes()  # ten levels of ten: 10,000,000,000 values
    start = time.perf_counter()
    result = load_file("yaml-bomb.yaml", data=data)
    elapsed = time.perf_counter() - start
    assert [d.message for d in result.diagnostics] == [
        "YAML aliases expand to more than 100,000 values; refusing what looks like an alias bomb"
    ]
    # Refused before anything large is built: quicker than reading the 100,000 values it is allowed.
    allowed = "title: Big\nitems: [" + ", ".join(["1"] * 100_000) + "]\n"
    start = time.perf_counter()
    load_file("allowed.yaml", data=allowed.encode())
    assert elapsed < time.perf_counter() - start


@pytest.mark.parametrize("stream", ["libyaml", "python"])
@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_srs_depth_limit_holds_whatever_the_yaml_parser_refuses_itself(stream, opening):
    # libyaml 0.2.6+ (PyYAML 6.0.4) refuses 1,000 levels itself, scanning ahead of the events; PyYAML 6.0.3's
    # libyaml and the pure-Python parser hand srs every event. Either way srs reports its own limit, where the
    # 101st level begins.
    loader = {"libyaml": yaml.CSafeLoader, "python": yaml.SafeLoader}[stream]
    for depth in (101, 1_500, 20_000):
        text = "title: Deep\nitems: " + opening * depth + "1" + ("]" if opening == "[" else "}") * depth + "\n"
        with pytest.raises(YamlProblem) as problem:
            yamltree.parse(text, loader)
        assert (str(problem.value), problem.value.line, problem.value.col) == (
            "YAML nesting is deeper than 100 levels", 2, 8 + 99 * len(opening)
        )


def test_deep_nesting_is_refused_without_crashing_the_process():
    # PyYAML's C composer recurses once per level and overflows the C stack at a few tens of thousands.
    data = b"title: Deep\nitems: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    result = load_file("deep.yaml", data=data)
    assert [str(d) for d in result.diagnostics] == [
        "deep.yaml:2:107: error: YAML nesting is deeper than 100 levels"
    ]
