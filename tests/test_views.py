"""Views are rich renderables built from plain data: rendered here to a recording console, exactly."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from srs.stats import SessionSummary
from srs.ui.card_info import CardInfoView
from srs.ui.summary import quiz_score_view, summary_view


def rendered(renderable, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def info(**changes) -> dict:
    base = {
        "id": "intro.noise", "item": "intro.noise", "kind": "flashcard", "deck": "intro", "deck_title": "Intro",
        "location": "decks/intro.yaml:4", "front": "What is *noise*?", "back": "Random [bold]values[/].",
        "choices": {}, "tags": ["[red]tag"], "state": "review", "stability": 3.25, "difficulty": 5.5,
        "retrievability": 0.912, "desired_retention": 0.9, "parameters": "default",
        "due": "2026-11-25T10:00:00+00:00", "due_in_s": 2 * 86400, "last_review": "2026-11-20T10:00:00+00:00",
        "reps": 2, "lapses": 0, "suspended": False, "buried": False, "leech": False, "flagged": None,
        "retired": False, "total_time_ms": 9000, "average_time_ms": 4500.0,
        "history": [  # oldest first, as the log holds it
            {"reviewed_at": "2026-11-19T10:00:00+00:00", "type": "learn", "rating": 1, "rating_name": "Again",
             "interval_s": 60, "stability": 0.4, "difficulty": 6.0, "retrievability": None,
             "duration_ms": 4000, "response": None, "source": "import"},
            {"reviewed_at": "2026-11-20T10:00:00+00:00", "type": "review", "rating": 3, "rating_name": "Good",
             "interval_s": 5 * 86400, "stability": 3.25, "difficulty": 5.5, "retrievability": 0.95,
             "duration_ms": 5000, "response": None, "source": "review"},
        ],
    }
    return {**base, **changes}


def test_card_info_lays_out_text_facts_and_history_newest_first(time_zone):
    with time_zone("UTC"):
        lines = rendered(CardInfoView([info()]))
    assert lines[0] == "intro.noise  flashcard in Intro (intro), decks/intro.yaml:4"
    assert "│ What is noise?" in lines[2]  # markdown, rendered
    assert "│ Random [bold]values[/]." in lines[5]  # deck text is never rich markup
    assert lines[7:16] == [
        "State           review",
        "Due             2026-11-25 10:00 (in 2d)",
        "Stability       3.25 days",
        "Difficulty      5.50 (1-10)",
        "Retrievability  91.2% now (desired 90%, default parameters)",
        "Reviews         2 (0 lapses)",
        "Last review     2026-11-20 10:00",
        "Time            9 s in all, 4.5 s on average",
        "Tags            [red]tag",
    ]
    history = [line for line in lines if line.startswith(" 2026-")]
    assert history[0].split() == ["2026-11-20", "10:00", "review", "Good", "5d", "95%", "3.25", "5.50", "5.0s"]
    assert history[1].split() == ["2026-11-19", "10:00*", "learn", "Again", "1m", "0.40", "6.00", "4.0s"]


def test_card_info_of_a_new_card_says_it_was_not_reviewed_and_rules_between_cards(time_zone):
    new = info(state="new", stability=None, difficulty=None, retrievability=None, due=None, due_in_s=None,
               last_review=None, reps=0, total_time_ms=None, average_time_ms=None, history=[], tags=[],
               suspended=True, flagged="typo", choices={"a": "Yes", "b": "No"})
    with time_zone("UTC"):
        lines = rendered(CardInfoView([new, new]))
    assert "  a) Yes" in lines and "  b) No" in lines
    assert "State    new, suspended, flagged: typo" in lines
    assert lines.count("Not reviewed yet.") == 2
    assert sum(set(line) == {"─"} for line in lines) == 1  # one rule, between the two cards


@pytest.mark.parametrize(("summary", "expected"), [
    (SessionSummary(0, None, 0, 0, 7, []), ["Due tomorrow: 7."]),
    (SessionSummary(3, 2 / 3, 75, 1, 4, []),
     ["", "Reviewed 3 · accuracy 67% · 1m 15s · streak 1 day · due tomorrow 4"]),
    (SessionSummary(10, 1.0, 5, 12, 0, []),
     ["", "Reviewed 10 · accuracy 100% · 0m 05s · streak 12 days · due tomorrow 0"]),
])
def test_the_session_summary(summary, expected):
    assert rendered(summary_view(summary)) == expected


def test_the_quiz_score_names_what_was_skipped_not_reached_and_missed():
    result = {"right": 1, "asked": 2, "skipped": 1, "questions": 5, "missed": ["What is noise?"]}
    assert rendered(quiz_score_view(result)) == [
        "", "Score: 1/2 (1 skipped) · 2 of 5 not reached", "  missed: What is noise?",
    ]
