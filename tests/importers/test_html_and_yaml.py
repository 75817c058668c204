"""Anki's field HTML back to markdown, and the tidy YAML the importer writes."""

from __future__ import annotations

import pytest
import yaml

from srs.deck import load_file
from srs.importers.html_text import html_to_markdown
from srs.importers.yaml_writer import dump_deck


@pytest.mark.parametrize(
    "html, text",
    [
        ("What is <b>noise</b>?", "What is **noise**?"),
        ("<i>step</i> by <em>step</em>", "*step* by *step*"),
        # A line break stays one: markdown's hard break, a backslash ending the line.
        ("one<br>two<br/>three", "one\\\ntwo\\\nthree"),
        ("first<div>second</div><div>third</div>", "first\\\nsecond\\\nthird"),
        ("<p>Para one.</p>\n<p>Para <code>two</code>.</p>", "Para one.\n\nPara `two`."),
        ("<ul><li>a</li><li>b <strong>c</strong></li></ul>", "- a\n- b **c**"),
        ("<ol>\n<li>x</li>\n<li>y</li>\n</ol>", "1. x\n2. y"),
        ("A &amp; B &lt; C&nbsp;D", "A & B < C D"),
        ('<a href="https://example.org">a link</a>', "[a link](https://example.org)"),
        ('<span style="color: red">red</span>  text\n with   spaces', "red text with spaces"),
        ("<pre>x = 1\n  y = 2</pre>", "```\nx = 1\n  y = 2\n```"),
        ("{{c1::<b>pure</b> noise::what}} rest", "{{c1::**pure** noise::what}} rest"),
        ("Ünïcödé — ✓ 日本語", "Ünïcödé — ✓ 日本語"),
        ("x<br><br><br><br>y", "x\n\ny"),
        # A `<![` that opens no section HTMLParser knows (it asserts there) stays as text, the rest converted.
        ("a <![foo[ <b>b</b>", "a \\<!\\[foo\\[ **b**"),
    ],
)
def test_html_becomes_markdown(html, text):
    assert html_to_markdown(html).text == text


def test_images_are_collected():
    converted = html_to_markdown('See <img src="noise%20a.png" alt="noise"> here')
    assert converted.images == ["noise%20a.png"]
    assert converted.text == "See ![noise](noise%20a.png) here"


def test_markdown_rendered_by_python_markdown_comes_back():
    markdown = pytest.importorskip("markdown")
    for source in ["Noise is added *step by step*.", "- a\n- b **c**", "Para one.\n\nPara `two`.", "A & B < C"]:
        assert html_to_markdown(markdown.markdown(source)).text == source


def test_the_yaml_is_tidy_and_loads(tmp_path):
    deck = {
        "items": [
            {"tags": ["x", "y"], "a": "Static & snow — ünïcode", "q": "What is **noise**?\nTwo lines", "id": "anki-1"},
            {"extra": "line one\n\nline two", "text": "Starts from {{c1::noise}}: then {{c2::steps}}.", "id": "anki-2"},
        ],
        "id": "diffusion-basics",
        "title": "Diffusion::Basics",
    }
    text = dump_deck(deck, "Imported from x.apkg")
    assert text.startswith("# Imported from x.apkg\ntitle: Diffusion::Basics\nid: diffusion-basics\nitems:\n")
    assert "  - id: anki-1\n    q: |-\n      What is **noise**?\n      Two lines\n" in text
    assert "a: Static & snow — ünïcode" in text  # Unicode kept, not escaped
    assert "tags: [x, y]" in text
    assert "    extra: |-\n      line one\n\n      line two\n" in text
    assert yaml.safe_load(text) == {**deck, "items": deck["items"]}
    path = tmp_path / "deck.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_file(path)
    assert result.ok, result.diagnostics
    assert [i.id for i in result.deck.items] == ["anki-1", "anki-2"]
    assert result.deck.items[0].body.front == "What is **noise**?\nTwo lines"


def test_dumping_is_stable():
    deck = {"title": "T", "id": "t", "items": [{"q": "a", "a": "b"}]}
    assert dump_deck(deck) == dump_deck(dict(reversed(list(deck.items()))))


def test_an_exclamation_mark_before_a_sound_stays_text_not_an_image():
    # Found by test_anki_lossless: `![sound:x]` became `![sound: x](x)`, an image link to a file never brought.
    from srs.importers.html_text import html_to_markdown

    assert html_to_markdown("![sound:x]").text == "\\![sound: x](x)"
