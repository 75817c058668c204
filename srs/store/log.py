"""The review log: one typed row per answer (table `revlog`, srs/store/schema.py), its writes and its reads.

A row keeps the answer (card, time, rating, duration, response, where it came from) and the card's
scheduling state after it, in typed columns. The state after an answer has `last_review` = the answer's
time. The state before an answer is the state after the card's previous row (a new card's for its first),
so it is not stored twice; where it is not (the card was forgotten or rescheduled by hand between two
answers, or took Anki's memory state), the row's state before is kept in `revlog_before`. `state_before`
is a column of its own, as the statistics count by it. An answer changes no mark but the leech mark:
`leech` says this answer made the card a leech (1), and suspended it too (2).

No module outside srs/store knows these columns: they read LogRow and write through these functions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from srs.store.schema import NEW, SchemaError

# What made a row, as stored (its index). "review", "quiz" and "answer" are the learner's; the others imports.
SOURCES = ("review", "quiz", "answer", "import", "anki")
SOURCE_CODE = {name: code for code, name in enumerate(SOURCES)}
LEARNER_CODES = tuple(SOURCE_CODE[name] for name in ("review", "quiz", "answer"))

# The card's scheduling fields, as a log row keeps them before and after an answer.
SCHEDULING = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
FRESH: dict[str, Any] = {"state": NEW, "step": None, "stability": None, "difficulty": None, "due": None,
                         "last_review": None, "reps": 0, "lapses": 0}
LEECH_MADE, LEECH_SUSPENDED = 1, 2
CONVERT_BATCH = 10_000  # rows of the legacy log converted per executemany (and per step of progress)

_AFTER = ("state", "step", "stability", "difficulty", "due", "reps", "lapses")  # columns; last_review is the time
_after_values = itemgetter(*_AFTER)  # a state's _AFTER columns, as a tuple
_BEFORE = ("step", "stability", "difficulty", "due", "last_review", "reps", "lapses")  # revlog_before's columns
_SELECT = (
    "SELECT r.rid, r.cid, r.reviewed_at, r.rating, r.duration_ms, r.response, r.source, r.leech, r.state_before, "
    + ", ".join(f"r.{c}" for c in _AFTER) + ", b.rid, " + ", ".join(f"b.{c}" for c in _BEFORE)
    + " FROM revlog r LEFT JOIN revlog_before b ON b.rid = r.rid"
)


@dataclass(frozen=True, slots=True)
class LogRow:
    """One answer in the log, with the card's scheduling fields (SCHEDULING) before and after it."""

    rid: int
    cid: int
    reviewed_at: int  # epoch seconds
    rating: int  # 1-4
    duration_ms: int | None
    response: str | None
    source: str  # one of SOURCES
    before: dict[str, Any]
    after: dict[str, Any]
    leech: int = 0  # LEECH_MADE, LEECH_SUSPENDED, or 0

    @property
    def state_before(self) -> int:
        return int(self.before["state"])


def after_of(row: tuple) -> dict[str, Any]:
    """The scheduling fields after an answer, from (reviewed_at, *_AFTER columns)."""
    at, state, step, stability, difficulty, due, reps, lapses = row
    return {"state": state, "step": step, "stability": stability, "difficulty": difficulty, "due": due,
            "last_review": at, "reps": reps, "lapses": lapses}


def _rows(cursor: Iterable[tuple]) -> Iterator[LogRow]:
    """LogRows from _SELECT's rows ordered by card, time and rid: each row's state before from the one before."""
    cid, previous = None, FRESH
    for row in cursor:
        rid, card, at, rating, ms, response, source, leech, state_before = row[:9]
        if card != cid:
            cid, previous = card, FRESH
        after = after_of((at, *row[9:16]))
        if row[16] is not None:
            before = dict(zip(SCHEDULING, (state_before, *row[17:])))
        else:
            before = dict(previous, state=state_before)
        yield LogRow(rid, card, at, rating, ms, response, SOURCES[source], before, after, leech)
        previous = after


def card_log(conn: sqlite3.Connection, cid: int) -> list[LogRow]:
    """One card's log, oldest first."""
    return list(_rows(conn.execute(f"{_SELECT} WHERE r.cid = ? ORDER BY r.reviewed_at, r.rid", [cid])))


