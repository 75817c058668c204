"""Read models for the statistics, the card report and the session summary: each function one query.

srs/stats.py, srs/optimizer and the views compose these; none of them writes. `deck_ids` of None means
every deck, and an empty list means none. The queries are shaped for the indexes in srs/store/schema.py
(the notes beside them say which); keep those shapes when changing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from srs.store.log import SOURCE_CODE
from srs.store.schema import LEARNING, NEW, RELEARNING, REVIEW
from srs.store.store import Store


def deck_filter(deck_ids: Iterable[str] | None, column: str = "deck_id") -> tuple[str, list]:
    """An SQL condition (to follow AND) limiting `column` to `deck_ids`; None means no limit."""
    if deck_ids is None:
        return "1", []
    deck_ids = list(deck_ids)
    if not deck_ids:
        return "0", []
    return f"{column} IN ({','.join('?' * len(deck_ids))})", deck_ids


def _log_deck_filter(deck_ids: Iterable[str] | None) -> tuple[str, list]:
    """deck_filter for the log, whose rows belong to their card's deck."""
    where, params = deck_filter(deck_ids)
    if where in ("0", "1"):
        return where, params
    return f"cid IN (SELECT cid FROM cards WHERE {where})", params


# -- the log --------------------------------------------------------------------------------------


def first_review_at_or_after(store: Store, cursor: int, until: int, deck_ids: list[str] | None) -> int | None:
    """The time of the first review in [cursor, until] (one seek on the time index), or None."""
    where, params = _log_deck_filter(deck_ids)
    row = store.conn.execute(
        "SELECT reviewed_at FROM revlog WHERE reviewed_at >= ? AND reviewed_at <= ? AND "
        f"{where} ORDER BY reviewed_at LIMIT 1",
        [cursor, until, *params],
    ).fetchone()
    return None if row is None else row[0]


def day_totals(store: Store, start: int, until: int, deck_ids: list[str] | None) -> tuple[int, int, int, int]:
    """(reviews, first reviews of new cards, milliseconds, reviews rated above Again) in [start, until]."""
    where, params = _log_deck_filter(deck_ids)
    reviews, new, ms, correct = store.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(state_before = ?), 0), COALESCE(SUM(duration_ms), 0), "
        f"COALESCE(SUM(rating > 1), 0) FROM revlog WHERE reviewed_at >= ? AND reviewed_at <= ? AND {where}",
        [NEW, start, until, *params],
    ).fetchone()
    return reviews, new, ms, correct


def reviews_between(store: Store, start: int, end: int, until: int, deck_ids: list[str] | None) -> int:
    """Reviews in [start, end) and at or before `until`. Without a deck filter, COUNT over a range of the
    time index reads no table rows."""
    where, params = _log_deck_filter(deck_ids)
    return store.conn.execute(
        f"SELECT COUNT(*) FROM revlog WHERE reviewed_at >= ? AND reviewed_at < ? AND reviewed_at <= ? AND {where}",
        [start, end, until, *params],
    ).fetchone()[0]


def review_state_reviews(
    store: Store, since: int, until: int, deck_ids: list[str] | None
) -> Iterator[tuple[str, int, int, float | None, int | None]]:
    """(deck_id, rating, reviewed_at, stability before, last review before) of each review of a card in the
    review state, in [since, until]: what true and predicted retention are computed from."""
    where, params = deck_filter(deck_ids, "c.deck_id")
    # The state before a review is the previous row's state after (srs/store/log.py), unless revlog_before has it.
    # The previous row is one seek on revlog_by_card (cid, reviewed_at, rid), then one read by rid.
    previous = ("(SELECT q.rid FROM revlog q WHERE q.cid = r.cid AND q.reviewed_at <= r.reviewed_at "
                "AND (q.reviewed_at < r.reviewed_at OR q.rid < r.rid) ORDER BY q.reviewed_at DESC, q.rid DESC LIMIT 1)")
    return store.conn.execute(
        "SELECT c.deck_id, r.rating, r.reviewed_at, "
        "CASE WHEN b.rid IS NULL THEN p.stability ELSE b.stability END, "
        "CASE WHEN b.rid IS NULL THEN p.reviewed_at ELSE b.last_review END "
        "FROM revlog r JOIN cards c ON c.cid = r.cid LEFT JOIN revlog_before b ON b.rid = r.rid "
        f"LEFT JOIN revlog p ON p.rid = {previous} "
        f"WHERE r.reviewed_at >= ? AND r.reviewed_at <= ? AND r.state_before = {REVIEW} AND {where}",
        [since, until, *params],
    )


def log_totals(store: Store, until: int) -> tuple[int, int, int, int]:
    """(reviews, rated above Again, first reviews of new cards, quiz reviews) up to `until`, every deck."""
    # One pass over the log; `+reviewed_at` keeps SQLite from walking the time index row by row.
    reviews, correct, new_cards, quiz_rows = store.conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(rating > 1), 0), COALESCE(SUM(state_before = {NEW}), 0), "
        "COALESCE(SUM(source = ?), 0) FROM revlog WHERE +reviewed_at <= ?",
        [SOURCE_CODE["quiz"], until],
    ).fetchone()
    return reviews, correct, new_cards, quiz_rows


