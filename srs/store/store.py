"""The learner's history in SQLite: items mirrored from the decks, card states and the review log.

The store knows nothing of YAML or of the terminal. Every answer is one transaction that updates the
card and appends to the log (srs/store/log.py), which keeps the card's state before and after, so undo
restores it exactly.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from srs.clock import from_epoch, to_epoch
from srs.errors import UserError
from srs.store import log
from srs.store.db import OnUpgrade, connect, transaction
from srs.store.schema import NEW, REVIEW

if TYPE_CHECKING:
    import sqlite_utils

LEECH_LAPSES = 8
LEARNER_SOURCES = ("review", "quiz", "answer")  # log sources `undo` may reach; imports are others


@dataclass
class CardRecord:
    cid: int
    uid: str
    iid: int
    deck_id: str
    ord: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int | None
    last_review: int | None
    reps: int
    lapses: int
    suspended: int
    buried_until: int
    flagged: str | None
    leech: int

    MUTABLE = (
        "state", "step", "stability", "difficulty", "due", "last_review",
        "reps", "lapses", "suspended", "buried_until", "flagged", "leech",
    )

    def memory(self) -> dict:
        values = self.__dict__  # read directly: this runs several times per answer
        return {name: values[name] for name in self.MUTABLE}

    def with_memory(self, values: dict) -> CardRecord:
        """A copy with `values` (names of MUTABLE fields) changed; as dataclasses.replace, several times faster."""
        if not values.keys() <= _MUTABLE:
            raise TypeError(f"not a card's memory: {sorted(values.keys() - _MUTABLE)}")
        copy = object.__new__(CardRecord)
        copy.__dict__.update(self.__dict__, **values)
        return copy


_MUTABLE = frozenset(CardRecord.MUTABLE)
CARD_COLUMNS = ", ".join(f.name for f in fields(CardRecord))


@dataclass
class ItemRecord:
    iid: int
    uid: str
    deck_id: str
    kind: str
    content: dict
    tags: list[str]
    path: str
    line: int
    retired: int


@dataclass
class Answer:
    rid: int
    card: CardRecord  # after the answer
    rating: int
    leech_suspended: bool


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str | Path):
        self.conn = conn
        self.path = str(path)
        self._db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils' table API over `conn` (insert_all, upsert, transform), for table-level writes only.

        SQL goes through `conn`, the one name for the connection (`db.execute` would be the same connection
        under a second name). The write path for decks, items and cards (catalog) measured `insert_all` slower
        than `executemany` on its hot path; see srs/store/catalog.py.
        Built on first use: importing sqlite-utils costs more start-up time than a review can spare.
        """
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @classmethod
    def open(cls, path: str | Path, on_upgrade: OnUpgrade | None = None) -> Store:
        """The store at `path`; `on_upgrade` is told before a one-time migration starts (srs/store/db.py)."""
        return cls(connect(path, on_upgrade), path)

    def close(self) -> None:
        self.conn.close()

    def transaction(self):
        return transaction(self.conn, self.path)

    # -- settings -----------------------------------------------------------------------------------

    def setting(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )

    # -- cards and items ----------------------------------------------------------------------------

    def card(self, cid: int) -> CardRecord:
        row = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [cid]).fetchone()
        if row is None:
            raise UserError(f"no card with key {cid}")
        return CardRecord(*row)

    def cards(self, cids: list[int]) -> list[CardRecord]:
        if not cids:
            return []
        marks = ",".join("?" * len(cids))
        rows = self.conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid IN ({marks})", cids).fetchall()
        by_cid = {row[0]: CardRecord(*row) for row in rows}
        return [by_cid[c] for c in cids if c in by_cid]

    def item(self, iid: int) -> ItemRecord:
        row = self.conn.execute(
            "SELECT iid, uid, deck_id, kind, content, tags, path, line, retired FROM items WHERE iid = ?", [iid]
        ).fetchone()
        return ItemRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), *row[6:])

    def find_card(self, uid: str) -> CardRecord:
        """A card by its public id (or its item's id, for single-card items); names the nearest on a miss."""
        row = self.conn.execute(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE uid = ? OR uid = ? ORDER BY ord LIMIT 1", [uid, uid + "#c1"]
        ).fetchone()
        if row is not None:
            return CardRecord(*row)
        known = [r[0] for r in self.conn.execute("SELECT uid FROM cards WHERE active = 1")]
        match = difflib.get_close_matches(uid, known, n=1, cutoff=0.5)
        hint = f"; did you mean '{match[0]}'?" if match else ""
        raise UserError(f"no card with id '{uid}'{hint}")

    def deck_ids(self, include_retired: bool = False) -> list[str]:
        sql = "SELECT id FROM decks" + ("" if include_retired else " WHERE retired = 0") + " ORDER BY id"
        return [r[0] for r in self.conn.execute(sql)]

    def deck_titles(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, title FROM decks").fetchall())

    def deck_options(self) -> dict[str, dict]:
        return {row[0]: json.loads(row[1]) for row in self.conn.execute("SELECT id, options FROM decks")}

    # -- answers ------------------------------------------------------------------------------------

    def record_answer(
        self,
        before: CardRecord,
        after: CardRecord,
        rating: int,
        now: datetime,
        *,
        duration_ms: int | None = None,
        response: str | None = None,
        source: str = "review",
        leech_lapses: int = LEECH_LAPSES,
        leech_suspends: bool = True,
        bury: dict[int, int] | None = None,
        then: Callable[[sqlite3.Connection, int], object] | None = None,
    ) -> Answer:
        """Commit one answer: the card's new state and a log row holding the state before and after.

        A card that reaches `leech_lapses` lapses becomes a leech (and is suspended when `leech_suspends`).
        `bury` ({cid: until}) buries other cards (the answered card's siblings) in the same transaction: one
        commit, so one sync to disk, per answer."""
        leech = False
        leech_mark = 0
        if after.lapses >= leech_lapses and before.lapses < leech_lapses and not after.leech:
            after = after.with_memory({"leech": 1, "suspended": int(leech_suspends or after.suspended)})
            leech = leech_suspends
            leech_mark = log.LEECH_SUSPENDED if after.suspended and not before.suspended else log.LEECH_MADE
        memory = after.memory()
        assignments = ", ".join(f"{name} = ?" for name in memory)
        with self.transaction() as conn:
            # Guard against a second process having answered the same card since we read it.
            current = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE cid = ?", [before.cid]).fetchone()
            if current is not None and CardRecord(*current).memory() != before.memory():
                raise UserError(f"card {before.uid} was answered elsewhere meanwhile; it was not recorded twice")
            # An answer dated before the card's last one would be replayed out of order, and `srs undo` could
            # then undo neither (each waits for the other, newer in time or in the log, to go first).
            latest = log.latest_time(conn, before.cid)
            if latest is not None and to_epoch(now) < latest:
                raise UserError(f"card {before.uid} was answered at {from_epoch(latest).isoformat()}, after "
                                f"{now.isoformat()}; an answer cannot go before it, nothing was recorded")
            conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*memory.values(), before.cid])
            rid = log.append(conn, before.cid, to_epoch(now), rating, before.memory(), memory,
                             duration_ms=duration_ms, response=response, source=source, leech=leech_mark)
            for cid, until in (bury or {}).items():
                conn.execute("UPDATE cards SET buried_until = ? WHERE cid = ?", [until, cid])
            if then is not None:  # more writes in this commit, given the answer's rid (the burials' log)
                then(conn, rid)
        return Answer(rid, after, rating, leech)

    def undo_last(self, rid: int | None = None) -> tuple[CardRecord, dict] | None:
        """Remove a log row (the newest, or `rid`) and put its card back exactly as it was before.

        None when there is nothing to undo. A row is only undone while it is its card's newest, so an
        answer given since (in another process) is never silently rolled back with it.
        """
        with self.transaction() as conn:
            # Only what the learner did here: imported history is never undone one row at a time.
            if rid is None:
                rid = log.newest_rid(conn, LEARNER_SOURCES)
            elif log.source_of(conn, rid) not in LEARNER_SOURCES:
                rid = None
            if rid is None:
                return None
            row = log.row(conn, rid)
            assert row is not None
            if log.newest_in_time(conn, row.cid) != rid:
                raise UserError("that card was answered again since; undo the newer answer first")
            # A card forgotten or rescheduled since (srs card, srs optimize) keeps what was done to it: putting
            # the state before the answer back would silently undo that too (`srs card undo` refuses alike).
            held = conn.execute(f"SELECT uid, {', '.join(row.after)} FROM cards WHERE cid = ?", [row.cid]).fetchone()
            if held is not None and list(held[1:]) != list(row.after.values()):
                raise UserError(f"card {held[0]} was rescheduled or forgotten since that answer; nothing was undone")
            values = dict(row.before)
            if row.leech:  # the answer made the card a leech (and suspended it): it is not one again
                values["leech"] = 0
                if row.leech == log.LEECH_SUSPENDED:
                    values["suspended"] = 0
            assignments = ", ".join(f"{name} = ?" for name in values)
            conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*values.values(), row.cid])
            log.delete(conn, [rid])
        return self.card(row.cid), {"rating": row.rating, "reviewed_at": row.reviewed_at}

    def newest_learner_rid(self) -> int | None:
        """The rid of the newest log row the learner made here (not imported), or None."""
        return log.newest_rid(self.conn, LEARNER_SOURCES)

    def newest_source(self) -> str | None:
        """The source of the newest log row (an answer's kind or an import's), or None for an empty log."""
        rid = log.newest_rid(self.conn)
        return None if rid is None else log.source_of(self.conn, rid)

    def update_card(self, cid: int, **values) -> None:
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.transaction() as conn:
            conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*values.values(), cid])

    # -- queries for the day ------------------------------------------------------------------------

    def answered_since(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per deck, how many new cards and reviews were answered since `since` (for daily limits)."""
        rows = self.conn.execute(
            # CROSS JOIN keeps today's rows (revlog_by_time) as the outer loop: with ANALYZE's figures SQLite
            # otherwise walks every card and probes its log, 36 ms a queue at 1M reviews instead of 3 ms.
            "SELECT c.deck_id, SUM(r.state_before = ?), SUM(r.state_before = ?) FROM revlog r "
            "CROSS JOIN cards c ON c.cid = r.cid WHERE r.reviewed_at >= ? GROUP BY c.deck_id",
            [NEW, REVIEW, to_epoch(since)],
        ).fetchall()
        return {deck: {"new": new or 0, "review": review or 0} for deck, new, review in rows}

    def revlog_for(self, cid: int) -> list[log.LogRow]:
        """One card's log, oldest first."""
        return log.card_log(self.conn, cid)
