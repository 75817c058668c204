"""Learning commands: review, quiz, and the plumbing for scripts (due, answer, undo, flagged)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync
from srs.errors import UserError
from srs.ui.console import echo

if TYPE_CHECKING:
    from srs.jsontypes import AnswerJson, DueCardJson, DueJson, FlaggedJson


def _decks(ctx, param, incomplete):
    from srs.commands.completion import complete_deck_ids

    return complete_deck_ids(ctx, param, incomplete)


def _cards(ctx, param, incomplete):
    from srs.commands.completion import complete_card_ids

    return complete_card_ids(ctx, param, incomplete)


def _console():
    from srs.ui.console import view_console

    return view_console()


def _session(ws, decks, extra_new: int = 0, ahead_days: int = 0):
    from srs.queue import Limits
    from srs.session import Session
    from srs.settings import current

    settings = current()  # read once: the limits and the session share it
    limits = Limits.from_settings(settings, ws.store, extra_new=extra_new, ahead_days=ahead_days)
    return Session(ws.store, ws.select_decks(decks), ws.clock, limits, settings=settings)


def study_more_options(func):
    """--extra-new N and --ahead DAYS: study past today's limits."""
    func = click.option("--ahead", "ahead_days", type=click.IntRange(0, 3650), default=0, metavar="DAYS",
                        help="Also review cards due in the next DAYS days.")(func)
    return click.option("--extra-new", type=click.IntRange(0, 10_000), default=0, metavar="N",
                        help="Study N new cards more than today's limits allow.")(func)


def nothing_due(session) -> list[str]:
    """What to say when nothing is due: the limit that stopped the day, and how to study more."""
    from srs.clock import from_epoch, local

    lines = ["Nothing is due now."]
    for stop in session.stopped_by():
        what = "new cards" if stop.limit == "new_per_day" else "reviews"
        where = (f"today's limit of {stop.value} {what} is reached (setting {stop.limit})" if stop.overall
                 else f"the decks' own daily limits of {what} are reached (deck option {stop.limit})")
        lines.append(f"{stop.waiting} more {what} wait: {where}.")
        if stop.limit == "new_per_day":
            lines.append(f"To learn more today: srs review --extra-new {min(stop.waiting, 10)}")
        else:
            lines.append("To review more today: raise reviews_per_day")
    queue = session.queue()
    later = [due for due, _ in queue.learning]
    if later:
        lines.append(f"{len(later)} learning card{'s' * (len(later) != 1)} come back later today, the next at "
                     f"{local(from_epoch(later[0])).strftime('%H:%M')}.")
    days = session.next_review_days()
    if days is not None:
        lines.append(f"The next reviews are due in {days} day{'s' * (days != 1)}: srs review --ahead {days}")
    return lines


@click.command()
@click.argument("decks", nargs=-1, shell_complete=_decks)
@study_more_options
@learning_options
def review(decks, extra_new, ahead_days, db_path, deck_paths, now):
    """Review what is due today: learning cards when due; reviews of all decks mixed, with new cards taken
    deck by deck in turn spread among them; one card of an item a day (cloze siblings wait).

    DECKS are deck ids (default: all). Keys: space/Enter reveal, 1-4 rate, u undo, b bury, s suspend,
    e edit, f flag, ? help, q quit. Without a terminal, reads one key or answer per line. With --now, the
    session starts at that time and time then flows.
    """
    from srs.sync import sync
    from srs.ui.reviewer import Reviewer
    from srs.ui.terminal import Keys

    keys = Keys()  # before anything is read or written: refuses a closed standard input
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    ws.start_clock()
    session = _session(ws, decks, extra_new, ahead_days)
    console = _console()

    def reload_decks():
        from srs.paths import default_deck_paths

        paths: list[str | Path] = list(deck_paths) or list(default_deck_paths())
        report = sync(ws.store, paths)
        for diagnostic in report.diagnostics:
            console.print(str(diagnostic), style="red")
        session.reload_decks()
        return "Reloaded the deck" + (f": {report.summary()}." if report.summary() else ".")

    if session.next_view() is None:
        for line in nothing_due(session):
            console.print(line, soft_wrap=True)
    elif Reviewer(session, console, keys, on_edit=reload_decks).run():
        console.print()
        for line in ["That is all for now.", *nothing_due(session)[1:]]:
            console.print(line, soft_wrap=True)
    from srs.stats import session_summary
    from srs.ui.summary import summary_view  # the end of the session; not worth start-up time

    console.print(summary_view(session_summary(ws.store, session.clock(), list(session.deck_ids), session.tally)))


@click.command()
@click.argument("quiz", shell_complete=_decks)
@learning_options
def quiz(quiz, db_path, deck_paths, now):
    """Take a whole quiz in order, then see the score and what you missed.

    Answers go into the review log and feed each item's schedule.
    """
    from srs.ui.quiz import run_quiz
    from srs.ui.terminal import Keys

    keys = Keys()  # before anything is read or written: refuses a closed standard input
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    ws.start_clock()
    deck_id = ws.select_decks([quiz])[0]
    from srs.ui.summary import quiz_score_view

    console = _console()
    console.print(quiz_score_view(run_quiz(_session(ws, [deck_id]), deck_id, console, keys)))


