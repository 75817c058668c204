"""Shared fixtures for the learning tests (the helpers they hand out are in learn_helpers.py).

Every test gets its own database and deck folders under `tmp_path`, the clock fixed with `--now`/SRS_NOW,
TZ=UTC (the learner's day starts at 04:00 local time), TERM and COLUMNS fixed.
"""

from __future__ import annotations

import pytest
from learn_helpers import PRACTICE, Learner, Terminal


@pytest.fixture(autouse=True)
def _utc_and_clean_environment(monkeypatch, time_zone):
    """TZ=UTC in this process too (CliRunner tests), and no SRS_* or editor leaking in from outside."""
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    with time_zone("UTC"):
        yield


@pytest.fixture
def learner(tmp_path) -> Learner:
    return Learner(tmp_path)


@pytest.fixture
def practice(learner) -> Learner:
    """A learner with the one-of-each-kind deck `practice` written (not yet synced)."""
    learner.write("practice.yaml", PRACTICE)
    return learner


@pytest.fixture
def terminal():
    """terminal(learner, *args): a Terminal; all are closed at the end of the test."""
    opened: list[Terminal] = []

    def spawn(learner: Learner, *args: str, **kwargs) -> Terminal:
        term = Terminal(learner, *args, **kwargs)
        opened.append(term)
        return term

    yield spawn
    for term in opened:
        term.close()
