"""Ninety days of reviews through srs, checked against the fsrs package's own Scheduler fed the same answers."""

import random
from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from srs.clock import from_epoch
from srs.queue import Limits
from srs.session import Session
from srs.store import REVIEW, Store
from srs.sync import sync

DECK = "title: Sim\nid: sim\nitems:\n" + "".join(
    f"  - q: Question {n}\n    a: Answer {n}\n" for n in range(25)
)


@pytest.fixture
def simulated(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "sim.yaml").write_text(DECK)
    store = Store.open(tmp_path / "srs.db")
    store.set_setting("fuzz", False)
    report = sync(store, [tmp_path / "decks"])
    clock = {"now": datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)}
    session = Session(store, report.deck_ids, lambda: clock["now"], Limits(new_per_day=5, reviews_per_day=1000))
    return store, session, clock


def test_ninety_days_match_fsrs_to_the_second(simulated):
    store, session, clock = simulated
    reference = fsrs.Scheduler(enable_fuzzing=False)
    ref_cards: dict[int, fsrs.Card] = {}
    rng = random.Random(7)
    start = clock["now"]
    answers = 0
    for day in range(90):
        clock["now"] = start + timedelta(days=day, minutes=rng.randrange(0, 600))
        for _ in range(500):
            queue = session.queue()
            cid = queue.next_cid(clock["now"])
            if cid is None:
                break
            card = store.card(cid)
            if card.due is not None and from_epoch(card.due) > clock["now"]:
                clock["now"] = from_epoch(card.due)  # wait for a learning step, as a learner would
            rating = rng.choices([1, 2, 3, 4], weights=[15, 10, 65, 10])[0]
            session.answer(card, rating)
            ref = ref_cards.get(cid, fsrs.Card(card_id=cid))
            ref, _ = reference.review_card(ref, fsrs.Rating(rating), review_datetime=clock["now"])
            ref_cards[cid] = ref
            stored = store.card(cid)
            assert from_epoch(stored.due) == ref.due, f"day {day}, card {cid}"
            assert stored.stability == pytest.approx(ref.stability, rel=1e-12)
            assert stored.difficulty == pytest.approx(ref.difficulty, rel=1e-12)
            assert stored.state == int(ref.state)
            answers += 1
            clock["now"] += timedelta(seconds=rng.randrange(5, 40))
    assert answers > 250
    assert len(ref_cards) == 25


def test_intervals_grow_on_good_and_collapse_on_again(simulated):
    store, session, clock = simulated
    cid = session.queue().next_cid(clock["now"])
    intervals = []
    for _ in range(8):  # graduate, then keep answering Good on the due date
        card = store.card(cid)
        if card.due is not None:
            clock["now"] = from_epoch(card.due)
        session.answer(card, 3)
        after = store.card(cid)
        if after.state == REVIEW:
            intervals.append(after.due - int(clock["now"].timestamp()))
    assert len(intervals) >= 5
    assert all(later > earlier for earlier, later in zip(intervals, intervals[1:]))
    long_interval = intervals[-1]
    card = store.card(cid)
    clock["now"] = from_epoch(card.due)
    session.answer(card, 1)
    lapsed = store.card(cid)
    assert lapsed.lapses == 1
    assert lapsed.due - int(clock["now"].timestamp()) == 600  # the 10-minute relearning step
    assert long_interval > 30 * 86400
