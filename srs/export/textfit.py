"""Setting styled text in a box: wrap it, shrink it until it fits, and never let it overflow.

fpdf2's own multi_cell cannot mix the code font into a paragraph, nor tell how small text must be to fit,
so lines are broken here: text becomes words (pieces of styled text that must stay together), words are
measured once at a base size (widths scale with the size), and the largest size whose lines fit the box
is found by bisection. Text that does not fit even at the smallest size is cut at a line, with "…".

Lines break at spaces, and also between Chinese and Japanese characters, which are written without
spaces (Korean is written with spaces and breaks at them). A word wider than the box is split anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from srs.fonts import MONO, SANS
from srs.render.markdown import CODE, LINE_BREAK, Block

PT = 25.4 / 72  # millimetres per point
BASE_SIZE = 10.0  # the size at which widths are measured and cached
LINE_SPACING = 1.28  # line height as a multiple of the font size
BLOCK_GAP = 0.45  # extra space between paragraphs, in lines
INDENT_EM = 1.5  # list indentation per level, in ems
ELLIPSIS = "…"

# Characters between which a line may break without a space: CJK ideographs, kana, CJK punctuation and
# full-width forms. Hangul is absent on purpose: Korean separates words with spaces.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
_TOKENS = re.compile(rf"(\n)|([ \t\r\f\v]+)|([{_CJK}])|([^\s{_CJK}]+)")
# Punctuation that must not begin a line: it stays with the character before it.
EMOJI_PRESENTATION = "\ufe0f"
_NO_LINE_START = set("、。，．：；！？）」』】〕〉》”’ー…・,.!?)]}%")


@dataclass(slots=True)
class Piece:
    text: str
    style: str


@dataclass(slots=True)
class Word:
    pieces: list[Piece]
    space: str = ""  # the white space before it ("" at a CJK break or right after a line break)
    space_style: str = ""  # the style the space was written in (a space before `code` is not code)
    forced_break: bool = False  # a hard line break, not a word


@dataclass(slots=True)
class Line:
    pieces: list[Piece]  # spaces included, ready to draw
    width: float  # mm, at the layout's size
    indent: float  # mm from the box's left edge to the text
    marker: str = ""
    marker_style: str = ""
    gap_before: float = 0.0  # mm of extra space above (between paragraphs)


@dataclass
class Layout:
    lines: list[Line]
    size: float  # pt
    line_height: float  # mm
    height: float  # mm
    truncated: bool = False
    centered: bool = False


@dataclass
class Measurer:
    """Widths of styled text, cached at BASE_SIZE; fpdf2 measures (its font fallback included)."""

    pdf: object
    cache: dict = field(default_factory=dict)

    def font(self, style: str) -> tuple[str, str]:
        if style == CODE:
            return MONO, ""
        return SANS, style

    def covers(self, text: str, style: str) -> bool:
        """Whether the style's own font has every character (so no fallback font is needed)."""
        from srs import fonts

        covered = fonts.coverage(fonts.mono_path() if style == CODE else fonts.sans_path())
        return all(ord(ch) in covered for ch in text)

    def width(self, text: str, style: str, size: float) -> float:
        key = (style, text)
        base = self.cache.get(key)
        if base is None:
            family, font_style = self.font(style)
            self.pdf.set_font(family, font_style, BASE_SIZE)
            base = self.cache[key] = self.pdf.get_string_width(text)
        return base * size / BASE_SIZE


def words_of(block: Block) -> list[Word]:
    """A block's text as words; white space inside code blocks is kept as written."""
    words: list[Word] = []
    space, space_style = "", ""
    glue = False  # the next text joins the last word (no break opportunity in between)
    for run in block.runs:
        if run.text == LINE_BREAK and not block.code:
            words.append(Word([], forced_break=True))
            space, glue = "", False
            continue
        # U+FE0F asks for the emoji look, which OpenMoji always has; fpdf2's colour glyphs trip over it.
        for newline, blank, cjk, text in _TOKENS.findall(run.text.replace(EMOJI_PRESENTATION, "")):
            if newline:
                words.append(Word([], forced_break=True))
                space, glue = "", False
            elif blank:
                if block.code and (not words or words[-1].forced_break):
                    # Indentation at the start of a code line is part of its first word.
                    words.append(Word([Piece(blank, run.style)]))
                    glue = True
                    continue
                space, space_style = (blank if block.code else " "), run.style
                glue = False
            elif cjk:
                if cjk in _NO_LINE_START and words and not words[-1].forced_break and not space:
                    words[-1].pieces.append(Piece(cjk, run.style))
                else:
                    words.append(Word([Piece(cjk, run.style)], space, space_style))
                space, glue = "", False
            else:
                joins = glue or (text[0] in _NO_LINE_START and not space)
                if joins and words and not words[-1].forced_break:
                    words[-1].pieces.append(Piece(text, run.style))
                else:
                    words.append(Word([Piece(text, run.style)], space, space_style))
                space, glue = "", True
    return words


