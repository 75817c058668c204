"""`srs show ID`: one item's card info, as Anki's Card Info shows it (the view is srs.ui.card_info)."""

from __future__ import annotations

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync


def _cards(ctx, param, incomplete):
    from srs.commands.completion import complete_card_ids

    return complete_card_ids(ctx, param, incomplete)


@click.command()
@click.argument("item_id", shell_complete=lambda ctx, param, incomplete: _cards(ctx, param, incomplete))
@click.option("--json", "as_json", is_flag=True, help="Print the card info as JSON.")
@learning_options
def show(item_id, as_json, db_path, deck_paths, now):
    """Card info for ITEM_ID (an item's or a card's id): text, deck, state, memory and review history."""
    from srs.optimizer.card_info import card_info

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    infos = card_info(ws.store, item_id, ws.clock())
    if as_json:
        echo_json(infos if len(infos) > 1 else infos[0])
        return
    from srs.ui.card_info import CardInfoView
    from srs.ui.console import view_console

    view_console().print(CardInfoView(infos))
