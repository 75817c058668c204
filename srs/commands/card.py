"""`srs card ACTION ID...`: suspend, unsuspend, bury, unbury, flag, unflag, forget, reschedule, edit a card
by id; `srs card undo` takes the last of them back and `srs card log ID` lists them (with what `s`, `b` and
`f` did in review, which are the same actions)."""

from __future__ import annotations

import click

from srs.commands.options import (
    echo_json,
    learning_options,
    open_workspace,
    report_sync,
)
from srs.errors import UserError
from srs.ui.console import echo


def _complete_card_ids(ctx, param, incomplete):
    from srs.commands.completion import card_ids

    return card_ids(ctx, incomplete)


def _apply(action: str, ids, db_path, deck_paths, now, query=None, **options) -> None:
    from srs import card_actions
    from srs.store.actions import record_actions

    if query is not None and not query.strip():  # an empty search finds every card: not by accident (`-q "$Q"`)
        raise UserError("--query is empty, which would match every card; to mean every card, write -q 'deck:*'")
    if not ids and not query:
        raise UserError("give one or more card ids, or --query (see `srs search`)")
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    if query:
        from srs.search.results import run_search

        ids = [*ids, *(row["id"] for row in run_search(ws.store, query, ws.clock()))]
        if not ids:
            raise UserError(f"no card matches '{query}'; nothing was changed")
    cards = [ws.store.find_card(uid) for uid in dict.fromkeys(ids)]
    moment = ws.clock()
    if action in card_actions.MARKED:  # a card without the mark is named, and left alone
        has_mark, not_marked = card_actions.MARKED[action]
        for unmarked in [card for card in cards if not has_mark(card, moment)]:
            echo(f"{unmarked.uid} {not_marked}.")
        cards = [card for card in cards if has_mark(card, moment)]
        if not cards:
            return
    changes = [(card, card_actions.ACTIONS[action](card, moment, **options)) for card in cards]
    detail = card_actions.detail(options)
    record_actions(ws.store, action, detail, changes, moment)
    names = ", ".join(card.uid for card in cards[:10]) + (f" and {len(cards) - 10} more" if len(cards) > 10 else "")
    past = {"flag": "Flagged", "unflag": "Unflagged", "bury": "Buried", "unbury": "Unburied",
            "reschedule": "Rescheduled", "forget": "Forgot"}.get(action, action.capitalize() + "ed")
    echo(f"{past} {names}" + (f" ({detail})" if detail else "") + ". `srs card undo` takes it back.")


@click.group()
def card():
    """Do something to cards by id: each action is logged (`srs card log ID`) and undoable (`srs card undo`)."""


def query_option(func):
    return click.option("--query", "-q", metavar="QUERY",
                        help="Also every card this search finds (`srs search` syntax).")(func)


def _simple(action: str, help_text: str):
    @card.command(action, help=help_text)
    @click.argument("ids", nargs=-1, metavar="ID...", shell_complete=_complete_card_ids)
    @query_option
    @learning_options
    def command(ids, query, db_path, deck_paths, now):
        _apply(action, ids, db_path, deck_paths, now, query)

    return command


# `srs unsuspend`, `srs unbury` and `srs unflag` are these same commands (srs/cli.py), for the cards that `s`,
# `b` and `f` marked in review.
_simple("suspend", "Keep the cards out of reviews until unsuspended.")
unsuspend = _simple("unsuspend", "Let suspended cards into reviews again.")
_simple("bury", "Hide the cards until the learner's next day starts.")
unbury = _simple("unbury", "Show buried cards again today.")
unflag = _simple("unflag", "Clear the cards' flags (listed by `srs flagged`).")
_simple("forget", "Make the cards new again; their review log is kept.")


@card.command()
@click.argument("ids", nargs=-1, metavar="ID...", shell_complete=_complete_card_ids)
@click.option("--note", default="needs a fix", show_default=True, help="What needs fixing.")
@query_option
@learning_options
def flag(ids, note, query, db_path, deck_paths, now):
    """Flag the cards for the author (listed by `srs flagged`)."""
    _apply("flag", ids, db_path, deck_paths, now, query, note=note)


@card.command()
@click.argument("days", type=click.IntRange(0, 36_500))
@click.argument("ids", nargs=-1, metavar="ID...", shell_complete=_complete_card_ids)
@query_option
@learning_options
def reschedule(days, ids, query, db_path, deck_paths, now):
    """Make the cards due DAYS days from now (0: now), keeping their memory."""
    _apply("reschedule", ids, db_path, deck_paths, now, query, days=days)


@card.command()
@learning_options
def undo(db_path, deck_paths, now):
    """Take back the last `srs card` action (on all the cards it changed)."""
    from srs.store.actions import undo_last_batch

    ws = open_workspace(db_path, deck_paths, now, sync=False)
    undone = undo_last_batch(ws.store)
    if undone is None:
        raise UserError("no card action to undo")
    action, uids = undone
    echo(f"Undid '{action}' on {', '.join(uids)}.")


@card.command()
@click.argument("card_id", metavar="ID", shell_complete=_complete_card_ids)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@learning_options
def log(card_id, as_json, db_path, deck_paths, now):
    """The card's answers and the actions done to it, oldest first."""
    from srs.clock import from_epoch
    from srs.jsontypes import CardLogEntryJson
    from srs.scheduler import RATINGS
    from srs.store.actions import actions_for

    ws = open_workspace(db_path, deck_paths, now)
    found = ws.store.find_card(card_id)
    events = [(row.reviewed_at, "answer", RATINGS[row.rating]) for row in ws.store.revlog_for(found.cid)]
    events += [(done["at"], done["action"], done["detail"]) for done in actions_for(ws.store, found.cid)]
    events.sort(key=lambda event: event[0])
    entries: list[CardLogEntryJson] = [
        {"at": from_epoch(at).isoformat(), "action": action, "detail": detail} for at, action, detail in events
    ]
    if as_json:
        echo_json(entries)
        return
    for entry in entries:
        echo(f"{entry['at']}  {entry['action']}" + (f"  {entry['detail']}" if entry["detail"] else ""))


@card.command()
@click.argument("card_id", metavar="ID", shell_complete=_complete_card_ids)
@learning_options
def edit(card_id, db_path, deck_paths, now):
    """Open the card's deck file in your editor at the item's line, then read the decks again."""
    import shlex
    import subprocess

    from srs.commands.options import open_workspace as reopen
    from srs.settings import current

    ws = open_workspace(db_path, deck_paths, now)
    item = ws.store.item(ws.store.find_card(card_id).iid)
    editor = current().editor()
    try:
        status = subprocess.call(shlex.split(editor) + [f"+{item.line}", item.path])
    except OSError as exc:
        raise UserError(f"cannot start the editor '{editor}' ({exc.strerror})") from None
    if status != 0:
        raise UserError(f"the editor '{editor}' exited with status {status}; the decks were not read again")
    ws.store.close()
    report_sync(reopen(db_path, deck_paths, now))