class Fitter:
    """Lays out blocks in a box of a given width; finds the largest size at which they fit its height."""

    def __init__(self, measurer: Measurer):
        self.measure = measurer

    def fit(
        self, blocks: list[Block], width: float, height: float, max_size: float, min_size: float,
        *, center_plain: bool = True,
    ) -> Layout:
        prepared = [(block, words_of(block)) for block in blocks if block.runs]
        centered = center_plain and all(block.plain for block, _ in prepared)
        if not prepared:
            return Layout([], max_size, max_size * PT * LINE_SPACING, 0.0, centered=centered)
        layout = self.lay_out(prepared, width, max_size)
        if layout.height <= height:
            layout.centered = centered
            return layout
        low, high = min_size, max_size  # the answer lies in [low, high): bisect to a quarter point
        best = None
        while high - low > 0.25:
            middle = (low + high) / 2
            trial = self.lay_out(prepared, width, middle)
            if trial.height <= height:
                best, low = trial, middle
            else:
                high = middle
        if best is None:
            smallest = self.lay_out(prepared, width, min_size)
            best = smallest if smallest.height <= height else self._cut(smallest, height, width)
        best.centered = centered
        return best

    def lay_out(self, prepared: list[tuple[Block, list[Word]]], width: float, size: float) -> Layout:
        em = size * PT
        line_height = em * LINE_SPACING
        lines: list[Line] = []
        for index, (block, words) in enumerate(prepared):
            indent = block.depth * INDENT_EM * em
            marker_style = "B" if block.marker and block.marker[0].isalpha() else ""
            if block.marker:
                needed = self.measure.width(block.marker, marker_style, size) + 0.5 * em
                indent = max(indent, needed)
            indent = min(indent, width / 2)  # deep nesting must still leave room for the text
            block_lines = self._break(words, max(width - indent, em), size)
            for number, (pieces, line_width) in enumerate(block_lines):
                lines.append(
                    Line(
                        pieces, line_width, indent,
                        marker=block.marker if number == 0 else "",
                        marker_style=marker_style,
                        gap_before=BLOCK_GAP * line_height if number == 0 and index > 0 else 0.0,
                    )
                )
        height = len(lines) * line_height + sum(line.gap_before for line in lines)
        return Layout(lines, size, line_height, height)

    def _break(self, words: list[Word], width: float, size: float) -> list[tuple[list[Piece], float]]:
        lines: list[tuple[list[Piece], float]] = []
        current: list[Piece] = []
        current_width = 0.0
        for word in words:
            if word.forced_break:
                lines.append((current, current_width))
                current, current_width = [], 0.0
                continue
            word_width = sum(self.measure.width(p.text, p.style, size) for p in word.pieces)
            space_width = self.measure.width(word.space, word.space_style, size) if word.space and current else 0.0
            if word_width > width:
                # Longer than a whole line: split it, starting on this line when a little room is left.
                room = width - current_width - space_width
                if current and room < 3 * size * PT:
                    lines.append((current, current_width))
                    current, current_width, space_width, room = [], 0.0, 0.0, width
                if space_width:
                    current.append(Piece(word.space, word.space_style))
                    current_width += space_width
                for number, (chunk, chunk_width) in enumerate(self._split(word.pieces, room, width, size)):
                    if number:
                        lines.append((current, current_width))
                        current, current_width = [], 0.0
                    current.extend(chunk)
                    current_width += chunk_width
                continue
            if current and current_width + space_width + word_width > width:
                lines.append((current, current_width))
                current, current_width, space_width = [], 0.0, 0.0
            if space_width:
                current.append(Piece(word.space, word.space_style))
            current.extend(word.pieces)
            current_width += space_width + word_width
        if current or not lines:
            lines.append((current, current_width))
        return lines

    def _split(self, pieces: list[Piece], first_width: float, width: float, size: float):
        """Pieces cut into chunks at any character: the first fits `first_width`, the rest `width`."""
        chunk: list[Piece] = []
        chunk_width = 0.0
        limit = first_width
        for piece in pieces:
            for ch in piece.text:
                w = self.measure.width(ch, piece.style, size)
                if chunk_width + w > limit and (chunk or limit < width):
                    yield chunk, chunk_width
                    chunk, chunk_width, limit = [], 0.0, width
                if chunk and chunk[-1].style == piece.style:
                    chunk[-1] = Piece(chunk[-1].text + ch, piece.style)
                else:
                    chunk.append(Piece(ch, piece.style))
                chunk_width += w
        if chunk:
            yield chunk, chunk_width

    def _cut(self, layout: Layout, height: float, width: float) -> Layout:
        """Keep the lines that fit and end the last one with an ellipsis."""
        kept: list[Line] = []
        used = 0.0
        for line in layout.lines:
            step = line.gap_before + layout.line_height
            if used + step > height + 1e-6:
                break
            kept.append(line)
            used += step
        if not kept:  # not even one line fits: show what one line can
            first = layout.lines[0]
            first.gap_before = 0.0
            kept, used = [first], layout.line_height
        last = kept[-1]
        room = width - last.indent
        ellipsis_width = self.measure.width(ELLIPSIS, "", layout.size)
        pieces = list(last.pieces)
        line_width = last.width
        while pieces and line_width + ellipsis_width > room:
            removed = pieces.pop()
            line_width -= self.measure.width(removed.text, removed.style, layout.size)
        while pieces and not pieces[-1].text.strip():
            removed = pieces.pop()
            line_width -= self.measure.width(removed.text, removed.style, layout.size)
        pieces.append(Piece(ELLIPSIS, ""))
        kept[-1] = Line(
            pieces, line_width + ellipsis_width, last.indent, last.marker, last.marker_style, last.gap_before
        )
        return Layout(kept, layout.size, layout.line_height, used, truncated=True)


