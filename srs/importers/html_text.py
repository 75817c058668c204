r"""Anki field HTML back to the markdown-ish text decks are written in.

`<b>`/`<strong>` become `**`, `<i>`/`<em>` `*`, `<code>` backticks, `<pre>` a fenced block, lists `- ` or
`1. ` lines, `<br>` and `<div>` line breaks, `<p>` paragraphs, links `[text](href)`, images `![](src)`
(their sources are also collected, so the importer can bring the files along). Other tags (span, font,
styles) are dropped and their text kept; entities are decoded and `&nbsp;` becomes a space. Whitespace
collapses as a browser would show it, except inside `<pre>`.

Text is escaped for markdown (CommonMark, as srs renders it), so it reads back as the same text: `2*3*4`
stays `2*3*4` (written `2\*3\*4`), `__init__` is not bold, MathJax `\(x^2\)` keeps its backslashes, and
`# x` at the start of a line is no heading. Anki's `[sound:file]` becomes a link to the file,
`[sound: file](file)` (collected with the images, so the importer brings the file along). A line break
inside a paragraph becomes markdown's hard break (a backslash at the end of the line), so it stays one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK = {"div", "p", "ul", "ol", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr"}
INLINE_MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~"}
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_FOLD_CHARS = re.compile(r"[\t\r\n\f\v]")  # with two spaces in a row, what _SPACES would change (see _to_fold)
# Inline markdown specials: backslash, code, emphasis, links and images, autolinks, entities.
# (The lookahead in front only skips, fast, the characters no alternative can begin with.)
_INLINE = re.compile(
    r"(?=[\\`*\[\]_<&])(?:[\\`*\[\]]|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|<(?=[A-Za-z/!?])|&(?=#|[A-Za-z0-9]+;))"
)
_INLINE_CHARS = re.compile(r"[\\`*\[\]_<&]")  # a character _INLINE may escape
# What opens a block at the start of a line: heading, quote, list, rule, setext underline, fence.
_LINE_START = re.compile(r"^(?:[#>+=~-]|\d{1,9}(?=[.)]))")
_MAY_NEED_ESCAPE = re.compile(r"[\\`*_\[\]#>+=~-]")  # or a digit before `.` or `)` (_NUMBERED)
_NUMBERED = re.compile(r"[.)](?<=\d[.)])")
SOUND = re.compile(r"\[sound:([^\]\[]+)\]")


def _to_fold(text: str) -> bool:
    """Whether _SPACES would change `text` (it leaves one space as it is)."""
    return "  " in text or _FOLD_CHARS.search(text) is not None


def _escaped(match: re.Match) -> str:
    return "\\" + match.group()


def escape_markdown(text: str, line_start: bool = False) -> str:
    """`text` as markdown that renders as exactly that text (see the module's docstring)."""
    if _INLINE_CHARS.search(text):
        text = _INLINE.sub(_escaped, text)
    if line_start:
        match = _LINE_START.match(text)
        if match:
            end = match.end()
            text = (text[:end] + "\\" + text[end:]) if text[:1].isdigit() else "\\" + text
    return text


@dataclass
class Converted:
    text: str
    images: list[str] = field(default_factory=list)


def html_to_markdown(html: str) -> Converted:
    if "<" not in html and "&" not in html and not _MAY_NEED_ESCAPE.search(html) and not _NUMBERED.search(html):
        return Converted(_tidy(_SPACES.sub(" ", html)))
    simple = _simple_markdown(html)
    if simple is not None:
        return Converted(simple)
    parser = _Parser()
    try:
        if not _feed_plain(parser, html):
            parser.feed(html)
        parser.close()
    except AssertionError:  # a `<![` that opens no section HTMLParser knows (`<![foo[`): it asserts; kept as text
        parser = _Parser()
        parser.feed(html.replace("<![", "&lt;!["))
        parser.close()
    return Converted(_tidy("".join(parser.out)), parser.images)


# A tag as Anki's editor writes most of them: a lowercase name and nothing else (`<b>`, `</div>`, `<br>`, `<br/>`).
_PLAIN_TAG = re.compile(r"<(?:/([a-z][a-z0-9]*)|([a-z][a-z0-9]*)(\s*/)?)>")
# Elements whose content HTMLParser (in some Python version) reads as raw text: never the fast way.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "plaintext", "xmp", "iframe", "noembed", "noframes",
                       "noscript"})


