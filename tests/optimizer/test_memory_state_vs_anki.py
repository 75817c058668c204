"""Memory states (stability, difficulty) from srs equal Anki's own FSRS when days are counted the same way.

Anki (the `anki` package: a real collection, revlog rows, FSRS switched on with the FSRS-6 defaults)
computes each card's memory state with `compute_memory_state`. srs computes it two ways:

- fsrs-rs-python on the card's history with learner days (4 a.m. rollover, as Anki counts): equal;
- srs's scheduler (py-fsrs, which counts elapsed 24-hour periods), by importing the same reviews: equal
  when every gap counts the same either way, and different when a gap crosses the rollover without
  24 hours passing (docs/scheduling.md explains).
"""

from __future__ import annotations

import random

import pytest

anki_collection = pytest.importorskip("anki.collection")

from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview  # noqa: E402

from srs.importers.reviews import ImportedReview, write_reviews  # noqa: E402
from srs.importers.revlog_csv import placeholder_deck  # noqa: E402
from srs.optimizer.history import ELAPSED, LEARNER, day_deltas  # noqa: E402
from srs.store import Store, catalog  # noqa: E402

DAY = 86_400
NOON = 1_704_110_400  # 2024-01-01 12:00 UTC


@pytest.fixture
def utc_local_time(time_zone):
    """Both Anki and srs count learner days in local time; fix it to UTC for the test."""
    return lambda: time_zone("UTC")


def assert_same_states(ours, anki_states) -> None:
    for k, ((s, d), (anki_s, anki_d)) in enumerate(zip(ours, anki_states)):
        assert four_significant(s, anki_s), f"card {k}: stability {s} vs Anki {anki_s}"
        assert four_significant(d, anki_d), f"card {k}: difficulty {d} vs Anki {anki_d}"


def four_significant(a: float, b: float) -> bool:
    return f"{a:.4g}" == f"{b:.4g}" or abs(a - b) <= 5e-5 * abs(b)


def histories(seed: int, cards: int, *, aligned: bool) -> list[list[tuple[int, int]]]:
    """Random review histories. `aligned`: every review near noon and every gap whole days or minutes, so
    elapsed days and learner days agree; otherwise times of day vary and gaps cross the 4 a.m. rollover."""
    rng = random.Random(seed)
    out = []
    for _ in range(cards):
        t = NOON + rng.randrange(0, 5) * DAY
        if not aligned:
            # Whole hours and 7 minutes: never exactly at the 4 a.m. rollover, where Anki counts the
            # second 04:00:00 as the old day and srs as the new one (docs/scheduling.md).
            t += rng.randrange(-10, 12) * 3600 + 420
        reviews = []
        for _ in range(rng.randrange(2, 14)):
            reviews.append((t, rng.choices([1, 2, 3, 4], [15, 8, 65, 12])[0]))
            gap = rng.choice(["minutes", "day", "days", "weeks"])
            if gap == "minutes":
                t += rng.randrange(60, 300)
            elif gap == "day":
                t += DAY + (0 if aligned else rng.randrange(-8, 8) * 3600)
            elif gap == "days":
                t += rng.randrange(2, 6) * DAY + (0 if aligned else rng.randrange(-8, 8) * 3600)
            else:
                t += rng.randrange(6, 40) * DAY
        out.append(reviews)
    return out


def anki_memory_states(tmp_path, cards: list[list[tuple[int, int]]]) -> list[tuple[float, float]]:
    from anki_retention import fsrs_collection

    col = fsrs_collection(tmp_path / "collection.anki2", DEFAULT_PARAMETERS)
    try:
        basic = col.models.by_name("Basic")
        states = []
        for k, reviews in enumerate(cards):
            note = col.new_note(basic)
            note["Front"], note["Back"] = f"question {k}", "answer"
            col.add_note(note, 1)
            cid = note.cards()[0].id
            for i, (at, rating) in enumerate(reviews):
                # Revlog ids are milliseconds and unique; type 0 (learning) for the first review only,
                # since Anki starts a card's history at its last block of learning entries.
                col.db.execute(
                    "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                    "VALUES (?, ?, -1, ?, 1, 0, 2500, 1000, ?)",
                    at * 1000 + k * 16 + i, cid, rating, 0 if i == 0 else 1,
                )
            state = col.compute_memory_state(cid)
            states.append((state.stability, state.difficulty))
        return states
    finally:
        col.close()


def fsrs_rs_states(cards, counting: str) -> list[tuple[float, float]]:
    fsrs = FSRS(DEFAULT_PARAMETERS)
    out = []
    for reviews in cards:
        deltas = day_deltas([at for at, _ in reviews], counting)
        state = fsrs.memory_state(FSRSItem([FSRSReview(r, d) for (_, r), d in zip(reviews, deltas)]))
        out.append((state.stability, state.difficulty))
    return out


def srs_states(tmp_path, cards) -> list[tuple[float, float]]:
    """Import the histories into a store: each card's reviews are replayed through srs's scheduler."""
    store = Store.open(tmp_path / "srs.db")
    with store.transaction():
        catalog.add_items(store, placeholder_deck([(f"revlog-{k}", str(k), 1, k) for k in range(len(cards))],
                                                  "anki-check", "test"))
    by_card = {f"revlog-{k}": [ImportedReview(at, r) for at, r in reviews] for k, reviews in enumerate(cards)}
    write_reviews(store, by_card)
    out = []
    for k in range(len(cards)):
        card = store.find_card(f"revlog-{k}")
        out.append((card.stability, card.difficulty))
    store.close()
    return out


def test_fsrs_rs_with_learner_days_equals_anki(tmp_path, utc_local_time):
    with utc_local_time():
        cards = histories(5, 40, aligned=False)
        anki_states = anki_memory_states(tmp_path, cards)
        ours = fsrs_rs_states(cards, LEARNER)
    assert_same_states(ours, anki_states)


def test_srs_scheduler_equals_anki_when_days_count_the_same(tmp_path, utc_local_time):
    with utc_local_time():
        cards = histories(11, 40, aligned=True)
        for reviews in cards:
            times = [at for at, _ in reviews]
            assert day_deltas(times, ELAPSED) == day_deltas(times, LEARNER)
        anki_states = anki_memory_states(tmp_path, cards)
        ours = srs_states(tmp_path, cards)
    assert_same_states(ours, anki_states)


def test_day_counting_is_where_they_part(tmp_path, utc_local_time):
    """Across the rollover without 24 hours passing, Anki sees a new day and py-fsrs does not."""
    with utc_local_time():
        cards = histories(5, 40, aligned=False)
        anki_states = anki_memory_states(tmp_path, cards)
        elapsed = fsrs_rs_states(cards, ELAPSED)
        scheduler = srs_states(tmp_path, cards)
    differing = [k for k, reviews in enumerate(cards)
                 if day_deltas([a for a, _ in reviews], ELAPSED) != day_deltas([a for a, _ in reviews], LEARNER)]
    assert differing, "the random histories should cross the rollover somewhere"
    assert any(not four_significant(elapsed[k][0], anki_states[k][0]) for k in differing)
    # srs's scheduler counts as fsrs-rs does with elapsed days, so it parts from Anki exactly there.
    for k in range(len(cards)):
        assert four_significant(scheduler[k][0], elapsed[k][0]), f"card {k}"
        assert four_significant(scheduler[k][1], elapsed[k][1]), f"card {k}"
