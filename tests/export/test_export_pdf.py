"""`srs export pdf`: page counts, backs behind fronts, text that fits, and scripts that print."""

from __future__ import annotations

import math
import shutil
import subprocess

import pytest
from export_helpers import load, numbered_deck
from pypdf import PdfReader

from srs.errors import UserError
from srs.export.pdf import CARD_H, CARD_W, COLS, GUTTER, PAPERS, ROWS, PdfOptions, back_position, export_pdf

MM = 72 / 25.4  # points per millimetre


def positions(page) -> list[tuple[str, float, float]]:
    """(text, x mm, y mm from the top) of every text chunk on a page."""
    height = float(page.mediabox.height)
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, (height - y) / MM))

    page.extract_text(visitor_text=visit)
    return found


def where(page, text: str) -> tuple[float, float]:
    hits = [(x, y) for t, x, y in positions(page) if text in t]
    assert hits, f"{text!r} not on the page: {[t for t, _, _ in positions(page)]}"
    return hits[0]


def grid_cell(x: float, y: float, paper: str = "a4") -> tuple[int, int]:
    """(row, column) of the grid card holding the point (x, y)."""
    page_w, page_h = PAPERS[paper]
    left = (page_w - (COLS * CARD_W + (COLS - 1) * GUTTER)) / 2
    top = (page_h - (ROWS * CARD_H + (ROWS - 1) * GUTTER)) / 2
    col = int((x - left) // (CARD_W + GUTTER))
    row = int((y - top) // (CARD_H + GUTTER))
    return row, col


@pytest.fixture
def twenty(tmp_path):
    numbered_deck(tmp_path / "decks", 20)
    return load(tmp_path / "decks")


@pytest.mark.parametrize(
    "layout, pages",
    [("grid", 2 * math.ceil(20 / 8)), ("foldover", math.ceil(20 / 4)), ("single", 20)],
)
def test_page_count_of_each_layout(twenty, tmp_path, layout, pages):
    out = tmp_path / f"{layout}.pdf"
    result = export_pdf(twenty, out, PdfOptions(layout=layout))
    assert result.cards == 20 and result.pages == pages
    assert len(PdfReader(out).pages) == pages


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("duplex", ["long", "short"])
def test_each_back_lies_behind_its_front(twenty, tmp_path, paper, duplex):
    out = tmp_path / "grid.pdf"
    export_pdf(twenty, out, PdfOptions(layout="grid", paper=paper, duplex=duplex))
    reader = PdfReader(out)
    width_mm = float(reader.pages[0].mediabox.width) / MM
    assert width_mm == pytest.approx(PAPERS[paper][0], abs=0.1)
    for sheet in range(3):
        fronts, backs = reader.pages[2 * sheet], reader.pages[2 * sheet + 1]
        for n in range(sheet * 8 + 1, min(sheet * 8 + 8, 20) + 1):
            row, col = grid_cell(*where(fronts, f"Front{n:03d}"), paper)
            back_row, back_col = grid_cell(*where(backs, f"Back{n:03d}"), paper)
            if duplex == "long":
                assert (back_row, back_col) == (row, COLS - 1 - col)
            else:
                assert (back_row, back_col) == (ROWS - 1 - row, col)
            assert (row, col) == divmod((n - 1) % 8, COLS)
            assert f"Back{n:03d}" not in fronts.extract_text()


def test_back_position_mirrors_the_grid():
    assert [back_position(i, 2, 4, "long") for i in range(4)] == [(0, 1), (0, 0), (1, 1), (1, 0)]
    assert [back_position(i, 2, 4, "short") for i in range(4)] == [(3, 0), (3, 1), (2, 0), (2, 1)]


def test_back_offset_moves_only_the_backs(twenty, tmp_path):
    plain, shifted = tmp_path / "plain.pdf", tmp_path / "shifted.pdf"
    export_pdf(twenty, plain, PdfOptions())
    export_pdf(twenty, shifted, PdfOptions(back_offset=(1.5, -2.0)))
    a, b = PdfReader(plain), PdfReader(shifted)
    assert where(a.pages[0], "Front001") == pytest.approx(where(b.pages[0], "Front001"))
    (x0, y0), (x1, y1) = where(a.pages[1], "Back001"), where(b.pages[1], "Back001")
    assert (x1 - x0, y1 - y0) == pytest.approx((1.5, -2.0), abs=0.01)


def test_foldover_puts_the_back_beside_its_front(twenty, tmp_path):
    out = tmp_path / "fold.pdf"
    export_pdf(twenty, out, PdfOptions(layout="foldover"))
    page = PdfReader(out).pages[0]
    middle = PAPERS["a4"][0] / 2
    for n in range(1, 5):
        (fx, fy), (bx, by) = where(page, f"Front{n:03d}"), where(page, f"Back{n:03d}")
        assert fx < middle < bx
        assert abs(fy - by) < CARD_H / 2  # same row


def test_single_puts_question_then_answer_on_one_page(twenty, tmp_path):
    out = tmp_path / "single.pdf"
    export_pdf(twenty, out, PdfOptions(layout="single", paper="letter"))
    page = PdfReader(out).pages[6]
    (_, question_y), (_, answer_y) = where(page, "Front007"), where(page, "Back007")
    assert question_y < answer_y
    assert "7 of 20" in page.extract_text()


def test_every_item_kind_prints_in_a_paper_form(deck_folder, tmp_path):
    out = tmp_path / "basics.pdf"
    result = export_pdf(load(deck_folder, "basics"), out, PdfOptions())
    assert result.cards == 7  # the cloze item gives one card per deletion
    reader = PdfReader(out)
    fronts, backs = (" ".join(reader.pages[i].extract_text().split()) for i in (0, 1))
    assert "[...]" in fronts and "[how]" in fronts  # each deletion hidden on its own card
    assert "Denoise again." in fronts and "Start from static." in fronts  # steps listed on the front
    assert "Wreck images to make training pairs" in backs and "Wreck" not in fronts
    assert "Retrieve the closest stored training image." in fronts
    assert "Generation runs the learned denoiser" in backs
    assert "What does <div> mean? And <b>this</b>?" in fronts


def test_korean_japanese_chinese_greek_and_accents_survive(deck_folder, tmp_path):
    out = tmp_path / "world.pdf"
    export_pdf(load(deck_folder, "world"), out, PdfOptions())
    reader = PdfReader(out)
    # fpdf2 gives the CJK font an embedded encoding CMap (valid PDF); pypdf reads its two-byte codes but
    # puts a NUL before each character, which is pypdf's doing: poppler's text (below) has none.
    text = " ".join(" ".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages)
    texts = [text]
    if shutil.which("pdftotext"):
        poppler = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        texts.append(" ".join(poppler.split()))
    for line in [
        "확산 모델은 무엇을 합니까?",
        "잡음을 조금씩 제거합니다.",
        "拡散モデルは何をしますか？",
        "扩散模型做什么？",
        "Τι κάνει ένα μοντέλο διάχυσης;",
        "Café, naïve, Ångström, œuvre, Dvořák?",
        "Ça marche très bien, señor.",
    ]:
        for extracted in texts:
            assert line in extracted
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    fonts = {name.split("+")[-1] for name in fonts}
    assert "NotoSans" in fonts and "NotoSansCJKKR" in fonts  # Latin in Noto Sans, Korean falls back


def test_latin_only_decks_do_not_embed_the_cjk_font(twenty, tmp_path):
    out = tmp_path / "latin.pdf"
    export_pdf(twenty, out, PdfOptions())
    fonts = {str(f["/BaseFont"]) for f in PdfReader(out).pages[0]["/Resources"]["/Font"].values()}
    assert not any("CJK" in name for name in fonts)


LONG = " ".join(f"word{n}" for n in range(400))


def test_long_text_shrinks_and_stays_inside_its_card(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "long.yaml").write_text(
        "title: Long\nid: long\nitems:\n"
        f"  - id: wordy\n    q: Start {' '.join('w' + str(n) for n in range(60))} end\n    a: short\n"
        f"  - id: huge\n    q: {LONG}\n    a: short\n",
        encoding="utf-8",
    )
    out = tmp_path / "long.pdf"
    result = export_pdf(load(folder), out, PdfOptions())
    assert result.cut_short == ["huge"]  # 400 words cannot fit a card: cut, and said so
    page = PdfReader(out).pages[0]
    for text, x, y in positions(page):
        row, col = grid_cell(x, y)
        left = (210 - (2 * CARD_W + GUTTER)) / 2 + col * (CARD_W + GUTTER)
        top = (297 - (4 * CARD_H + 3 * GUTTER)) / 2 + row * (CARD_H + GUTTER)
        assert left <= x <= left + CARD_W and top <= y <= top + CARD_H, text
    text = page.extract_text()
    assert "Start" in text and "end" in text  # the 60-word front fits whole, smaller
    assert "…" in text


def test_bad_back_offset_and_missing_image(deck_folder, tmp_path):
    from srs.export.pdf import parse_back_offset

    assert parse_back_offset("1.5,-0.5") == (1.5, -0.5)
    for bad in ("left", "nan,0", "0,NaN"):  # NaN would be written into the PDF's coordinates
        with pytest.raises(UserError, match="not X,Y"):
            parse_back_offset(bad)
    decks = load(deck_folder, "basics")
    (deck_folder / "media" / "red.png").unlink()
    out = tmp_path / "out.pdf"
    with pytest.raises(UserError, match="item 'forward': image 'media/red.png' not found"):
        export_pdf(decks, out, PdfOptions())
    assert not out.exists() and not list(tmp_path.glob(".out.pdf*"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_pages_render_to_png(deck_folder, tmp_path):
    from PIL import Image

    out = tmp_path / "cards.pdf"
    export_pdf(load(deck_folder), out, PdfOptions())
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(out), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 2
    for png in pngs:
        with Image.open(png) as image:
            gray = image.convert("L")
            dark = sum(gray.histogram()[:128])
        assert dark > 200  # text was drawn, not a blank page
