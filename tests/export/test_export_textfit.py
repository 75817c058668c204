"""Fitting text in a card: it wraps, shrinks, breaks CJK text between characters, and never overflows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs import fonts
from srs.export.textfit import ELLIPSIS, Fitter, Measurer, words_of
from srs.render.markdown import CODE, Block, Run, to_blocks


@pytest.fixture(scope="module")
def fitter():
    from fpdf import FPDF

    pdf = FPDF(unit="mm")
    fonts.register(pdf, cjk=fonts.cjk_font("jp"))
    pdf.add_page()
    return Fitter(Measurer(pdf))


def test_short_text_keeps_the_largest_size_and_is_centred(fitter):
    layout = fitter.fit(to_blocks("What is noise?"), 80, 40, 13, 5.5)
    assert layout.size == 13 and len(layout.lines) == 1 and layout.centered and not layout.truncated


def test_long_text_shrinks_until_it_fits(fitter):
    text = " ".join(["diffusion"] * 80)
    layout = fitter.fit(to_blocks(text), 80, 40, 13, 5.5)
    assert 5.5 <= layout.size < 13
    assert layout.height <= 40 and not layout.truncated


def test_text_too_long_for_the_smallest_size_is_cut_with_an_ellipsis(fitter):
    layout = fitter.fit(to_blocks(" ".join(["diffusion"] * 2000)), 80, 40, 13, 5.5)
    assert layout.truncated and layout.size == 5.5 and layout.height <= 40
    assert layout.lines[-1].pieces[-1].text == ELLIPSIS


def test_lists_are_set_left_with_their_markers(fitter):
    layout = fitter.fit(to_blocks("Steps:\n\n1. one\n2. two"), 80, 40, 13, 5.5)
    assert not layout.centered
    assert [line.marker for line in layout.lines] == ["", "1.", "2."]
    assert layout.lines[1].indent > 0


def test_japanese_breaks_between_characters_and_korean_at_spaces():
    japanese = words_of(Block([Run("拡散モデルは、ノイズ")]))
    assert [w.pieces[0].text for w in japanese][:3] == ["拡", "散", "モ"]
    assert "".join(p.text for p in japanese[5].pieces) == "は、"  # 、 never starts a line
    korean = words_of(Block([Run("확산 모델은 잡음을")]))
    assert ["".join(p.text for p in w.pieces) for w in korean] == ["확산", "모델은", "잡음을"]


def test_code_blocks_keep_their_indentation():
    words = words_of(Block([Run("def f():\n    return 1", CODE)], code=True))
    texts = ["".join(p.text for p in w.pieces) if not w.forced_break else "\\n" for w in words]
    assert texts == ["def", "f():", "\\n", "    return", "1"]


def test_a_space_before_code_is_an_ordinary_space():
    words = words_of(Block([Run("call "), Run("f()", CODE)]))
    assert words[1].space == " " and words[1].space_style == ""


TEXT = st.lists(
    st.sampled_from(list("abcdefghij ABC.,*`_-\n") + list("拡散モデル확산모델Ωαé") + ["  ", "**", "1. ", "- "]),
    max_size=200,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, width=st.floats(20, 120), height=st.floats(8, 80))
def test_never_wider_or_taller_than_the_box(fitter, text, width, height):
    layout = fitter.fit(to_blocks(text), width, height, 13, 5.5)
    assert layout.height <= height + 1e-6 or len(layout.lines) == 1
    measure = fitter.measure
    for line in layout.lines:
        drawn = sum(measure.width(p.text, p.style, layout.size) for p in line.pieces)
        assert drawn == pytest.approx(line.width, abs=1e-6)
        assert line.indent + line.width <= width + 1e-6
