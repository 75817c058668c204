"""Measure what a sample shows: the colour of its shape and how much of its bounding box it fills.

The tests judge the bundled model with these rather than by eye: a circle fills pi/4 (0.785) of its
bounding box, a square all of it, a triangle or a diamond half. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from srs.demo.vocab import COLOURS


@dataclass(frozen=True)
class Blob:
    colour: tuple[float, float, float]  # mean RGB of the shape's pixels, in [0, 1]
    colour_name: str  # the nearest colour word
    area: int  # pixels
    fill_ratio: float  # area / bounding-box area
    background: tuple[float, float, float]


def measure(image: np.ndarray, threshold: float = 0.3) -> Blob:
    """image: (H, W, 3) in [0, 1]. The background is the border's median colour; the shape is every
    pixel farther than `threshold` from it (anti-aliased edge pixels count when more than half in)."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = np.median(border, axis=0)
    distance = np.linalg.norm(image - background, axis=-1)
    mask = _largest_component(distance > threshold)
    if not mask.any():
        return Blob((0.0, 0.0, 0.0), "none", 0, 0.0, tuple(background))
    rows, cols = np.nonzero(mask)
    box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
    colour = image[mask].mean(axis=0)
    return Blob(tuple(colour.tolist()), nearest_colour(colour), int(mask.sum()), float(mask.sum() / box),
                tuple(background.tolist()))


def nearest_colour(rgb) -> str:
    rgb = np.asarray(rgb, dtype=np.float64)
    return min(COLOURS, key=lambda name: np.linalg.norm(np.array(COLOURS[name]) / 255 - rgb))


def _largest_component(mask: np.ndarray) -> np.ndarray:
    """The biggest 4-connected region: a stray speck must not stretch the bounding box."""
    labels = np.zeros(mask.shape, dtype=np.int32)
    sizes = [0]
    for start in zip(*np.nonzero(mask)):
        if labels[start]:
            continue
        label = len(sizes)
        labels[start] = label
        stack, size = [start], 0
        while stack:
            r, c = stack.pop()
            size += 1
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < mask.shape[0] and 0 <= nc < mask.shape[1] and mask[nr, nc] and not labels[nr, nc]:
                    labels[nr, nc] = label
                    stack.append((nr, nc))
        sizes.append(size)
    return labels == int(np.argmax(sizes)) if len(sizes) > 1 else mask


def shape_name(image: np.ndarray, threshold: float = 0.3) -> str:
    """The nearest shape word for the sample's largest blob, from how much of its bounding box it fills
    (a square all, a circle pi/4, a triangle or a diamond half) and where it is widest (an upright
    triangle at its base, a diamond in its middle). "none" when nothing stands out."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    distance = np.linalg.norm(image - np.median(border, axis=0), axis=-1)
    mask = _largest_component(distance > threshold)
    if mask.sum() < 6:
        return "none"
    rows, cols = np.nonzero(mask)
    box = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    fill = box.mean()
    if fill >= 0.88:
        return "square"
    if fill >= 0.66:
        return "circle"
    widths = box.sum(axis=1)
    widest = np.flatnonzero(widths >= widths.max() - 1).mean() / max(1, len(widths) - 1)
    return "triangle" if widest >= 0.7 else "diamond"


def background_name(image: np.ndarray) -> str:
    """The nearest background word (white, black, gray) for the border's median colour."""
    from srs.demo.vocab import BACKGROUNDS

    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    rgb = np.median(border, axis=0)
    return min(BACKGROUNDS, key=lambda name: np.linalg.norm(np.array(COLOURS[name]) / 255 - rgb))
