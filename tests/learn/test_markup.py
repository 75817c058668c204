"""The reviewer shows a plain sentence without rich.markdown; it must look exactly as Markdown would."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from srs.render.markdown import is_plain
from srs.ui.markup import card_text


def rendered(renderable, width: int = 40) -> str:
    """As the reviewer shows card text: in a panel, so what differs is only what a learner would see."""
    console = Console(width=width, record=True, force_terminal=True, color_system="truecolor")
    with console.capture() as capture:
        console.print(Panel(Group(renderable), title="card"))
    return capture.get()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=120),
       st.integers(min_value=10, max_value=80))
def test_plain_text_looks_as_markdown_would(text, width):
    assume(is_plain(text) and text.strip() and text == text.strip())
    assert isinstance(card_text(text), Text)
    assert rendered(card_text(text), width) == rendered(Markdown(text), width)


def test_marked_up_text_goes_through_markdown():
    assert isinstance(card_text("Some **bold** words"), Markdown)
    assert isinstance(card_text("- a list"), Markdown)
