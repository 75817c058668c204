"""Anki -> YAML -> Anki and YAML -> Anki -> YAML keep what the learner sees: text (markdown specials, HTML,
MathJax, cloze markers, Unicode), images on their side, sounds, reverse cards, tags with their nesting,
suspension. Property tests generate the field text with hypothesis."""

from __future__ import annotations

import html
import sqlite3
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest
from anki_fixtures import BASIC, PNG
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from srs.deck import load_file, load_paths
from srs.export.anki import export_anki
from srs.importers.anki import import_package
from srs.importers.yaml_writer import dump_deck

OPTIONAL_REVERSE = genanki.Model(
    1607392322, "Basic (optional reversed card)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Add Reverse"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"},
        {"name": "Card 2", "qfmt": "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
         "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"},
    ],
)


def package_of(tmp_path: Path, notes, media=(), name="made.apkg") -> Path:
    deck = genanki.Deck(2059400110, "Made in Anki")
    for note in notes:
        deck.add_note(note)
    path = tmp_path / name
    genanki.Package(deck, media_files=[str(m) for m in media]).write_to_file(str(path))
    return path


def imported_items(tmp_path: Path, package: Path, folder="decks"):
    import_package(package, tmp_path / folder)
    (yaml_file,) = sorted((tmp_path / folder).glob("*.yaml"))
    result = load_file(yaml_file)
    assert result.ok, result.diagnostics
    return result.deck.items


def exported_fields(package: Path) -> list[list[str]]:
    """The fields of every note of an .apkg, read from its collection (schema 11, as srs writes it)."""
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    db = package.with_suffix(".sqlite")
    db.write_bytes(data)
    conn = sqlite3.connect(db)
    try:
        return [flds.split("\x1f") for (flds,) in conn.execute("SELECT flds FROM notes ORDER BY id")]
    finally:
        conn.close()


class _Visible(HTMLParser):
    """What a field shows: each character with the marks (bold, italics, code) it is shown in, and breaks."""

    MARKS = {"b": "**", "strong": "**", "i": "_", "em": "_", "code": "`"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, frozenset | None]] = []
        self.active: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.MARKS:
            self.active.append(self.MARKS[tag])
        elif tag in ("br", "div", "p"):
            self.parts.append(("\n", None))

    def handle_endtag(self, tag):
        if tag in self.MARKS and self.MARKS[tag] in self.active:
            self.active.reverse()
            self.active.remove(self.MARKS[tag])
            self.active.reverse()
        elif tag in ("div", "p"):
            self.parts.append(("\n", None))

    def handle_data(self, data):
        for char in data:
            space = char.isspace()
            self.parts.append((" " if space else char, None if space else frozenset(self.active)))


def visible(field_html: str) -> list[tuple[str, frozenset | None]]:
    """The field's runs of text in one style, spaces (collapsed, unstyled) and line breaks (however written:
    <br>, <div>, <p>; a run of them counts once), as a browser shows them: where a mark starts or ends among
    spaces, or whether bold is written once over two lines or once per line, does not show."""
    parser = _Visible()
    parser.feed(field_html)
    parser.close()
    collapsed: list[tuple[str, frozenset | None]] = []
    for char, style in parser.parts:
        if style is None and collapsed and collapsed[-1][1] is None:  # spaces and breaks: a break wins
            if char == "\n":
                collapsed[-1] = ("\n", None)
            continue
        collapsed.append((char, style))
    while collapsed and collapsed[-1][1] is None:
        collapsed.pop()
    while collapsed and collapsed[0][1] is None:
        collapsed.pop(0)
    runs: list[tuple[str, frozenset | None]] = []
    for char, style in collapsed:
        if runs and style is not None and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + char, style)
        else:
            runs.append((char, style))
    return runs


# -- one behaviour each ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        ("2*3*4", r"2\*3\*4"),
        ("__init__ and snake_case", r"\_\_init\_\_ and snake_case"),
        (r"\(x^2\) and \[y\]", r"\\(x^2\\) and \\\[y\\\]"),
        ("# x", r"\# x"),
        ("1. one", r"1\. one"),
        ("a &lt;b&gt; tag", r"a \<b> tag"),
    ],
)
def test_field_text_is_escaped_for_markdown_and_renders_back_the_same(tmp_path, field, markdown):
    from srs.render.markdown import to_html

    (item,) = imported_items(tmp_path, package_of(tmp_path, [genanki.Note(BASIC, [field, "back"], guid="g1")]))
    assert item.body.front == markdown
    assert to_html(item.body.front) == field


