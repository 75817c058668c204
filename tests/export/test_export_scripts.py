"""Every script prints: Arabic, Hebrew, Thai, Devanagari and emoji come out of the PDF as text, in their own
shipped fonts, shaped, and visibly drawn; a script no font has is refused by name, never left blank."""

from __future__ import annotations

import builtins
import shutil
import subprocess

import pytest
from export_helpers import load
from pypdf import PdfReader

from srs.errors import UserError
from srs.export.pdf import PdfOptions, export_pdf
from srs.export.textfit import right_to_left

SCRIPTS = {
    # name: (front, back, font embedded, words that must come back out of the PDF)
    "arabic": ("ما هو الانتشار؟", "إزالة **الضوضاء** خطوة بخطوة.", "NotoSansArabic",
               ["هو", "ما", "إزالة", "الضوضاء", "خطوة"]),
    "hebrew": ("מהו תהליך הדיפוזיה?", "הסרת **רעש** צעד אחר צעד.", "NotoSansHebrew",
               ["מהו", "תהליך", "הדיפוזיה", "רעש", "צעד"]),
    "thai": ("การแพร่คืออะไร?", "การลบ **สัญญาณรบกวน** ทีละขั้น", "NotoSansThai",
             ["การแพร่คืออะไร", "สัญญาณรบกวน"]),
    "devanagari": ("विसरण क्या है?", "शोर को **क्रमशः** हटाना।", "NotoSansDevanagari",
                   ["क्या", "है", "शोर", "क्रमशः", "हटाना"]),
    "emoji": ("Which picture? 🎨", "😀 👍🏽 ❤️ 👩\u200d🔬", "OpenMoji", ["🎨", "😀", "👍🏽", "👩\u200d🔬"]),
}


def write_deck(folder, item_id, front, back):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scripts.yaml").write_text(
        f"title: Scripts\nid: scripts\nitems:\n  - id: {item_id}\n    q: \"{front}\"\n    a: \"{back}\"\n",
        encoding="utf-8",
    )
    return load(folder)


def embedded_fonts(path) -> set[str]:
    # A colour font is embedded as a Type 3 font, which has a /Name instead of a /BaseFont.
    return {str(f.get("/BaseFont") or f["/Name"]).split("+")[-1] for p in PdfReader(path).pages
            for f in p["/Resources"]["/Font"].values()}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_script_prints_as_text_in_its_own_font(script, tmp_path):
    front, back, font, words = SCRIPTS[script]
    out = tmp_path / f"{script}.pdf"
    export_pdf(write_deck(tmp_path / "decks", script, front, back), out, PdfOptions(layout="single"))
    assert any(name.startswith(font) for name in embedded_fonts(out))
    texts = [" ".join(PdfReader(out).pages[0].extract_text().split())]
    if shutil.which("pdftotext"):
        texts.append(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout)
    for text in texts:
        for word in words:
            assert word in text, (script, word)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_script_is_drawn_on_the_page_not_left_blank(script, tmp_path):
    from PIL import Image

    front, back, _, _ = SCRIPTS[script]
    out = tmp_path / f"{script}.pdf"
    export_pdf(write_deck(tmp_path / "decks", script, front, back), out, PdfOptions(layout="single"))
    # The question box of the single layout (20 mm margins, from 36 mm down): only the question is there.
    rendered = subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-x", "79", "-y", "142",
                               "-W", "669", "-H", "200", str(out), str(tmp_path / "page")],
                              check=True, capture_output=True, text=True)
    assert rendered.stderr == ""  # poppler found nothing wrong with the page (emoji variation selectors once did)
    [png] = tmp_path.glob("page-*.png")
    with Image.open(png) as image:
        data = image.convert("RGB").tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    dark = sum(1 for r, g, b in pixels if r + g + b < 300)
    assert dark > 150, f"{script}: the question was not drawn ({dark} dark pixels)"
    if script == "emoji":
        coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 80)
        assert coloured > 100  # colour emoji, not outlines or boxes


def test_right_to_left_lines_start_at_the_right(tmp_path):
    assert right_to_left("إزالة الضوضاء") and right_to_left("  «שלום» world")
    assert not right_to_left("noise الضوضاء") and not right_to_left("123 ...")
    front, back, _, _ = SCRIPTS["arabic"]
    out = tmp_path / "arabic.pdf"
    export_pdf(write_deck(tmp_path / "decks", "arabic", front, back), out, PdfOptions(layout="single"))
    chunks = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            chunks.append((text.strip(), tm[4] * cm[0] + cm[4]))

    PdfReader(out).pages[0].extract_text(visitor_text=visit)
    first = next(x for text, x in chunks if "إزالة" in text)  # the line's first word, in a plain segment
    bold = next(x for text, x in chunks if "الضوضاء" in text)  # the next word, in bold, to its left
    assert bold < first


