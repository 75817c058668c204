"""`render_card_illustration`, the exporters' entry point: a PNG per card, cached by what it shows."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_renders_once_then_serves_the_cache(course_items, tmp_path, monkeypatch, sampler):
    from srs.demo import illustrate
    from srs.demo.render import render_card_illustration

    item = course_items["plain-card"]
    path = render_card_illustration(item, seed=1, steps=3, cache_dir=tmp_path)
    assert path.is_file() and path.suffix == ".png" and path.parent == tmp_path

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew again although the cache has the picture")

    monkeypatch.setattr(illustrate, "illustrate", no_drawing)
    assert render_card_illustration(item, seed=1, steps=3, cache_dir=tmp_path) == path


def test_the_key_follows_seed_steps_and_the_cards_own_seed(course_items, tmp_path, sampler):
    from srs.demo.render import render_card_illustration

    plain = course_items["plain-card"]
    one = render_card_illustration(plain, seed=1, steps=2, cache_dir=tmp_path)
    assert render_card_illustration(plain, seed=2, steps=2, cache_dir=tmp_path) != one
    assert render_card_illustration(plain, seed=1, steps=3, cache_dir=tmp_path) != one
    # guidance-card says `seed: 3`: the caller's default seed does not change its picture.
    card = course_items["guidance-card"]
    assert render_card_illustration(card, seed=0, steps=2, cache_dir=tmp_path) == \
        render_card_illustration(card, seed=7, steps=2, cache_dir=tmp_path)


def test_the_key_follows_the_card_content(course_items, tmp_path):
    from srs.demo.cards import plan_for
    from srs.demo.render import cached_path

    plan = plan_for(course_items["plain-card"])
    assert cached_path(plan, "hash-a", 25, "model", tmp_path) != cached_path(plan, "hash-b", 25, "model", tmp_path)
    assert cached_path(plan, "hash-a", 25, "model", tmp_path) != cached_path(plan, "hash-a", 25, "other", tmp_path)
