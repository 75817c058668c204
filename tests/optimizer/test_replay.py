"""The replay that rescheduling uses gives exactly the states Planner.review (py-fsrs's review_card) gives.

`planner_replay` is the replay srs used before (one Planner.review per review): the oracle. The fast one
must match it field for field, fuzzed due dates included, on the real log and on generated histories
under any scheduler settings.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.clock import from_epoch
from srs.optimizer.replay import SCHEDULING, replay, replayer_for
from srs.scheduler import Planner, SchedulerSettings
from srs.store.log import FRESH
from srs.store.store import CardRecord

sys.path.insert(0, str(Path(__file__).parent))
from test_real_log import find_real_log  # noqa: E402

FITTED = (  # the parameters fsrs-rs fits to the real log, rounded: far from the defaults
    0.1641, 0.7374, 2.0957, 5.1017, 6.6413, 0.4564, 3.238, 0.082, 1.6183, 0.1563, 0.5656, 1.5511, 0.0395,
    0.3287, 1.8278, 0.6019, 1.8729, 0.6821, 0.1743, 0.1653, 0.226,
)


def planner_replay(planner: Planner, settings: SchedulerSettings, card: CardRecord, reviews) -> list[tuple]:
    """The oracle: each review through Planner.review, from a new card."""
    state = card.with_memory(FRESH)
    out = []
    for at, rating in reviews:
        state = planner.review(state, rating, from_epoch(at), settings)
        out.append(tuple(getattr(state, name) for name in SCHEDULING))
    return out


def fast_replay(planner, settings, card, reviews) -> list[tuple]:
    return [tuple(step.after[name] for name in SCHEDULING) for step in replay(planner, settings, card, reviews)]


def new_card(cid: int) -> CardRecord:
    return CardRecord(cid, f"u{cid}", 1, "d", 0, *FRESH.values(), 0, 0, None, 0)


def assert_same(expected: list[tuple], got: list[tuple]) -> None:
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        assert g[:2] == e[:2] and g[4:] == e[4:]  # state, step, due, last review, reps, lapses: exactly
        for a, b in ((e[2], g[2]), (e[3], g[3])):  # stability, difficulty: equal to 1e-6 (in fact to the bit)
            assert (a is None and b is None) or abs(a - b) <= 1e-6 * max(1.0, abs(a))


def real_histories() -> dict[int, list[tuple[int, int]]]:
    from srs.importers.revlog_csv import read_revlog_csv

    histories: dict[int, list[tuple[int, int]]] = {}
    for review in read_revlog_csv(find_real_log()).reviews:
        histories.setdefault(review.card, []).append((review.at, review.rating))
    for reviews in histories.values():
        reviews.sort()
    return histories


@pytest.mark.parametrize("parameters", [None, FITTED], ids=["defaults", "fitted"])
def test_the_real_log_replays_to_the_same_states_as_planner(parameters):
    planner = Planner()
    settings = SchedulerSettings(parameters=parameters)
    histories = real_histories()
    assert sum(map(len, histories.values())) == 12_580
    differ = 0
    for n, reviews in enumerate(histories.values()):
        card = new_card(n + 1)
        expected = planner_replay(planner, settings, card, reviews)
        got = fast_replay(planner, settings, card, reviews)
        assert_same(expected, got)
        differ += expected != got
    assert differ == 0  # not only within 1e-6: bit for bit


ratings = st.integers(1, 4)
gaps = st.sampled_from([0, 30, 59, 61, 600, 3_600, 20 * 3_600, 86_399, 86_400, 86_401, 3 * 86_400, 40 * 86_400,
                        400 * 86_400]) | st.integers(0, 200 * 86_400)
steps = st.lists(st.integers(1, 3 * 86_400).map(lambda s: timedelta(seconds=s)), max_size=3).map(tuple)
scheduler_settings = st.builds(
    SchedulerSettings,
    desired_retention=st.floats(0.7, 0.99),
    learning_steps=steps,
    relearning_steps=steps,
    maximum_interval=st.integers(1, 36_500),
    fuzz=st.booleans(),
    parameters=st.sampled_from([None, FITTED]),
)


def timed(history: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(gap, rating) pairs as (time, rating) reviews, from a fixed start."""
    at, reviews = 1_700_000_000, []
    for gap, rating in history:
        at += gap
        reviews.append((at, rating))
    return reviews


@settings(max_examples=200, deadline=None)
@given(scheduler_settings, st.integers(1, 10**6), st.lists(st.tuples(gaps, ratings), min_size=1, max_size=40))
def test_any_history_under_any_settings_replays_as_planner_does(settings_, cid, history):
    reviews = timed(history)
    planner = Planner()
    card = new_card(cid)
    assert fast_replay(planner, settings_, card, reviews) == planner_replay(planner, settings_, card, reviews)


@settings(max_examples=200, deadline=None)
@given(scheduler_settings, st.integers(1, 10**6), st.lists(st.tuples(gaps, ratings), min_size=1, max_size=40))
def test_the_final_state_alone_is_the_last_of_the_states(settings_, cid, history):
    """Rescheduling replays each card to its last state only (no due date before it): the same state."""
    reviews = timed(history)
    planner = Planner()
    replayer = replayer_for(planner, settings_)
    assert replayer.final(cid, reviews) == tuple(planner_replay(planner, settings_, new_card(cid), reviews)[-1])
