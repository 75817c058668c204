"""Half-block pictures in a colour terminal, characters of ink without colour."""

from __future__ import annotations

import io

from PIL import Image
from rich.console import Console

from srs.ui.picture import UPPER_HALF, render


def two_colour_image() -> Image.Image:
    image = Image.new("RGB", (8, 8), (255, 255, 255))
    image.paste((220, 30, 30), (0, 4, 8, 8))  # bottom half red
    return image


def test_true_colour_terminals_get_half_blocks_with_24_bit_colours():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=40)
    render(two_colour_image(), console)
    text = buffer.getvalue()
    assert UPPER_HALF in text
    assert "38;2;255;255;255" in text and "48;2;220;30;30" not in text.splitlines()[0]  # top row: white on white
    assert "38;2;220;30;30" in text  # the red half


def test_without_colour_the_picture_is_plain_text():
    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, width=40)
    render(two_colour_image(), console)
    text = buffer.getvalue()
    assert "\x1b[" not in text and UPPER_HALF not in text
    lines = [line for line in text.splitlines()]
    assert lines[-1].strip() and not lines[0].strip()  # white reads as blank, red as ink