def _feed_plain(parser: _Parser, html: str) -> bool:
    """Hand `parser` the text and tags of `html` as HTMLParser's `feed` would, where `html` holds only plain
    tags (_PLAIN_TAG) and no entity: text between tags as one piece each, tags without attributes. False
    (nothing handed over) for anything else, which `feed` then reads. HTMLParser's scanning is most of a
    field's conversion time; a test holds this to `feed` over generated HTML."""
    if "&" in html:
        return False
    parts = _PLAIN_TAG.split(html)  # text, then each tag's (end name, start name, "/") and the text after it
    texts = parts[::4]
    if html.count("<") != len(texts) - 1:  # a "<" that opens no plain tag (each tag holds exactly one)
        return False
    end_names, names, closed = parts[1::4], parts[2::4], parts[3::4]
    if _RAW_TEXT.intersection(end_names) or _RAW_TEXT.intersection(names):
        return False
    if texts[0]:
        parser.handle_data(texts[0])
    for end_name, name, slash, text in zip(end_names, names, closed, texts[1:]):
        if end_name:
            parser.handle_endtag(end_name)
        elif slash is None:
            parser.handle_starttag(name, [])
        else:
            parser.handle_startendtag(name, [])
        if text:
            parser.handle_data(text)
    return True


# Tags the one-pass way (_simple_markdown) knows: the inline marks, line breaks, `<div>` and `<p>`, and a few the
# parser keeps only the text of.
_SIMPLE_BLOCKS = {"div": 1, "p": 2}  # -> the line breaks around them
_SIMPLE_NOOP = frozenset({"span", "u", "sub", "sup"})


def _simple_markdown(html: str) -> str | None:
    """html_to_markdown's text for HTML of plain tags (_PLAIN_TAG) among the inline marks, `<br>`, `<div>`,
    `<p>` and _SIMPLE_NOOP, without entities or sounds (most of what Anki's editor writes): what the parser
    gives, in one pass over a string, with no parser made. None for any other HTML. A test holds it to the
    parser over generated HTML."""
    if "&" in html or "[sound:" in html:
        return None
    parts = _PLAIN_TAG.split(html)  # text, then each tag's (end name, start name, "/") and the text after it
    if html.count("<") != len(parts) // 4:  # a "<" that opens no plain tag
        return None
    text = ""
    marks: list[tuple[str, int]] = []  # per open mark: (the mark, where it opened)
    last = len(parts) - 1
    # Each text is a piece of `html`: without a no-break space, two spaces or a line break in it, none has one.
    spaced = "\xa0" in html or _to_fold(html)
    for index in range(0, len(parts), 4):
        data = parts[index]
        if data:  # as _Parser.handle_data, outside <pre> and <code>
            if spaced:
                data = data.replace("\xa0", " ")
                if _to_fold(data):
                    data = _SPACES.sub(" ", data)
            at_start = not text or text[-1] == "\n"
            if at_start:
                data = data.lstrip(" ")
            if data:
                text += escape_markdown(data, at_start)
        if index == last:
            break
        end_name, name, slash = parts[index + 1], parts[index + 2], parts[index + 3]
        tag = end_name or name
        opens, closes = not end_name, bool(end_name) or (slash is not None and tag != "br")
        if tag in INLINE_MARKS:
            if opens:
                marks.append((INLINE_MARKS[tag], len(text)))
            if closes:
                text = _close_mark(text, marks, INLINE_MARKS[tag])
        elif tag == "br":
            if opens:
                text += "\n"
        elif tag in _SIMPLE_BLOCKS:
            if opens and (tag == "p" or (text and text[-1] != "\n")):
                text = _newline(text, _SIMPLE_BLOCKS[tag])
            if closes:
                text = _newline(text, _SIMPLE_BLOCKS[tag])
        elif tag not in _SIMPLE_NOOP:
            return None
    while marks:
        text = _close_mark(text, marks, None)
    return _tidy(text)


