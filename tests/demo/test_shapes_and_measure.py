"""The procedural data set, and the measurements the model tests rely on, checked on exact drawings."""

from __future__ import annotations

import numpy as np
import pytest

from srs.demo import shapes
from srs.demo.measure import measure
from srs.demo.vocab import check_prompt


@pytest.mark.parametrize("shape, low, high", [("circle", 0.7, 0.9), ("square", 0.93, 1.0),
                                              ("triangle", 0.4, 0.65), ("diamond", 0.4, 0.65)])
@pytest.mark.parametrize("radius", [6.0, 10.0])
def test_fill_ratio_tells_the_shapes_apart(shape, low, high, radius):
    blob = measure(shapes.render(shapes.scene(shape, "blue", "white", radius=radius))[0])
    assert blob.colour_name == "blue"
    assert low <= blob.fill_ratio <= high


def test_batches_are_reproducible_and_in_model_range():
    a_images, a_captions = shapes.batch(np.random.default_rng(7), 16)
    b_images, b_captions = shapes.batch(np.random.default_rng(7), 16)
    assert np.array_equal(a_images, b_images) and a_captions == b_captions
    assert a_images.shape == (16, 3, 32, 32) and a_images.dtype == np.float32
    assert -1.0 <= a_images.min() and a_images.max() <= 1.0


def test_captions_use_only_known_words_and_some_are_empty():
    _, captions = shapes.batch(np.random.default_rng(0), 400)
    for caption in captions:
        check_prompt(caption)
    assert 0.05 < captions.count("") / len(captions) < 0.15  # the 10% caption dropout
    assert any(c.endswith("background") for c in captions) and any(c == "a circle" for c in captions)


def test_every_shape_stays_inside_the_frame():
    scenes = shapes.random_scenes(np.random.default_rng(3), 500)
    images = shapes.render(scenes)
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    backgrounds = shapes.PALETTE[scenes.background][:, None, :]
    assert np.abs(border - backgrounds).max() < 0.1  # at most a faint anti-aliased edge