def test_an_image_on_the_back_stays_on_the_back(tmp_path):
    (tmp_path / "front.png").write_bytes(PNG)
    (tmp_path / "back.png").write_bytes(PNG + b"2")
    notes = [
        genanki.Note(BASIC, ["Which colour?", 'Red <img src="back.png">'], guid="back-image"),
        genanki.Note(BASIC, ['What is this? <img src="front.png">', "A dot"], guid="front-image"),
    ]
    items = imported_items(tmp_path, package_of(tmp_path, notes, [tmp_path / "front.png", tmp_path / "back.png"]))
    back, front = items
    assert back.body.image is None and back.body.back == "Red ![](media/back.png)"
    assert front.body.image == "media/front.png" and front.body.front == "What is this?"
    assert (tmp_path / "decks" / "media" / "back.png").read_bytes() == PNG + b"2"


def test_a_sound_reference_is_kept_as_a_media_link_and_goes_back_to_anki_as_a_sound(tmp_path):
    (tmp_path / "hello.mp3").write_bytes(b"ID3 not really audio")
    note = genanki.Note(BASIC, ["Say hello [sound:hello.mp3]", "Bonjour"], guid="sound")
    (item,) = imported_items(tmp_path, package_of(tmp_path, [note], [tmp_path / "hello.mp3"]))
    assert item.body.front == "Say hello [sound: hello.mp3](media/hello.mp3)"
    assert (tmp_path / "decks" / "media" / "hello.mp3").read_bytes() == b"ID3 not really audio"

    out = tmp_path / "again.apkg"
    export_anki(load_paths([tmp_path / "decks"]).decks, out)
    (fields,) = exported_fields(out)
    assert fields[0].startswith("Say hello [sound:srs-") and fields[0].endswith("-hello.mp3]")
    with zipfile.ZipFile(out) as archive:
        assert b"ID3 not really audio" in [archive.read(n) for n in archive.namelist() if n.isdigit()]


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        (r"a\[sound:hello.mp3]", "a&#92;[sound: hello.mp3](media/hello.mp3)"),
        (r"!\[sound:hello.mp3]", "!&#92;[sound: hello.mp3](media/hello.mp3)"),
        (r"\![sound:hello.mp3]", r"\\\![sound: hello.mp3](media/hello.mp3)"),
        ("![sound:hello.mp3]", r"\![sound: hello.mp3](media/hello.mp3)"),
    ],
)
def test_a_backslash_or_bang_before_a_sound_is_text_and_the_sound_stays_a_sound(tmp_path, field, markdown):
    (tmp_path / "hello.mp3").write_bytes(b"ID3 not really audio")
    note = genanki.Note(BASIC, [html.escape(field, quote=False), "x"], guid="sound")
    (item,) = imported_items(tmp_path, package_of(tmp_path, [note], [tmp_path / "hello.mp3"]))
    assert item.body.front == markdown
    out = tmp_path / "again.apkg"
    export_anki(load_paths([tmp_path / "decks"]).decks, out)
    (fields,) = exported_fields(out)
    prefix = field[: field.index("[sound:")]
    assert fields[0].startswith(prefix + "[sound:srs-") and fields[0].endswith("-hello.mp3]")


@pytest.mark.parametrize("field", [r"a\<b>[sound:hello.mp3]</b>", "a!<i>[sound:hello.mp3]</i>",
                                   r"a <b>\</b>[sound:hello.mp3]", "<b>!</b>[sound:hello.mp3]"])
def test_a_mark_between_a_backslash_or_bang_and_a_sound_keeps_all_three(tmp_path, field):
    (tmp_path / "hello.mp3").write_bytes(b"ID3 not really audio")
    note = genanki.Note(BASIC, [field, "x"], guid="sound")
    imported_items(tmp_path, package_of(tmp_path, [note], [tmp_path / "hello.mp3"]))
    out = tmp_path / "again.apkg"
    export_anki(load_paths([tmp_path / "decks"]).decks, out)
    (fields,) = exported_fields(out)
    shown = visible(fields[0].replace(fields[0][fields[0].index("[sound:"):fields[0].index("]") + 1],
                                      "[sound:hello.mp3]"))
    assert shown == visible(field)


def test_an_optional_reverse_is_its_own_item_and_its_switch_is_no_text(tmp_path):
    notes = [
        genanki.Note(OPTIONAL_REVERSE, ["chien", "dog", "y"], guid="with-reverse"),
        genanki.Note(OPTIONAL_REVERSE, ["chat", "cat", ""], guid="no-reverse"),
    ]
    items = imported_items(tmp_path, package_of(tmp_path, notes))
    shown = [(item.id, item.body.front, item.body.back) for item in items]
    assert shown == [
        ("with-reverse", "chien", "dog"),
        ("with-reverse-card2", "dog", "chien"),
        ("anki-" + __import__("hashlib").sha1(b"no-reverse").hexdigest()[:10], "chat", "cat"),
    ]


