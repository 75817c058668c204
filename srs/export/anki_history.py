"""The learner's srs history written into an Anki package, so moving to Anki keeps the progress.

Input is plain data, one dict per srs card (see `CardHistory`), so this module depends on the store only
through `load_history`. Output is what Anki keeps per card:

- a `revlog` row per review: when (id, in ms), the button (ease 1-4), the interval after and before,
  the FSRS difficulty as Anki stores it (factor), the time taken and the review kind;
- the card's scheduling: type and queue (learning, review, relearning), due, interval, reps, lapses;
- the FSRS memory state in the card's `data` JSON: `{"s": stability, "d": difficulty}`.

Rows and columns follow srs.export.anki_cards, the rule the sync mirror writes by too.

Anki imports scheduling and review log only when "Import any learning progress" is ticked (the
`with_scheduling` import option), and only for cards it does not have yet: re-importing never rewrites a
card the learner has already studied in Anki.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypedDict

from srs.errors import UserError
from srs.export.anki_cards import STATE_NAMES, card_columns, revlog_values, state_name


class Review(TypedDict, total=False):
    time: datetime  # when it was answered (UTC)
    rating: int  # 1 again, 2 hard, 3 good, 4 easy
    duration_ms: int
    state_after: dict  # {"state": "learning|review|relearning", "due": datetime, "stability", "difficulty"}
    state_before: str  # optional; else taken from the previous review ("new" for the first)


class CardHistory(TypedDict, total=False):
    card_id: str  # srs card id: an item id, or "item#c2" for a cloze deletion
    reviews: list[Review]
    stability: float | None
    difficulty: float | None
    due: datetime | None
    state: str  # "new", "learning", "review" or "relearning"
    suspended: bool  # optional; a suspended card stays suspended in Anki
    flag: int  # optional; Anki's flag colour (1 red ... 7 purple) for a card srs has flagged


@dataclass
class HistoryWritten:
    cards: int = 0
    reviews: int = 0
    unknown_cards: int = 0  # in the history, not in the export (items removed since)


def load_history(db_path: str | Path, card_ids: Iterable[str]) -> list[CardHistory]:
    """The history of these srs cards from the srs database, as `write_history` takes it.

    Cards never reviewed are left out. Reads the store through srs/store (the cards' state, stability,
    difficulty, due; the log's time, rating, duration and the card's state after each answer).
    """
    path = Path(db_path)
    if not path.is_file():
        raise UserError(f"no srs history at {path}: nothing has been reviewed yet (or give --db)")
    from srs.store.db import connect, database_error
    from srs.store.history import cards_by_uids
    from srs.store.log import answers_in_time

    conn = connect(path)
    try:
        cards = cards_by_uids(conn, card_ids)
        reviews: dict[int, list[Review]] = {card.cid: [] for card in cards}
        for cid, reviewed_at, rating, duration_ms, state_before, after in answers_in_time(conn):
            if cid in reviews:
                reviews[cid].append(_store_review(reviewed_at, rating, duration_ms, state_before, after))
    except sqlite3.Error as exc:
        raise database_error(exc, path) from None
    finally:
        conn.close()
    history: list[CardHistory] = []
    for card in cards:
        if not reviews[card.cid] and not card.state and not card.suspended and not card.flagged:
            continue
        history.append(
            CardHistory(
                card_id=card.uid,
                reviews=reviews[card.cid],
                stability=card.stability,
                difficulty=card.difficulty,
                due=_optional_time(card.due),
                state=STATE_NAMES.get(card.state, "new"),
                suspended=bool(card.suspended),
                flag=anki_flag(card.flagged),
            )
        )
    return history


def _store_review(reviewed_at: int, rating: int, duration_ms, state_before: int, after: dict) -> Review:
    return Review(
        time=_time(reviewed_at),
        rating=rating,
        duration_ms=duration_ms or 0,
        state_before=STATE_NAMES.get(state_before, "new"),
        state_after={
            "state": STATE_NAMES.get(after["state"], "review"),
            "due": _optional_time(after["due"]),
            "stability": after["stability"],
            "difficulty": after["difficulty"],
        },
    )


def write_history(
    conn: sqlite3.Connection, history: Iterable[CardHistory], anki_card_ids: dict[str, int]
) -> HistoryWritten:
    """Add the review log and scheduling to an Anki collection (schema 11, as genanki writes it).

    `anki_card_ids` maps srs card ids to the collection's card ids. Review cards' due days count the
    learner's days (4 a.m. local, as in srs and Anki) since the collection's creation, which is first moved
    to the start of such a day: Anki's importer counts the package's "today" from it and shifts every due
    day by the difference to the target collection's today, so both calendars must turn over together.
    Rows and columns follow srs.export.anki_cards, as the sync mirror's do.
    """
    from srs.clock import learner_days

    crt = align_creation_time(conn)
    created = _time(crt)
    written = HistoryWritten()
    used_ids = {row[0] for row in conn.execute("SELECT id FROM revlog")}
    revlog_rows = []
    card_rows = []
    suspended_new = []
    flags = []
    for card in history:
        cid = anki_card_ids.get(card["card_id"])
        if cid is None:
            written.unknown_cards += 1
            continue
        reviews = sorted(card.get("reviews") or [], key=lambda r: _time(r["time"]))
        state = state_name(card.get("state"))
        if card.get("flag"):
            flags.append((int(card["flag"]) & 7, cid))
        if state == "new" and not reviews:
            if card.get("suspended"):
                suspended_new.append((cid,))
                written.cards += 1
            continue
        rows, lapses = _revlog_rows(cid, reviews, used_ids)
        revlog_rows += rows
        due = _optional_time(card.get("due"))
        last = int(_time(reviews[-1]["time"]).timestamp()) if reviews else None
        due_ts = int(due.timestamp()) if due else last if last is not None else crt
        columns = card_columns(
            state, due_ts, due_ts if last is None else last, len(reviews), lapses, card.get("stability"),
            card.get("difficulty"), lambda moment: learner_days(created, _time(moment)),
            suspended=bool(card.get("suspended")), reviewed=last is not None)
        card_rows.append((columns.type, columns.queue, columns.due, columns.ivl, columns.factor, columns.reps,
                          columns.lapses, columns.left, json.dumps(columns.data) if columns.data else "", cid))
        written.cards += 1
        written.reviews += len(rows)
    conn.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                     "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)", revlog_rows)
    conn.executemany(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, "
        "data = ? WHERE id = ?",
        card_rows,
    )
    conn.executemany("UPDATE cards SET queue = -1 WHERE id = ?", suspended_new)
    conn.executemany("UPDATE cards SET flags = ? WHERE id = ?", flags)
    return written


def _revlog_rows(cid: int, reviews: list[Review], used_ids: set[int]) -> tuple[list[tuple], int]:
    rows = []
    lapses = 0
    previous_state = "new"
    last_interval = 0
    for review in reviews:
        moment = _time(review["time"])
        after = review.get("state_after") or {}
        before = state_name(review.get("state_before") or previous_state)
        rating = int(review["rating"])
        if before == "review" and rating == 1:
            lapses += 1
        due_after = _optional_time(after.get("due"))
        values = revlog_values(int(moment.timestamp()), rating, review.get("duration_ms"), before,
                               after.get("state"), None if due_after is None else int(due_after.timestamp()),
                               after.get("difficulty"), last_interval)
        revlog_id = int(moment.timestamp() * 1000)
        while revlog_id in used_ids:  # two answers in one millisecond: Anki needs unique ids
            revlog_id += 1
        used_ids.add(revlog_id)
        rows.append((revlog_id, cid, values.ease, values.ivl, values.last_ivl, values.factor, values.time,
                     values.kind))
        last_interval = values.ivl
        previous_state = state_name(after.get("state") or previous_state)
    return rows, lapses


ANKI_FLAGS = {"red": 1, "orange": 2, "green": 3, "blue": 4, "pink": 5, "turquoise": 6, "purple": 7}


def anki_flag(note: str | None) -> int:
    """The Anki flag for an srs flag: the colour its note names ("flagged in Anki (green)"), else red."""
    if not note:
        return 0
    for name, number in ANKI_FLAGS.items():
        if f"({name})" in note:
            return number
    return 1


def align_creation_time(conn: sqlite3.Connection) -> int:
    """Move the collection's creation time (`col.crt`) to the start of the learner's day it falls in.

    genanki writes a fixed 11:00 UTC; counted from there, a card due at 05:00 lands a day early.
    """
    from srs.clock import day_start

    (crt,) = conn.execute("SELECT crt FROM col").fetchone()
    aligned = int(day_start(datetime.fromtimestamp(crt, timezone.utc)).timestamp())
    conn.execute("UPDATE col SET crt = ?", [aligned])
    return aligned


def _optional_time(value) -> datetime | None:
    """`_time(value)`, or None for None."""
    return None if value is None else _time(value)


def _time(value) -> datetime:
    """A UTC datetime from a datetime (naive means UTC) or epoch seconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(value, timezone.utc)
