"""`srs import revlog FILE.csv`: a review log as CSV, onto existing cards or placeholder items.

The layout is py-fsrs's (and ../shared/data/review-logs-real.csv's):

    card_id,review_rating,review_time,review_duration
    1711684180217,1,2024-03-29T20:32:32.250000+00:00,25060

`review_rating` is 1-4 (Again, Hard, Good, Easy); `review_time` ISO 8601 (a time without an offset is
UTC) or epoch milliseconds; `review_duration` milliseconds, optional. A `card_id` that names a card in the
database (its public id, or an item's with one card) gets the reviews; an integer one that does not
becomes a placeholder item `revlog-<card_id>` in the deck `imported-revlog`.

A bad row fails the whole import, naming it (`log.csv:17: review_rating must be 1-4, got 7`); with
`skip_bad` bad rows are skipped and counted instead.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from srs.bounds import EARLIEST_YEAR, LATEST_YEAR, YEARS, check_card_id, check_epoch, parse_duration_ms
from srs.errors import UserError
from srs.importers.limits import in_the_future
from srs.importers.reviews import ImportedReview, ImportReport, write_reviews
from srs.store import catalog
from srs.store.catalog import DeckIn, ItemIn

COLUMNS = ("card_id", "review_rating", "review_time", "review_duration")
REQUIRED = COLUMNS[:3]
DEFAULT_DECK = "imported-revlog"
DECK_TITLE = "Imported review history"
PLACEHOLDER_PREFIX = "revlog-"
_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True, slots=True)
class CsvReview:
    line: int
    card: str
    rating: int
    at: int  # epoch seconds
    duration_ms: int | None


@dataclass
class CsvLog:
    path: str
    reviews: list[CsvReview] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # "file:line: message"
    rows: int = 0


def read_revlog_csv(path: str | Path, *, skip_bad: bool = False, data: bytes | None = None,
                    now: int | None = None) -> CsvLog:
    """Parse and check every row; raise UserError naming the first bad one unless `skip_bad`. With `now`
    (epoch seconds) a review after it is bad: it has not happened yet, and would sit after every answer the
    learner gives until then (blocking `srs undo` of those)."""
    path = Path(path)
    shown = str(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError(f"{shown}: the file is empty; expected a header {','.join(COLUMNS)}") from None
    except csv.Error as exc:
        raise UserError(f"{shown}:1: {exc}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise UserError(
            f"{shown}:1: missing column{'s' * (len(missing) > 1)} {', '.join(missing)}; "
            f"expected a header {','.join(COLUMNS)}"
        )
    index = {name: names.index(name) for name in COLUMNS if name in names}
    log = CsvLog(shown)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            log.bad.append(f"{shown}:{reader.line_num}: {exc}")
            continue
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        log.rows += 1
        try:
            log.reviews.append(_parse_row(row, index, len(names), line, now))
        except ValueError as exc:
            log.bad.append(f"{shown}:{line}: {exc}")
    if log.bad and not skip_bad:
        more = len(log.bad) - 1
        tail = f" (and {more} more bad row{'s' * (more != 1)}; --skip-bad imports the good ones)" if more else ""
        raise UserError(log.bad[0] + tail)
    return log


def _parse_row(row: list[str], index: dict[str, int], width: int, line: int, now: int | None) -> CsvReview:
    if len(row) != width:
        raise ValueError(f"expected {width} fields, got {len(row)}")
    card = row[index["card_id"]].strip()
    if not card:
        raise ValueError("card_id is empty")
    check_card_id(card)
    raw_rating = row[index["review_rating"]].strip()
    try:
        rating = int(raw_rating)
    except ValueError:
        raise ValueError(f"review_rating must be 1-4, got '{raw_rating}'") from None
    if not 1 <= rating <= 4:
        raise ValueError(f"review_rating must be 1-4, got {rating}")
    at = parse_time(row[index["review_time"]].strip())
    problem = None if now is None else in_the_future(at, now)
    if problem:
        raise ValueError(f"review_time {row[index['review_time']].strip()} {problem}")
    duration = None
    if "review_duration" in index:
        raw = row[index["review_duration"]].strip()
        if raw:
            duration = parse_duration_ms(raw)
    return CsvReview(line, card, rating, at, duration)


def parse_time(text: str) -> int:
    """ISO 8601 (no offset: UTC) or epoch milliseconds, as whole epoch seconds."""
    if not text:
        raise ValueError("review_time is empty")
    if _INTEGER.match(text):
        value = int(text)
        return check_epoch(value // 1000 if abs(value) >= 100_000_000_000 else value, f"review_time {text}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"review_time must be an ISO 8601 time such as 2024-03-29T20:32:32+00:00, got '{text}'"
        ) from None
    if not EARLIEST_YEAR - 1 <= moment.year <= LATEST_YEAR + 1:  # a year off: offsets may still bring it in
        raise ValueError(f"review_time {text} lies outside the years {YEARS}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return check_epoch(int(moment.timestamp() // 1), f"review_time {text}")


# -- into the store ------------------------------------------------------------------------------------


def import_revlog(
    store, log: CsvLog, *, deck_id: str = DEFAULT_DECK, source_path: str | None = None, progress=None
) -> ImportReport:
    """Add the log's reviews to the store in one transaction (nothing is written if anything fails)."""
    from srs.deck.model import SLUG_PATTERN

    if not re.match(SLUG_PATTERN, deck_id):
        raise UserError(f"--deck: '{deck_id}' is not a deck id (lower-case letters, digits, '-', '_', '.')")
    report = ImportReport(skipped_bad=len(log.bad))
    if not log.reviews:
        report.notes.append("no reviews in the file")
        return report
    deck_file = catalog.deck_file(store, deck_id)
    if deck_file:
        raise UserError(
            f"deck '{deck_id}' comes from the deck file {deck_file}; choose another --deck for placeholders"
        )
    targets, placeholders = _resolve_cards(store, log)
    by_uid: dict[str, list[ImportedReview]] = {}
    for review in log.reviews:
        uid = targets[review.card]
        by_uid.setdefault(uid, []).append(
            ImportedReview(review.at, review.rating, review.duration_ms, f"{log.path}:{review.line}")
        )

    def prepare(conn):
        deck = placeholder_deck(placeholders, deck_id, source_path or log.path)
        report.cards_created = catalog.add_items(store, deck)

    return write_reviews(store, by_uid, prepare=prepare, report=report, progress=progress)


