"""Searching cards in SQL: the query tree of srs/search/query.py compiled to one SELECT.

Item text is found through `items_fts`, an FTS5 trigram index that triggers keep in step with the
items table (so every sync updates it). srs/search/reference.py says what each query means; the tests
hold this SQL to it.
"""

from __future__ import annotations

from srs.search.query import And, Field, Is, Node, Not, Or, Prop, Rated, Text
from srs.search.reference import DAY, Moment

TRIGRAM = 3  # FTS5's trigram index answers texts at least this long; shorter ones are scanned with LIKE

# The text of an item: every string in its content but its kind, joined with the unit separator.
ITEM_TEXT_SQL = (
    "(SELECT group_concat(value, char(31)) FROM json_tree({content}) "
    "WHERE type = 'text' AND fullkey != '$.kind')"
)

_NEW_TEXT = f"coalesce({ITEM_TEXT_SQL.format(content='new.content')}, '')"

# Schema migration 2 (srs/store/schema.py). One statement a line: the migration splits at a line's ';'.
MIGRATION = f"""
    CREATE VIRTUAL TABLE items_fts USING fts5(text, tokenize = 'trigram');
    INSERT INTO items_fts (rowid, text) SELECT iid, coalesce({ITEM_TEXT_SQL.format(content="content")}, '') FROM items;
    CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN INSERT INTO items_fts (rowid, text) VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_update AFTER UPDATE OF content ON items BEGIN DELETE FROM items_fts WHERE rowid = old.iid; INSERT INTO items_fts (rowid, text) VALUES (new.iid, {_NEW_TEXT}); END;
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN DELETE FROM items_fts WHERE rowid = old.iid; END;
"""

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
    # floor((due - day_start) / day), in integers (SQLite's / truncates toward zero)
    "due": "(CASE WHEN c.state != 0 THEN ((c.due - :day_start) - (((c.due - :day_start) % 86400) + 86400) % 86400) / 86400 END)",
    "r": "(CASE WHEN c.state != 0 AND c.stability IS NOT NULL AND c.last_review IS NOT NULL THEN "
         "pow(1 + :factor * max(0, (:now - c.last_review) / 86400) / c.stability, -:decay) END)",
}


class _Compiler:
    def __init__(self):
        self.params: dict = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def sql(self, node: Node) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.sql(n) for n in node.nodes) + ")" if node.nodes else "1"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.sql(n) for n in node.nodes) + ")"
        if isinstance(node, Not):
            return f"NOT {self.sql(node.node)}"
        if isinstance(node, Text):
            if len(node.value) >= TRIGRAM:
                phrase = '"' + node.value.replace('"', '""') + '"'
                return f"c.iid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {self.param(phrase)})"
            like = "%" + node.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            return f"c.iid IN (SELECT rowid FROM items_fts WHERE text LIKE {self.param(like)} ESCAPE '\\')"
        if isinstance(node, Field):
            if node.name == "kind":
                return f"i.kind = {self.param(node.value)}"
            glob = "".join("*" if ch == "*" else f"[{ch}]" if ch in "[]?" else ch for ch in node.value)
            if node.name == "deck":
                return f"c.deck_id GLOB {self.param(glob)}"
            if node.name == "tag":
                return f"EXISTS (SELECT 1 FROM json_each(i.tags) WHERE lower(value) GLOB {self.param(glob)})"
            p = self.param(glob)
            return f"(c.uid GLOB {p} OR i.uid GLOB {p})"
        if isinstance(node, Is):
            return STATE_SQL[node.state]
        if isinstance(node, Prop):
            return f"coalesce({PROP_SQL[node.name]} {node.op} {self.param(node.number)}, 0)"
        if isinstance(node, Rated):
            rating = f" AND rating = {self.param(node.rating)}" if node.rating else ""
            since = self.param(node.days)
            return (f"c.cid IN (SELECT cid FROM revlog WHERE reviewed_at >= :day_start - ({since} - 1) * {DAY}"
                    f"{rating})")
        raise TypeError(node)


def search_cards(conn, node: Node, at: Moment, limit: int | None = None) -> list[tuple]:
    """Active cards matching `node`, in deck and file order: (cid, uid, deck_id, key_text, state, due,
    last_review, stability, suspended, buried_until, flagged, leech)."""
    compiler = _Compiler()
    where = compiler.sql(node)
    params = {**compiler.params, "now": at.now, "day_start": at.day_start, "day_end": at.day_end,
              "factor": at.factor, "decay": at.decay}
    sql = (
        "SELECT c.cid, c.uid, c.deck_id, i.key_text, c.state, c.due, c.last_review, c.stability, c.suspended, "
        "c.buried_until, c.flagged, c.leech FROM cards c JOIN items i ON i.iid = c.iid "
        f"WHERE c.active = 1 AND {where} ORDER BY c.deck_id, c.idx, c.ord"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return conn.execute(sql, params).fetchall()
