"""The YAML writer's fast path writes exactly what PyYAML writes (it exists only to skip PyYAML's emitter)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.importers import yaml_writer
from srs.importers.yaml_writer import dump_deck

PIECES = list("ab xyz 019*_`#\\[](){}<>&!-+=.:~|$^'\",?") + [
    "{{c1::", "}}", "é", "日本語", "😀", "\n", "yes", "1.5", "null", " # ", ": ", "- ", "...", "---", "? ", "\t",
]
text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join).map(str.strip).filter(bool)
item = st.fixed_dictionaries(
    {"id": st.sampled_from(["one", "anki-1a2b3c", "x.y-z"]), "q": text, "a": text},
    optional={"typed": st.just(True), "extra": text, "tags": st.lists(st.sampled_from(["a", "b::c", "yes", "x.y"]),
                                                                       min_size=1, max_size=3, unique=True)},
)


def pyyaml_text(deck: dict) -> str:
    """The writer's text when PyYAML writes the whole deck (the path taken before the fast one existed)."""
    ordered = yaml_writer.ordered(deck, yaml_writer.TOP_ORDER)
    ordered["items"] = [yaml_writer.ordered(i, yaml_writer.ITEM_ORDER) for i in ordered["items"]]
    saved = yaml_writer._items_apart
    yaml_writer._items_apart = lambda deck: None
    try:
        return dump_deck(ordered)
    finally:
        yaml_writer._items_apart = saved


@settings(max_examples=300, deadline=None)
@given(title=text, items=st.lists(item, min_size=1, max_size=4))
def test_the_fast_path_writes_what_pyyaml_writes(title, items):
    deck = {"title": title, "id": "d", "items": items}
    written = dump_deck(deck)
    assert written == pyyaml_text(deck)
    assert yaml.safe_load(written) == yaml_writer.ordered(deck, yaml_writer.TOP_ORDER)
