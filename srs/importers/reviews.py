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
from srs.optimizer.replay import replayer_for, scheduling_around
from srs.store import imports
from srs.store.imports import LoggedReview

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
    from srs.settings import current

    report = report or ImportReport()
    planner = Planner()
    total = len(reviews_by_uid)
    from srs.importers.undo import record_batch, start_batch

    with store.transaction() as conn:
        first_rid, first_iid = start_batch(conn)  # `srs undo` takes the whole import back
        if prepare is not None:
            prepare(conn)
        cards = imports.cards_for(conn, list(reviews_by_uid))
        logs = imports.card_logs(conn, [card.cid for card in cards.values()])
        replayers: dict = {}  # deck id -> Replayer of its settings
        settings = None  # the settings file, read once for all the decks (when a card has reviews)
        replayed = []
        for done, (uid, incoming) in enumerate(reviews_by_uid.items(), start=1):
            card = cards.get(uid)
            if card is None:
                where = incoming[0].origin + ": " if incoming and incoming[0].origin else ""
                raise UserError(f"{where}no card with id '{uid}' in the database")
            replayer = replayers.get(card.deck_id)
            if replayer is None:
                settings = settings or current()
                replayer = replayers[card.deck_id] = replayer_for(planner,
                                                                  scheduler_settings(store, card.deck_id, settings))
            log = _merged_log(logs.get(card.cid, []), incoming, report)
            if log:
                around = scheduling_around(replayer, card.cid, [(entry.at, entry.rating) for entry in log])
                replayed.append((card, [LoggedReview(e.rid, e.at, e.rating, before, after, e.duration_ms)
                                        for e, (before, after) in zip(log, around)]))
                report.cards += 1
            if progress:
                progress(done, total)
        report.reviews_added += imports.write_card_logs(conn, replayed, source)
        origin = next((r.origin for rs in reviews_by_uid.values() for r in rs if r.origin), "")
        record_batch(conn, origin.split(":")[0] or "a review log", first_rid, first_iid)
    return report


@dataclass(frozen=True, slots=True)
class _Entry:
    rid: int | None  # None: added by this import
    at: int
    rating: int
    duration_ms: int | None = None


def _merged_log(existing: list[tuple[int, int, int]], incoming: list[ImportedReview], report: ImportReport
                ) -> list[_Entry]:
    """The card's log with the incoming reviews it does not hold yet, in time order; [] when none is new.

    A review already in the log (same second, same rating) is not added twice. Old rows come first at equal
    times: they happened (and were logged) before this import."""
    if not existing:  # a card new to the log (as on a first import): the incoming reviews, in time order
        return [_Entry(None, r.at, r.rating, r.duration_ms) for r in sorted(incoming, key=lambda r: r.at)]
    present = Counter((at, rating) for _, at, rating in existing)
    new = []
    for review in sorted(incoming, key=lambda r: r.at):
        if present[(review.at, review.rating)] > 0:
            present[(review.at, review.rating)] -= 1
            report.reviews_present += 1
        else:
            new.append(review)
    if not new:
        return []
    merged = sorted(
        [(row[1], 0, i, _Entry(*row)) for i, row in enumerate(existing)]
        + [(r.at, 1, i, _Entry(None, r.at, r.rating, r.duration_ms)) for i, r in enumerate(new)],
        key=lambda entry: entry[:3],
    )
    return [entry[3] for entry in merged]
