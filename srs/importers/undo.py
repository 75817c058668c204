"""Undoing the last import as a whole: its reviews leave the log, and each card it touched is replayed
from what remains of its log (as the import itself replayed it), or is new again when nothing remains.
Items the import created are retired. The files an Anki import wrote stay; a sync reads them again.

An import is recorded (in the settings, in the import's own transaction) as the range of log rows it
added, so `srs undo` can tell whether the newest change is the learner's answer or the import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from srs.errors import UserError
from srs.store import log

SETTING = "last_import"


@dataclass(frozen=True)
class ImportBatch:
    label: str  # the file imported
    first_rid: int
    last_rid: int
    first_iid: int  # items from this one on were created by the import
    reviews: int
    cards: int


def start_batch(conn) -> tuple[int, int]:
    """(the first log row, the first item) an import about to write will create."""
    rid = (log.newest_rid(conn) or 0) + 1
    iid = conn.execute("SELECT COALESCE(MAX(iid), 0) FROM items").fetchone()[0] + 1
    return rid, iid


def record_batch(conn, label: str, first_rid: int, first_iid: int) -> None:
    """Remember what the import in this transaction added (nothing is recorded when it added no review)."""
    reviews, cards, last_rid = log.imported_since(conn, first_rid)
    if not reviews:
        return
    batch = ImportBatch(label, first_rid, last_rid, first_iid, reviews, cards)
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [SETTING, json.dumps(batch.__dict__)],
    )


def last_batch(store) -> ImportBatch | None:
    value = store.setting(SETTING)
    try:
        return ImportBatch(**value) if value else None
    except TypeError:
        return None


def undo_batch(store, batch: ImportBatch) -> None:
    """Take the import `batch` back out of the log (see the module's docstring)."""
    from srs.optimizer.replay import replay_cards

    with store.transaction() as conn:
        rows = log.imported_between(conn, batch.first_rid, batch.last_rid)
        if len(rows) != batch.reviews:
            raise UserError(f"the import of {batch.label} was changed since; `srs backup --list` shows the backup "
                            "taken before it, and `srs restore FILE` puts it back")
        cids = sorted({cid for _, cid in rows})
        log.delete(conn, [rid for rid, _ in rows])
        replay_cards(store, conn, cids)  # each card from what remains of its log; new again when nothing does
        live = conn.execute("SELECT iid FROM items WHERE iid >= ? AND retired = 0", [batch.first_iid])
        created = [r[0] for r in live]
        for iid in created:
            if not log.item_has_reviews(conn, iid):
                conn.execute("UPDATE items SET retired = 1 WHERE iid = ?", [iid])
                conn.execute("UPDATE cards SET active = 0 WHERE iid = ?", [iid])
        conn.execute("DELETE FROM settings WHERE key = ?", [SETTING])
