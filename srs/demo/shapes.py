"""The procedural training set: coloured shapes on plain backgrounds, with captions.

Images are drawn from signed distance functions with numpy, a whole batch in a few array operations,
so training needs no data on disk and a batch costs far less than a training step. Everything random
comes from one numpy Generator, so a seed fixes the data on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from srs.demo.vocab import BACKGROUNDS, COLOURS, SHAPES, SIZES, caption

IMAGE_SIZE = 32
RADIUS = {"small": (5.0, 7.0), "big": (9.0, 11.5)}  # pixels, for a 32-pixel image
# How far each shape reaches from its centre, in radii; keeps every shape inside the frame.
EXTENT = {"circle": 1.0, "square": 0.9, "triangle": 1.2, "diamond": 1.25}
# How often each part of a caption is named; the rest of the time the model must guess it, which
# is what makes short prompts ("a red circle") meaningful.
KEEP = {"colour": 0.85, "shape": 0.85, "background": 0.6, "size": 0.5}
CAPTION_DROPOUT = 0.1  # the empty prompt then learns the unconditional prior, for guidance

COLOUR_NAMES = list(COLOURS)
PALETTE = np.array(list(COLOURS.values()), dtype=np.float32) / 255


@dataclass(frozen=True)
class Scenes:
    """n scenes as parallel arrays: indices into SHAPES, COLOUR_NAMES and SIZES, and geometry."""

    shape: np.ndarray
    colour: np.ndarray
    background: np.ndarray  # an index into COLOUR_NAMES too
    size: np.ndarray
    centre: np.ndarray  # (n, 2): x, y in pixels
    radius: np.ndarray

    def __len__(self) -> int:
        return len(self.shape)


def scene(shape: str, colour: str, background: str, radius: float = 10.0, centre=(16.0, 16.0)) -> Scenes:
    """One chosen scene, for tests and pictures of what the model learns from."""
    size = "big" if radius >= RADIUS["big"][0] else "small"
    return Scenes(
        np.array([SHAPES.index(shape)]), np.array([COLOUR_NAMES.index(colour)]),
        np.array([COLOUR_NAMES.index(background)]), np.array([SIZES.index(size)]),
        np.array([centre], dtype=np.float64), np.array([radius], dtype=np.float64),
    )


def random_scenes(rng: np.random.Generator, n: int, image_size: int = IMAGE_SIZE) -> Scenes:
    background = np.array([COLOUR_NAMES.index(b) for b in BACKGROUNDS])[rng.integers(len(BACKGROUNDS), size=n)]
    colour = rng.integers(len(COLOUR_NAMES) - 1, size=n)
    colour += colour >= background  # any colour but the background's
    shape = rng.integers(len(SHAPES), size=n)
    size = rng.integers(len(SIZES), size=n)
    bounds = np.array([RADIUS[s] for s in SIZES])[size] * image_size / IMAGE_SIZE
    radius = rng.uniform(bounds[:, 0], bounds[:, 1])
    reach = np.array([EXTENT[s] for s in SHAPES])[shape] * radius + 1
    centre = rng.uniform(reach[:, None], image_size - reach[:, None], size=(n, 2))
    return Scenes(shape, colour, background, size, centre, radius)


def random_captions(rng: np.random.Generator, scenes: Scenes) -> list[str]:
    dropped = rng.random(len(scenes)) < CAPTION_DROPOUT
    keep = {part: rng.random(len(scenes)) < p for part, p in KEEP.items()}
    captions = []
    for i in range(len(scenes)):
        if dropped[i]:
            captions.append("")
            continue
        captions.append(caption(
            COLOUR_NAMES[scenes.colour[i]] if keep["colour"][i] else None,
            SHAPES[scenes.shape[i]] if keep["shape"][i] else None,
            COLOUR_NAMES[scenes.background[i]] if keep["background"][i] else None,
            SIZES[scenes.size[i]] if keep["size"][i] else None,
        ))
    return captions


def signed_distance(scenes: Scenes, image_size: int) -> np.ndarray:
    """(n, H, W) distance in pixels from each pixel centre to each shape's edge; negative inside."""
    # float32 halves the work; a pixel's coverage needs no more precision.
    grid = np.arange(image_size, dtype=np.float32) + 0.5
    centre = scenes.centre.astype(np.float32)
    dx = grid[None, None, :] - centre[:, 0, None, None]
    dy = grid[None, :, None] - centre[:, 1, None, None]
    dx, dy = np.broadcast_arrays(dx, dy)
    r = scenes.radius.astype(np.float32)[:, None, None]
    ax, ay = np.abs(dx), np.abs(dy)
    # An upright equilateral triangle is the farthest of its three edges, each a half-plane.
    triangle = np.maximum(dy, 0.866 * ax - 0.5 * dy) - EXTENT["triangle"] * r / 2
    by_shape = {
        "circle": np.hypot(dx, dy) - r,
        "square": np.maximum(ax, ay) - EXTENT["square"] * r,
        "triangle": triangle,
        "diamond": (ax + ay - EXTENT["diamond"] * r) * np.float32(0.7071),
    }
    return np.choose(scenes.shape[:, None, None], [by_shape[s] for s in SHAPES])


def render(scenes: Scenes, image_size: int = IMAGE_SIZE) -> np.ndarray:
    """(n, H, W, 3) float images in [0, 1], anti-aliased by each pixel's coverage of the edge."""
    coverage = np.clip(0.5 - signed_distance(scenes, image_size), 0, 1)[..., None]
    fg = PALETTE[scenes.colour][:, None, None, :]
    bg = PALETTE[scenes.background][:, None, None, :]
    return bg * (1 - coverage) + fg * coverage


def batch(rng: np.random.Generator, n: int, image_size: int = IMAGE_SIZE) -> tuple[np.ndarray, list[str]]:
    """n images as (n, 3, H, W) float32 in [-1, 1], the range the model works in, and their captions."""
    scenes = random_scenes(rng, n, image_size)
    captions = random_captions(rng, scenes)
    images = render(scenes, image_size).transpose(0, 3, 1, 2)
    return (images * 2 - 1).astype(np.float32), captions