def test_a_script_no_font_has_is_refused_by_name(tmp_path):
    decks = write_deck(tmp_path / "decks", "georgian", "ქართული?", "Yes.")
    out = tmp_path / "georgian.pdf"
    with pytest.raises(UserError) as caught:
        export_pdf(decks, out, PdfOptions())
    assert str(caught.value) == (
        "cannot print Georgian (U+10E5 'ქ' in card georgian): srs has no font for it; it prints Latin, Greek, "
        "Cyrillic, Arabic, Hebrew, Thai, Devanagari, Chinese, Japanese, Korean and emoji"
    )
    assert not out.exists()


def test_without_the_shaping_engine_arabic_is_refused_by_name(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_harfbuzz(name, *args, **kwargs):
        if name == "uharfbuzz":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_harfbuzz)
    front, back, _, _ = SCRIPTS["arabic"]
    with pytest.raises(UserError) as caught:
        export_pdf(write_deck(tmp_path / "decks", "arabic", front, back), tmp_path / "a.pdf", PdfOptions())
    assert str(caught.value) == "printing Arabic needs text shaping (HarfBuzz): pip install uharfbuzz"


def test_latin_text_loads_no_script_font_and_is_not_shaped(tmp_path):
    out = tmp_path / "latin.pdf"
    export_pdf(write_deck(tmp_path / "decks", "latin", "What is noise?", "Random variation."), out, PdfOptions())
    assert embedded_fonts(out) == {"NotoSans"}


def test_bold_hangul_is_set_in_a_bold_cjk_face(tmp_path):
    out = tmp_path / "korean.pdf"
    export_pdf(write_deck(tmp_path / "decks", "korean", "확산 모델은 **무엇을** 합니까?", "노이즈를 제거합니다."),
               out, PdfOptions(layout="single"))
    assert {"NotoSansCJKKR", "NotoSansCJKKRBold"} <= embedded_fonts(out)
    chunks = []
    PdfReader(out).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: chunks.append((text.replace("\x00", ""), font["/BaseFont"]))
        if text.strip() else None)
    assert [str(font).split("+")[-1] for text, font in chunks if "무엇을" in text] == ["NotoSansCJKKRBold"]


def test_korean_without_bold_does_not_embed_the_bold_face(tmp_path):
    out = tmp_path / "korean.pdf"
    export_pdf(write_deck(tmp_path / "decks", "korean", "확산 모델은 무엇을 합니까?", "노이즈를 제거합니다."),
               out, PdfOptions())
    assert "NotoSansCJKKRBold" not in embedded_fonts(out)


def test_bold_italic_hangul_is_set_in_the_bold_face(tmp_path):
    out = tmp_path / "korean.pdf"
    export_pdf(write_deck(tmp_path / "decks", "korean", "noise를 ***제거***하는 법", "생성"), out,
               PdfOptions(layout="single"))
    chunks = []
    PdfReader(out).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: chunks.append((text.replace("\x00", ""), font["/BaseFont"]))
        if text.strip() else None)
    assert [str(font).split("+")[-1] for text, font in chunks if "제거" in text] == ["NotoSansCJKKRBold"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_an_emoji_zwj_sequence_prints_as_one_picture_in_a_sound_pdf(tmp_path):
    # fpdf2 cut the joiner off the emoji before it (its script is "inherited", theirs "common"): the sequence
    # printed as two pictures and a glyph without a drawing, which poppler reports as a broken Type 3 font.
    out = tmp_path / "zwj.pdf"
    export_pdf(write_deck(tmp_path / "decks", "zwj", "Who? 👩\u200d🔬", "ok"), out, PdfOptions(layout="single"))
    rendered = subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
                              capture_output=True, text=True, check=True)
    assert rendered.stderr == ""
    type3 = [font for font in PdfReader(out).pages[0]["/Resources"]["/Font"].values()
             if font.get_object()["/Subtype"] == "/Type3"]
    [emoji] = type3
    drawn = [name for name in emoji.get_object()["/CharProcs"] if name not in ("/.notdef", "/space")]
    assert len(drawn) == 1  # one picture: the woman scientist, not a woman and a microscope
