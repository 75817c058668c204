"""The review session: undo within it, and answers recorded from their preview."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs.errors import UserError
from srs.session import Session
from srs.store import Store
from srs.store.schema import NEW
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


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from([0, 1, 2, 3]),
    stability=st.floats(0.1, 400),
    days_since=st.integers(0, 500),
    seconds_since=st.integers(0, 86399),
    thinking=st.integers(0, 2 * 86400),  # from the preview to the answer
    rating=st.integers(1, 4),
)
def test_an_answer_after_its_preview_records_what_scheduling_anew_would(
    store, state, stability, days_since, seconds_since, thinking, rating
):
    # The session keeps the preview's outcomes and records the chosen one (moved on in time) instead of
    # scheduling again: that must give exactly the card scheduling anew gives, however long the learner took.
    reviewed = int(NOW.timestamp()) - days_since * 86400 - seconds_since
    memory = (NEW, None, None, None, None, None, 0) if state == NEW else (
        state, 0 if state != 2 else None, stability, 5.0, reviewed + 600, reviewed, 4)
    with store.transaction() as conn:
        conn.execute("UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, "
                     "reps = ? WHERE uid = 'one' OR cid = (SELECT MIN(cid) FROM cards)", memory)
    clock = [NOW]
    session = Session(store, ["d"], lambda: clock[0])
    card = store.card(store.conn.execute("SELECT MIN(cid) FROM cards").fetchone()[0])
    session.preview(card)
    clock[0] = NOW + timedelta(seconds=thinking)
    expected = session.planner.review(card, rating, clock[0], session.settings_for(card.deck_id))
    answer = session.answer(card, rating)
    assert answer.card.memory() == expected.memory()
    session.undo()
