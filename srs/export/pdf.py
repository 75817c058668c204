"""`srs export pdf`: printable flashcards in three layouts.

- grid: cards of a fixed size (90 x 60 mm), 8 to a page in 2 columns and 4 rows, with cut marks. Each page
  of fronts is followed by its page of backs, placed so that duplex printing puts every back behind its
  front: flipped on the long edge, the back of column c is in column (cols-1-c) of the same row; on the
  short edge, the back of row r is in row (rows-1-r) of the same column. `back_offset` shifts the backs
  to make up for a printer that does not register both sides alike.
- foldover: each card's front and back side by side (front left), 4 cards a page; cut along the rows,
  fold along the dashed line.
- single: one card a page, the question above the answer, in large type.

Text wraps and shrinks to fit its card (srs.export.textfit); the fonts are described in srs/fonts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from srs.atomic import atomic_output
from srs.errors import UserError
from srs.export.print_cards import PrintCard, print_cards
from srs.export.textfit import PT, Fitter, Measurer, draw, draw_text
from srs.progress import Progress

if TYPE_CHECKING:
    from srs.jsontypes import PdfExportJson

LAYOUTS = ("grid", "foldover", "single")
PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
DUPLEX = ("long", "short")

CARD_W, CARD_H = 90.0, 60.0
GUTTER = 6.0  # between cards: room for cut marks, and for a back printed slightly off
COLS, ROWS = 2, 4
PADDING = 4.0  # inside a card
HEADER_SIZE = 6.5  # pt, the deck title and card number at the top of each side
CUT_MARK = 3.0  # mm
MARK_GRAY, HEADER_GRAY, TEXT_GRAY = 150, 120, 25

# Font sizes (pt): the most a card's text starts at, and the least it shrinks to before it is cut.
FRONT_SIZES = (13.0, 5.5)
BACK_SIZES = (11.0, 5.5)
SINGLE_SIZES = (20.0, 8.0)
IMAGE_SHARE = 0.45  # of a front's text box that an image may take


@dataclass
class PdfOptions:
    layout: str = "grid"
    paper: str = "a4"
    duplex: str = "long"
    back_offset: tuple[float, float] = (0.0, 0.0)  # mm, added to the backs' positions


@dataclass
class PdfExport:
    path: str
    cards: int
    pages: int
    layout: str
    paper: str
    duplex: str | None
    cut_short: list[str] = field(default_factory=list)  # card ids whose text did not fit even when small
    seconds: float = 0.0

    def summary(self) -> str:
        how = f"{self.layout}, {self.paper.upper() if self.paper == 'a4' else self.paper}"
        if self.duplex:
            how += f", print duplex flipping on the {self.duplex} edge"
        cut = ""
        if self.cut_short:
            shown = ", ".join(self.cut_short[:3]) + (", ..." if len(self.cut_short) > 3 else "")
            cut = f"; {len(self.cut_short)} cut short to fit ({shown})"
        cards = f"{self.cards} card{'' if self.cards == 1 else 's'}"
        return f"Wrote {self.path}: {cards} on {self.pages} pages ({how}){cut} in {self.seconds:.1f} s"

    def to_dict(self) -> PdfExportJson:
        return {
            "path": self.path, "cards": self.cards, "pages": self.pages, "layout": self.layout, "paper": self.paper,
            "duplex": self.duplex, "cut_short": list(self.cut_short), "seconds": self.seconds,
        }


def parse_back_offset(text: str | None) -> tuple[float, float]:
    if not text:
        return (0.0, 0.0)
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        x = y = math.nan
    if math.isnan(x) or math.isnan(y):  # NaN would be written into every coordinate of the backs
        raise UserError(f"--back-offset: '{text}' is not X,Y in millimetres, such as 1.5,-0.5") from None
    if abs(x) > 20 or abs(y) > 20:
        raise UserError(f"--back-offset: {text} mm is more than any printer is off by (at most 20 mm)")
    return (x, y)


def export_pdf(decks, output: Path, options: PdfOptions, *, illustrations=None,
               progress: Progress | None = None) -> PdfExport:
    """`illustrations` (see srs.export.illustrations) maps (deck id, item id) to a PNG drawn on the backs."""
    started = time.perf_counter()
    progress = progress or Progress()
    cards = print_cards(decks, illustrations)
    if not cards:
        raise UserError("nothing to print: the decks have no cards")
    _check_images(decks)
    document = CardDocument(options, cards)
    progress.step("Laying out cards", len(cards))
    if options.layout == "grid":
        document.grid(progress)
    elif options.layout == "foldover":
        document.foldover(progress)
    elif options.layout == "single":
        document.single(progress)
    else:
        raise UserError(f"unknown layout '{options.layout}': use one of {', '.join(LAYOUTS)}")
    with atomic_output(output) as temp:
        document.pdf.output(str(temp))
    return PdfExport(
        str(output), len(cards), document.pdf.pages_count, options.layout, options.paper,
        options.duplex if options.layout == "grid" else None,
        document.cut_short, time.perf_counter() - started,
    )


def _check_images(decks) -> None:
    from srs.export.images import resolve_image

    for deck in decks:
        for item in deck.items:
            if item.body.image:
                resolve_image(item.body.image, Path(deck.path).parent, item)


class CardDocument:
    def __init__(self, options: PdfOptions, cards: list[PrintCard]):
        from srs import fonts

        if options.paper not in PAPERS:
            raise UserError(f"unknown paper '{options.paper}': use a4 or letter")
        self.options = options
        self.cards = cards
        self.page_w, self.page_h = PAPERS[options.paper]
        pdf = fonts.new_document(unit="mm", format=(self.page_w, self.page_h))
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.c_margin = 0
        pdf.set_creator("srs")
        pdf.set_title(_title(cards))
        text = "".join(t for card in cards for t in card.texts())
        needs = fonts.plan(text)
        cjk = None
        try:
            fonts.check_shaping(needs)
            if needs.cjk_needed:
                try:
                    cjk = fonts.cjk_font(fonts.cjk_region(text))
                finally:  # a script no font has is named first, whether or not the CJK font is installed
                    _refuse_unprintable(cards, cjk)
        except fonts.MissingFont as exc:
            raise UserError(str(exc)) from None
        fonts.register(pdf, cjk=cjk, scripts=needs.scripts)
        self.pdf = pdf
        self.measurer = Measurer(pdf)
        self.fitter = Fitter(self.measurer)
        self.cut_short: list[str] = []

    # -- layouts ------------------------------------------------------------------------------------

    def grid(self, progress: Progress) -> None:
        per_page = COLS * ROWS
        left, top = self._origin(COLS * CARD_W + (COLS - 1) * GUTTER, ROWS * CARD_H + (ROWS - 1) * GUTTER)
        dx, dy = self.options.back_offset
        for start in range(0, len(self.cards), per_page):
            chunk = self.cards[start : start + per_page]
            self.pdf.add_page()
            for index, card in enumerate(chunk):
                row, col = divmod(index, COLS)
                x, y = left + col * (CARD_W + GUTTER), top + row * (CARD_H + GUTTER)
                self._cut_marks(x, y, CARD_W, CARD_H)
                self._face(card, front=True, x=x, y=y, w=CARD_W, h=CARD_H)
            self.pdf.add_page()
            for index, card in enumerate(chunk):
                row, col = back_position(index, COLS, ROWS, self.options.duplex)
                x, y = left + col * (CARD_W + GUTTER) + dx, top + row * (CARD_H + GUTTER) + dy
                self._face(card, front=False, x=x, y=y, w=CARD_W, h=CARD_H)
                progress.advance()

    def foldover(self, progress: Progress) -> None:
        rows = ROWS
        left, top = self._origin(2 * CARD_W, rows * CARD_H + (rows - 1) * GUTTER)
        for start in range(0, len(self.cards), rows):
            self.pdf.add_page()
            chunk = self.cards[start : start + rows]
            for row, card in enumerate(chunk):
                y = top + row * (CARD_H + GUTTER)
                self._cut_marks(left, y, 2 * CARD_W, CARD_H)
                self._fold_line(left + CARD_W, y, CARD_H)
                self._face(card, front=True, x=left, y=y, w=CARD_W, h=CARD_H)
                self._face(card, front=False, x=left + CARD_W, y=y, w=CARD_W, h=CARD_H)
                progress.advance()

    def single(self, progress: Progress) -> None:
        margin = 20.0
        width = self.page_w - 2 * margin
        for card in self.cards:
            self.pdf.add_page()
            self._header(card, margin, margin, width, size=9.0, numbered_of=len(self.cards))
            top = margin + 10
            usable = self.page_h - margin - top
            question_h = usable * 0.42
            self._label("QUESTION", margin, top)
            box_y = top + 6
            self._content(card, card.front, margin, box_y, width, question_h - 6, SINGLE_SIZES,
                          image=card.image, valign="top")
            rule_y = top + question_h + 4
            self.pdf.set_draw_color(200)
            self.pdf.set_line_width(0.3)
            self.pdf.line(margin, rule_y, margin + width, rule_y)
            self._label("ANSWER", margin, rule_y + 4)
            answer_y = rule_y + 10
            self._content(card, card.back, margin, answer_y, width, self.page_h - margin - answer_y,
                          (SINGLE_SIZES[0] * 0.85, SINGLE_SIZES[1]), image=card.back_image, valign="top")
            progress.advance()

    # -- drawing ------------------------------------------------------------------------------------

    def _origin(self, block_w: float, block_h: float) -> tuple[float, float]:
        return (self.page_w - block_w) / 2, (self.page_h - block_h) / 2

    def _face(self, card: PrintCard, *, front: bool, x: float, y: float, w: float, h: float) -> None:
        self._header(card, x + PADDING, y + PADDING - 1.2, w - 2 * PADDING, size=HEADER_SIZE)
        header_h = HEADER_SIZE * PT * 1.6
        box_x, box_y = x + PADDING, y + PADDING + header_h
        box_w, box_h = w - 2 * PADDING, h - 2 * PADDING - header_h
        blocks = card.front if front else card.back
        sizes = FRONT_SIZES if front else BACK_SIZES
        self._content(card, blocks, box_x, box_y, box_w, box_h, sizes, image=card.image if front else card.back_image)

    def _content(self, card, blocks, x, y, w, h, sizes, *, image=None, valign="middle") -> None:
        # A card centres short plain text, as flashcards do; a full page reads better set left.
        if image is not None:
            used = self._image(image, x, y, w, h * IMAGE_SHARE)
            y, h = y + used + 1.5, h - used - 1.5
        layout = self.fitter.fit(blocks, w, h, sizes[0], sizes[1], center_plain=valign == "middle")
        if layout.truncated and card.card_id not in self.cut_short:
            self.cut_short.append(card.card_id)
        self.pdf.set_text_color(TEXT_GRAY)
        draw(self.pdf, self.measurer, layout, x, y, w, h, valign=valign)

    def _image(self, path: Path, x: float, y: float, w: float, h: float) -> float:
        """Draw an image centred in (w, h), keeping its proportions; returns the height it took."""
        try:
            if path.suffix.lower() == ".svg":  # vector: fpdf2 draws it, Pillow cannot measure it
                self.pdf.image(str(path), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
                return h
            from PIL import Image

            with Image.open(path) as picture:
                pixels_w, pixels_h = picture.size
            scale = min(w / pixels_w, h / pixels_h)
            draw_w, draw_h = pixels_w * scale, pixels_h * scale
            self.pdf.image(str(path), x=x + (w - draw_w) / 2, y=y, w=draw_w, h=draw_h)
        except Exception as exc:  # Pillow and fpdf2 raise many kinds for a file they cannot read
            raise UserError(f"cannot print image {path}: {exc}") from None
        return draw_h

    def _header(self, card: PrintCard, x: float, y: float, w: float, *, size: float, numbered_of: int = 0) -> None:
        pdf = self.pdf
        pdf.set_text_color(HEADER_GRAY)
        number = f"{card.number} of {numbered_of}" if numbered_of else f"#{card.number}"
        right = f"{card.header} · {number}" if card.header else number
        right_w = self.measurer.width(right, "", size)
        left = _shorten(self.measurer, card.deck_title, w - right_w - 3, size)
        line_h = size * PT * 1.3
        for text, tx in ((left, x), (right, x + w - right_w)):
            draw_text(pdf, self.measurer, text, "", size, tx, y, self.measurer.width(text, "", size), line_h)

    def _label(self, text: str, x: float, y: float) -> None:
        self.pdf.set_text_color(HEADER_GRAY)
        self.pdf.set_font("srs-sans", "B", 8)
        self.pdf.set_char_spacing(0.8)
        self.pdf.set_xy(x, y)
        self.pdf.cell(w=60, h=4, text=text)
        self.pdf.set_char_spacing(0)

    def _cut_marks(self, x: float, y: float, w: float, h: float) -> None:
        """Short lines at each corner, pointing away from the card, so none is printed on a card."""
        pdf = self.pdf
        pdf.set_draw_color(MARK_GRAY)
        pdf.set_line_width(0.2)
        gap = 0.8
        for cx, sx in ((x, -1), (x + w, 1)):
            for cy, sy in ((y, -1), (y + h, 1)):
                pdf.line(cx + sx * gap, cy, cx + sx * (gap + CUT_MARK), cy)
                pdf.line(cx, cy + sy * gap, cx, cy + sy * (gap + CUT_MARK))

    def _fold_line(self, x: float, y: float, h: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(MARK_GRAY)
        pdf.set_line_width(0.2)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=1.5, gap=1.5)
            pdf.line(x, y, x, y + h)


def _refuse_unprintable(cards: list[PrintCard], cjk) -> None:
    """A clear error naming the script of the first character no font has: never a blank on a card."""
    from srs import fonts

    for card in cards:
        ch = fonts.unprintable("".join(card.texts()), cjk)
        if ch is not None and not (cjk is None and fonts.is_wide(ch)):  # that is the CJK font's message
            raise UserError(
                f"cannot print {fonts.script_name(ch)} (U+{ord(ch):04X} '{ch}' in card {card.card_id}): srs has "
                f"no font for it; it prints Latin, Greek, Cyrillic, Arabic, Hebrew, Thai, Devanagari, Chinese, "
                f"Japanese, Korean and emoji"
            )


def back_position(index: int, cols: int, rows: int, duplex: str) -> tuple[int, int]:
    """(row, column) on the backs page of the card at `index` on its fronts page."""
    row, col = divmod(index, cols)
    if duplex == "short":
        return rows - 1 - row, col
    return row, cols - 1 - col


def _shorten(measurer: Measurer, text: str, width: float, size: float) -> str:
    if measurer.width(text, "", size) <= width:
        return text
    while text and measurer.width(text + "…", "", size) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _title(cards: list[PrintCard]) -> str:
    titles = list(dict.fromkeys(card.deck_title for card in cards))
    return titles[0] if len(titles) == 1 else f"{titles[0]} and {len(titles) - 1} more"


__all__ = ["LAYOUTS", "PAPERS", "DUPLEX", "PdfOptions", "PdfExport", "export_pdf", "parse_back_offset", "back_position"]