def test_tags_keep_their_nesting_and_their_case_both_ways(tmp_path):
    note = genanki.Note(BASIC, ["annyeong", "hello"], tags=["Lang::Korean", "greeting", "GREETING", "Café"],
                        guid="tagged")
    (item,) = imported_items(tmp_path, package_of(tmp_path, [note]))
    assert item.tags == ("Lang::Korean", "greeting", "Cafe")  # Anki matches tags ignoring case: one greeting
    anki_collection = pytest.importorskip("anki.collection")
    out = tmp_path / "again.apkg"
    export_anki(load_paths([tmp_path / "decks"]).decks, out)
    col = anki_collection.Collection(str(tmp_path / "col.anki2"))
    try:
        col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(out)))
        (nid,) = col.find_notes("tag:lang::korean")
        assert sorted(col.get_note(nid).tags) == ["Cafe", "Lang::Korean", "greeting"]
        assert "Lang::Korean" in col.tags.all()
    finally:
        col.close()
    assert imported_items(tmp_path, out, "again")[0].tags == item.tags


def test_suspended_cards_stay_suspended(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")


    col = anki_collection.Collection(str(tmp_path / "source.anki2"))
    did = col.decks.id("Suspended")
    notes = []
    for front in ("kept", "paused"):
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "x"
        col.add_note(note, did)
        notes.append(note)
    col.sched.suspend_cards([notes[1].cards()[0].id])
    suspended = export_import_card_field(col, did, tmp_path, "suspended")
    assert suspended == {"kept": 0, "paused": 1}


# -- property tests ----------------------------------------------------------------------------------------

PIECES = list("ab xyz 019*_`#\\[](){}<>&!-+=.:~|$^'\"") + [
    r"\(", r"\)", "$$", "{{c1::", "}}", "&amp;", "&lt;", "2*3*4", "__init__", "# ", "1. ", "- ", "> ",
    "é", "ß", "日本語", "한국어", "😀", "[sound:x]", "<b>", "http://x.y", "**", "~~~", "```",
]
field_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join).map(str.strip).filter(bool)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(front=field_text, back=st.lists(field_text, min_size=1, max_size=3), mark=st.sampled_from([None, "b", "i"]),
       span=st.tuples(st.integers(0, 2), st.integers(0, 2)), divs=st.booleans())
# A backslash before a sound tag is text, and the tag stays a sound; so with a `!` before either.
@example(front=r"\[sound:x]", back=[r"a\\[sound:x]"], mark=None, span=(0, 0), divs=False)
@example(front=r"!\[sound:x]", back=[r"\![sound:x]", "![sound:x]"], mark=None, span=(0, 0), divs=True)
# Bold or italics over several lines, as Anki's editor writes them.
@example(front="a", back=["x *", "y", "- z "], mark="b", span=(0, 2), divs=True)
@example(front="a", back=["x", "# y"], mark="i", span=(0, 1), divs=False)
def test_anki_to_yaml_to_anki_shows_the_same_fields(tmp_path_factory, front, back, mark, span, divs):
    """A note made in Anki (text as HTML, lines apart, bold or italics over some of them) comes back showing
    the same text, marks and line breaks."""
    tmp_path = tmp_path_factory.mktemp("a2y2a")
    lines = [html.escape(line, quote=False) for line in back]
    parts = lines[:1] + [f"<div>{line}</div>" for line in lines[1:]] if divs else lines
    first, last = sorted(min(end, len(parts) - 1) for end in span)
    if mark:  # over lines first..last, one element of the HTML around them
        parts[first:last + 1] = [f"<{mark}>" + ("" if divs else "<br>").join(parts[first:last + 1]) + f"</{mark}>"]
    fields = [html.escape(front, quote=False), ("" if divs else "<br>").join(parts)]
    import_package(package_of(tmp_path, [genanki.Note(BASIC, fields, guid="n1")]), tmp_path / "decks")
    out = tmp_path / "back.apkg"
    export_anki(load_paths([tmp_path / "decks"]).decks, out)
    (again,) = exported_fields(out)
    assert [visible(again[0]), visible(again[1])] == [visible(fields[0]), visible(fields[1])]


