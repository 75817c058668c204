"""A search's results as data: each matching card's id, deck, front, state, due date and retrievability."""

from __future__ import annotations

from srs.errors import UserError
from srs.jsontypes import SearchRowJson


def moment(store, now):
    """The time a search runs at, with the forgetting curve of the parameters in use for prop:r."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from srs.clock import day_end, day_start, to_epoch
    from srs.search.reference import Moment

    params = store.setting("fsrs_parameters") or DEFAULT_PARAMETERS
    decay = params[20]
    return Moment(to_epoch(now), to_epoch(day_start(now)), to_epoch(day_end(now)), 0.9 ** (1 / -decay) - 1, decay)


def run_search(store, query: str, now, limit: int | None = None) -> list[SearchRowJson]:
    """Cards matching `query` as rows for the table or --json; UserError for a bad query."""
    from srs.clock import from_epoch
    from srs.deck.cloze import cloze_side
    from srs.scheduler import STATE_NAMES
    from srs.search.query import QueryError, parse
    from srs.store.search import card_rows, search_cards

    try:
        node = parse(query)
    except QueryError as exc:
        raise UserError(f"search: {exc}") from None
    at = moment(store, now)
    rows: list[SearchRowJson] = []
    cids = search_cards(store.conn, node, at)
    if limit:
        cids = cids[:limit]  # the first cards added: the key order is the order cards were created
    for _cid, uid, deck, front, state, due, last, stability, suspended, buried, flagged, leech, kind, ord_ in card_rows(
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
