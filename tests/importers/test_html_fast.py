"""The fast ways through a field's HTML give exactly what HTMLParser's `feed` gives, over generated HTML: plain tags
without entities handed to the parser (_feed_plain), and the one pass over a string for inline marks, breaks,
`<div>` and `<p>` (_simple_markdown). Anything they do not know is left to `feed`."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs.importers.html_text import _feed_plain, _Parser, _simple_markdown, _tidy

TAGS = [
    "<b>", "</b>", "<i>", "</i>", "<strong>", "</strong>", "<em>", "</em>", "<s>", "</s>", "<br>", "<br/>", "<br />",
    "<br\n/>", "</br>", "<b/>", "<div>", "</div>", "<p>", "</p>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>",
    "<pre>", "</pre>", "<code>", "</code>", "<a>", "</a>", "<img>", "<img/>", "<h1>", "</h1>", "<h3>", "</h3>",
    "<hr>", "<hr/>", "<td>", "</td>", "<th>", "<tr>", "</tr>", "<table>", "</table>", "<blockquote>",
    "</blockquote>", "<span>", "</span>", "<u>", "</u>", "<sub>", "<script>", "</script>", "<style>", "</style>",
    "<B>", "</I>", "<b >", "</b >", "<a href='x'>", "<img src=\"y.png\">", "<", ">", "</", "<!-- c -->", "&amp;",
    "&nbsp;", "<textarea>", "<title>",
]
PIECES = [*"ab 12*_`#->+=~.)[]\\\n\t\xa0!:é✓", "[sound:x.mp3]", "{{c1::", "}}", "\\(", "\\)"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
HTML = st.lists(st.one_of(TEXT, st.sampled_from(TAGS)), max_size=14).map("".join)


def through(html: str, fast: bool) -> tuple[list[str], list[str]] | None:
    parser = _Parser()
    if fast:
        if not _feed_plain(parser, html):
            return None
    else:
        parser.feed(html)
    parser.close()
    return parser.out, parser.images


@settings(max_examples=1500, deadline=None)
@given(HTML)
@example("Question 1: what does step 1 of the <i>reverse</i> process do? 2*3")
@example("It removes a little noise,<br>then the model runs again (1).")
@example("<div><b>a<div>b</div></b></div><ul><li>x<li>y</ul>")
@example("<br\n/>x<b/>y")
def test_the_fast_way_gives_what_the_parser_gives(html):
    fast = through(html, fast=True)
    if fast is not None:
        assert fast == through(html, fast=False)


def test_what_the_fast_way_leaves_to_the_parser():
    for html in ("a &amp; b", "<b class='x'>a</b>", "<B>a</B>", "1 < 2", "<script>x</script>", "<!-- c -->a"):
        assert through(html, fast=True) is None, html
    assert through("<b>a</b><br/>b", fast=True) is not None


# Mostly what the one pass knows, so most examples go that way.
SIMPLE_NAMES = {"b", "i", "strong", "em", "s", "br", "div", "p", "span", "u", "sub"}
SIMPLE_TAGS = [tag for tag in TAGS if tag.strip("</>").split(" ")[0] in SIMPLE_NAMES]
SIMPLE_HTML = st.lists(st.one_of(TEXT, st.sampled_from(SIMPLE_TAGS), st.sampled_from(TAGS)), max_size=14).map("".join)


@settings(max_examples=1500, deadline=None)
@given(SIMPLE_HTML)
@example("Question 1: what does step 1 of the <i>reverse</i> process do? 2*3")
@example("It removes a little noise,<br>then the model runs again (1).")
@example("Step 9 starts from {{c1::noise}} and ends at {{c2::an <b>image</b>}}.")
@example("<div><b>a<div>b</div></b></div><p> x <i>y</p></i><b/>z<p/>")
@example("a <b>- x</b><div>  </div><br/><br />1. y")
def test_the_one_pass_way_gives_what_the_parser_gives(html):
    simple = _simple_markdown(html)
    if simple is not None:
        parser = _Parser()
        parser.feed(html)
        parser.close()
        assert simple == _tidy("".join(parser.out)) and not parser.images


def test_what_the_one_pass_way_leaves_to_the_parser():
    for html in ("a &amp; b", "<b class='x'>a</b>", "<B>a</B>", "1 < 2", "<ul><li>x</li></ul>", "[sound:a.mp3]",
                 "<pre>x</pre>", "<img src='x.png'>", "<a>x</a>", "<code>x</code>", "<script>x</script>"):
        assert _simple_markdown(html) is None, html
    assert _simple_markdown("<div><b>a</b><br/>b</div><p>c</p>") == "**a**\\\nb\n\nc"
