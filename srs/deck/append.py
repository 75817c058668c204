"""Adding an item to a deck file's text, leaving every other byte of it as it was.

ruamel.yaml (round-trip mode) finds where the `items` sequence ends and at what indentation its entries
start, and writes the new item in block style; the item's lines are then inserted there, so the file's
comments, order, quoting and formatting stay byte for byte. The project's own loader checks the result
(srs/commands/add.py) before anything is written.
"""

from __future__ import annotations

import io
import re
from typing import Any

from srs.errors import UserError

_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")


def render_item(item: dict[str, Any], dash_col: int) -> str:
    """The item as a block sequence entry whose `-` is at column `dash_col` (0-based)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    # NEL, LS and PS are line breaks to srs's loader (YAML 1.1) but not to ruamel (1.2), which writes them raw:
    # read back, they would fold into spaces. Double quotes write them as the escapes \N, \L and \P.
    data = {key: DoubleQuotedScalarString(value) if isinstance(value, str) and _YAML11_BREAKS.search(value)
            else value for key, value in item.items()}
    if isinstance(data.get("tags"), list):
        data["tags"] = CommentedSeq(data["tags"])
        data["tags"].fa.set_flow_style()  # tags: [a, b], as the course writes them
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    lines = buffer.getvalue().removesuffix("\n").split("\n")  # not splitlines(): U+2028 and kin are text here
    pad = " " * dash_col
    return "".join(
        f"{pad}- {line}\n" if n == 0 else (f"{pad}  {line}\n" if line else "\n") for n, line in enumerate(lines)
    )


def append_item(text: str, item: dict[str, Any]) -> str:
    """`text` (a deck file) with `item` added at the end of its `items`; UserError where it cannot be."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(text)
    except YAMLError:
        raise UserError("the deck file is not valid YAML; fix it first (`srs check` says where)") from None
    if not isinstance(data, CommentedMap) or not isinstance(data.get("items"), CommentedSeq):
        raise UserError("the deck file has no `items:` list to add to")
    items: CommentedSeq = data["items"]
    if items.fa.flow_style():
        raise UserError("the deck's `items` are written inline ([...]); add this one by hand")
    lines = text.splitlines(keepends=True)
    keys = list(data.keys())
    at = keys.index("items")
    end = data.lc.key(keys[at + 1])[0] if at + 1 < len(keys) else len(lines)  # the first line after the items
    # The new entry goes after the last line that holds the items (not after trailing blanks or comments).
    last = end - 1
    while last > data.lc.key("items")[0] and re.fullmatch(r"\s*(#.*)?\n?", lines[last]):
        last -= 1
    if len(items):
        line, col = items.lc.item(len(items) - 1)
        dash_col = lines[line].rfind("-", 0, col)
        if dash_col < 0:
            raise UserError("the deck's last item is written in a way srs cannot follow; add this one by hand")
    else:
        dash_col = 2
    before = "".join(lines[: last + 1])
    if before and not before.endswith("\n"):
        before += "\n"
    return before + render_item(item, dash_col) + "".join(lines[last + 1 :])


def new_deck_text(title: str, item: dict[str, Any]) -> str:
    """A new deck file holding `item`."""
    from ruamel.yaml import YAML

    buffer = io.StringIO()
    YAML(typ="rt").dump({"title": title}, buffer)
    return buffer.getvalue() + "items:\n" + render_item(item, 2)
