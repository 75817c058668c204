"""The end-of-session summary: how it went and what comes tomorrow."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.text import Text

from srs.clock import day_end, day_start, to_epoch
from srs.session import Session


def session_summary(session: Session) -> dict:
    now = session.clock()
    tomorrow_end = to_epoch(day_end(day_end(now) + timedelta(hours=1)))
    marks = ",".join("?" * len(session.deck_ids)) or "''"
    due_tomorrow = session.store.conn.execute(
        f"SELECT COUNT(*) FROM cards WHERE active = 1 AND suspended = 0 AND state > 0 AND due < ? "
        f"AND due >= ? AND deck_id IN ({marks})",
        [tomorrow_end, to_epoch(day_end(now)), *session.deck_ids],
    ).fetchone()[0]
    tally = session.tally
    return {
        "reviewed": tally.reviewed,
        "accuracy": tally.correct / tally.reviewed if tally.reviewed else None,
        "seconds": round(tally.seconds),
        "streak": streak_days(session.store, now),
        "due_tomorrow": due_tomorrow,
        "leeches": tally.leeches,
    }


def streak_days(store, now) -> int:
    """Learner-days in a row with a review, ending today (or yesterday, when today has none yet).

    One indexed EXISTS per day walked back, rather than reading the whole log.
    """

    def reviewed_on(start) -> bool:
        end = day_end(start)
        return store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM revlog WHERE reviewed_at >= ? AND reviewed_at < ?)",
            [to_epoch(start), to_epoch(end)],
        ).fetchone()[0] == 1

    start = day_start(now)
    if not reviewed_on(start):
        start = day_start(start - timedelta(hours=1))
    streak = 0
    while reviewed_on(start):
        streak += 1
        start = day_start(start - timedelta(hours=1))
    return streak


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
