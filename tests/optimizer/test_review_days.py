"""Counting the learner days of a log by quarter hours gives what dating every review gives."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs.clock import from_epoch, learner_date
from srs.optimizer.history import CardHistory, Review, build_dataset

START = 1_711_000_000  # March 2024: the log spans a change to summer time in both zones


def by_every_review(dataset) -> int:
    return len({learner_date(from_epoch(r.at)) for h in dataset.histories for r in h.reviews})


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(st.integers(0, 90 * 86_400), min_size=1, max_size=300))
def test_quarter_hours_count_the_days_every_review_counts(zone, times, time_zone):
    # The fixture only hands over a context manager; each example enters it afresh.
    with time_zone(zone):
        dataset = build_dataset([CardHistory(1, "d", [Review(START + t, 3) for t in times])])
        assert dataset.review_days() == by_every_review(dataset)
        assert dataset.review_days(enough=3) == min(3, by_every_review(dataset))