def draw(pdf, measurer: Measurer, layout: Layout, x: float, y: float, width: float, height: float,
         *, valign: str = "middle") -> None:
    """Draw a layout in the box (x, y, width, height); lines are centred when the layout says so."""
    top = y + (height - layout.height) / 2 if valign == "middle" else y
    cursor = top
    size = layout.size
    for line in layout.lines:
        cursor += line.gap_before
        if layout.centered:
            left = x + (width - line.width) / 2
        else:
            left = x + line.indent
        if line.marker:
            marker_width = measurer.width(line.marker, line.marker_style, size)
            draw_text(pdf, measurer, line.marker, line.marker_style, size, left - marker_width - 0.4 * size * PT,
                  cursor, marker_width, layout.line_height)
        segments = list(_segments(line.pieces))
        if right_to_left("".join(text for text, _ in segments)):
            # Arabic or Hebrew: the line's first words are its rightmost (fpdf2 orders each segment itself).
            right = left + sum(measurer.width(text, style, size) for text, style in segments)
            for text, style in segments:
                segment_width = measurer.width(text, style, size)
                right -= segment_width
                draw_text(pdf, measurer, text, style, size, right, cursor, segment_width, layout.line_height)
        else:
            for text, style in segments:
                segment_width = measurer.width(text, style, size)
                draw_text(pdf, measurer, text, style, size, left, cursor, segment_width, layout.line_height)
                left += segment_width
        cursor += layout.line_height


def right_to_left(text: str) -> bool:
    """Whether the text's first strongly directional character is right-to-left (Unicode bidi rule P2)."""
    for ch in text:
        if ch.isascii():
            if ch.isalpha():
                return False
            continue
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _segments(pieces: list[Piece]):
    """Consecutive pieces of one style joined, so a line is drawn in as few calls as it can be."""
    text, style = "", None
    for piece in pieces:
        if piece.style == style:
            text += piece.text
        else:
            if text:
                yield text, style
            text, style = piece.text, piece.style
    if text:
        yield text, style


def draw_text(pdf, measurer: Measurer, text: str, style: str, size: float, x: float, y: float, w: float, h: float):
    """Draw one run of text in a line box of height h, its baseline where fpdf2's cell() puts it."""
    family, font_style = measurer.font(style)
    pdf.set_font(family, font_style, size)
    if measurer.covers(text, style):
        # text() is many times cheaper than cell(), but knows nothing of fallback fonts.
        pdf.text(x, y + 0.5 * h + 0.3 * size * PT, text)
    else:
        pdf.set_xy(x, y)
        pdf.cell(w=max(w, 0.01), h=h, text=text)
