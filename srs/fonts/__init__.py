"""Fonts for printed cards: Noto Sans (shipped here) for Latin, Greek and Cyrillic; Noto Sans Arabic, Hebrew,
Thai and Devanagari and OpenMoji (shipped here) for those scripts and emoji; Noto Sans CJK for the rest.

Noto Sans and the script fonts are small enough to ship in this folder. Noto Sans CJK (a 19 MB collection)
comes from the `noto-cjk-sans-otc` package on PyPI. A font beyond Noto Sans is loaded only when a card
needs one of its characters; right-to-left and complex scripts (and emoji sequences) are then set with
fpdf2's text shaping (HarfBuzz, through `uharfbuzz`). A character no font has is refused by name, never
printed as a blank. See README.md here for where the files come from and their licences.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent

SANS = "srs-sans"
MONO = "srs-mono"
CJK = "srs-cjk"

# fpdf2 style letter -> file, for each family.
SANS_FILES = {
    "": "NotoSans-Regular.ttf",
    "B": "NotoSans-Bold.ttf",
    "I": "NotoSans-Italic.ttf",
    "BI": "NotoSans-BoldItalic.ttf",
}
# Noto Sans Mono has no italic: code inside emphasis is set upright.
MONO_FILES = {"": "NotoSansMono-Regular.ttf", "B": "NotoSansMono-Bold.ttf"}

# Members of NotoSansCJK-Regular.ttc, which differ in the shapes of shared Han characters.
CJK_REGIONS = {"jp": 0, "kr": 1, "sc": 2, "tc": 3, "hk": 4}
CJK_PACKAGE = "noto-cjk-sans-otc"
# Bold Hangul (shipped here): Noto Sans CJK KR Bold cut down to Hangul, its jamo, and CJK punctuation and
# full-width forms. Bold Han and kana, which it lacks, fall back to the regular CJK face.
CJK_BOLD_HANGUL = "NotoSansCJKkr-Bold-Hangul.otf"


class MissingFont(Exception):
    """A character needs a font (or the shaping engine) that is not installed, or that no font has."""


@dataclass(frozen=True)
class Script:
    """A script Noto Sans lacks, with its shipped font family (regular and bold)."""

    name: str
    family: str
    files: dict  # fpdf2 style letter -> file name here
    ranges: tuple  # (first, last) code points


SCRIPTS = (
    Script("Arabic", "srs-arabic", {"": "NotoSansArabic-Regular.ttf", "B": "NotoSansArabic-Bold.ttf"},
           ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    Script("Hebrew", "srs-hebrew", {"": "NotoSansHebrew-Regular.ttf", "B": "NotoSansHebrew-Bold.ttf"},
           ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    Script("Thai", "srs-thai", {"": "NotoSansThai-Regular.ttf", "B": "NotoSansThai-Bold.ttf"},
           ((0x0E00, 0x0E7F),)),
    Script("Devanagari", "srs-devanagari",
           {"": "NotoSansDevanagari-Regular.ttf", "B": "NotoSansDevanagari-Bold.ttf"},
           ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))),
)
# Colour emoji (COLR outlines, drawn by fpdf2 as Type 3 glyphs): one face, used for every style.
EMOJI = Script("emoji", "srs-emoji", {"": "OpenMoji-color-glyf_colr0.ttf"}, ())
SHAPED = {"Arabic", "Hebrew", "Thai", "Devanagari", "emoji"}  # need HarfBuzz: joining, reordering, sequences
# Characters that only modify their neighbours (joiners, variation selectors): never drawn on their own.
MODIFIERS = {0x200C, 0x200D, 0xFE0E, 0xFE0F}


@dataclass(frozen=True)
class FontPlan:
    """The fonts a document needs beyond Noto Sans, and whether its text must be shaped."""

    scripts: tuple[Script, ...] = ()
    cjk_needed: bool = False

    @property
    def shaping(self) -> bool:
        return any(script.name in SHAPED for script in self.scripts)


def script_of(ch: str) -> Script | None:
    code = ord(ch)
    for script in SCRIPTS:
        if any(first <= code <= last for first, last in script.ranges):
            return script
    return None


def plan(text: str) -> FontPlan:
    """Which fonts `text` needs; characters that no shipped font has are sent to the CJK font."""
    covered = sans_coverage()
    scripts: dict[str, Script] = {}
    cjk = False
    for ch in set(text):
        code = ord(ch)
        if code in covered or ch.isspace() or code in MODIFIERS or unicodedata.category(ch)[0] == "C":
            continue
        script = script_of(ch)
        if script is not None:
            scripts[script.name] = script
        elif code in coverage(FOLDER / EMOJI.files[""]):
            scripts[EMOJI.name] = EMOJI
        else:
            cjk = True
    ordered = tuple(s for s in (*SCRIPTS, EMOJI) if s.name in scripts)
    return FontPlan(ordered, cjk)


def unprintable(text: str, cjk: CjkFont | None) -> str | None:
    """The first character of `text` that no font of the document has (wide CJK characters are trusted
    to the CJK font without reading its 45,000-entry table), or None."""
    covered = sans_coverage()
    for ch in text:
        code = ord(ch)
        if code in covered or ch.isspace() or code in MODIFIERS or unicodedata.category(ch)[0] == "C":
            continue
        if script_of(ch) is not None or code in coverage(FOLDER / EMOJI.files[""]):
            continue
        if cjk is not None and (is_wide(ch) or code in cjk_coverage(cjk)):
            continue
        return ch
    return None


def is_wide(ch: str) -> bool:
    """Whether East Asian typography sets the character full width (Han, kana, Hangul, CJK punctuation)."""
    return unicodedata.east_asian_width(ch) in "WF"


def script_name(ch: str) -> str:
    """A character's script as its Unicode name begins ("GEORGIAN LETTER AN" -> "Georgian")."""
    name = unicodedata.name(ch, "")
    return name.split(" ")[0].title() if name else f"U+{ord(ch):04X}"


