"""The store's one write path (srs.store.catalog): its rules at the API, without deck files.

Relinking (a reworded item keeps its history), retiring, restoring and the id rules, all or nothing.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.store import catalog
from srs.store.anki_identity import origin_uids
from srs.store.catalog import DeckIn, ItemIn
from srs.store.schema import ITEM_TEXT_SQL
from srs.store.store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def item(uid: str, front: str, idx: int = 0, *, explicit: bool = False, kind: str = "flashcard",
         ords: tuple[int, ...] = (0,)) -> ItemIn:
    content = {"kind": kind, "front": front, "back": "b"} if kind == "flashcard" else {"kind": kind, "text": front}
    return ItemIn(uid, kind, f"h-{front}", front, json.dumps(content), "[]", "/d/x.yaml", idx + 1, idx, explicit,
                  ords)


def deck(items: list[ItemIn], deck_id: str = "x") -> DeckIn:
    return DeckIn(deck_id, deck_id.title(), "deck", f"/d/{deck_id}.yaml", "{}", items)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    yield store
    store.close()


def rows(store: Store, sql: str, *params) -> list[tuple]:
    return store.conn.execute(sql, params).fetchall()


def review(store: Store, uid: str) -> None:
    card = store.find_card(uid)
    store.record_answer(card, card.with_memory({"state": 2, "reps": 1, "due": 1}), 3, NOW)


def test_a_new_item_enters_with_its_cards_and_their_ids(store):
    changes = catalog.write(store, [deck([item("x.a", "A"), item("x.c", "C", 1, kind="cloze", ords=(1, 2))])])
    assert changes.added == 2
    assert rows(store, "SELECT uid, ord, active FROM cards ORDER BY cid") == [
        ("x.a", 0, 1), ("x.c#c1", 1, 1), ("x.c#c2", 2, 1)]
    assert catalog.card_uid("x.c", 2, "cloze") == "x.c#c2" and catalog.card_uid("x.a", 0, "flashcard") == "x.a"


def test_a_reworded_item_keeps_its_key_its_history_and_remembers_its_first_id(store):
    catalog.write(store, [deck([item("x.old", "What does the forward process add?")])])
    review(store, "x.old")
    (iid,) = rows(store, "SELECT iid FROM items")[0]
    changes = catalog.write(store, [deck([item("x.new", "What does the forward process add to x?")])])
    assert changes.relinked == [("x.old", "x.new")] and changes.added == 0 and changes.retired == 0
    assert rows(store, "SELECT iid, uid, retired FROM items") == [(iid, "x.new", 0)]
    assert rows(store, "SELECT c.uid, COUNT(r.rid) FROM cards c JOIN revlog r ON r.cid = c.cid") == [("x.new", 1)]
    assert origin_uids(store.conn) == {"x.new": "x.old"}


def test_an_explicit_id_is_never_relinked(store):
    catalog.write(store, [deck([item("mine", "What does the forward process add?", explicit=True)])])
    changes = catalog.write(store, [deck([item("x.new", "What does the forward process add to x?")])])
    assert changes.relinked == [] and changes.added == 1 and changes.retired == 1


def test_a_removed_item_is_retired_and_comes_back_with_its_history(store):
    catalog.write(store, [deck([item("x.a", "A", explicit=True), item("x.b", "B", 1, explicit=True)])])
    review(store, "x.b")
    changes = catalog.write(store, [deck([item("x.a", "A", explicit=True)])])
    assert changes.retired == 1
    assert rows(store, "SELECT i.uid, i.retired, c.active FROM items i JOIN cards c ON c.iid = i.iid ORDER BY i.uid") \
        == [("x.a", 0, 1), ("x.b", 1, 0)]
    assert rows(store, "SELECT COUNT(*) FROM revlog") == [(1,)]
    changes = catalog.write(store, [deck([item("x.a", "A", explicit=True), item("x.b", "B", 1, explicit=True)])])
    assert changes.restored == 1 and changes.added == 0
    assert rows(store, "SELECT retired FROM items WHERE uid = 'x.b'") == [(0,)]
    assert rows(store, "SELECT active FROM cards WHERE uid = 'x.b'") == [(1,)]


def test_an_item_moved_to_another_deck_in_one_write_is_neither_retired_nor_new(store):
    catalog.write(store, [deck([item("m", "M", explicit=True)], "x"), deck([], "y")])
    review(store, "m")
    (iid,) = rows(store, "SELECT iid FROM items")[0]
    changes = catalog.write(store, [deck([], "x"), deck([item("m", "M", explicit=True)], "y")])
    assert (changes.added, changes.retired, changes.restored) == (0, 0, 0)
    assert rows(store, "SELECT iid, deck_id, retired FROM items") == [(iid, "y", 0)]
    assert rows(store, "SELECT c.deck_id FROM revlog r JOIN cards c ON c.cid = r.cid") == [("y",)]  # the log follows


def test_a_deck_no_file_holds_is_retired_with_its_items(store):
    catalog.write(store, [deck([item("x.a", "A", explicit=True)])])
    changes = catalog.write(store, [], retire_decks=["x"])
    assert changes.retired == 1
    assert rows(store, "SELECT retired FROM decks") == [(1,)] and rows(store, "SELECT active FROM cards") == [(0,)]


def test_an_item_live_in_another_deck_stays_there_when_asked(store):
    catalog.write(store, [deck([item("shared", "S", explicit=True)], "x")])
    with store.transaction():
        changes = catalog.put(store, [deck([item("shared", "S", explicit=True), item("y.b", "B", 1)], "y")])
    assert changes.elsewhere == ["shared (deck 'x')"] and changes.added == 1
    assert rows(store, "SELECT uid, deck_id FROM items ORDER BY iid") == [("shared", "x"), ("y.b", "y")]


def test_a_write_that_fails_writes_nothing(store):
    catalog.write(store, [deck([item("x.a", "A", explicit=True)])])
    twice = deck([item("y.a", "A", explicit=True), item("y.a", "A again", 1, explicit=True)], "y")
    with pytest.raises(sqlite3.IntegrityError):  # a second item with the same id is refused: the whole write goes
        catalog.write(store, [deck([], "x"), twice])
    assert rows(store, "SELECT id, retired FROM decks") == [("x", 0)]
    assert rows(store, "SELECT uid, retired FROM items") == [("x.a", 0)]


def test_a_write_planned_before_another_process_wrote_is_planned_again_under_the_lock(store, tmp_path):
    catalog.write(store, [deck([item("x.a", "A", explicit=True)])])
    other = Store.open(tmp_path / "srs.db")
    original = catalog._Plan.make
    calls = []

    def make(conn, *args, **kwargs):
        plan = original(conn, *args, **kwargs)
        if conn is store.conn:
            calls.append(plan)
            if len(calls) == 1:  # between the reads and the lock, another process adds an item
                catalog.write(other, [deck([item("x.a", "A", explicit=True), item("x.b", "B", 1, explicit=True)])])
        return plan

    catalog._Plan.make = make  # type: ignore[method-assign]
    try:
        changes = catalog.write(store, [deck([item("x.a", "A", explicit=True)])])
    finally:
        catalog._Plan.make = original  # type: ignore[method-assign]
        other.close()
    assert len(calls) == 2 and changes.retired == 1  # the item the other process added is seen, and retired
    assert rows(store, "SELECT uid, retired FROM items ORDER BY iid") == [("x.a", 0), ("x.b", 1)]


def test_a_bulk_insert_fills_the_search_index_as_its_trigger_would(store):
    items = [item(f"x.{n}", f"Question {n} about noise", n) for n in range(catalog.BULK)]
    catalog.write(store, [deck(items)])
    assert rows(store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'noise'") == [(catalog.BULK,)]
    assert rows(store, "SELECT name FROM sqlite_master WHERE name = 'items_fts_insert'") == [("items_fts_insert",)]
    catalog.write(store, [deck([*items, item("x.last", "Lonely walrus", catalog.BULK)])])  # the trigger again
    assert rows(store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'walrus'") == [(1,)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["kind", "front", "back", "steps", "x"]), json_values, max_size=4))
def test_the_search_text_is_the_one_sql_computes(content):
    conn = sqlite3.connect(":memory:")
    sql = f"SELECT coalesce({ITEM_TEXT_SQL.format(content='?')}, '')"
    assert catalog.search_text(content) == conn.execute(sql, [json.dumps(content)]).fetchone()[0]


def test_a_bulk_update_keeps_the_search_index_in_step(store):
    items = [item(f"x.{n}", f"Question {n} about noise", n, explicit=True) for n in range(catalog.BULK)]
    catalog.write(store, [deck(items)])
    edited = [item(f"x.{n}", f"Question {n} about walruses", n, explicit=True) for n in range(catalog.BULK)]
    assert catalog.write(store, [deck(edited)]).updated == catalog.BULK
    assert rows(store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'noise'") == [(0,)]
    assert rows(store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'walruses'") == [(catalog.BULK,)]
    store.conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")  # raises when out of step
    assert rows(store, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'items_fts_update'") == [(1,)]


def test_decks_beyond_one_transaction_s_size_keep_every_rule(store, monkeypatch):
    """With more items than one transaction takes, each deck is still written whole, and an item that moves
    from a deck written in one transaction to a deck written in the next is neither retired nor new."""
    monkeypatch.setattr(catalog, "LOCK_ITEMS", 2)
    catalog.write(store, [deck([item("m", "M", explicit=True), item("x.b", "B", 1, explicit=True)], "x"),
                          deck([item("y.a", "A", explicit=True)], "y")])
    review(store, "m")
    (iid,) = rows(store, "SELECT iid FROM items WHERE uid = 'm'")[0]
    groups = catalog._groups([deck([item("x.b", "B", 1, explicit=True)], "x"),
                              deck([item("y.a", "A", explicit=True), item("m", "M", 1, explicit=True)], "y")])
    assert [[d.id for d in g] for g in groups] == [["x"], ["y"]]  # two transactions
    changes = catalog.write(store, [deck([item("x.b", "B", 1, explicit=True)], "x"),
                                    deck([item("y.a", "A", explicit=True), item("m", "M", 1, explicit=True)], "y")])
    assert (changes.added, changes.retired, changes.restored) == (0, 0, 0)
    assert rows(store, "SELECT iid, deck_id, retired FROM items WHERE uid = 'm'") == [(iid, "y", 0)]
    assert rows(store, "SELECT active FROM cards WHERE uid = 'm'") == [(1,)]