def _resolve_cards(store, log: CsvLog) -> tuple[dict[str, str], list[tuple[str, str, int, int]]]:
    """Each CSV card id -> a card uid; and the placeholders to create (uid, csv id, first line, order)."""
    card_uids = catalog.card_uids(store)
    item_cards = catalog.cards_of_items(store)
    targets: dict[str, str] = {}
    placeholders: list[tuple[str, str, int, int]] = []
    first_line: dict[str, int] = {}
    for review in log.reviews:
        first_line.setdefault(review.card, review.line)
    for card, line in first_line.items():
        if card in card_uids:
            targets[card] = card
        elif card in item_cards and len(item_cards[card]) == 1:
            targets[card] = item_cards[card][0]
        elif card in item_cards:
            names = ", ".join(item_cards[card][:4])
            raise UserError(f"{log.path}:{line}: item '{card}' has {len(item_cards[card])} cards; name one ({names})")
        elif _INTEGER.match(card):
            uid = PLACEHOLDER_PREFIX + card.lstrip("-")
            targets[card] = uid
            if uid not in card_uids:
                placeholders.append((uid, card, line, len(placeholders)))
        else:
            match = difflib.get_close_matches(card, list(card_uids), n=1, cutoff=0.6)
            hint = f"; did you mean '{match[0]}'?" if match else " (integer ids become placeholder items)"
            raise UserError(f"{log.path}:{line}: no card with id '{card}'{hint}")
    return targets, placeholders


def placeholder_content(card: str) -> dict:
    return {"kind": "flashcard", "front": f"Imported card {card}", "back": "(placeholder)"}


def placeholder_deck(placeholders, deck_id: str, source_path: str) -> DeckIn:
    """The placeholder items, as a deck of them for the store's write path (which places them after the
    deck's own items)."""
    from srs.deck.identity import content_hash

    items = []
    for uid, card, line, order in placeholders:
        content = placeholder_content(card)
        items.append(ItemIn(uid, "flashcard", content_hash(content), content["front"], json.dumps(content), "[]",
                            str(source_path), line, order, True))
    return DeckIn(deck_id, DECK_TITLE, "deck", str(source_path), "{}", items)
