"""The end-of-session views: a review's (`srs.stats.SessionSummary`) and a quiz's score (srs.ui.quiz)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from srs.stats import SessionSummary


def summary_view(summary: SessionSummary) -> RenderableType:
    """One line after a blank one: reviewed, accuracy, time, streak, due tomorrow; only the last without answers."""
    if not summary.reviewed or summary.accuracy is None:
        return Text(f"Due tomorrow: {summary.due_tomorrow}.", style="dim")
    minutes, seconds = divmod(summary.seconds, 60)
    line = Text()
    line.append(f"Reviewed {summary.reviewed}", style="bold")
    line.append(f" · accuracy {summary.accuracy:.0%} · {minutes}m {seconds:02d}s")
    line.append(f" · streak {summary.streak} day{'s' * (summary.streak != 1)}", style="magenta")
    line.append(f" · due tomorrow {summary.due_tomorrow}")
    return Group(Text(), line)


def quiz_score_view(result: dict) -> RenderableType:
    """After a blank line: the score, the questions skipped or not reached, then each missed question."""
    right, asked, skipped, questions = result["right"], result["asked"], result["skipped"], result["questions"]
    line = Text(f"Score: {right}/{asked}", style="bold green" if asked and right == asked else "bold")
    if skipped:
        line.append(f" ({skipped} skipped)", style="dim")
    if asked + skipped < questions:
        line.append(f" · {questions - asked - skipped} of {questions} not reached", style="dim")
    return Group(Text(), line, *(Text(f"  missed: {question}", style="red") for question in result["missed"]))
