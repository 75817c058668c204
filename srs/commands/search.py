"""`srs search QUERY`: find cards with Anki's search syntax (srs/search/query.py)."""

from __future__ import annotations

import re

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync
from srs.errors import UserError

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def moment(store, now):
    """The time a search runs at, with the forgetting curve of the parameters in use for prop:r."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from srs.clock import day_end, day_start, to_epoch
    from srs.search.reference import Moment

    params = store.setting("fsrs_parameters") or DEFAULT_PARAMETERS
    decay = params[20]
    return Moment(to_epoch(now), to_epoch(day_start(now)), to_epoch(day_end(now)), 0.9 ** (1 / -decay) - 1, decay)


def run_search(store, query: str, now, limit: int | None = None) -> list[dict]:
    """Cards matching `query` as rows for the table or --json; UserError for a bad query."""
    from srs.clock import from_epoch
    from srs.scheduler import STATE_NAMES
    from srs.search.query import QueryError, parse
    from srs.store.search import card_rows, search_cards

    try:
        node = parse(query)
    except QueryError as exc:
        raise UserError(f"search: {exc}") from None
    at = moment(store, now)
    rows = []
    cids = search_cards(store.conn, node, at)
    if limit:
        cids = cids[:limit]  # the first cards added: the key order is the order cards were created
    from srs.deck.cloze import cloze_side

    for cid, uid, deck, front, state, due, last, stability, suspended, buried, flagged, leech, kind, ord_ in card_rows(
        store.conn, cids
    ):
        if kind == "cloze":
            front = cloze_side(front, ord_, reveal=False)
        r = None
        if state != 0 and stability and last is not None:
            r = (1 + at.factor * max(0, (at.now - last) // 86400) / stability) ** -at.decay
        rows.append({
            "id": uid,
            "deck": deck,
            "front": front,
            "state": STATE_NAMES[state],
            "due": from_epoch(due).isoformat() if due is not None and state != 0 else None,
            "r": round(r, 4) if r is not None else None,
            "suspended": bool(suspended),
            "buried": buried > at.now,
            "flagged": flagged,
            "leech": bool(leech),
        })
    return rows


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
    rows = run_search(ws.store, " ".join(query), ws.clock(), limit or None)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No cards match.", err=True)
        return
    table = []
    for row in rows:
        state = row["state"] + "".join(f",{flag}" for flag in ("suspended", "buried", "leech") if row[flag])
        due = row["due"][:10] if row["due"] else ""
        front = CONTROL.sub(" ", row["front"])
        front = front if len(front) <= 50 else front[:49].rstrip() + "…"
        table.append((row["id"], row["deck"], front, state, due, f"{row['r']:.2f}" if row["r"] is not None else ""))
    headers = ("id", "deck", "front", "state", "due", "R")
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    for line in [headers, *table]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    click.echo(f"{len(rows)} card{'s' * (len(rows) != 1)}", err=True)
