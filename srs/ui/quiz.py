"""A quiz taken in order, like the lesson's practice page, ending with the score and what was missed."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from srs.session import Session
from srs.ui.reviewer import Outcome, Quit, Reviewer
from srs.ui.terminal import EndOfInput, Keys


def run_quiz(session: Session, deck_id: str, console: Console, keys: Keys) -> dict:
    cids = [
        row[0]
        for row in session.store.conn.execute(
            "SELECT cid FROM cards WHERE deck_id = ? AND active = 1 ORDER BY idx, ord", [deck_id]
        )
    ]
    reviewer = Reviewer(session, console, keys, source="quiz")
    right, missed = 0, []
    asked = 0
    try:
        for number, cid in enumerate(cids, 1):
            view = session.view(session.store.card(cid))
            console.print(Text(f"\nQuestion {number} of {len(cids)}", style="bold cyan"))
            result = reviewer.ask(view)
            if result is Quit:
                break
            if isinstance(result, Outcome) and result.rating is not None:
                asked += 1
                if result.rating > 1:
                    right += 1
                else:
                    missed.append(view.front.splitlines()[0])
    except (EndOfInput, KeyboardInterrupt):
        pass
    console.print()
    console.print(Text(f"Score: {right}/{asked}", style="bold green" if asked and right == asked else "bold"))
    for question in missed:
        console.print(Text(f"  missed: {question}", style="red"))
    return {"right": right, "asked": asked, "missed": missed}
