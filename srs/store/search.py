"""Searching cards in SQL: the query tree of srs/search/query.py compiled to one SELECT.

Item text is found through `items_fts`, an FTS5 index (unicode61 words) that triggers keep in step
with the items table, so every sync updates it (srs/store/schema.py, migration 2). srs/search/reference.py
says what each query means; the tests hold this SQL to it.
"""

from __future__ import annotations

import json

from srs.search.query import And, Field, Is, Node, Not, Or, Prop, Rated, Text
from srs.search.reference import Moment
from srs.store.db import in_chunks

STATE_SQL = {
    "new": "c.state = 0",
    "learn": "c.state IN (1, 3)",
    "review": "c.state IN (2, 3)",
    "due": "(c.state != 0 AND c.due IS NOT NULL AND c.due < :day_end AND c.suspended = 0 AND c.buried_until <= :now)",
    "suspended": "c.suspended = 1",
    "buried": "c.buried_until > :now",
    "leech": "c.leech = 1",
    "flagged": "c.flagged IS NOT NULL",
}

PROP_SQL = {
    "lapses": "c.lapses",
    "reps": "c.reps",
    "ivl": "(CASE WHEN c.state != 0 AND c.last_review IS NOT NULL THEN (c.due - c.last_review) / 86400.0 END)",
    # "due" counts learner's days: _Compiler.due_days
    "r": "(CASE WHEN c.state != 0 AND c.stability IS NOT NULL AND c.last_review IS NOT NULL THEN "
         "pow(1 + :factor * max(0, (:now - c.last_review) / 86400) / c.stability, -:decay) END)",
}


class _Compiler:
    def __init__(self, at: Moment):
        self.at = at
        self.params: dict = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def sql(self, node: Node) -> str:
        fts = _fts_expression(node)
        if fts is not None and not isinstance(node, Text):  # several words answered by one index lookup
            return f"c.iid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {self.param(fts)})"
        if isinstance(node, And):  # SQLite tries the terms in the order written: the cheap ones first
            return "(" + " AND ".join(self.sql(n) for n in sorted(node.nodes, key=_cost)) + ")" if node.nodes else "1"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.sql(n) for n in node.nodes) + ")"
        if isinstance(node, Not):
            return f"NOT {self.sql(node.node)}"
        if isinstance(node, Text):
            return f"c.iid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {self.param(_fts_expression(node))})"
        if isinstance(node, Field):
            # items' rows are large (their content): kind: and tag: read this small index of them instead
            if node.name == "kind":
                kind = self.param(node.value)
                return f"c.iid IN (SELECT iid FROM items INDEXED BY items_kind_tags WHERE kind = {kind})"
            glob = "".join("*" if ch == "*" else f"[{ch}]" if ch in "[]?" else ch for ch in node.value)
            if node.name == "deck":
                return f"c.deck_id GLOB {self.param(glob)}"
            if node.name == "tag":
                # Tags are ASCII slugs (no quotes), so `"tag"` in the JSON text is that tag; a pattern with *
                # also checks the tags one by one, as `*` might span two of them. Case is ignored, as in Anki
                # (the query's value is lower case).
                rough = "lower(tags) GLOB " + self.param('*"' + glob + '"*')
                if "*" in glob:
                    rough += f" AND EXISTS (SELECT 1 FROM json_each(tags) WHERE lower(value) GLOB {self.param(glob)})"
                return f"c.iid IN (SELECT iid FROM items INDEXED BY items_kind_tags WHERE {rough})"
            p = self.param(glob)  # both uids are indexed: GLOB with a fixed start reads only that range
            return f"(c.uid GLOB {p} OR c.iid IN (SELECT iid FROM items WHERE uid GLOB {p}))"
        if isinstance(node, Is):
            return STATE_SQL[node.state]
        if isinstance(node, Prop):
            if node.name == "due":
                return f"coalesce(CASE WHEN c.state != 0 THEN {self.due_days(node.op, node.number)} END, 0)"
            return f"coalesce({PROP_SQL[node.name]} {node.op} {self.param(node.number)}, 0)"
        if isinstance(node, Rated):
            rating = f" AND rating = {self.param(node.rating)}" if node.rating else ""
            since = self.param(self.at.rated_since(node.days))
            return f"c.cid IN (SELECT cid FROM revlog WHERE reviewed_at >= {since}{rating})"
        raise TypeError(node)

    def due_days(self, op: str, number: float) -> str:
        """prop:due OP N (N whole: learner's days from today to the due day, Moment.due_days) as bounds on c.due:
        the days start at the learner's day starts, which a DST change moves by an hour."""
        n = int(number)
        first, after = self.param(self.at.day_after(n)), self.param(self.at.day_after(n + 1))
        return {
            "<": f"c.due < {first}", "<=": f"c.due < {after}", ">": f"c.due >= {after}", ">=": f"c.due >= {first}",
            "=": f"(c.due >= {first} AND c.due < {after})", "!=": f"NOT (c.due >= {first} AND c.due < {after})",
        }[op]


