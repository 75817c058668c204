"""`srs show ID`: one item's card info, as Anki shows it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from srs.cli import cli

DECK = """title: Diffusion::Basics
id: basics
items:
  - id: forward-process
    q: What happens in the *forward* direction?
    a: Noise is added step by step.
    tags: [forward]
  - id: two-gaps
    text: Generation starts from {{c1::pure noise}} and goes {{c2::step by step}}.
"""


@pytest.fixture
def env(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "basics.yaml").write_text(DECK)
    return {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks"), "COLUMNS": "120"}


def invoke(env, *args, now=None):
    return CliRunner().invoke(cli, list(args) + (["--now", now] if now else []), env=env)


def test_show_a_reviewed_flashcard(env):
    for now, rating in (("2026-01-05T09:00:00", "good"), ("2026-01-05T09:10:00", "good"),
                        ("2026-01-08T09:00:00", "again")):
        assert invoke(env, "answer", "forward-process", rating, now=now).exit_code == 0
    result = invoke(env, "show", "forward-process", now="2026-01-09T09:00:00")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for expected in ("forward-process", "Diffusion::Basics", "basics.yaml:4", "forward direction",
                     "Noise is added step by step", "State", "Stability", "Difficulty", "Retrievability",
                     "Due", "Review history", "Again", "Good", "forward"):
        assert expected in out, expected
    info = json.loads(invoke(env, "show", "forward-process", "--json", now="2026-01-09T09:00:00").stdout)
    assert info["state"] == "relearning" and info["reps"] == 3 and info["lapses"] == 1
    assert [h["rating"] for h in info["history"]] == [3, 3, 1]
    assert 0 < info["retrievability"] <= 1
    assert info["location"].endswith("basics.yaml:4")


def test_show_a_new_card(env):
    info = json.loads(invoke(env, "show", "forward-process", "--json").stdout)
    assert info["state"] == "new" and info["history"] == [] and info["stability"] is None
    assert "Not reviewed yet" in invoke(env, "show", "forward-process").stdout


def test_show_every_card_of_a_cloze_item(env):
    infos = json.loads(invoke(env, "show", "two-gaps", "--json").stdout)
    assert [i["id"] for i in infos] == ["two-gaps#c1", "two-gaps#c2"]
    assert "[...]" in infos[0]["front"] and "**pure noise**" in infos[0]["back"]
    one = json.loads(invoke(env, "show", "two-gaps#c2", "--json").stdout)
    assert one["id"] == "two-gaps#c2"


def test_an_unknown_id_names_the_nearest(env):
    result = invoke(env, "show", "forward-proces")
    assert result.exit_code == 1
    assert "did you mean 'forward-process'" in result.output
