"""Writing imported reviews into the store: merged with each card's log, replayed through the Planner.

Everything happens in one transaction. A review already in the log (same card, same second, same rating)
is not added twice, so importing the same file again changes nothing. Each touched card's whole log,
old and new reviews in time order, is replayed, so its state is the one srs would have given it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from srs.errors import UserError
from srs.optimizer.replay import SCHEDULING, replay
from srs.store import log
from srs.store.store import CARD_COLUMNS, CardRecord

if TYPE_CHECKING:
    from srs.jsontypes import ImportReportJson

SOURCE = "import"


@dataclass(frozen=True, slots=True)
class ImportedReview:
    at: int  # epoch seconds
    rating: int  # 1-4
    duration_ms: int | None = None
    origin: str = ""  # where it came from, e.g. "log.csv:17", for messages


@dataclass
class ImportReport:
    cards: int = 0  # cards that received reviews
    cards_created: int = 0  # placeholder items created
    reviews_added: int = 0
    reviews_present: int = 0  # already in the log, not added again
    skipped_bad: int = 0  # bad input rows skipped (--skip-bad)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> ImportReportJson:
        return {
            "cards": self.cards, "cards_created": self.cards_created, "reviews_added": self.reviews_added,
            "reviews_already_present": self.reviews_present, "skipped_bad_rows": self.skipped_bad,
            "notes": self.notes,
        }


def write_reviews(
    store,
    reviews_by_uid: dict[str, list[ImportedReview]],
    *,
    prepare: Callable | None = None,
    report: ImportReport | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str = SOURCE,
) -> ImportReport:
    """Add the reviews to the cards with these public ids. `prepare(conn)` runs first, inside the same
    transaction (to create the decks, items and cards the reviews belong to). `source` is what the log
    says they came from ("import"; "anki" for `srs sync`)."""
    from srs.scheduler import Planner
    from srs.session import scheduler_settings

    report = report or ImportReport()
    planner = Planner()
    settings_by_deck: dict = {}
    total = len(reviews_by_uid)
    from srs.importers.undo import record_batch, start_batch

    with store.transaction() as conn:
        first_rid, first_iid = start_batch(conn)  # `srs undo` takes the whole import back
        if prepare is not None:
            prepare(conn)
        for done, (uid, incoming) in enumerate(reviews_by_uid.items(), start=1):
            row = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE uid = ?", [uid]).fetchone()
            if row is None:
                where = incoming[0].origin + ": " if incoming and incoming[0].origin else ""
                raise UserError(f"{where}no card with id '{uid}' in the database")
            card = CardRecord(*row)
            _write_card(conn, card, incoming, planner, settings_by_deck, scheduler_settings, store, report, source)
            if progress:
                progress(done, total)
        origin = next((r.origin for rs in reviews_by_uid.values() for r in rs if r.origin), "")
        record_batch(conn, origin.split(":")[0] or "a review log", first_rid, first_iid)
    return report


def _write_card(conn, card: CardRecord, incoming, planner, settings_by_deck, scheduler_settings, store, report,
                source: str = SOURCE):
    existing = log.card_log(conn, card.cid)
    present = Counter((row.reviewed_at, row.rating) for row in existing)
    new = []
    for review in sorted(incoming, key=lambda r: r.at):
        if present[(review.at, review.rating)] > 0:
            present[(review.at, review.rating)] -= 1
            report.reviews_present += 1
        else:
            new.append(review)
    if not new:
        return
    # Old rows first at equal times: they happened (and were logged) before this import.
    merged = sorted(
        [(row.reviewed_at, 0, i, row) for i, row in enumerate(existing)] + [(r.at, 1, i, r) for i, r in enumerate(new)],
        key=lambda entry: entry[:3],
    )
    settings = settings_by_deck.get(card.deck_id)
    if settings is None:
        settings = settings_by_deck[card.deck_id] = scheduler_settings(store, card.deck_id)
    steps = replay(planner, settings, card, [(entry[0], entry[3].rating) for entry in merged])
    rewritten, added = [], []
    for entry, step in zip(merged, steps):
        if entry[1] == 0:
            rewritten.append((entry[3].rid, step.before["state"], step.after))
        else:
            review = entry[3]
            added.append((card.cid, review.at, review.rating, review.duration_ms, source, step.before["state"],
                          step.after))
            report.reviews_added += 1
    log.rewrite(conn, rewritten)
    log.insert_chain(conn, added)
    final = steps[-1].after
    assignments = ", ".join(f"{name} = ?" for name in SCHEDULING)
    conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*(final[n] for n in SCHEDULING), card.cid])
    report.cards += 1
