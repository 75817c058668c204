"""`srs search QUERY`: find cards with Anki's search syntax (srs/search/query.py)."""

from __future__ import annotations

import click

from srs.commands.options import (
    echo_json,
    learning_options,
    open_workspace,
    report_sync,
)
from srs.ui.console import echo


@click.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the cards as JSON.")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="At most this many cards (0: all).")
@learning_options
def search(query, as_json, limit, db_path, deck_paths, now):
    """Find cards. QUERY uses Anki's search syntax, in part:

    \b
      words  "a phrase"  -negated  a or b  (group)  deck:ID  tag:NAME  kind:KIND  id:ID
      is:new|due|learn|review|suspended|buried|leech|flagged
      prop:ivl>N  prop:due<N  prop:r<0.8  prop:lapses>N  prop:reps>=N  rated:N  rated:N:RATING

    Words match anywhere in a card's text, ignoring case; `*` in deck:, tag: and id: matches anything.
    Put `--` before a query that starts with `-`: `srs search -- -is:new`.
    """
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    from srs.search.results import run_search

    rows = run_search(ws.store, " ".join(query), ws.clock(), limit or None)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        echo("No cards match.", err=True)
        return
    table = []
    for row in rows:
        state = row["state"] + "".join(f",{flag}" for flag in ("suspended", "buried", "leech") if row[flag])
        due = row["due"][:10] if row["due"] else ""
        front = " ".join(row["front"].split())  # one line a card; echo makes it inert
        front = front if len(front) <= 50 else front[:49].rstrip() + "…"
        table.append((row["id"], row["deck"], front, state, due, f"{row['r']:.2f}" if row["r"] is not None else ""))
    headers = ("id", "deck", "front", "state", "due", "R")
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    for line in [headers, *table]:
        echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    echo(f"{len(rows)} card{'s' * (len(rows) != 1)}", err=True)
