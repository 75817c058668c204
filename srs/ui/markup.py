"""Card text for the terminal: markdown through rich, a plain sentence as plain text.

rich.markdown brings markdown-it and pygments with it, a third of the time to the first card. Most
fronts are plain sentences, which it would render exactly as a Text, so those never import it.
"""

from __future__ import annotations

import re

from rich.text import Text

from srs.render.markdown import is_plain


def card_text(text: str):
    if is_plain(text):
        return Text(text)
    from rich.markdown import Markdown

    return Markdown(text)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"(\*\*|__|\*|`|~~)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_KEPT = re.compile(r"\x00(\d+)\x00")
_LEADING = re.compile(r"^\s*(#+\s*|>\s*|[-*+]\s+|\d+[.)]\s+)+")


def plain_line(text: str, width: int = 70) -> str:
    """The first line of a card's markdown as plain text (no emphasis marks, links as their text),
    shortened to `width` characters: how a card is named in messages and lists."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    escaped: list[str] = []  # `\*` is a literal `*`: kept apart from the marks, put back as itself

    def keep(match) -> str:
        escaped.append(match.group(1))
        return f"\x00{len(escaped) - 1}\x00"

    line = _ESCAPE.sub(keep, line).removesuffix("\\")  # a backslash ending the line is a line break
    line = _LEADING.sub("", _MARKS.sub("", _LINK.sub(r"\1", line))).strip()
    line = _KEPT.sub(lambda m: escaped[int(m.group(1))], line)
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"