def logs(conn: sqlite3.Connection, card_filter: str = "1", params: Iterable = ()) -> dict[int, list[LogRow]]:
    """{cid: its log, oldest first} for the cards of `r.cid IN (SELECT cid FROM cards c WHERE card_filter)`."""
    by_card: dict[int, list[LogRow]] = {}
    query = (f"{_SELECT} WHERE r.cid IN (SELECT c.cid FROM cards c WHERE {card_filter}) "
             "ORDER BY r.cid, r.reviewed_at, r.rid")
    for row in _rows(conn.execute(query, list(params))):
        by_card.setdefault(row.cid, []).append(row)
    return by_card


def _pin(conn: sqlite3.Connection, rid: int, before: dict[str, Any]) -> None:
    conn.execute(f"INSERT OR REPLACE INTO revlog_before (rid, {', '.join(_BEFORE)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 [rid, *(before[name] for name in _BEFORE)])


def _chained(previous: tuple | None) -> dict[str, Any]:
    return FRESH if previous is None else after_of(previous)


def append(conn: sqlite3.Connection, cid: int, at: int, rating: int, before: dict[str, Any], after: dict[str, Any],
           *, duration_ms: int | None = None, response: str | None = None, source: str = "review",
           leech: int = 0) -> int:
    """Inside a transaction: log one answer (the card's fields before and after it); its rid.

    One INSERT, and a second only when the card's state before is not its previous row's state after."""
    after_columns = ", ".join(_AFTER)
    newest = conn.execute(f"SELECT reviewed_at, {after_columns} FROM revlog WHERE cid = ? "
                          "ORDER BY reviewed_at DESC, rid DESC LIMIT 1", [cid]).fetchone()
    previous, later = newest, None
    if newest is not None and newest[0] > at:  # rare: the card has a row later than this answer
        neighbours = f"SELECT reviewed_at, {after_columns} FROM revlog WHERE cid = ? AND reviewed_at"
        previous = conn.execute(f"{neighbours} <= ? ORDER BY reviewed_at DESC, rid DESC LIMIT 1", [cid, at]).fetchone()
        later = conn.execute("SELECT rid FROM revlog WHERE cid = ? AND reviewed_at > ? ORDER BY reviewed_at, rid "
                             "LIMIT 1", [cid, at]).fetchone()
    if later is not None:  # an answer logged before an older one (a clock set back): keep that one's state before
        row = card_log(conn, cid)
        _pin(conn, later[0], next(r.before for r in row if r.rid == later[0]))
    rid = conn.execute(
        f"INSERT INTO revlog (cid, reviewed_at, rating, duration_ms, source, response, state_before, {after_columns}, "
        "leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [cid, at, rating, duration_ms, SOURCE_CODE[source], response, before["state"],
         *(after[name] for name in _AFTER), leech],
    ).lastrowid
    assert rid is not None
    if any(before[name] != value for name, value in _chained(previous).items()):
        _pin(conn, rid, before)
    return rid


def insert_chain(conn: sqlite3.Connection,
                 rows: Iterable[tuple[int, int, int, int | None, str, int, dict[str, Any]]]) -> None:
    """Inside a transaction: log replayed answers (cid, at, rating, duration_ms, source, state before, state
    after), each following its card's previous row; the caller rewrites the card's other rows (`rewrite`)."""
    conn.executemany(
        f"INSERT INTO revlog (cid, reviewed_at, rating, duration_ms, source, state_before, {', '.join(_AFTER)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cid, at, rating, ms, SOURCE_CODE[source], state_before, *(after[n] for n in _AFTER))
         for cid, at, rating, ms, source, state_before, after in rows],
    )


def rewrite(conn: sqlite3.Connection, updates: Iterable[tuple[int, int, dict[str, Any]]]) -> None:
    """Inside a transaction: set rows' (rid, state before, state after) from a replay of their cards' whole
    logs, whose states before are each the previous row's state after."""
    updates = list(updates)
    conn.executemany(
        f"UPDATE revlog SET state_before = ?, {', '.join(f'{n} = ?' for n in _AFTER)} WHERE rid = ?",
        [(state_before, *_after_values(after), rid) for rid, state_before, after in updates],
    )
    pinned = {rid for (rid,) in conn.execute("SELECT rid FROM revlog_before")}  # few: read them, delete only those
    conn.executemany("DELETE FROM revlog_before WHERE rid = ?", [(rid,) for rid, _, _ in updates if rid in pinned])


