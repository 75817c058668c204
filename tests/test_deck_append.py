"""Adding an item to a deck file's text (srs add) changes no other byte, whatever the file's layout."""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from srs.deck.append import append_item, render_item
from srs.deck.loader import load_file

WORDS = st.sampled_from(["noise", "Step two?", "a: b", "'quoted'", "#not a comment", "ünï", "x" * 30])


@st.composite
def deck_texts(draw) -> tuple[str, int]:
    dash = draw(st.sampled_from([0, 2, 4]))
    pad, body = " " * dash, " " * (dash + 2)
    lines = []
    if draw(st.booleans()):
        lines.append("# a deck, by hand")
    title = draw(st.sampled_from(["Mine", "Mine   # the title", '"Mine"']))
    lines.append(f"title: {title}")
    if draw(st.booleans()):
        lines.append("options: {new_per_day: 5}")
    lines.append("items:" + draw(st.sampled_from(["", "  # the items"])))
    for n in range(draw(st.integers(1, 4))):
        front, comment = f"{draw(WORDS)} {n}", draw(st.sampled_from(["", "# why"]))
        lines.append(f"{pad}- q: {front!r} {comment}".rstrip())
        lines.append(f"{body}a: answer {n}")
        if draw(st.booleans()):
            lines.append(f"{body}# a comment inside the item")
        lines += [""] * draw(st.integers(0, 2))
    lines += draw(st.lists(st.sampled_from(["# the end", ""]), max_size=2))
    if draw(st.booleans()):
        lines.append("tags: [core]")
    text = "\n".join(lines) + draw(st.sampled_from(["\n", ""]))
    return text, dash


@settings(max_examples=200, deadline=None)
@given(deck_texts(), st.sampled_from(["Capital of Peru?", "new: b", "It's \"quoted\"", "multi\nline"]))
def test_only_the_new_items_lines_are_added(deck, front):
    text, dash = deck
    item = {"front": front, "back": "Lima", "tags": ["geo"]}
    new = append_item(text, item)
    inserted = render_item(item, dash)
    assert inserted in new
    at = new.index(inserted)
    old = new[:at] + new[at + len(inserted):]
    assert old == text or (not text.endswith("\n") and old == text + "\n")
    before, after = load_file("d.yaml", text.encode()), load_file("d.yaml", new.encode())
    assert after.ok, [str(d) for d in after.diagnostics]
    assert [i.content_hash for i in after.deck.items[:-1]] == [i.content_hash for i in before.deck.items]
    assert after.deck.items[-1].body.front == front and "geo" in after.deck.items[-1].tags  # and the deck's tags


BASE = "title: T\nitems:\n  - q: one\n    a: two\n"


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)
       | st.lists(st.sampled_from(["a", " ", "\n", "\x85", "\u2028", "\u2029", "\t", "'", '"', ":"]), min_size=1)
       .map("".join))
def test_an_added_text_reads_back_as_the_same_text_written_by_hand_does(text):
    """Whatever the text (NEL, LS and PS are line breaks to the loader's YAML 1.1), `srs add` writes it so that
    it loads as the same text quoted by hand (JSON's escapes are YAML's double-quoted ones) loads."""
    by_hand = load_file("d.yaml", (BASE + f"  - q: {json.dumps(text)}\n    a: b\n").encode())
    assume(by_hand.ok)
    added = load_file("d.yaml", append_item(BASE, {"front": text, "back": "b"}).encode())
    assert added.ok, [str(d) for d in added.diagnostics]
    assert added.deck.items[-1].body.front == by_hand.deck.items[-1].body.front
