"""`srs optimize --retention` beside Anki's `compute_optimal_retention` on the real log (12,580 reviews).

Anki simulates the learner's own collection (every reviewed card from its memory state and due date, plus the
collection's new cards); srs did simulate a deck of 1,205 cards never studied, and found 0.742 where Anki
finds 0.937. The cause is pinned: with the same inputs otherwise, the deck simulated moves the answer from
one figure to the other, and srs now simulates the collection as Anki does (docs/scheduling.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from srs.optimizer.fit import fit
from srs.optimizer.history import build_dataset, histories_from_rows
from srs.optimizer.retention import new_deck_retention, optimal_retention

sys.path.insert(0, str(Path(__file__).parent))
from test_real_log import find_real_log  # noqa: E402

DAY = 86_400
ANKI_FIGURE = 0.937  # Anki 26.9.3's compute_optimal_retention on this log (the issue's figure; measured below)
OLD_SRS_FIGURE = 0.742  # srs's new-deck simulation on this log (the figure)


@pytest.fixture(scope="module")
def real():
    from srs.importers.revlog_csv import read_revlog_csv

    log = read_revlog_csv(find_real_log())
    dataset = build_dataset(histories_from_rows((r.card, "real", r.at, r.rating) for r in log.reviews))
    # "Today" is the day after the last review, for srs as for Anki (anki_retention.py places it there).
    now = (max(r.at for r in log.reviews) // DAY + 1) * DAY + 12 * 3600
    return log, dataset, fit(dataset).parameters, now


@pytest.mark.slow
def test_the_deck_simulated_is_what_parts_srs_from_anki(real):
    _, dataset, parameters, now = real
    collection = optimal_retention(parameters, dataset, now=now).desired_retention
    new_deck = new_deck_retention(parameters, dataset, deck_size=len(dataset.histories))
    assert abs(collection - ANKI_FIGURE) <= 0.03
    assert abs(new_deck - OLD_SRS_FIGURE) <= 0.03
    # Not a matter of costs or caps: a new deck under srs's new limits still lands at the old figure.
    assert new_deck < 0.8 < 0.9 < collection


@pytest.mark.slow
def test_srs_equals_anki_compute_optimal_retention_within_0_03(real, tmp_path):
    pytest.importorskip("anki.collection")
    from anki_retention import anki_optimal_retention

    log, dataset, parameters, now = real
    histories: dict = {}
    for r in log.reviews:
        histories.setdefault(r.card, []).append((r.at, r.rating, r.duration_ms))
    for reviews in histories.values():
        reviews.sort()
    anki = anki_optimal_retention(tmp_path, histories, parameters)
    ours = optimal_retention(parameters, dataset, now=now).desired_retention
    print(f"\nsrs {ours:.3f}, Anki {anki.optimal_retention:.3f}")
    assert abs(ours - anki.optimal_retention) <= 0.03
