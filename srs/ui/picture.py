"""Show an image in the terminal: two pixels per character cell with the upper half block (`srs demo`).

The cell's foreground colour paints the top pixel and its background the bottom one. rich turns the
24-bit colours into whatever the terminal supports; with no colour at all (NO_COLOR, a pipe, a dumb
terminal) the picture becomes characters of growing ink instead, so it still reads as a shape.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

UPPER_HALF = "▀"
INK = " .:-=+*#%@"  # from light to dark, for plain text on a light or dark page alike
MAX_COLUMNS = 120


class Picture:
    """A picture of frames in rows (each row: its label, its frames' boxes in `image`, their captions), one
    strip the console's width per row, its captions under it as text, then the note: a rich renderable."""

    def __init__(self, image: Image.Image, rows: list[dict], note: str = ""):
        self.image, self.rows, self.note = image, rows, note

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        available = options.max_width
        for row in self.rows:
            tiles = [self.image.crop(tuple(box)) for box in row["boxes"]]
            if not tiles:
                continue
            if row["label"]:
                yield Text(row["label"], style="dim")
            gap = 2
            if len(tiles) == 1 and tiles[0].width > tiles[0].height:  # a chart keeps its shape
                width = min(available, 80, tiles[0].width)
                height = max(2, width * tiles[0].height // tiles[0].width)
                strip = tiles[0].resize((width, height), Image.Resampling.LANCZOS)
            else:
                width = max(4, min(32, (min(available, 120) - gap * (len(tiles) - 1)) // max(1, len(tiles))))
                strip = Image.new("RGB", (len(tiles) * (width + gap) - gap, width), "white")
                for i, tile in enumerate(tiles):
                    strip.paste(tile.resize((width, width), Image.Resampling.LANCZOS), (i * (width + gap), 0))
            yield image_renderable(strip, console, available)
            # A caption's lines stay lines (`step 7` over `noise 0.59`): a frame is too narrow for both in one.
            captions = [c.split("\n") for c in row["captions"]]
            for line in range(max((len(c) for c in captions if any(c)), default=0)):
                cells = (c[line] if line < len(c) else "" for c in captions)
                yield Text("".join(cell[:width].center(width + gap) for cell in cells).rstrip(), style="dim")
        if self.note:
            yield Text(self.note, style="italic")


def image_renderable(image: Image.Image, console: Console, width: int, max_columns: int = MAX_COLUMNS):
    """Half blocks in colour; characters of growing ink where the console has no colour."""
    columns = max(8, min(max_columns, width))
    if console.color_system is None:
        text = plain_text(image, columns)
        text.no_wrap, text.overflow = True, "ignore"
        return text
    return HalfBlocks(image, columns)


class HalfBlocks:
    """A rich renderable, so that rich handles colour downgrades and width."""

    def __init__(self, image: Image.Image, columns: int):
        self.pixels = _resize(image, columns, cell_aspect=1.0)

    def __rich_console__(self, console, options):
        pixels = self.pixels
        if pixels.shape[0] % 2:
            pixels = np.concatenate([pixels, np.full_like(pixels[:1], 255)])
        for top, bottom in zip(pixels[0::2], pixels[1::2]):
            for (r1, g1, b1), (r2, g2, b2) in zip(top.tolist(), bottom.tolist()):
                yield Segment(UPPER_HALF, Style(color=f"rgb({r1},{g1},{b1})", bgcolor=f"rgb({r2},{g2},{b2})"))
            yield Segment.line()


def plain_text(image: Image.Image, columns: int) -> Text:
    # A character cell is about twice as tall as wide: halve the rows so circles stay round.
    grey = _resize(image.convert("L").convert("RGB"), columns, cell_aspect=2.0)[..., 0]
    ink = (255 - grey.astype(np.int32)) * (len(INK) - 1) // 255
    return Text("\n".join("".join(INK[v] for v in row).rstrip() for row in ink))


def _resize(image: Image.Image, columns: int, cell_aspect: float) -> np.ndarray:
    """RGB pixels `columns` wide; rows per pixel of height follow the aspect of one text cell."""
    width = min(columns, image.width)
    height = max(1, round(image.height * width / image.width / cell_aspect))
    return np.asarray(image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
