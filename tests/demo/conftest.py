"""Shared pieces of the demo tests: the fixture deck and the bundled sampler (loaded once)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
COURSE = HERE / "course.yaml"


@pytest.fixture(scope="session")
def sampler():
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from srs.demo.models import load_sampler

    return load_sampler(None, "cpu")


@pytest.fixture
def course_items():
    from srs.deck import load_paths

    result = load_paths([COURSE])
    assert not result.errors, result.errors
    return {item.id: item for deck in result.decks for item in deck.items}
