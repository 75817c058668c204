"""Card text for the terminal: markdown through rich, a plain sentence as plain text.

rich.markdown brings markdown-it and pygments with it, a third of the time to the first card. Most
fronts are plain sentences, which it would render exactly as a Text, so those never import it.
"""

from __future__ import annotations

from rich.text import Text

from srs.render.markdown import is_plain


def card_text(text: str):
    if is_plain(text):
        return Text(text)
    from rich.markdown import Markdown

    return Markdown(text)