def delete(conn: sqlite3.Connection, rids: Iterable[int]) -> None:
    """Inside a transaction: remove rows (their states before go with them). Only a card's newest row may go
    alone; a card that loses older rows has its log replayed and rewritten (`rewrite`)."""
    conn.executemany("DELETE FROM revlog WHERE rid = ?", [(rid,) for rid in rids])


def row(conn: sqlite3.Connection, rid: int) -> LogRow | None:
    found = conn.execute("SELECT cid FROM revlog WHERE rid = ?", [rid]).fetchone()
    if found is None:
        return None
    return next(r for r in card_log(conn, found[0]) if r.rid == rid)


def newest_rid(conn: sqlite3.Connection, sources: Iterable[str] | None = None) -> int | None:
    """The newest row's rid (of these sources), or None."""
    if sources is None:
        return conn.execute("SELECT MAX(rid) FROM revlog").fetchone()[0]
    codes = [SOURCE_CODE[s] for s in sources]
    return conn.execute(f"SELECT MAX(rid) FROM revlog WHERE source IN ({','.join('?' * len(codes))})",
                        codes).fetchone()[0]


def source_of(conn: sqlite3.Connection, rid: int) -> str | None:
    found = conn.execute("SELECT source FROM revlog WHERE rid = ?", [rid]).fetchone()
    return None if found is None else SOURCES[found[0]]


def newest_in_time(conn: sqlite3.Connection, cid: int) -> int | None:
    """The rid of the card's newest answer in time (an import may add older reviews with higher rids)."""
    found = conn.execute("SELECT rid FROM revlog WHERE cid = ? ORDER BY reviewed_at DESC, rid DESC LIMIT 1",
                         [cid]).fetchone()
    return None if found is None else found[0]


def latest_time(conn: sqlite3.Connection, cid: int) -> int | None:
    """When the card was last answered (epoch seconds), or None for a card with no answer."""
    return conn.execute("SELECT MAX(reviewed_at) FROM revlog WHERE cid = ?", [cid]).fetchone()[0]


def ratings_by_card(conn: sqlite3.Connection, card_filter: str = "1",
                    params: Iterable = ()) -> Iterator[tuple[int, str, int, int]]:
    """(cid, deck_id, reviewed_at, rating) of every answer to the cards of `cards c WHERE card_filter`, by card
    and then time: what a fit of FSRS reads."""
    return conn.execute(
        "SELECT r.cid, c.deck_id, r.reviewed_at, r.rating FROM revlog r JOIN cards c ON c.cid = r.cid "
        f"WHERE {card_filter} ORDER BY r.cid, r.reviewed_at, r.rid",
        list(params),
    )


def answers_in_time(conn: sqlite3.Connection) -> Iterator[tuple[int, int, int, int | None, int, dict[str, Any]]]:
    """(cid, reviewed_at, rating, duration_ms, state before, state after) of every answer, in time order."""
    for row in conn.execute(f"SELECT cid, reviewed_at, rating, duration_ms, state_before, reviewed_at, "
                            f"{', '.join(_AFTER)} FROM revlog ORDER BY reviewed_at, rid"):
        yield (*row[:5], after_of(row[5:]))


def imported_since(conn: sqlite3.Connection, first_rid: int, source: str = "import") -> tuple[int, int, int]:
    """(rows, cards, the last rid or 0) of the rows from `source` from `first_rid` on."""
    return conn.execute("SELECT COUNT(*), COUNT(DISTINCT cid), COALESCE(MAX(rid), 0) FROM revlog "
                        "WHERE rid >= ? AND source = ?", [first_rid, SOURCE_CODE[source]]).fetchone()


def imported_between(conn: sqlite3.Connection, first_rid: int, last_rid: int,
                     source: str = "import") -> list[tuple[int, int]]:
    """(rid, cid) of the rows from `source` in [first_rid, last_rid]."""
    return conn.execute("SELECT rid, cid FROM revlog WHERE rid BETWEEN ? AND ? AND source = ?",
                        [first_rid, last_rid, SOURCE_CODE[source]]).fetchall()


