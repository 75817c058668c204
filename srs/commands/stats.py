"""`srs stats`: today, streak, retention, a 14-day forecast, a heatmap, decks, XP and achievements.

The figures come from `srs.stats` as plain data, the view from `srs.ui.stats`; this module prints it.
"""

from __future__ import annotations

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync


@click.command()
@click.argument("decks", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@learning_options
def stats(decks, as_json, db_path, deck_paths, now):
    """Today, streak, retention, a 14-day forecast, a heatmap, decks, XP and achievements.

    DECKS are deck ids (default: all, imported history included); given, the review figures count only
    their reviews. XP, levels and achievements always count every deck.
    """
    from srs.stats import compute_stats

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    chosen = ws.select_decks(decks, among=ws.history_deck_ids())  # imported history counts too
    data = compute_stats(ws.store, ws.clock(), chosen, log_decks=chosen if decks else None)
    if as_json:
        echo_json(data.to_dict())
        return
    from srs.ui.console import view_console
    from srs.ui.stats import StatsView

    view_console().print(StatsView(data))
