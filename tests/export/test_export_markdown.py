"""Markdown rendering: escaping, the plain-text shortcut, and styled blocks for print."""

from hypothesis import given, settings
from hypothesis import strategies as st

from srs.render.markdown import (
    BOLD,
    CODE,
    ITALIC,
    Block,
    Run,
    _is_one_paragraph,
    _parser,
    _simple_inline,
    is_plain,
    to_blocks,
    to_html,
)


def test_html_is_escaped_not_interpreted():
    assert to_html("A card about <div> & co") == "A card about &lt;div&gt; &amp; co"
    assert to_html("What does `<div>` mean?") == "What does <code>&lt;div&gt;</code> mean?"
    assert "<script>" not in to_html("<script>alert(1)</script>")


def test_emphasis_lists_and_code_blocks():
    assert to_html("*em* and **strong**") == "<em>em</em> and <strong>strong</strong>"
    html = to_html("Steps:\n\n- one\n- two")
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<pre><code>x = 1\n</code></pre>" in to_html("```\nx = 1\n```")


def test_single_paragraph_comes_without_p_but_several_keep_theirs():
    assert to_html("one line") == "one line"
    assert to_html("one\n\ntwo") == "<p>one</p>\n<p>two</p>"


def test_images_are_resolved_by_the_callback():
    html = to_html("see ![a diagram](media/x.png)", lambda src: "srs-1234-x.png")
    assert '<img src="srs-1234-x.png" alt="a diagram" />' in html


def _parser_html(text: str) -> str:
    html = _parser().render(text.strip()).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 1.-+=>*_`[]!<&\"'#:~\\\n\tùé한字()")), max_size=30))
def test_shortcuts_give_exactly_what_the_full_parser_gives(text):
    """Plain text skips the parser and one-line text skips the block parser: neither may change a thing."""
    if text.strip():
        assert to_html(text) == _parser_html(text)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(list("ab .,!?()'\"é한。—") + ["*", "**", "`", " *", "* ", "word"]), max_size=16).map(
        "".join
    )
)
def test_the_hand_written_emphasis_renderer_agrees_with_the_parser(text):
    if text.strip():
        assert to_html(text) == _parser_html(text)


def test_the_shortcuts_are_taken():
    assert is_plain("A plain sentence, with commas.")
    assert not is_plain("*em*") and _is_one_paragraph("Some *em* here")
    assert not _is_one_paragraph("# heading") and not _is_one_paragraph("1. item")
    assert _simple_inline("Why does `denoise(3)` need **many** *small* steps?") == (
        "Why does <code>denoise(3)</code> need <strong>many</strong> <em>small</em> steps?"
    )
    assert _simple_inline("a*b*c") is None  # intraword: left to the parser


def test_blocks_carry_styles_markers_and_code():
    blocks = to_blocks("Para *em* **b** `c`\n\n1. first\n2. second\n\n```\n  indented\n```")
    assert blocks[0].runs == [Run("Para "), Run("em", ITALIC), Run(" "), Run("b", BOLD), Run(" "), Run("c", CODE)]
    assert [(b.marker, b.depth, b.text()) for b in blocks[1:3]] == [("1.", 1, "first"), ("2.", 1, "second")]
    assert blocks[3].code and blocks[3].runs == [Run("  indented", CODE)]


def test_plain_text_is_one_block():
    assert to_blocks("Just a sentence.") == [Block([Run("Just a sentence.")])]
