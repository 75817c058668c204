"""Fonts for printed cards: Noto Sans (shipped here) for Latin, Greek and Cyrillic, Noto Sans CJK for the rest.

Noto Sans and Noto Sans Mono are small enough to ship in this folder. Noto Sans CJK (a 19 MB collection)
comes from the `noto-cjk-sans-otc` package on PyPI and is loaded only when a card needs a character
that Noto Sans lacks. See README.md here for where the files come from and their licence (OFL 1.1).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
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


class MissingFont(Exception):
    """A character needs the CJK font and the package that ships it is not installed."""


@dataclass(frozen=True)
class CjkFont:
    path: Path
    index: int  # collection member
    region: str


def sans_path(style: str = "") -> Path:
    return FOLDER / SANS_FILES[style]


def mono_path(style: str = "") -> Path:
    return FOLDER / MONO_FILES["B" if "B" in style else ""]


@lru_cache(maxsize=None)
def coverage(path: Path) -> frozenset[int]:
    """Code points a font file can draw."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


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


def register(pdf, *, cjk: CjkFont | None) -> None:
    """Add srs's families to an fpdf2 document; with `cjk`, characters Noto Sans lacks fall back to it."""
    for style, name in SANS_FILES.items():
        pdf.add_font(SANS, style, str(FOLDER / name))
    for style, name in MONO_FILES.items():
        pdf.add_font(MONO, style, str(FOLDER / name))
    if cjk is not None:
        pdf.add_font(CJK, "", str(cjk.path), collection_font_number=cjk.index)
        # exact_match=False: bold or italic text falls back to the one CJK weight there is.
        pdf.set_fallback_fonts([CJK], exact_match=False)
