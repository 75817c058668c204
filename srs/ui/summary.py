"""The end-of-session view: how it went and what comes tomorrow, from `srs.stats.SessionSummary`."""

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
