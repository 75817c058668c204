"""Whatever bytes a deck file holds, the loader answers with clean diagnostics: no exception, no hang.

Random bytes, random text, random YAML-shaped values, and a valid deck mangled by random edits (the
characters YAML cares about: tabs, colons, dashes, quotes, anchors and aliases, brackets) all go through
`srs.deck.load_file(path, data=...)`, which must return a FileResult whose diagnostics point inside the file.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs.deck import Diagnostic, FileResult, load_file

VALID = Path(__file__).parent / "fixtures" / "valid" / "every-kind.yaml"
VALID_TEXT = VALID.read_text(encoding="utf-8")

# SRS_FUZZ_EXAMPLES=20000 (with pytest --timeout 0) for a long hunt; 300 keeps the suite quick.
FUZZ = settings(
    max_examples=int(os.environ.get("SRS_FUZZ_EXAMPLES", "300")),
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
)

TOKENS = [
    "\t", ":", ": ", "-", "- ", "--- ", '"', "'", "&a ", "*a", "&b ", "*b ", "\n", "\n  ", " ", "  ", "#", "{", "}",
    "[", "]", ",", "?", "|", ">", "!!", "!!python/object:os.system ", "!!int ", "!!binary ", "<<: ", "%YAML 1.2\n",
    "~", "null", "yes", "1e9", "0x1F", "2024-13-45", "\x00", "\x07", "\ufeff", "é", "확산", "🎨", "{{c1::", "}}",
    "kind: ", "id: ", "q: ", "a: ", "options: ", "steps: ", "answer: ", "correct: ", "text: ", "image: ",
    "illustrate: ", "tags: ", "../", "/etc/passwd",
]


def check(result: FileResult, data: bytes, path: str) -> None:
    assert isinstance(result, FileResult)
    assert result.path == path
    lines = len(data.decode("utf-8", "replace").splitlines()) + 2  # YAML also breaks lines at \r
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.severity in ("error", "warning")
        assert isinstance(d.message, str) and d.message and "Traceback" not in d.message
        assert 1 <= d.line <= lines and d.col >= 1, str(d)
    assert (result.deck is None) == (not result.ok)


def load(data: bytes, path: str = str(VALID)) -> FileResult:
    result = load_file(path, data=data)
    check(result, data, path)
    return result


@st.composite
def mutated_deck(draw) -> bytes:
    text = VALID_TEXT
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at + 1:]
    return text.encode("utf-8")


KEYS = st.sampled_from([
    "title", "id", "kind", "description", "tags", "options", "items", "q", "a", "front", "back", "question",
    "answer", "prompt", "steps", "correct", "explanation", "text", "extra", "image", "illustrate", "typed",
    "new_per_day", "desired_retention", "show", "seed", "fornt", "a", "b", "c",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["flashcard", "choice", "ordering", "cloze", "selfcheck", "deck", "quiz", "a", "b d c",
                     "{{c1::x}}", "noise.png", "../x.png", "reverse", "Forward Process"]),
)
YAML_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=30,
)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_give_diagnostics_not_exceptions(data):
    load(data)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text_gives_diagnostics_not_exceptions(text):
    load(text.encode("utf-8"))


@FUZZ
@given(mutated_deck())
def test_a_mangled_valid_deck_gives_diagnostics_not_exceptions(data):
    load(data)


@pytest.mark.slow  # about 8 s on a loaded machine at the default 300 examples
@FUZZ
@given(st.dictionaries(KEYS, YAML_VALUES, max_size=8), st.lists(YAML_VALUES, max_size=6))
def test_random_yaml_values_give_diagnostics_not_exceptions(header, items):
    data = yaml.safe_dump({**header, "title": header.get("title", "T"), "items": items}, allow_unicode=True)
    load(data.encode("utf-8"))


@pytest.mark.slow  # about 8 s on a loaded machine at the default 300 examples
@FUZZ
@given(st.lists(st.dictionaries(KEYS, YAML_VALUES, max_size=6), min_size=1, max_size=6))
def test_random_items_with_anchors_and_aliases_give_diagnostics_not_exceptions(items):
    # safe_dump writes &id001 / *id001 for values that appear twice: share some on purpose.
    shared = items[0]
    data = yaml.safe_dump({"title": "T", "items": items + [shared, {"q": shared, "a": [shared]}]})
    load(data.encode("utf-8"))


def test_the_unmangled_deck_loads_cleanly():
    assert load(VALID_TEXT.encode("utf-8")).diagnostics == []
