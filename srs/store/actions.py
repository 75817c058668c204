"""The log of what was done to cards by hand (suspend, bury, flag, forget, reschedule, ...), and its undo.

Answers go to `revlog`; these actions go to `card_actions`, one row per card with its state before and
after (table: srs/store/schema.py), grouped by `batch`. One command on several cards is one batch, numbered
upwards from 1 and undone together by `srs card undo`. The siblings an answer buries are logged in the
answer's own transaction as batch -rid (the answer's log row), so they are undone with that answer (by `u` in
a session or by `srs undo`), never on their own. The same functions serve `srs card ...` and the keys of a
review session. A forgotten card keeps its review log.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from srs.clock import to_epoch
from srs.errors import UserError
from srs.store.store import CARD_COLUMNS, CardRecord, Store

SIBLING_BURIED = "bury"


def record_actions(store: Store, action: str, detail: str | None, changes: list[tuple[CardRecord, dict]],
                   now: datetime) -> int:
    """Apply `changes` ((card as read, new values)) and log them as one batch; the batch number.

    A card changed by someone else since it was read is refused, and then nothing is changed."""
    with store.transaction() as conn:
        batch = (conn.execute("SELECT MAX(batch) FROM card_actions WHERE batch > 0").fetchone()[0] or 0) + 1
        for card, values in changes:
            current = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [card.cid]).fetchone()
            if CardRecord(*current).memory() != card.memory():
                raise UserError(f"card {card.uid} changed meanwhile; nothing was changed")
            conn.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in values)} WHERE cid = ?",
                         [*values.values(), card.cid])
            _log(conn, batch, card, card.with_memory(values), action, detail, now)
    return batch


def log_sibling_burials(conn: sqlite3.Connection, rid: int, answered: CardRecord, buried: list[CardRecord],
                        until: int, now: datetime) -> None:
    """Inside the transaction that records answer `rid` (which buries them): log the burial of `buried` (the
    answered card's siblings, as they were) until `until`, as batch -rid."""
    conn.execute("DELETE FROM card_actions WHERE batch = ?", [-rid])  # left by an earlier answer with this rid
    for sibling in buried:
        _log(conn, -rid, sibling, sibling.with_memory({"buried_until": until}), SIBLING_BURIED,
             f"sibling {answered.uid} answered", now)


def _log(conn: sqlite3.Connection, batch: int, before: CardRecord, after: CardRecord, action: str,
         detail: str | None, now: datetime) -> None:
    conn.execute(
        "INSERT INTO card_actions (batch, cid, at, action, detail, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [batch, before.cid, to_epoch(now), action, detail, json.dumps(before.memory()), json.dumps(after.memory())],
    )


def undo_last_batch(store: Store) -> tuple[str, list[str]] | None:
    """Put the cards of the newest batch back as they were; (action, card ids), or None when there is none.

    Refused (nothing changed) when one of those cards changed since, by an answer or another action."""
    batch = store.conn.execute("SELECT MAX(batch) FROM card_actions WHERE batch > 0").fetchone()[0]
    return None if batch is None else undo_batch(store, batch)


def undo_batch(store: Store, batch: int, *, lenient: bool = False) -> tuple[str, list[str]] | None:
    """Put the cards of `batch` back as they were and drop its rows; (action, card ids), or None when there is
    no such batch. A card changed since refuses the whole undo (nothing changed), or with `lenient` is left as
    it is while the others are put back."""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT a.cid, a.action, a.before, a.after, c.uid FROM card_actions a JOIN cards c ON c.cid = a.cid "
            "WHERE a.batch = ? ORDER BY a.aid", [batch]
        ).fetchall()
        if not rows:
            return None
        for cid, action, before, after, uid in rows:
            current = CardRecord(*conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [cid]).fetchone())
            if current.memory() != json.loads(after):
                if lenient:
                    continue
                raise UserError(f"card {uid} changed since '{action}'; nothing was undone")
            values = json.loads(before)
            conn.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in values)} WHERE cid = ?",
                         [*values.values(), cid])
        conn.execute("DELETE FROM card_actions WHERE batch = ?", [batch])
    return rows[0][1], [row[4] for row in rows]


def undo_answer(store: Store, rid: int | None = None) -> tuple[CardRecord, dict] | None:
    """Undo answer `rid` (default: the learner's newest) as Store.undo_last does, then give back the siblings it
    buried (those still as it left them); None when there is no answer to undo."""
    rid = store.newest_learner_rid() if rid is None else rid
    if rid is None:
        return None
    undone = store.undo_last(rid)
    if undone is not None:
        undo_batch(store, -rid, lenient=True)
    return undone


def actions_for(store: Store, cid: int) -> list[dict]:
    """The actions done to one card, oldest first."""
    rows = store.conn.execute(
        "SELECT at, action, detail FROM card_actions WHERE cid = ? ORDER BY aid", [cid]
    ).fetchall()
    return [{"at": at, "action": action, "detail": detail} for at, action, detail in rows]