def cloze_text(parts):
    return st.tuples(parts, parts.filter(lambda t: "}}" not in t and "::" not in t and "{{" not in t), parts)


@SETTINGS
@given(pieces=cloze_text(field_text))
def test_anki_cloze_to_yaml_to_anki_keeps_the_deletion(tmp_path_factory, pieces):
    tmp_path = tmp_path_factory.mktemp("cloze")
    before, hidden, after = (p.replace("{{c1::", "{{ c1 ::").replace("}}", "} }") for p in pieces)
    field = html.escape(f"{before} {{{{c1::{hidden}}}}} {after}", quote=False)
    import_package(package_of(tmp_path, [genanki.Note(genanki.CLOZE_MODEL, [field, ""], guid="c1")]), tmp_path / "d")
    (item,) = load_paths([tmp_path / "d"]).decks[0].items
    assert item.card_ids() == [f"{item.id}#c1"]
    out = tmp_path / "back.apkg"
    export_anki(load_paths([tmp_path / "d"]).decks, out)
    (again,) = exported_fields(out)
    assert visible(again[0]) == visible(field)


@SETTINGS
@given(front=field_text, back=field_text)
def test_yaml_to_anki_to_yaml_gives_back_the_same_file(tmp_path_factory, front, back):
    tmp_path = tmp_path_factory.mktemp("y2a2y")
    folder = tmp_path / "decks"
    folder.mkdir()
    data = {"title": "Generated", "id": "generated", "items": [{"id": "one", "q": front, "a": back}]}
    text = dump_deck(data, "# Written by a test.")
    (folder / "generated.yaml").write_text(text, encoding="utf-8")
    result = load_file(folder / "generated.yaml")
    if not result.ok:  # text that is no valid item (e.g. only spaces) is not a deck to round-trip
        return
    out = tmp_path / "out.apkg"
    export_anki([result.deck], out)
    import_package(out, tmp_path / "again")
    back_text = (tmp_path / "again" / "generated.yaml").read_text(encoding="utf-8")
    assert back_text.split("\n", 1)[1] == text.split("\n", 1)[1]


def test_flags_come_over_and_go_back(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")

    from srs.export.anki_history import load_history

    col = anki_collection.Collection(str(tmp_path / "source.anki2"))
    did = col.decks.id("Flags")
    for front in ("plain", "green"):
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = front, "x"
        col.add_note(note, did)
        if front == "green":
            col.set_user_flag_for_cards(3, [note.cards()[0].id])
    flagged = export_import_card_field(col, did, tmp_path, "flagged")
    assert flagged == {"plain": None, "green": "flagged in Anki (green)"}

    decks = load_paths([tmp_path / "decks"]).decks
    out = tmp_path / "again.apkg"
    export_anki(decks, out, history=load_history(tmp_path / "srs.db", [i.id for i in decks[0].items]))
    target = anki_collection.Collection(str(tmp_path / "target.anki2"))
    try:
        target.import_anki_package(anki_collection.ImportAnkiPackageRequest(
            package_path=str(out), options=anki_collection.ImportAnkiPackageOptions(with_scheduling=True)))
        flags = {target.get_note(target.get_card(c).nid)["Front"]: target.get_card(c).user_flag()
                 for c in target.find_cards("")}
    finally:
        target.close()
    assert flags == {"plain": 0, "green": 3}


def test_imported_text_names_its_card_without_escapes(tmp_path):
    """Lists and messages name a card by its first line as plain text: escapes and hard breaks do not show."""
    from srs.ui.markup import plain_line

    note = genanki.Note(BASIC, ["2*3*4 and __init__<br>second line", "x"], guid="named")
    (item,) = imported_items(tmp_path, package_of(tmp_path, [note]))
    assert item.body.front == "2\\*3\\*4 and \\_\\_init\\_\\_\\\nsecond line"
    assert plain_line(item.body.front) == "2*3*4 and __init__"


def export_import_card_field(col, did: int, tmp_path, field: str) -> dict:
    """Export deck `did` of `col` with scheduling (closing `col`), import it into a new srs store, and give
    each imported item's front mapped to its card's `field`."""
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    from srs.store import Store

    package = tmp_path / f"{field}.apkg"
    col.export_anki_package(out_path=str(package), limit=DeckIdLimit(did), options=ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False))
    col.close()
    store = Store.open(tmp_path / "srs.db")
    try:
        import_package(package, tmp_path / "decks", store=store)
        items = load_paths([tmp_path / "decks"]).decks[0].items
        return {item.body.front: getattr(store.find_card(item.id), field) for item in items}
    finally:
        store.close()