def check_shaping(plan: FontPlan) -> None:
    """MissingFont naming the script when its text needs HarfBuzz and uharfbuzz is not installed."""
    if not plan.shaping:
        return
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        names = ", ".join(s.name for s in plan.scripts if s.name in SHAPED)
        raise MissingFont(f"printing {names} needs text shaping (HarfBuzz): pip install uharfbuzz") from None


@dataclass(frozen=True)
class CjkFont:
    path: Path
    index: int  # collection member
    region: str


def sans_path(style: str = "") -> Path:
    return FOLDER / SANS_FILES[style]


def mono_path(style: str = "") -> Path:
    return FOLDER / MONO_FILES["B" if "B" in style else ""]


@cache
def coverage(path: Path) -> frozenset[int]:
    """Code points a font file can draw."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


@cache
def cjk_coverage(font: CjkFont) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    ttf = TTFont(font.path, fontNumber=font.index, lazy=True)
    try:
        return frozenset(ttf.getBestCmap())
    finally:
        ttf.close()


def sans_coverage() -> frozenset[int]:
    """Code points Noto Sans can draw (regular; the other styles cover the same)."""
    return coverage(sans_path())


def needs_cjk_font(text: str) -> bool:
    covered = sans_coverage()
    return any(ord(ch) not in covered and not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in text)


def cjk_region(text: str) -> str:
    """The collection member that suits the text: Korean for Hangul, Japanese for kana, else Chinese."""
    hangul = kana = 0
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
            kana += 1
    if hangul or kana:
        return "kr" if hangul >= kana else "jp"
    return "sc"


def cjk_font(region: str = "sc") -> CjkFont:
    """Noto Sans CJK from its PyPI package; MissingFont names the package when it is not installed."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise MissingFont(
            f"printing Chinese, Japanese or Korean needs Noto Sans CJK: pip install {CJK_PACKAGE}"
        ) from None
    return CjkFont(Path(str(noto_cjk_sans_otc.FONT_PATH)), CJK_REGIONS[region], region)


ZWJ = "\u200d"


def new_document(**kwargs):
    """An fpdf2 document (FPDF's arguments) whose fallback fonts set bold italic in their bold face.

    The fallback fonts (scripts, emoji, CJK) have no italics, and fpdf2 picks a fallback face by exact
    emphasis first, else the family's first face: bold italic Hangul would come out regular.
    """
    from fpdf import FPDF

    class Document(FPDF):
        def get_fallback_font(self, char: str, style: str = ""):
            return super().get_fallback_font(char, style.replace("I", ""))

        def _parse_chars(self, text, markdown, **kwargs):
            # fpdf2 starts a new fragment at a zero-width joiner (its Unicode script is "inherited", the
            # emoji's "common"), so HarfBuzz never saw a whole sequence: it printed as two pictures and an
            # undrawable joiner glyph. A joiner's fragment in the same font goes back onto the one before.
            before = None
            for fragment in super()._parse_chars(text, markdown, **kwargs):
                if (before is not None and fragment.characters[:1] == [ZWJ]
                        and fragment.font is before.font and fragment.graphics_state == before.graphics_state):
                    before.characters.extend(fragment.characters)
                    continue
                if before is not None:
                    yield before
                before = fragment
            if before is not None:
                yield before

    return Document(**kwargs)


def register(pdf, *, cjk: CjkFont | None, scripts: tuple[Script, ...] = ()) -> None:
    """Add srs's families to an fpdf2 document; characters Noto Sans lacks fall back to the fonts of
    `scripts` (see `plan`), then to `cjk`. Shaped scripts turn on fpdf2's text shaping."""
    for style, name in SANS_FILES.items():
        pdf.add_font(SANS, style, str(FOLDER / name))
    for style, name in MONO_FILES.items():
        pdf.add_font(MONO, style, str(FOLDER / name))
    fallbacks = []
    # OpenMoji first: it must win the zero-width joiner (which the Arabic font also has) for its sequences.
    for script in sorted(scripts, key=lambda s: s is not EMOJI):
        for style, name in script.files.items():
            pdf.add_font(script.family, style, str(FOLDER / name))
        fallbacks.append(script.family)
    if cjk is not None:
        pdf.add_font(CJK, "", str(cjk.path), collection_font_number=cjk.index)
        pdf.add_font(CJK, "B", str(FOLDER / CJK_BOLD_HANGUL))  # fpdf2 embeds it only if bold Hangul is set
        fallbacks.append(CJK)
    if fallbacks:
        # exact_match=False: bold text uses a script's bold face, and the one weight of the others.
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    if any(script.name in SHAPED for script in scripts):
        pdf.set_text_shaping(True)
    if EMOJI in scripts:
        # Noto Sans has the zero-width joiner, so fpdf2 would set it apart from the emoji around it and the
        # sequence (woman + ZWJ + microscope = woman scientist) would print as two pictures. Without it in
        # Noto Sans's table, the joiner falls back to OpenMoji with its neighbours and HarfBuzz joins them.
        for style in SANS_FILES:
            pdf.fonts[SANS + style].cmap.pop(ord(ZWJ), None)
