"""The package export and the sync mirror write a review and its card with the same rule
(srs.export.anki_cards): the same revlog row, the same card columns, the same due day counted from today."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from srs.cli import cli

DECK = "title: Rows\nid: rows\nitems:\n" + "".join(
    f"  - id: r{n}\n    q: Front {n}\n    a: Back {n}\n" for n in range(3))


def test_the_export_and_the_mirror_write_the_same_rows(tmp_path):
    pytest.importorskip("anki.collection")
    from srs.ankisync import mirror
    from srs.clock import from_epoch, learner_days
    from srs.deck import load_paths
    from srs.export.anki import export_anki, load_identity
    from srs.export.anki_history import load_history
    from srs.session import Session
    from srs.store import Store

    decks_folder = tmp_path / "decks"
    decks_folder.mkdir()
    (decks_folder / "rows.yaml").write_text(DECK, encoding="utf-8")
    db = tmp_path / "srs.db"
    assert CliRunner().invoke(cli, ["due", "--decks", str(decks_folder), "--db", str(db)]).exit_code == 0
    now = datetime.now(timezone.utc).replace(microsecond=0)
    store = Store.open(db)
    try:
        session = Session(store, ["rows"], clock=lambda: now - timedelta(days=3))
        session.answer(store.find_card("r0"), 3, duration_ms=90_000)  # longer than Anki's 60 s cap
        session = Session(store, ["rows"], clock=lambda: now - timedelta(days=2))
        session.answer(store.find_card("r0"), 3, duration_ms=4_000)
        session.answer(store.find_card("r1"), 1, duration_ms=2_000)
    finally:
        store.close()
    decks = load_paths([decks_folder]).decks
    identity = load_identity(db, ["rows"])

    out = tmp_path / "rows.apkg"
    export_anki(decks, out, history=load_history(db, ["r0", "r1", "r2"]), identity=identity)
    with zipfile.ZipFile(out) as package:
        (tmp_path / "exported.anki2").write_bytes(package.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "exported.anki2")
    try:
        (crt,) = conn.execute("SELECT crt FROM col").fetchone()
        exported = _rows(conn.execute, learner_days(from_epoch(crt), now))
    finally:
        conn.close()

    col = mirror.open_mirror(tmp_path / "mirror" / "collection.anki2")
    store = Store.open(db)
    try:
        mirror.update_notes(col, decks, identity)
        assert mirror.push_reviews(col, store, mirror.card_keys(decks, identity), now).reviews == 3
        mirrored = _rows(lambda sql: col.db.all(sql), col.sched.today)
    finally:
        store.close()
        col.close()
    assert mirrored == exported and len(exported[1]) == 2
    assert [row[4] for row in exported[0]] == [60_000, 4_000, 2_000]  # time taken, capped as Anki caps it


def _rows(query, today: int):
    """(revlog rows by time, card columns by front), the due day counted from `today`."""
    revlog = [tuple(row) for row in query(
        "SELECT r.ease, r.ivl, r.lastIvl, r.factor, r.time, r.type FROM revlog r ORDER BY r.id")]
    cards = {}
    for front, ctype, queue, due, ivl, factor, reps, lapses, left, data in query(
            "SELECT n.flds, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses, c.left, c.data FROM cards c "
            "JOIN notes n ON n.id = c.nid WHERE c.type != 0"):
        memory = {k: v for k, v in json.loads(data or "{}").items() if k in ("s", "d", "lrt")}
        day = due - today if queue in (2, 3) else due
        cards[front.split("\x1f")[0]] = (ctype, queue, day, ivl, factor, reps, lapses, left, memory)
    return revlog, cards
