"""Learning commands: review, quiz, and the plumbing for scripts (due, answer, undo, flagged)."""

from __future__ import annotations

import sys

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync
from srs.errors import UserError
from srs.inert import inert

RATING_NAMES = {"again": 1, "hard": 2, "good": 3, "easy": 4}


def _console():
    from srs.inert import inert_console

    return inert_console(highlight=False)


def _session(ws, decks):
    from srs.session import Session

    return Session(ws.store, ws.select_decks(decks), ws.clock)


@click.command()
@click.argument("decks", nargs=-1)
@learning_options
def review(decks, db_path, deck_paths, now):
    """Review what is due today: learning cards, then reviews, then new cards.

    DECKS are deck ids (default: all). Keys: space/Enter reveal, 1-4 rate, u undo, b bury, s suspend,
    e edit, f flag, q quit. Without a terminal, reads one key or answer per line.
    """
    from srs.sync import sync
    from srs.ui.reviewer import Reviewer
    from srs.ui.terminal import Keys

    keys = Keys()  # before anything is read or written: refuses a closed standard input
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    session = _session(ws, decks)
    console = _console()

    def reload_decks():
        from srs.paths import default_deck_paths

        report = sync(ws.store, list(deck_paths) or default_deck_paths())
        for diagnostic in report.diagnostics:
            console.print(str(diagnostic), style="red")
        session.reload_decks()
        return "Reloaded the deck" + (f": {report.summary()}." if report.summary() else ".")

    if session.queue().next_cid() is None:
        console.print("Nothing is due now. Come back later!")
    else:
        Reviewer(session, console, keys, on_edit=reload_decks).run()
    from srs.ui.summary import print_summary  # the end of the session; not worth start-up time

    print_summary(console, session)


@click.command()
@click.argument("quiz")
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
    deck_id = ws.select_decks([quiz])[0]
    run_quiz(_session(ws, [deck_id]), deck_id, _console(), keys)


@click.command()
@click.argument("decks", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@learning_options
def due(decks, as_json, db_path, deck_paths, now):
    """What is due now: counts and the cards in the order a review would show them."""
    from srs.clock import from_epoch

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    session = _session(ws, decks)
    queue = session.queue()
    order = queue.learning + queue.review + queue.new + queue.learning_ahead
    cards = ws.store.cards(order)
    rows = [
        {
            "id": card.uid,
            "deck": card.deck_id,
            "queue": "new" if card.state == 0 else "learning" if card.state in (1, 3) else "review",
            "due": from_epoch(card.due).isoformat() if card.due else None,
        }
        for card in cards
    ]
    if as_json:
        echo_json({"counts": queue.counts(), "cards": rows})
        return
    counts = queue.counts()
    click.echo(f"New {counts['new']}  Learning {counts['learning']}  Review {counts['review']}")
    for row in rows:
        click.echo(f"{row['queue']:<9} {row['deck']:<24} {row['id']}")


@click.command()
@click.argument("card_id")
@click.argument("rating")
@click.option("--response", help="What the learner answered (an order typed, an option chosen).")
@click.option("--duration", "duration_ms", type=int, help="Milliseconds taken.")
@click.option("--json", "as_json", is_flag=True, help="Print the new card state as JSON.")
@learning_options
def answer(card_id, rating, response, duration_ms, as_json, db_path, deck_paths, now):
    """Record one answer exactly as a review session would. RATING: 1-4 or again/hard/good/easy."""
    from srs.clock import from_epoch
    from srs.scheduler import RATINGS, STATE_NAMES

    value = RATING_NAMES.get(rating.lower()) or (int(rating) if rating in ("1", "2", "3", "4") else None)
    if value is None:
        raise UserError(f"rating '{rating}' is not one of 1-4 or again, hard, good, easy")
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    card = ws.store.find_card(card_id)
    session = _session(ws, [])
    result = session.answer(card, value, response=response, duration_ms=duration_ms)
    after = result.card
    due_at = from_epoch(after.due)
    data = {
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
        click.echo(f"{after.uid}: {RATINGS[value]}; {data['state']}, due {due_at.isoformat()}")


@click.command()
@learning_options
def undo(db_path, deck_paths, now):
    """Undo the last recorded answer, restoring the card exactly as it was; or the last import, whole.

    Imported reviews are never undone one by one: when the newest change is an import, it is taken back
    as a whole (its cards are replayed from what remains of their logs), and srs says so.
    """
    from srs.importers.undo import last_batch, undo_batch
    from srs.store.store import LEARNER_SOURCES

    ws = open_workspace(db_path, deck_paths, now, sync=False)
    batch = last_batch(ws.store)
    marks = ",".join("?" * len(LEARNER_SOURCES))
    newest = ws.store.conn.execute(f"SELECT MAX(rid) FROM revlog WHERE source IN ({marks})",
                                   list(LEARNER_SOURCES)).fetchone()[0]
    if batch is not None and (newest is None or batch.last_rid > newest):
        undo_batch(ws.store, batch)
        click.echo(inert(f"Undid the import of {batch.reviews:,} review{'s' * (batch.reviews != 1)} of "
                         f"{batch.cards:,} card{'s' * (batch.cards != 1)} from {batch.label}."))
        return
    undone = ws.store.undo_last()
    if undone is None:
        raise UserError(_nothing_to_undo(ws.store))
    click.echo(f"Undid the answer to {undone[0].uid}.")


def _nothing_to_undo(store) -> str:
    """Why there is nothing to undo; after an older import, how to put back the history from before it."""
    from srs.store.store import LEARNER_SOURCES

    newest = store.conn.execute("SELECT source FROM revlog ORDER BY rid DESC LIMIT 1").fetchone()
    if newest is None or newest[0] in LEARNER_SOURCES:
        return "nothing to undo"
    return ("nothing to undo: the newest reviews come from an import that was not the last one; `srs backup "
            "--list` shows the backups taken before each import, and `srs restore FILE` puts one back")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@learning_options
def flagged(as_json, db_path, deck_paths, now):
    """Cards flagged during review as needing an author's fix, with file:line."""
    ws = open_workspace(db_path, deck_paths, now)
    rows = [
        {"id": uid, "path": path, "line": line, "note": note}
        for uid, path, line, note in ws.store.conn.execute(
            "SELECT c.uid, i.path, i.line, c.flagged FROM cards c JOIN items i ON i.iid = c.iid "
            "WHERE c.flagged IS NOT NULL ORDER BY i.path, i.line"
        )
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No flagged cards.")
    for row in rows:
        click.echo(inert(f"{row['path']}:{row['line']}: {row['id']}: {row['note']}"))
    sys.stdout.flush()
