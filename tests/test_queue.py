"""The day's queue: the order (Anki v3's defaults) and its updates in place."""

from datetime import datetime, timedelta, timezone

import pytest

from srs.queue import Limits, _mix, build_queue
from srs.store import Store
from srs.sync import sync

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def test_new_cards_are_spread_evenly_among_the_reviews():
    order = [cid for cid, _ in _mix([1, 2, 3, 4, 5, 6], [101, 102])]
    assert order == [1, 2, 101, 3, 4, 5, 102, 6]
    assert [cid for cid, _ in _mix([], [101, 102])] == [101, 102]
    assert [cid for cid, _ in _mix([1, 2], [])] == [1, 2]


@pytest.fixture
def store(tmp_path):
    for name in ("a", "b"):
        items = "".join(f"  - id: {name}{n}\n    q: {name} {n}?\n    a: {n}.\n" for n in range(4))
        (tmp_path / f"{name}.yaml").write_text(f"title: {name.upper()}\nitems:\n{items}")
    store = Store.open(tmp_path / "srs.db")
    sync(store, [tmp_path / "a.yaml", tmp_path / "b.yaml"])
    return store


def make_review(store, uid, days_overdue):
    due = int((NOW - timedelta(days=days_overdue)).timestamp())
    store.conn.execute("UPDATE cards SET state = 2, stability = 5, difficulty = 5, due = ?, last_review = ?, "
                       "reps = 3 WHERE uid = ?", [due, due - 5 * 86400, uid])


def uids(store, cids):
    return [card.uid for card in store.cards(cids)]


def test_reviews_of_all_decks_mixed_most_overdue_first_new_cards_deck_by_deck(store):
    for uid, days in (("a0", 1), ("a1", 4), ("b0", 3), ("b1", 2)):
        make_review(store, uid, days)
    queue = build_queue(store, NOW, ["a", "b"], Limits())
    assert uids(store, queue.order(NOW)) == ["a1", "a2", "b0", "b2", "b1", "a3", "a0", "b3"]
    assert queue.counts(NOW) == {"learning": 0, "review": 4, "new": 4}


def test_the_queue_is_updated_in_place(store):
    queue = build_queue(store, NOW, ["a", "b"], Limits())
    first, second = queue.order(NOW)[:2]
    queue.answered(first, 1, int(NOW.timestamp()) + 60)  # Again: learning, due in a minute
    assert queue.next_cid(NOW) == second
    assert queue.next_cid(NOW + timedelta(minutes=1)) == first  # due: before the new cards
    assert queue.counts(NOW) == {"learning": 1, "review": 0, "new": 7}
    queue.remove(second)
    assert queue.order(NOW)[0] != second and queue.counts(NOW)["new"] == 6
    queue.place(second, 0, None)  # given back (undo): shown first
    assert queue.next_cid(NOW) == second and queue.counts(NOW)["new"] == 7
    assert queue.order(NOW).count(second) == 1


def test_a_card_removed_from_its_deck_file_during_a_session_leaves_the_queue(store, tmp_path):
    from srs.session import Session

    session = Session(store, ["a", "b"], lambda: NOW)
    assert session.next_view().uid == "a0"
    text = (tmp_path / "a.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text.replace("  - id: a0\n    q: a 0?\n    a: 0.\n", ""))
    sync(store, [tmp_path / "a.yaml", tmp_path / "b.yaml"])
    session.reload_decks()
    assert session.next_view().uid == "b0"
    assert "a0" not in uids(store, session.order())


def test_a_leech_suspended_by_its_answer_leaves_the_queue(store):
    from srs.session import Session

    make_review(store, "a0", 1)
    store.conn.execute("UPDATE cards SET lapses = 7 WHERE uid = 'a0'")
    session = Session(store, ["a", "b"], lambda: NOW)
    assert "a0" in uids(store, session.order())
    assert session.answer(store.find_card("a0"), 1).leech_suspended
    assert "a0" not in uids(store, session.order())
    undone = session.undo()
    assert (undone.card.suspended, session.next_view().uid) == (0, "a0")  # given back: shown first


def test_a_session_builds_its_queue_once(store, monkeypatch):
    import srs.session
    from srs.session import Session

    builds = []
    real = srs.session.build_queue
    monkeypatch.setattr(srs.session, "build_queue", lambda *a, **k: builds.append(1) or real(*a, **k))
    clock = {"now": NOW}
    session = Session(store, ["a", "b"], lambda: clock["now"])
    for _ in range(6):
        view = session.next_view()
        session.counts()
        session.preview(view.card)
        session.answer(view.card, 3)
        clock["now"] += timedelta(seconds=30)
    session.bury(session.next_view().card)
    session.undo()
    assert len(builds) == 1
    clock["now"] += timedelta(days=1)  # a new learner's day: built anew
    session.next_view()
    assert len(builds) == 2


def test_decks_take_their_turns_in_the_order_of_their_position_option(tmp_path):
    for name, position in (("a", 3), ("b", None), ("c", 1), ("d", None)):
        options = "" if position is None else f"options: {{position: {position}}}\n"
        (tmp_path / f"{name}.yaml").write_text(f"title: {name}\n{options}items:\n  - id: {name}0\n    q: {name}?\n"
                                               "    a: x.\n")
    store = Store.open(tmp_path / "srs.db")
    sync(store, sorted(tmp_path.glob("*.yaml")))
    # Positions first (c, then a); the decks without one after them, by id.
    assert uids(store, build_queue(store, NOW, store.deck_ids(), Limits()).order(NOW)) == ["c0", "a0", "b0", "d0"]
    deck_by_deck = Limits(new_order="deck")
    assert uids(store, build_queue(store, NOW, store.deck_ids(), deck_by_deck).order(NOW)) == ["c0", "a0", "b0", "d0"]


def test_day_one_of_the_bundled_course_starts_with_its_first_lesson(tmp_path):
    from srs.paths import bundled_course

    store = Store.open(tmp_path / "srs.db")
    sync(store, bundled_course())
    queue = build_queue(store, NOW, store.deck_ids(), Limits())
    decks = [card.deck_id for card in store.cards(queue.order(NOW))]
    # One new card of each deck in turn, in teaching order: the intro lesson first, the extras last.
    assert decks[:10] == ["diffusion-intro", "diffusion-intro-quick-check", "diffusion-l02", "diffusion-l04",
                          "diffusion-lesson-exercises", "diffusion-practice", "diffusion-practice-exercises",
                          "diffusion-practice-self-check", "diffusion-korean", "diffusion-beyond"]
    assert decks[10:12] == ["diffusion-intro", "diffusion-intro-quick-check"]
