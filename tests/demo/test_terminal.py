"""Half-block pictures in a colour terminal, characters of ink without colour."""

from __future__ import annotations

import io

from PIL import Image
from rich.console import Console

from srs.ui.picture import UPPER_HALF, Picture, image_renderable


def two_colour_image() -> Image.Image:
    image = Image.new("RGB", (8, 8), (255, 255, 255))
    image.paste((220, 30, 30), (0, 4, 8, 8))  # bottom half red
    return image


def test_true_colour_terminals_get_half_blocks_with_24_bit_colours():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=40)
    console.print(image_renderable(two_colour_image(), console, console.width))
    text = buffer.getvalue()
    assert UPPER_HALF in text
    assert "38;2;255;255;255" in text and "48;2;220;30;30" not in text.splitlines()[0]  # top row: white on white
    assert "38;2;220;30;30" in text  # the red half


def test_without_colour_the_picture_is_plain_text():
    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, width=40)
    console.print(image_renderable(two_colour_image(), console, console.width))
    text = buffer.getvalue()
    assert "\x1b[" not in text and UPPER_HALF not in text
    lines = [line for line in text.splitlines()]
    assert lines[-1].strip() and not lines[0].strip()  # white reads as blank, red as ink


def test_a_picture_shows_its_rows_captions_and_note_within_the_width():
    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, width=30)
    image = Image.new("RGB", (64, 32), (255, 255, 255))
    image.paste((0, 0, 0), (40, 8, 56, 24))
    rows = [{"label": "noisy", "boxes": [[0, 0, 32, 32], [32, 0, 64, 32]], "captions": ["t=999\nnoise 1.00", "t=0"]}]
    console.print(Picture(image, rows, "look at the square"))
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "noisy" and lines[-1] == "look at the square"
    assert "t=999" in lines[-3] and "t=0" in lines[-3] and "noise 1.00" in lines[-2]  # each line of a caption
    assert all(len(line) <= 30 for line in lines)
    assert any(line.strip() for line in lines[1:-3])  # the black square is ink
