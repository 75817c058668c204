"""The log of what was done to cards by hand (suspend, bury, flag, forget, reschedule, ...), and its undo.

Answers go to `revlog`; these actions go to `card_actions`, one row per card with its state before and
after (table: srs/store/schema.py), grouped by `batch` (one command on several cards is one batch, undone
together). A forgotten card keeps its review log.
"""

from __future__ import annotations

import json
from datetime import datetime

from srs.clock import to_epoch
from srs.errors import UserError
from srs.store.store import CARD_COLUMNS, CardRecord, Store


def record_actions(store: Store, action: str, detail: str | None, changes: list[tuple[CardRecord, dict]],
                   now: datetime) -> int:
    """Apply `changes` ((card as read, new values)) and log them as one batch; the batch number.

    A card changed by someone else since it was read is refused, and then nothing is changed."""
    with store.transaction() as conn:
        batch = (conn.execute("SELECT MAX(batch) FROM card_actions").fetchone()[0] or 0) + 1
        for card, values in changes:
            current = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [card.cid]).fetchone()
            if CardRecord(*current).memory() != card.memory():
                raise UserError(f"card {card.uid} changed meanwhile; nothing was changed")
            after = card.with_memory(values).memory()
            conn.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in values)} WHERE cid = ?",
                         [*values.values(), card.cid])
            conn.execute(
                "INSERT INTO card_actions (batch, cid, at, action, detail, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [batch, card.cid, to_epoch(now), action, detail, json.dumps(card.memory()), json.dumps(after)],
            )
    return batch


def undo_last_batch(store: Store) -> tuple[str, list[str]] | None:
    """Put the cards of the newest batch back as they were; (action, card ids), or None when there is none.

    Refused (nothing changed) when one of those cards changed since, by an answer or another action."""
    with store.transaction() as conn:
        batch = conn.execute("SELECT MAX(batch) FROM card_actions").fetchone()[0]
        if batch is None:
            return None
        rows = conn.execute(
            "SELECT a.cid, a.action, a.before, a.after, c.uid FROM card_actions a JOIN cards c ON c.cid = a.cid "
            "WHERE a.batch = ? ORDER BY a.aid", [batch]
        ).fetchall()
        for cid, action, before, after, uid in rows:
            current = CardRecord(*conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [cid]).fetchone())
            if current.memory() != json.loads(after):
                raise UserError(f"card {uid} changed since '{action}'; nothing was undone")
            values = json.loads(before)
            conn.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in values)} WHERE cid = ?",
                         [*values.values(), cid])
        conn.execute("DELETE FROM card_actions WHERE batch = ?", [batch])
    return rows[0][1], [row[4] for row in rows]


def actions_for(store: Store, cid: int) -> list[dict]:
    """The actions done to one card, oldest first."""
    rows = store.conn.execute(
        "SELECT at, action, detail FROM card_actions WHERE cid = ? ORDER BY aid", [cid]
    ).fetchall()
    return [{"at": at, "action": action, "detail": detail} for at, action, detail in rows]