@click.command()
@click.argument("decks", nargs=-1, shell_complete=_decks)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@study_more_options
@learning_options
def due(decks, as_json, extra_new, ahead_days, db_path, deck_paths, now):
    """What is due now: counts and the cards in the order a review would show them (the same queue)."""
    from srs.clock import from_epoch

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    session = _session(ws, decks, extra_new, ahead_days)
    cards = ws.store.cards(session.order())
    rows: list[DueCardJson] = [
        {
            "id": card.uid,
            "deck": card.deck_id,
            "queue": _queue_name(card.state),
            "due": from_epoch(card.due).isoformat() if card.due else None,
        }
        for card in cards
    ]
    counts = session.counts()
    if as_json:
        data: DueJson = {
            "counts": {"learning": counts["learning"], "review": counts["review"], "new": counts["new"]},
            "cards": rows,
        }
        echo_json(data)
        return
    echo(f"New {counts['new']}  Learning {counts['learning']}  Review {counts['review']}")
    width = max([24, *(len(row["deck"]) for row in rows)])
    for row in rows:
        echo(f"{row['queue']:<9} {row['deck']:<{width}} {row['id']}")


def _queue_name(state: int) -> str:
    from srs.domain import State

    if state == State.NEW:
        return "new"
    return "learning" if state in (State.LEARNING, State.RELEARNING) else "review"


@click.command()
@click.argument("card_id", shell_complete=_cards)
@click.argument("rating", shell_complete=lambda ctx, param, incomplete: [
    r for r in ("again", "hard", "good", "easy") if r.startswith(incomplete)])
@click.option("--response", help="What the learner answered (an order typed, an option chosen).")
@click.option("--duration", "duration_ms", metavar="MS", help="Milliseconds taken (0 to a day).")
@click.option("--json", "as_json", is_flag=True, help="Print the new card state as JSON.")
@learning_options
def answer(card_id, rating, response, duration_ms, as_json, db_path, deck_paths, now):
    """Record one answer exactly as a review session would. RATING: 1-4 or again/hard/good/easy."""
    from srs.bounds import parse_duration_ms
    from srs.clock import from_epoch
    from srs.domain import Rating
    from srs.scheduler import RATINGS, STATE_NAMES

    value = Rating.parse(rating)
    if value is None:
        raise UserError(f"rating '{rating}' is not one of 1-4 or again, hard, good, easy")
    if duration_ms is not None:  # the range a review-log import accepts: no stored value can crash a later command
        try:
            duration_ms = parse_duration_ms(duration_ms, "--duration")
        except ValueError as exc:
            raise UserError(str(exc)) from None
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    card = ws.store.find_card(card_id)
    session = _session(ws, [])
    result = session.answer(card, value, response=response, duration_ms=duration_ms)
    after = result.card
    due_at = from_epoch(after.due)
    data: AnswerJson = {
        "id": after.uid,
        "rating": RATINGS[value],
        "state": STATE_NAMES[after.state],
        "due": due_at.isoformat(),
        "stability": after.stability,
        "difficulty": after.difficulty,
        "leech_suspended": result.leech_suspended,
    }
    if as_json:
        echo_json(data)
    else:
        echo(f"{after.uid}: {RATINGS[value]}; {data['state']}, due {due_at.isoformat()}")


@click.command()
@learning_options
def undo(db_path, deck_paths, now):
    """Undo the last recorded answer, restoring the card exactly as it was (and its siblings the answer buried);
    or the last import, whole.

    Imported reviews are never undone one by one: when the newest change is an import, it is taken back
    as a whole (its cards are replayed from what remains of their logs), and srs says so.
    """
    from srs.importers.undo import last_batch, undo_batch
    from srs.store.actions import undo_answer

    ws = open_workspace(db_path, deck_paths, now, sync=False)
    batch = last_batch(ws.store)
    newest = ws.store.newest_learner_rid()
    if batch is not None and (newest is None or batch.last_rid > newest):
        undo_batch(ws.store, batch)
        echo(f"Undid the import of {batch.reviews:,} review{'s' * (batch.reviews != 1)} of "
             f"{batch.cards:,} card{'s' * (batch.cards != 1)} from {batch.label}.")
        return
    undone = undo_answer(ws.store)  # as `u` in review: the siblings the answer buried come back too
    if undone is None:
        raise UserError(_nothing_to_undo(ws.store))
    echo(f"Undid the answer to {undone[0].uid}.")


def _nothing_to_undo(store) -> str:
    """Why there is nothing to undo; after an older import, how to put back the history from before it."""
    from srs.store.store import LEARNER_SOURCES

    newest = store.newest_source()
    if newest is None or newest in LEARNER_SOURCES:
        return "nothing to undo"
    return ("nothing to undo: the newest reviews come from an import that was not the last one; `srs backup "
            "--list` shows the backups taken before each import, and `srs restore FILE` puts one back")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@learning_options
def flagged(as_json, db_path, deck_paths, now):
    """Cards flagged during review as needing an author's fix, with file:line."""
    ws = open_workspace(db_path, deck_paths, now)
    from srs.store.reports import flagged_cards

    rows: list[FlaggedJson] = [
        {"id": uid, "path": path, "line": line, "note": note} for uid, path, line, note in flagged_cards(ws.store)
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("No flagged cards.")
    for row in rows:
        echo(f"{row['path']}:{row['line']}: {row['id']}: {row['note']}")
    sys.stdout.flush()
