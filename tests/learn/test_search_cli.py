"""`srs search` through the command line: the table, --json, a bad query, and the index following sync."""

from __future__ import annotations

import json

import pytest
from learn_helpers import PRACTICE


def test_search_prints_a_table_of_matching_cards(practice):
    result = practice.cli("search", "noise")
    assert result.exit_code == 0
    assert result.stdout == (
        "id             deck      front                                              state  due  R\n"
        "stages         practice  Put the stages in order.                           new\n"  # "Noise real images."
        "noise-choice   practice  Which method starts from noise?                    new\n"
        "generation#c1  practice  Generation starts from [...] and removes it step…  new\n"
        "generation#c2  practice  Generation starts from pure noise and removes it…  new\n"
    )
    assert result.stderr == "Added 5 new items.\n4 cards\n"


def test_search_json_has_state_due_and_retrievability(practice):
    practice.cli("answer", "stages", "easy")
    rows = json.loads(practice.cli("search", "--json", "--", "-is:new").stdout)
    assert rows == [{
        "id": "stages", "deck": "practice", "front": "Put the stages in order.", "state": "review",
        "due": rows[0]["due"], "r": 1.0, "suspended": False, "buried": False, "flagged": None, "leech": False,
    }]
    assert rows[0]["due"] > "2026-11-24"


@pytest.mark.parametrize(
    "query, message",
    [
        ("deck:practice (noise", "column 15: this '(' is never closed"),
        ("prop:ivl>ten", "column 10: 'ten' is not a whole number"),
        ("is:old", "column 4: 'is:old' is not one of is:new, is:due, is:learn, is:review, is:suspended, "
                   "is:buried, is:leech, is:flagged"),
        ('"noise', "column 1: this quote is never closed"),
        ("noise or", "column 7: 'or' must have a term on each side"),
        ("colour:red", "column 1: unknown filter 'colour:' (filters: deck, tag, kind, id, is, prop, rated); "
                       "quote text that has a colon"),
    ],
)
def test_a_bad_query_says_where_in_one_line(practice, query, message):
    result = practice.cli("search", query)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == f"Error: search: {message}"


def test_the_search_index_follows_the_deck_file(practice):
    assert [r["id"] for r in json.loads(practice.cli("search", "--json", "capital").stdout)] != []
    practice.write("practice.yaml", PRACTICE.replace("capital of France", "capital of Peru"))
    assert json.loads(practice.cli("search", "--json", "france").stdout) == []
    assert len(json.loads(practice.cli("search", "--json", "peru").stdout)) == 1
    practice.write("practice.yaml", PRACTICE.replace("  - id: noise-choice", "  - id: noise-choice-x"))
    ids = [r["id"] for r in json.loads(practice.cli("search", "--json", "kind:choice").stdout)]
    assert ids == ["noise-choice-x"]  # the retired item is not found