def _cost(node: Node) -> int:
    """A rough rank of how much a term costs per card: a column, a computed value, a lookup, a tags scan."""
    if isinstance(node, Not):
        return _cost(node.node)
    if isinstance(node, (And, Or)):
        return max((_cost(n) for n in node.nodes), default=0)
    if isinstance(node, Is) or (isinstance(node, Field) and node.name == "deck"):
        return 0
    if isinstance(node, Prop):
        return 1
    if isinstance(node, Field):
        return 4 if node.name == "tag" else 2
    return 3  # words (an index lookup, made once) and rated:


def _fts_expression(node: Node) -> str | None:
    """An FTS5 query for a tree of words and phrases joined by and/or; None when it holds anything else."""
    if isinstance(node, Text):
        return '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
    if isinstance(node, (And, Or)) and node.nodes:
        parts = [part for part in (_fts_expression(n) for n in node.nodes) if part is not None]
        if len(parts) == len(node.nodes):
            return "(" + (" AND " if isinstance(node, And) else " OR ").join(parts) + ")"
    return None


def search_cards(conn, node: Node, at: Moment) -> list[int]:
    """The keys (cid) of the active cards matching `node`, in key order."""
    compiler = _Compiler(at)
    where = compiler.sql(node)
    params = {**compiler.params, "now": at.now, "day_start": at.day_start, "day_end": at.day_end,
              "factor": at.factor, "decay": at.decay}
    # One JSON array instead of a row per card, and Python's sort instead of SQLite's: on 100,000 cards
    # building the rows and the ORDER BY's b-tree cost more than finding them.
    sql = f"SELECT json_group_array(c.cid) FROM cards c WHERE c.active = 1 AND {where}"
    return sorted(json.loads(conn.execute(sql, params).fetchone()[0]))


def card_rows(conn, cids: list[int]) -> list[tuple]:
    """For a search's result table, in deck and file order: (cid, uid, deck_id, key_text, state, due,
    last_review, stability, suspended, buried_until, flagged, leech, kind, ord)."""
    rows = []
    for chunk, marks in in_chunks(cids):
        rows += conn.execute(
            "SELECT c.cid, c.uid, c.deck_id, i.key_text, c.state, c.due, c.last_review, c.stability, c.suspended, "
            "c.buried_until, c.flagged, c.leech, i.kind, c.ord, c.idx FROM cards c JOIN items i ON i.iid = c.iid "
            f"WHERE c.cid IN ({marks})",
            chunk,
        ).fetchall()
    rows.sort(key=lambda row: (row[2], row[14], row[13]))
    return [row[:14] for row in rows]


def ids_starting(conn, table: str, prefix: str, limit: int) -> list[str]:
    """Public ids of active cards (table "cards") or live items ("items") that start with `prefix`."""
    live = "active = 1" if table == "cards" else "retired = 0"
    glob = "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in prefix) + "*"
    rows = conn.execute(f"SELECT uid FROM {table} WHERE uid GLOB ? AND {live} ORDER BY uid LIMIT ?", [glob, limit])
    return [row[0] for row in rows]
