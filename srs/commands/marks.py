"""`srs unsuspend`, `srs unbury`, `srs unflag`: give a card back by id (what `s`, `b` and `f` did in review)."""

from __future__ import annotations

import click

from srs.commands.options import learning_options, open_workspace
from srs.ui.console import echo

# command -> (the mark, its cleared value, what was done, what it means when the card had no such mark)
CLEARS = {
    "unsuspend": ("suspended", 0, "Unsuspended", "is not suspended"),
    "unbury": ("buried_until", 0, "Unburied", "is not buried"),
    "unflag": ("flagged", None, "Unflagged", "is not flagged"),
}


def _clear(command: str, card_id: str, db_path, deck_paths, now) -> None:
    from srs.store.marks import marks_of, set_marks

    mark, cleared, done, not_marked = CLEARS[command]
    ws = open_workspace(db_path, deck_paths, now, sync=False)
    card = ws.store.find_card(card_id)
    value = marks_of(ws.store, [card.cid])[card.cid][mark]
    marked = value > ws.clock().timestamp() if mark == "buried_until" else bool(value)
    if not marked:
        echo(f"{card.uid} {not_marked}.")
        return
    set_marks(ws.store, {card.cid: {mark: cleared}})
    echo(f"{done} {card.uid}.")


def _command(name: str, help_text: str):
    @click.command(name=name, help=help_text)
    @click.argument("card_id")
    @learning_options
    def command(card_id, db_path, deck_paths, now):
        _clear(name, card_id, db_path, deck_paths, now)

    return command


unsuspend = _command("unsuspend", "Give a suspended card back to review. CARD_ID as `srs due` shows it.")
unbury = _command("unbury", "Show a card buried until tomorrow again today. CARD_ID as `srs due` shows it.")
unflag = _command("unflag", "Clear a card's flag for the author (see `srs flagged`). CARD_ID as `srs due` shows it.")