def _newline(text: str, count: int) -> str:
    """`text` ending in `count` line breaks (or nothing, when it is only spaces), as _Parser._newline."""
    text = text.rstrip(" ")
    if not text:
        return ""
    have = len(text) - len(text.rstrip("\n"))
    return text + "\n" * max(0, count - have)


def _close_mark(text: str, marks: list[tuple[str, int]], mark: str | None) -> str:
    """`text` with the innermost open `mark` (any, when None) closed and taken off `marks`, as
    _Parser.close_mark."""
    for index in range(len(marks) - 1, -1, -1):
        if mark is None or marks[index][0] == mark:
            mark, start = marks.pop(index)
            return text[:start] + _marked(text[start:], mark)
    return text  # a closing tag that was never opened


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.images: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, counter]
        self.pre = 0
        self.code = 0
        self.links: list[tuple[str, int]] = []  # (href, position in out)
        self.skip = 0  # inside <script>/<style>
        self.marks: list[tuple[str, int]] = []  # per open bold/italic/strike: (its mark, where it opened)

    # -- helpers ---------------------------------------------------------------------------------------

    def _text(self) -> str:
        return "".join(self.out)

    def _at_line_start(self) -> bool:
        for piece in reversed(self.out):  # the text so far ends where its last non-empty piece ends
            if piece:
                return piece.endswith("\n")
        return True

    def _newline(self, count: int = 1) -> None:
        text = _newline(self._text(), count)
        self.out = [text] if text else []

    # -- parser callbacks ------------------------------------------------------------------------------

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in INLINE_MARKS and not self.pre:
            self.marks.append((INLINE_MARKS[tag], len(self._text())))
        elif tag == "code" and not self.pre:
            self.code += 1
            self.out.append("`")
        elif tag == "pre":
            self._newline(2)
            self.pre += 1
            self.out.append("```\n")
        elif tag == "p" or tag == "blockquote":
            self._newline(2)
            if tag == "blockquote":
                self.out.append("> ")
        elif tag in ("ul", "ol"):
            self._newline(1 if self.lists else 2)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._newline(1)
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.out.append("   " * depth + f"{self.lists[-1][1]}. ")
            else:
                self.out.append("  " * depth + "- ")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._newline(2)
            self.out.append("#" * int(tag[1]) + " ")
        elif tag in ("div", "tr", "table"):
            if not self._at_line_start():
                self._newline(1)
        elif tag == "hr":
            self._newline(2)
            self.out.append("---")
            self._newline(2)
        elif tag == "img":
            src = attrs.get("src") or ""
            if src:
                self.images.append(src)
                self.out.append(f"![{attrs.get('alt') or ''}]({src})")
        elif tag == "a":
            self.links.append((attrs.get("href") or "", len(self.out)))
        elif tag in ("td", "th") and not self._at_line_start():
            self.out.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)
        elif tag in INLINE_MARKS and not self.pre:
            self.close_mark(INLINE_MARKS[tag])
        elif tag == "code" and not self.pre and self.code:
            self.code -= 1
            self.out.append("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            if not self._text().endswith("\n"):
                self.out.append("\n")
            self.out.append("```")
            self._newline(2)
        elif tag in ("p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._newline(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline(1 if self.lists else 2)
        elif tag in ("div", "tr", "table", "li"):
            self._newline(1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            del self.out[start:]
            if not href or href == label:
                self.out.append(label or href)
            else:
                self.out.append(f"[{label}]({href})")

    def _before_link(self) -> None:
        """The text so far made safe for a link that follows (`_before_link`); a bold or italic opened at
        its end still opens at its end."""
        text = self._text()
        fixed = _before_link(text)
        if fixed != text:
            self.out = [fixed]
            self.marks = [(m, start + len(fixed) - len(text) if start >= len(text) else start)
                          for m, start in self.marks]

    def close_mark(self, mark: str | None = None) -> None:
        """Close the innermost open `mark` (any, when None): its text gets the mark around each line's words.

        Markdown emphasis cannot start or end at a space or span a paragraph, so `<b>a<div>b</div></b>`
        becomes `**a**` and `**b**` on their lines, and `<b>a </b>b` becomes `**a** b`."""
        if any(mark is None or open_mark == mark for open_mark, _ in self.marks):
            self.out = [_close_mark(self._text(), self.marks, mark)]

    def close(self):
        super().close()
        while self.marks:
            self.close_mark()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self.skip:
            return
        data = data.replace("\xa0", " ")
        if self.pre:
            self.out.append(data)
            return
        if _to_fold(data):
            data = _SPACES.sub(" ", data)
        at_start = self._at_line_start()
        if at_start:
            data = data.lstrip(" ")
        if not data:
            return
        if self.code:
            self.out.append(data)
            return
        if "[sound:" not in data:  # no sound link (SOUND needs this): the text escaped, as below
            self.out.append(escape_markdown(data, at_start))
            return
        pieces = []
        last = 0
        for sound in SOUND.finditer(data):
            pieces.append(_before_link(escape_markdown(data[last : sound.start()], at_start and last == 0)))
            if not pieces[-1] and len(pieces) == 1 and self.out:
                self._before_link()
            name = sound.group(1).strip()
            self.images.append(name)
            pieces.append(f"[sound: {escape_markdown(name)}]({link_target(name)})")
            last = sound.end()
        pieces.append(escape_markdown(data[last:], at_start and last == 0))
        self.out.append("".join(pieces))


def _marked(text: str, mark: str) -> str:
    """`text` with `mark` around the words of each of its lines, after any block prefix (`- `, `# `)."""
    if "```" in text:  # a code block inside: marks cannot reach into it
        return mark + text + mark
    if "\n" not in text and text[:1] not in ("", " ") and text[-1] != " " and not _BLOCK_LINE.match(text):
        return mark + text + mark  # one line, its words from end to end (as the loop below makes it)
    lines = []
    for line in text.split("\n"):
        prefix = _BLOCK_LINE.match(line)
        head = prefix.end() if prefix else 0
        core = line[head:].strip(" ")
        if core:
            start = line.index(core, head)
            line = line[:start] + mark + core + mark + line[start + len(core):]
        lines.append(line)
    return "\n".join(lines)


def _before_link(text: str) -> str:
    """Markdown text that a sound link follows, its end made safe for the link.

    An unescaped `!` would make the link an image: it becomes `\\!`. A trailing backslash (always an escaped
    one, `\\\\`) becomes `&#92;`, the same backslash, so no reader of the link takes its bracket for an
    escaped one."""
    if text.endswith("!") and _trailing_backslashes(text[:-1]) % 2 == 0:
        return text[:-1] + "\\!"
    trailing = _trailing_backslashes(text)
    return text[:-2] + "&#92;" if trailing and trailing % 2 == 0 else text


def _trailing_backslashes(text: str) -> int:
    return len(text) - len(text.rstrip("\\"))


def link_target(name: str) -> str:
    """A markdown link target: in angle brackets where the name has a space, a bracket or a parenthesis."""
    return f"<{name}>" if any(c in name for c in " ()<>") else name


# A line the structure made (a list item, heading, quote, fence or rule): no hard break before or after it.
_BLOCK_LINE = re.compile(r"^(?:\s*(?:[-*+] |\d{1,9}[.)] )|#{1,6} |> |```|---$)")


def _hard_breaks(lines: list[str]) -> list[str]:
    """A line break inside a paragraph (`<br>`, a `<div>` per line, as Anki's editor writes) stays one: the
    line ends with a backslash, markdown's hard break (a bare newline would read as a space)."""
    out = []
    fenced = False
    block = [_BLOCK_LINE.match(line) is not None for line in lines]
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (line and following and not fenced and not line.startswith("```")
                and not block[index] and not block[index + 1]):
            line += "\\"
        out.append(line)
    return out


def _tidy(text: str) -> str:
    if "\n" not in text:  # one line: no break to keep, no blank lines to fold
        return text.replace("\xa0", " ").strip()
    lines = [line.rstrip() for line in text.replace("\xa0", " ").split("\n")]
    text = "\n".join(_hard_breaks(lines))
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").strip()
