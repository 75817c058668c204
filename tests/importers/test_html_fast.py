"""The fast way through a field's HTML (plain tags, no entities: _feed_plain) gives exactly what HTMLParser's
`feed` gives, over generated HTML; anything it does not know is left to `feed`."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs.importers.html_text import _feed_plain, _Parser

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
