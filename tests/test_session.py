"""Undo within a review session."""

from datetime import datetime, timezone

import pytest

from srs.errors import UserError
from srs.session import Session
from srs.store import Store
from srs.sync import sync

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    (tmp_path / "d.yaml").write_text("title: D\nitems:\n  - q: one\n    a: 1\n  - q: two\n    a: 2\n")
    store = Store.open(tmp_path / "srs.db")
    sync(store, [tmp_path / "d.yaml"])
    return store


def new_session(store):
    return Session(store, ["d"], lambda: NOW)


def test_undo_in_a_new_session_does_not_reach_into_the_previous_one(store):
    first = new_session(store)
    first.answer(first.next_view().card, 3)
    second = new_session(store)
    assert second.undo() is None
    assert store.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 1


def test_undo_restores_the_card_and_the_tally(store):
    session = new_session(store)
    card = session.next_view().card
    session.answer(card, 1)
    assert session.tally.reviewed == 1
    restored = session.undo()
    assert (restored.action, restored.card.memory()) == ("answer", card.memory())
    assert session.tally.reviewed == 0
    assert store.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 0


def test_undo_refuses_when_the_card_was_answered_again_elsewhere(store):
    session = new_session(store)
    card = session.next_view().card
    session.answer(card, 3)
    other = new_session(store)
    other.answer(store.card(card.cid), 3)
    with pytest.raises(UserError, match="answered again since"):
        session.undo()
    assert store.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == 2