# SQL: whether the item of the row `items` has a review in the log (for the catalog's queries over items).
ITEM_HAS_REVIEWS = "EXISTS (SELECT 1 FROM cards c JOIN revlog r ON r.cid = c.cid WHERE c.iid = items.iid)"


def item_has_reviews(conn: sqlite3.Connection, iid: int) -> bool:
    return conn.execute("SELECT 1 FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.iid = ? LIMIT 1",
                        [iid]).fetchone() is not None


# -- the migration from schema 2 -------------------------------------------------------------------------

# The lean log's tables while the upgrade (srs/store/upgrade.py) fills them beside schema 2's log, which keeps
# its name (`revlog`) until the last step renames these.
STAGED_LOG, STAGED_BEFORE = "revlog_v3", "revlog_before_v3"


def convert_legacy_log(conn: sqlite3.Connection, cards: str = "1", params: Sequence[Any] = (),
                       wrote: Callable[[int], None] | None = None) -> int:
    """Inside a transaction: every row of schema 2's log (`revlog`, before and after as JSON) of the cards
    `revlog WHERE cards` into the staged lean log, rid for rid, card by card in time; `wrote(rows)` after each
    batch of rows written. The rows converted. Python reads the JSON, so every number comes back exactly as it was
    written.

    The rows go in as tuples, CONVERT_BATCH at a time by one executemany each (benchmarks/bench_migration.py)."""
    order = f"SELECT rid, cid, reviewed_at, rating, duration_ms, response, source, state_before, before, after " \
            f"FROM revlog WHERE {cards} ORDER BY cid, reviewed_at, rid"
    loads, fresh_before = json.loads, tuple(FRESH[n] for n in _BEFORE)
    fresh_after = tuple(FRESH[n] for n in _AFTER)
    before_values, after_of_row = itemgetter(*_BEFORE), _after_values
    cid, previous = None, (NEW, *fresh_before)
    rows: list[tuple] = []
    pins: list[tuple] = []
    done = 0

    def flush() -> None:
        nonlocal done
        _write_converted(conn, rows, pins)
        done += len(rows)
        if wrote is not None:
            wrote(len(rows))
        rows.clear()
        pins.clear()

    for rid, card, at, rating, ms, response, source, state_before, before_json, after_json in conn.execute(
            order, list(params)):
        if card != cid:
            cid, previous = card, (NEW, *fresh_before)
        before, after = loads(before_json or "{}"), loads(after_json or "{}")
        # (state, step, stability, difficulty, due, last_review, reps, lapses), as SCHEDULING; a field a row
        # lacks (none that srs wrote does) is a new card's
        try:
            before_s, after_values = (state_before, *before_values(before)), after_of_row(after)
        except KeyError:
            before_s = (state_before, *(before.get(n, d) for n, d in zip(_BEFORE, fresh_before)))
            after_values = tuple(after.get(n, d) for n, d in zip(_AFTER, fresh_after))
        leech = 0
        if after.get("leech") and not before.get("leech"):
            leech = LEECH_SUSPENDED if after.get("suspended") and not before.get("suspended") else LEECH_MADE
        code = SOURCE_CODE.get(source)
        if code is None:
            raise SchemaError(f"its review {rid} has a source srs never wrote ({source!r}); nothing was changed")
        rows.append((rid, card, at, rating, ms, code, response, state_before, *after_values, leech))
        if before_s != previous:
            pins.append((rid, *before_s[1:]))
        state, step, stability, difficulty, due, reps, lapses = after_values
        previous = (state, step, stability, difficulty, due, at, reps, lapses)
        if len(rows) >= CONVERT_BATCH:
            flush()
    if rows:
        flush()
    return done


def _write_converted(conn: sqlite3.Connection, rows: list[tuple], pins: list[tuple]) -> None:
    conn.executemany(
        f"INSERT INTO {STAGED_LOG} (rid, cid, reviewed_at, rating, duration_ms, source, response, state_before, "
        f"{', '.join(_AFTER)}, leech) VALUES ({', '.join('?' * 16)})", rows)
    conn.executemany(f"INSERT INTO {STAGED_BEFORE} (rid, {', '.join(_BEFORE)}) VALUES ({', '.join('?' * 8)})",
                     pins)
