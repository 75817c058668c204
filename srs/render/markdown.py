"""Markdown, as deck authors write it, rendered to HTML (for Anki) or to styled blocks (for print).

Raw HTML is disabled: a card about `<div>` shows "<div>", never an element. Both renderers parse with
markdown-it-py (CommonMark), so what is bold in Anki is bold on paper.

Most card text is a plain sentence; those skip the parser (`is_plain`, which the terminal uses too), which is what
keeps a 10,000-note export fast. The shortcut gives exactly the parser's output (tests check it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

# Characters or openings that can make text more than a plain paragraph.
_SPECIAL = re.compile(r"[*_`\[\]!<>&\\#|~\n\r\t{}]|^\s*(?:[-+=>]|\d{1,9}[.)])|  ")

ImageResolver = Callable[[str], str]


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML

    md = MarkdownIt("commonmark", {"html": False})
    assert isinstance(md.renderer, RendererHTML)  # MarkdownIt's default renderer, whose rules we extend
    default_image = md.renderer.rules.get("image")

    def render_image(renderer, tokens, idx, options, env):
        # Deck images are files next to the deck; the exporter maps them to the names it ships them as.
        resolve = env.get("resolve_image")
        token = tokens[idx]
        if resolve is not None:
            token.attrSet("src", resolve(str(token.attrGet("src") or "")))
        return default_image(tokens, idx, options, env) if default_image else renderer.renderToken(
            tokens, idx, options, env
        )

    md.add_render_rule("image", render_image)
    return md


def is_plain(text: str) -> bool:
    return _SPECIAL.search(text) is None


# One line that cannot open a block (heading, quote, list, fence, rule, indented code or link definition)
# is a single paragraph: its inline markup alone needs parsing, which is twice as fast.
_BLOCK_OPENING = re.compile(r"^(?:[#>+*\-_=~`\[]|\d{1,9}[.)]|\s)")


def _is_one_paragraph(text: str) -> bool:
    return "\n" not in text and "\r" not in text and _BLOCK_OPENING.match(text) is None


def escape_html(text: str) -> str:
    """Escape text for HTML exactly as markdown-it does (&, <, >, ")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def to_html(text: str, resolve_image: ImageResolver | None = None) -> str:
    """HTML for a markdown text; a single paragraph comes without its <p>, so fields stay tidy in Anki."""
    text = text.strip()
    if not text:
        return ""
    if is_plain(text):
        return escape_html(text)
    env = {"resolve_image": resolve_image} if resolve_image else {}
    if _is_one_paragraph(text):
        simple = _simple_inline(text)
        if simple is not None:
            return simple
        return _parser().renderInline(text, env)
    html = _parser().render(text, env).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


# The inline markup most cards use: *em*, **strong** and `code`, with no other markdown characters.
_SIMPLE_TEXT = re.compile(r"[^_\[\]!<>&\\#|~{}\n\r\t]*")
_DELIMITER = re.compile(r"(\*\*|\*|`)")
_ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _simple_inline(text: str) -> str | None:
    """HTML for one line of simple emphasis and code, as CommonMark renders it; None when unsure.

    A hand-written renderer for the common case, because markdown-it-py spends ~100 µs on every short
    string. It accepts only delimiters that CommonMark's flanking rules make unambiguous openers or
    closers, nested properly; anything else goes to the real parser. Tests compare the two on random text.
    """
    if "***" in text or "``" in text or not _SIMPLE_TEXT.fullmatch(text):
        return None
    parts = _DELIMITER.split(text)  # text, delimiter, text, delimiter, ..., text
    out: list[str] = []
    open_tags: list[str] = []
    index = 1
    while index < len(parts):
        delimiter = parts[index]
        before, after = parts[index - 1], parts[index + 1]
        if index == 1:
            out.append(_escape_text(before))
        if delimiter == "`":
            # A code span runs to the next single backtick; its content must be tidy (no edge spaces).
            end = index + 2
            while end < len(parts) and parts[end] != "`":
                end += 2
            if end >= len(parts):
                return None
            content = "".join(parts[index + 1 : end])
            if not content or content != content.strip(" "):
                return None
            out.append(f"<code>{escape_html(content)}</code>")
            out.append(_escape_text(parts[end + 1]))
            index = end + 2
            continue
        prev_char = _last_source_char(parts, index)
        next_char = after[0] if after else (parts[index + 2][0] if index + 2 < len(parts) else "")
        if not after and index + 2 < len(parts):
            return None  # two delimiters in a row ("*`", "***"): leave it to the parser
        opens, closes = _flanking(prev_char, next_char)
        tag = "strong" if delimiter == "**" else "em"
        if opens and not closes:
            open_tags.append(tag)
            out.append(f"<{tag}>")
        elif closes and not opens and open_tags and open_tags[-1] == tag:
            open_tags.pop()
            out.append(f"</{tag}>")
        else:
            return None
        out.append(_escape_text(after))
        index += 2
    if open_tags:
        return None
    if len(parts) == 1:
        return _escape_text(text)
    return "".join(out)


def _last_source_char(parts: list[str], index: int) -> str:
    """The character of the source just before the delimiter at parts[index]."""
    for back in range(index - 1, -1, -1):
        if parts[back]:
            return parts[back][-1]
    return ""


def _flanking(prev_char: str, next_char: str) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) for a run of `*` between these characters, per CommonMark.

    Next to non-ASCII punctuation, symbols or spaces, whose Unicode classes are subtle, it reports both,
    which sends the text to the parser.
    """
    prev_kind, next_kind = _char_kind(prev_char), _char_kind(next_char)
    if "other-punct" in (prev_kind, next_kind):
        return True, True
    left = next_kind != "space" and (next_kind != "punct" or prev_kind in ("space", "punct"))
    right = prev_kind != "space" and (prev_kind != "punct" or next_kind in ("space", "punct"))
    return left, right


def _char_kind(ch: str) -> str:
    if not ch or ch == " ":
        return "space"
    if ch in _ASCII_PUNCTUATION:
        return "punct"
    if ord(ch) < 128:
        return "word"
    import unicodedata

    category = unicodedata.category(ch)
    if category[0] in "PSZC":
        return "other-punct"  # Unicode punctuation, symbols and spaces: let the parser judge
    return "word"


def _escape_text(text: str) -> str:
    return text.replace('"', "&quot;")


def image_sources(text: str) -> list[str]:
    """The `src` of every markdown image in the text, in order."""
    if "![" not in text:
        return []
    found = []
    for token in _parser().parse(text):
        for child in token.children or ():
            if child.type == "image":
                found.append(str(child.attrGet("src") or ""))
    return found


# -- styled blocks, for print ------------------------------------------------------------------------

REGULAR, BOLD, ITALIC, BOLD_ITALIC, CODE = "", "B", "I", "BI", "code"
LINE_BREAK = "\n"  # a run holding only this forces a new line


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    style: str = REGULAR  # "", "B", "I", "BI" or "code"


@dataclass(slots=True)
class Block:
    """A paragraph, a list item's paragraph or a code block, as runs of styled text."""

    runs: list[Run] = field(default_factory=list)
    marker: str = ""  # "•", "1." or a label such as "a" for the first paragraph of a list item
    depth: int = 0  # list or quote nesting, for indentation
    code: bool = False  # keeps its line breaks and indentation

    @property
    def plain(self) -> bool:
        return not self.marker and not self.depth and not self.code

    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def to_blocks(text: str) -> list[Block]:
    """Markdown as blocks of styled runs: paragraphs, list items, code blocks."""
    text = text.strip()
    if not text:
        return []
    if is_plain(text):
        return [Block([Run(text)])]
    blocks: list[Block] = []
    lists: list[list] = []  # per open list: [ordered?, next number]
    quote_depth = 0
    heading = False
    pending_marker = ""
    for token in _parser().parse(text):
        kind = token.type
        depth = len(lists) + quote_depth
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([kind == "ordered_list_open", int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            pending_marker = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "inline":
            blocks.append(Block(_inline_runs(token.children or [], bold_all=heading), pending_marker, depth))
            pending_marker = ""
        elif kind in ("fence", "code_block"):
            blocks.append(Block([Run(token.content.rstrip("\n"), CODE)], pending_marker, depth, code=True))
            pending_marker = ""
        elif kind == "hr":
            blocks.append(Block([Run("———")], "", depth))
    return blocks


def _inline_runs(children, bold_all: bool = False) -> list[Run]:
    runs: list[Run] = []
    bold = 1 if bold_all else 0
    italic = 0
    for child in children:
        kind = child.type
        if kind == "text":
            runs.append(Run(child.content, _style(bold, italic)))
        elif kind == "softbreak":
            runs.append(Run(" ", _style(bold, italic)))
        elif kind == "hardbreak":
            runs.append(Run(LINE_BREAK))
        elif kind == "code_inline":
            runs.append(Run(child.content, CODE))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "image":
            alt = "".join(c.content for c in child.children or []) or "image"
            runs.append(Run(f"[{alt}]", _style(bold, italic + 1)))
        elif kind in ("html_inline", "html_block"):  # cannot happen with html disabled; kept as text
            runs.append(Run(child.content, _style(bold, italic)))
    return _merge(runs)


def _style(bold: int, italic: int) -> str:
    return (BOLD if bold else "") + (ITALIC if italic else "")


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].style == run.style and LINE_BREAK not in (run.text, merged[-1].text):
            merged[-1] = Run(merged[-1].text + run.text, run.style)
        else:
            merged.append(run)
    return merged
