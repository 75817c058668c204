"""The end-of-session summary: how it went and what comes tomorrow."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from srs.session import Session
from srs.stats import forecast, streak


def session_summary(session: Session) -> dict:
    now = session.clock()
    due_tomorrow = forecast(session.store, now, list(session.deck_ids), days=2)[1].due
    tally = session.tally
    return {
        "reviewed": tally.reviewed,
        "accuracy": tally.correct / tally.reviewed if tally.reviewed else None,
        "seconds": round(tally.seconds),
        "streak": streak(session.store, now).current,
        "due_tomorrow": due_tomorrow,
        "leeches": tally.leeches,
    }


def print_summary(console: Console, session: Session) -> None:
    data = session_summary(session)
    if not data["reviewed"]:
        console.print(Text(f"Due tomorrow: {data['due_tomorrow']}.", style="dim"))
        return
    minutes, seconds = divmod(data["seconds"], 60)
    line = Text()
    line.append(f"Reviewed {data['reviewed']}", style="bold")
    line.append(f" · accuracy {data['accuracy']:.0%} · {minutes}m {seconds:02d}s")
    line.append(f" · streak {data['streak']} day{'s' * (data['streak'] != 1)}", style="magenta")
    line.append(f" · due tomorrow {data['due_tomorrow']}")
    console.print()
    console.print(line)
