"""Undoing the last import as a whole: its reviews leave the log, and each card it touched is replayed
from what remains of its log (as the import itself replayed it), or is new again when nothing remains.
Items the import created are retired. The files an Anki import wrote stay; a sync reads them again.

An import is recorded (in the settings, in the import's own transaction) as the range of log rows it
added, so `srs undo` can tell whether the newest change is the learner's answer or the import.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.errors import UserError
from srs.store import imports
from srs.store.imports import SETTING, start_batch

__all__ = ["SETTING", "ImportBatch", "last_batch", "record_batch", "start_batch", "undo_batch"]
SOURCE = "import"


@dataclass(frozen=True)
class ImportBatch:
    label: str  # the file imported
    first_rid: int
    last_rid: int
    first_iid: int  # items from this one on were created by the import
    reviews: int
    cards: int


def record_batch(conn, label: str, first_rid: int, first_iid: int) -> None:
    """Remember what the import in this transaction added (nothing is recorded when it added no review)."""
    reviews, cards, last_rid = imports.batch_counts(conn, first_rid, SOURCE)
    if not reviews or last_rid is None:
        return
    imports.remember_batch(conn, ImportBatch(label, first_rid, last_rid, first_iid, reviews, cards).__dict__)


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
        if imports.count_batch_rows(conn, batch.first_rid, batch.last_rid, SOURCE) != batch.reviews:
            raise UserError(f"the import of {batch.label} was changed since; `srs backup --list` shows the backup "
                            "taken before it, and `srs restore FILE` puts it back")
        cids = imports.remove_batch_rows(conn, batch.first_rid, batch.last_rid, SOURCE)
        replay_cards(store, conn, cids)  # each card from what remains of its log; new again when nothing does
        imports.retire_unreviewed(conn, batch.first_iid)
        imports.remember_batch(conn, None)
