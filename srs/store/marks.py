"""A card's marks outside its memory: suspended, buried until a time, flagged for the author.

Each change returns the marks it replaced, so a session can undo it exactly; `srs unsuspend`, `srs unbury`
and `srs unflag` clear them by card id.
"""

from __future__ import annotations

from srs.store.store import Store

MARKS = ("suspended", "buried_until", "flagged")


def marks_of(store: Store, cids: list[int]) -> dict[int, dict]:
    """{cid: {"suspended", "buried_until", "flagged"}} for the cards that exist."""
    if not cids:
        return {}
    rows = store.conn.execute(
        f"SELECT cid, {', '.join(MARKS)} FROM cards WHERE cid IN ({','.join('?' * len(cids))})", cids
    ).fetchall()
    return {row[0]: dict(zip(MARKS, row[1:])) for row in rows}


def set_marks(store: Store, changes: dict[int, dict]) -> dict[int, dict]:
    """Apply {cid: {mark: value}} in one transaction; returns each card's marks as they were before."""
    before = marks_of(store, list(changes))
    with store.transaction() as conn:
        for cid, values in changes.items():
            bad = set(values) - set(MARKS)
            if bad:
                raise ValueError(f"not a mark: {sorted(bad)}")
            assignments = ", ".join(f"{name} = ?" for name in values)
            conn.execute(f"UPDATE cards SET {assignments} WHERE cid = ?", [*values.values(), cid])
    return {cid: {name: before[cid][name] for name in values} for cid, values in changes.items() if cid in before}
