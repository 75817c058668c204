"""A quiz taken in order, like the lesson's practice page, ending with the score and what was missed.

`u` undoes the last action, as in review: an answer undone takes the quiz back to that question, whose
result leaves the score until it is answered again. Buried or suspended questions are skipped, not scored.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from srs.session import Session
from srs.store import day as reads
from srs.ui.markup import plain_line
from srs.ui.reviewer import Outcome, Quit, Reviewer
from srs.ui.terminal import EndOfInput, Keys


def run_quiz(session: Session, deck_id: str, console: Console, keys: Keys) -> dict:
    """Asks the quiz's questions in order; returns the score (srs.ui.summary.quiz_score_view shows it)."""
    cids = reads.quiz_cards(session.store.conn, deck_id)
    reviewer = Reviewer(session, console, keys, source="quiz")
    results: dict[int, int] = {}  # question index -> the grade srs gave, else the rating
    skipped: set[int] = set()
    fronts: dict[int, str] = {}
    number = 0
    try:
        while number < len(cids):
            view = session.view(session.store.card(cids[number]))
            fronts[number] = plain_line(view.front)
            console.print(Text(f"\nQuestion {number + 1} of {len(cids)}", style="bold cyan"))
            result = reviewer.ask(view)
            if result is Quit:
                break
            if isinstance(result, Outcome) and result.rating is not None:
                # Where srs graded the answer (a choice, an order), that grade scores it, whatever the rating.
                results[number] = result.graded if result.graded is not None else result.rating
                number += 1
            elif result in ("bury", "suspend"):
                skipped.add(number)
                number += 1
            elif result == "undo" and reviewer.last_undone is not None:
                back = _question_of(cids, reviewer.last_undone.card.cid, number)
                if back is not None:
                    number = back
                    results.pop(back, None)
                    skipped.discard(back)
    except (EndOfInput, KeyboardInterrupt):
        pass
    right = sum(rating > 1 for rating in results.values())
    asked = len(results)
    missed = [fronts[n] for n in sorted(results) if results[n] == 1]
    return {"right": right, "asked": asked, "missed": missed, "skipped": len(skipped), "questions": len(cids)}


def _question_of(cids: list[int], cid: int, current: int) -> int | None:
    """The question (at or before `current`) that shows card `cid`."""
    for index in range(min(current, len(cids) - 1), -1, -1):
        if cids[index] == cid:
            return index
    return None