def at_least_reviews(store: Store, start: int, end: int, n: int) -> bool:
    """Whether [start, end) holds `n` reviews or more (reads at most n index entries)."""
    return store.conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM revlog WHERE reviewed_at >= ? AND reviewed_at < ? LIMIT ?)",
        [start, end, n],
    ).fetchone()[0] >= n


def any_review_between(store: Store, start: int, end: int) -> bool:
    if start >= end:
        return False
    return store.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM revlog WHERE reviewed_at >= ? AND reviewed_at < ?)", [start, end]
    ).fetchone()[0] == 1


def quiz_answers(store: Store, until: int, bucket_seconds: int) -> Iterator[tuple[str, int, int, int, str]]:
    """(deck_id, time bucket, cid, worst rating, JSON list of the responses) of the quiz-mode reviews up to
    `until`."""
    return store.conn.execute(
        f"SELECT c.deck_id, r.reviewed_at / {int(bucket_seconds)}, r.cid, MIN(r.rating), "
        "json_group_array(r.response) FROM revlog r JOIN cards c ON c.cid = r.cid "
        "WHERE r.source = ? AND +r.reviewed_at <= ? GROUP BY 1, 2, 3",
        [SOURCE_CODE["quiz"], until],
    )


def card_item(store: Store, cid: int) -> tuple[str, str]:
    """(kind, content JSON) of the item a card belongs to."""
    row = store.conn.execute(
        "SELECT i.kind, i.content FROM cards c JOIN items i ON i.iid = c.iid WHERE c.cid = ?", [cid]).fetchone()
    return row[0], row[1]


# -- the cards ------------------------------------------------------------------------------------


def due_buckets(store: Store, ends: list[int], deck_ids: list[str] | None) -> list[int]:
    """Learning and review cards due before ends[0], then in [ends[k-1], ends[k]) for each k: one aggregate
    row. New, suspended and removed items' cards are not counted."""
    days = len(ends)
    sums = ["SUM(due < ?)"] + ["SUM(due >= ? AND due < ?)"] * (days - 1)
    bounds = [ends[0]] + [b for k in range(1, days) for b in (ends[k - 1], ends[k])]
    where, params = deck_filter(deck_ids)
    # The literal states, active and suspended let SQLite use the partial index cards_due.
    row = store.conn.execute(
        f"SELECT {', '.join(sums)} FROM cards WHERE {where} AND state IN ({LEARNING}, {REVIEW}, {RELEARNING}) "
        "AND due < ? AND active = 1 AND suspended = 0",
        [*bounds, *params, ends[-1]],
    ).fetchone()
    return [n or 0 for n in row]


def deck_card_counts(store: Store, due_before: int, deck_ids: list[str] | None) -> dict[str, tuple[int, ...]]:
    """{deck_id: (active cards, new, learning, review, suspended, due before `due_before`)}."""
    where, params = deck_filter(deck_ids)
    return {
        row[0]: tuple(n or 0 for n in row[1:])
        for row in store.conn.execute(
            f"SELECT deck_id, COUNT(*), SUM(state = {NEW} AND suspended = 0), "
            f"SUM(state IN ({LEARNING}, {RELEARNING}) AND suspended = 0), SUM(state = {REVIEW} AND suspended = 0), "
            f"SUM(suspended = 1), SUM(state != {NEW} AND suspended = 0 AND due < ?) "
            f"FROM cards WHERE active = 1 AND {where} GROUP BY deck_id",
            [due_before, *params],
        )
    }


def deck_mastery(store: Store, mastered_stability: float) -> Iterator[tuple[str, int, int, int]]:
    """(deck_id, active cards, active review cards at `mastered_stability` days or more, cards ever reviewed)
    for each deck that is not retired."""
    return store.conn.execute(
        f"SELECT c.deck_id, SUM(c.active = 1), SUM(c.active = 1 AND c.state = {REVIEW} AND c.stability >= ?), "
        "SUM(c.reps > 0) FROM cards c JOIN decks d ON d.id = c.deck_id WHERE d.retired = 0 GROUP BY c.deck_id",
        [mastered_stability],
    )


def graded_cards(store: Store, deck_id: str) -> set[int]:
    """The active cards of a deck that the program grades (choices and orderings)."""
    return {
        row[0]
        for row in store.conn.execute(
            "SELECT c.cid FROM cards c JOIN items i ON i.iid = c.iid WHERE c.deck_id = ? AND c.active = 1 "
            "AND i.kind IN ('choice', 'ordering')",
            [deck_id],
        )
    }


def flagged_cards(store: Store) -> list[tuple[str, str, int, str]]:
    """(card id, file, line, note) of every card flagged for the author, in file order."""
    return store.conn.execute(
        "SELECT c.uid, i.path, i.line, c.flagged FROM cards c JOIN items i ON i.iid = c.iid "
        "WHERE c.flagged IS NOT NULL ORDER BY i.path, i.line"
    ).fetchall()

