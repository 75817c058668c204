"""srs items as Anki notes: the note types, their fields as HTML, and ids that never change.

Identity is what lets a newer export update notes in place. Note GUIDs, note-type ids and deck ids are
hashes of srs ids, so the same item always lands on the same Anki note, and the learner's Anki history
stays with it. Field content is rendered markdown; text that is not meant as HTML is escaped.

Each note also keeps the item's id ("srs id") and the item itself as JSON ("srs item"), unseen on the
cards: `srs import anki` reads them to restore items exactly. Each deck keeps the srs deck's own fields
(id, kind, title, file name, description, tags, options, item order) in its Anki description, inside an
HTML comment (`deck_marker`) that Anki keeps and never shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from srs.errors import UserError
from srs.export.images import resolve_image
from srs.render.markdown import escape_html, image_sources, to_html

# Bump when a note type's fields or their order change: Anki refuses to merge a changed note type into the
# one it has under the same id, so a new layout needs new ids (and notes move to it on re-import).
NOTE_TYPE_VERSION = 1
ID_FIELD = "srs id"
ITEM_FIELD = "srs item"
DECK_MARKER = "srs-deck"  # <!-- srs-deck {...} --> in an Anki deck's description
DECK_MARKER_VERSION = 1


def stable_id(*parts: str) -> int:
    """A 64-bit-safe positive id from strings: the same input gives the same id in every export.

    Kept between 2**31 and 2**52 so it cannot meet Anki's small built-in ids (the Default deck is 1) and
    survives JSON readers that hold numbers as doubles.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return 2**31 + int.from_bytes(digest[:8], "big") % (2**52 - 2**31)


def note_guid(item_id: str) -> str:
    from genanki import guid_for

    return guid_for("srs", item_id)


def deck_marker(deck) -> str:
    """The srs deck's own fields as an HTML comment, `<!-- srs-deck {JSON} -->`, for its Anki description.

    The JSON escapes `<`, `>` and `&` (as \\u003c and so on, still valid JSON), so no text of the deck can
    close the comment early or read as markup.
    """
    data: dict = {"v": DECK_MARKER_VERSION, "id": deck.id, "kind": deck.kind, "title": deck.title,
                  "file": Path(deck.path).name}
    if deck.description:
        data["description"] = deck.description
    if deck.tags:
        data["tags"] = list(deck.tags)
    options = deck.options.model_dump(mode="json", exclude_defaults=True)
    if options:
        data["options"] = options
    data["items"] = [item.id for item in deck.items]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- {DECK_MARKER} {text} -->"


# -- note types ---------------------------------------------------------------------------------------

CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", "Noto Sans", Roboto, "Helvetica Neue", Arial,
    "Noto Sans CJK KR", "Noto Sans CJK JP", "Noto Sans CJK SC", sans-serif;
  font-size: 20px;
  line-height: 1.5;
  color: #1f2328;
  background-color: #fbfbfa;
  text-align: left;
  max-width: 36em;
  margin: 0 auto;
  padding: 0.5em 0.75em;
}
.card.nightMode, .nightMode .card { color: #e6e6e6; background-color: #1e1f22; }
.kind {
  font-size: 0.65em; letter-spacing: 0.08em; text-transform: uppercase; color: #6e7781; margin-bottom: 0.4em;
}
.nightMode .kind { color: #9198a1; }
.prompt { font-size: 1.1em; }
hr#answer { border: none; border-top: 1px solid #d0d7de; margin: 1em 0; }
.nightMode hr#answer { border-top-color: #3d444d; }
.extra, .explanation { margin-top: 0.8em; font-size: 0.9em; color: #59636e; }
.nightMode .extra, .nightMode .explanation { color: #a5adb6; }
.cloze { font-weight: 600; color: #0969da; }
.nightMode .cloze { color: #6cb6ff; }
code, pre {
  font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono", monospace; font-size: 0.88em;
}
code { background: rgba(125, 125, 125, 0.15); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: rgba(125, 125, 125, 0.12); padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
ol.labelled { list-style: none; padding-left: 0; }
/* A hanging indent as wide as the label (0.85 x (1.6 + 0.45) em), so wrapped lines align with the text. */
ol.labelled li { margin: 0.35em 0; padding-left: 1.75em; text-indent: -1.75em; }
.label {
  display: inline-block; width: 1.6em; margin-right: 0.45em; text-align: center; text-indent: 0;
  font-weight: 600; font-size: 0.85em; border-radius: 4px;
  color: #0969da; background: rgba(9, 105, 218, 0.1);
}
.nightMode .label { color: #6cb6ff; background: rgba(108, 182, 255, 0.15); }
ol.labelled li.correct { font-weight: 600; }
.image { margin-top: 0.8em; text-align: center; }
img { max-width: 100%; height: auto; }
/* A diffusion illustration (--illustrations): as wide as the card, however small the PNG. */
.srs-illustration { margin-top: 0.8em; text-align: center; }
.srs-illustration img {
  display: block; width: 100%; max-width: 100%; height: auto; margin: 0 auto; border-radius: 6px;
}
"""

_IMAGE = '{{#Image}}<div class="image">{{Image}}</div>{{/Image}}'
_EXPLANATION = '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'


@dataclass(frozen=True)
class NoteTypeSpec:
    key: str
    name: str
    fields: tuple[str, ...]
    front: str
    back: str
    cloze: bool = False


NOTE_TYPES = {
    "basic": NoteTypeSpec(
        "basic",
        "srs Basic",
        ("Front", "Back", "Image", ID_FIELD, ITEM_FIELD),
        f'<div class="prompt">{{{{Front}}}}</div>{_IMAGE}',
        '{{FrontSide}}<hr id="answer"><div class="answer">{{Back}}</div>',
    ),
    # A flashcard to answer by typing (`typed: true`, or a deck's `typed_answers`): Anki shows a box and
    # compares what was typed with the back.
    "typed": NoteTypeSpec(
        "typed",
        "srs Typed",
        ("Front", "Back", "Image", ID_FIELD, ITEM_FIELD),
        f'<div class="prompt">{{{{Front}}}}</div>{_IMAGE}{{{{type:Back}}}}',
        '<div class="prompt">{{Front}}</div>' + _IMAGE
        + '<hr id="answer">{{type:Back}}<div class="answer">{{Back}}</div>',
    ),
    "cloze": NoteTypeSpec(
        "cloze",
        "srs Cloze",
        ("Text", "Extra", "Image", ID_FIELD, ITEM_FIELD),
        f'<div class="prompt">{{{{cloze:Text}}}}</div>{_IMAGE}',
        f'<div class="prompt">{{{{cloze:Text}}}}</div>{_IMAGE}'
        '{{#Extra}}<hr id="answer"><div class="extra">{{Extra}}</div>{{/Extra}}',
        cloze=True,
    ),
    "ordering": NoteTypeSpec(
        "ordering",
        "srs Ordering",
        ("Prompt", "Steps", "Order", "Explanation", "Image", ID_FIELD, ITEM_FIELD),
        '<div class="kind">Put in order</div><div class="prompt">{{Prompt}}</div>' + _IMAGE + "{{Steps}}",
        '{{FrontSide}}<hr id="answer"><div class="kind">Right order</div><div class="answer">{{Order}}</div>'
        + _EXPLANATION,
    ),
    "choice": NoteTypeSpec(
        "choice",
        "srs Choice",
        ("Question", "Options", "Answer", "Explanation", "Image", ID_FIELD, ITEM_FIELD),
        '<div class="kind">Choose</div><div class="prompt">{{Question}}</div>' + _IMAGE + "{{Options}}",
        '<div class="kind">Choose</div><div class="prompt">{{Question}}</div>' + _IMAGE
        + '<hr id="answer"><div class="answer">{{Answer}}</div>' + _EXPLANATION,
    ),
}
KIND_TO_NOTE_TYPE = {
    "flashcard": "basic",
    "selfcheck": "basic",
    "cloze": "cloze",
    "ordering": "ordering",
    "choice": "choice",
}


def build_note_types() -> dict:
    """genanki models, one per note type, with ids derived from their names."""
    import genanki

    models = {}
    for spec in NOTE_TYPES.values():
        models[spec.key] = genanki.Model(
            stable_id("srs-note-type", spec.key, str(NOTE_TYPE_VERSION)),
            spec.name,
            fields=[{"name": name} for name in spec.fields],
            templates=[{"name": "Cloze" if spec.cloze else "Card 1", "qfmt": spec.front, "afmt": spec.back}],
            css=CSS,
            model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
        )
    return models


# -- media --------------------------------------------------------------------------------------------


@dataclass
class Media:
    """Image files the notes use, each shipped once under a name derived from its content.

    Content-derived names never clash with the learner's other media in Anki, and an edited image gets a
    new name, so Anki (which keeps the first file of a name) shows the new one.
    """

    files: dict[str, Path] = field(default_factory=dict)  # media name -> file on disk
    _by_path: dict[Path, str] = field(default_factory=dict)

    def add(self, source: str, deck_folder: Path, item) -> str:
        """An image the deck refers to, by its path relative to the deck's folder."""
        return self.add_file(resolve_image(source, deck_folder, item), item, f"image '{source}'")

    def add_file(self, path: Path, item, what: str | None = None) -> str:
        """A file for `item`: its image, or one made for the export (an illustration)."""
        target = Path(path).resolve()
        name = self._by_path.get(target)
        if name is not None:
            return name
        try:
            data = target.read_bytes()
        except OSError as exc:
            named = what or f"illustration {target}"
            raise UserError(f"{item.path}:{item.line}: item '{item.id}': cannot read {named}: "
                            f"{exc.strerror or exc}") from None
        return self._register(target, data)

    def _register(self, target: Path, data: bytes) -> str:
        name = f"srs-{hashlib.sha1(data).hexdigest()[:12]}-{_safe_name(target.name)}"
        self.files[name] = target
        self._by_path[target] = name
        return name


def _safe_name(name: str) -> str:
    # Anki media names are plain file names; keep letters, digits and a few marks.
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) or "image"


def _is_url(source: str) -> bool:
    return "://" in source or source.startswith("data:")


# -- fields -------------------------------------------------------------------------------------------


@dataclass
class NoteData:
    item_id: str
    note_type: str
    fields: list[str]
    tags: list[str]


class FieldRenderer:
    """Markdown of one item to HTML, with its images registered as media."""

    def __init__(self, item, deck_folder: Path, media: Media):
        self.item, self.folder, self.media = item, deck_folder, media

    def html(self, text: str) -> str:
        if not text:
            return ""
        if "](" in text and _SOUND_LINK.search(text):
            text = _SOUND_LINK.sub(self._sound, text)
        if "![" in text and image_sources(text):
            return to_html(text, self._resolve)
        return to_html(text)

    def _sound(self, match) -> str:
        """A link to a sound file next to the deck becomes Anki's `[sound:name]` (brackets escaped).

        Not an escaped bracket (`\\[`, an odd run of backslashes before it), not an image (`![`, its `!`
        itself not escaped), not a URL."""
        text, start = match.string, match.start()
        source = match.group(2) or match.group(3)
        escaped = _backslashes_before(text, start) % 2 == 1
        image = start > 0 and text[start - 1] == "!" and _backslashes_before(text, start - 1) % 2 == 0
        sound = match.group(1).startswith("sound: ") or _SOUND_FILE.search(source)
        if escaped or image or not sound or _is_url(source):
            return match.group(0)
        return f"\\[sound:{self.media.add(source, self.folder, self.item)}\\]"

    def _resolve(self, source: str) -> str:
        return source if _is_url(source) else self.media.add(source, self.folder, self.item)

    def labelled_list(self, pairs: list[tuple[str, str]], css: str, marked: Collection[str] = frozenset()) -> str:
        rows = "".join(
            f'<li{_CORRECT if label in marked else ""}><span class="label">{escape_html(label)}</span>'
            f"{self.html(text)}</li>"
            for label, text in pairs
        )
        return f'<ol class="labelled {css}">{rows}</ol>'


_CORRECT = ' class="correct"'
SOUND_EXTENSIONS = ("mp3", "ogg", "oga", "opus", "wav", "m4a", "aac", "flac", "webm", "spx")
# A markdown link, `[text](target)` or `[text](<a target>)`. `_sound` decides whether it is a sound: a file
# with a sound extension, or `[sound: name](file)` as `srs import anki` writes Anki's `[sound:name]`; and
# whether its bracket is escaped (a run of backslashes of any length before it: `\\[` is a backslash, then
# a link). The label holds no unescaped bracket, so an escaped `\[` never hides a link after it.
_SOUND_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\((?:<([^<>\n]+)>|([^\s()<>]+))\)")
_SOUND_FILE = re.compile(r"\.(?:" + "|".join(SOUND_EXTENSIONS) + r")$", re.IGNORECASE)


def _backslashes_before(text: str, end: int) -> int:
    """How many backslashes run up to `end` in `text` (an odd count escapes the character at `end`)."""
    start = end
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return end - start


# The field shown on the back of each note type, where an illustration goes.
BACK_FIELD = {"basic": 1, "typed": 1, "cloze": 1, "ordering": 2, "choice": 2}


def illustration_html(name: str) -> str:
    return f'<div class="srs-illustration"><img src="{escape_html(name)}"></div>'


def _extra_html(render, extra: str) -> str:
    """A flashcard's or self-check's `extra`, set apart on the back as a cloze's Extra field is."""
    return f'<div class="extra">{render.html(extra)}</div>' if extra else ""


def note_for(item, deck_folder: Path, media: Media, illustration: Path | None = None,
             typed_answers: bool = False) -> NoteData:
    """The note for `item`; `illustration` (a PNG) is shipped as media and shown on the back.

    A flashcard with `typed: true`, or any flashcard of a deck with `typed_answers`, becomes a typed note."""
    body = item.body
    render = FieldRenderer(item, deck_folder, media)
    image_name = media.add(body.image, deck_folder, item) if body.image else ""
    image_html = f'<img src="{escape_html(image_name)}">' if image_name else ""
    kind = item.kind
    if kind == "flashcard":
        text = [render.html(body.front), render.html(body.back) + _extra_html(render, body.extra)]
    elif kind == "selfcheck":
        text = [render.html(body.question), render.html(body.answer) + _extra_html(render, body.extra)]
    elif kind == "cloze":
        text = [render.html(body.text), render.html(body.extra)]
    elif kind == "ordering":
        steps = list(body.steps.items())
        text = [
            render.html(body.prompt),
            render.labelled_list(steps, "steps"),
            render.labelled_list([(label, body.steps[label]) for label in body.answer], "order"),
            render.html(body.explanation),
        ]
    elif kind == "choice":
        options = list(zip(body.labels, body.options, strict=True))
        correct = {label.lower() for label in body.correct}
        text = [
            render.html(body.question),
            render.labelled_list(options, "options"),
            render.labelled_list([(lab, opt) for lab, opt in options if lab in correct], "correct", correct),
            render.html(body.explanation),
        ]
    else:  # a kind added to the format but not here yet
        raise UserError(f"{item.path}:{item.line}: cannot export items of kind '{kind}' to Anki yet")
    note_type = KIND_TO_NOTE_TYPE[kind]
    if kind == "flashcard" and (body.typed or typed_answers):
        note_type = "typed"
    if illustration is not None:
        text[BACK_FIELD[note_type]] += illustration_html(media.add_file(illustration, item))
    stored = body.model_dump(mode="json", exclude_defaults=True)
    stored = {"id": item.id, "kind": kind, **{k: v for k, v in stored.items() if k not in ("id", "kind")}}
    if image_name:
        stored["image"] = image_name
    # Only &, < and > need escaping for Anki to keep the JSON as text; quotes stay readable in its editor.
    stored_json = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
    stored_json = stored_json.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    fields = text + [image_html, escape_html(item.id), stored_json]
    return NoteData(item.id, note_type, fields, list(item.tags))
