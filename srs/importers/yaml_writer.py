"""Writing decks as tidy YAML: stable key order, block scalars for multi-line text, Unicode kept.

The output reads like a hand-written deck (see docs/format.md): top-level keys in the order title, id,
kind, description, tags, options, items; in an item, id first, then its text fields in reading order;
short lists of slugs (tags, answers) in flow style `[a, b]`; multi-line text as `|` block scalars.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

TOP_ORDER = ("title", "id", "kind", "description", "tags", "options", "items")
ITEM_ORDER = (
    "id", "kind", "q", "a", "front", "back", "typed", "question", "prompt", "text", "extra", "steps", "options",
    "answer", "correct", "explanation", "image", "illustrate", "tags",
)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and never emits aliases."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


FOLD_FROM = 90  # single-line text longer than this is written folded (`>-`), as people wrap prose


class _PlainDumper(_Dumper):
    """The fallback: no block or folded scalars, for text whose styled form would not read back the same."""


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        # Block scalars cannot carry trailing spaces on a line or a leading space on the first.
        value = "\n".join(line.rstrip() for line in value.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > FOLD_FROM and value == value.strip() and "  " not in value and "\t" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _short_scalars(values) -> bool:
    return all(isinstance(v, (str, int, float, bool)) and "\n" not in str(v) and len(str(v)) <= 40 for v in values)


def _list(dumper: yaml.SafeDumper, value: list):
    flow = bool(value) and _short_scalars(value) and sum(len(str(v)) for v in value) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict(dumper: yaml.SafeDumper, value: dict):
    # Small mappings of short values read best on one line: `illustrate: {show: steps, seed: 3}`.
    flow = 0 < len(value) <= 3 and _short_scalars(value.values()) and all(isinstance(k, str) for k in value) \
        and sum(len(str(k)) + len(str(v)) for k, v in value.items()) <= 60 and not {"items", "steps"} & set(value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


# libyaml's loader, where PyYAML was built with it, reads the same YAML ten times faster.
_CHECK_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)
_PlainDumper.add_representer(str, yaml.representer.SafeRepresenter.represent_str)


def ordered(mapping: dict, order: tuple[str, ...]) -> dict:
    known = {k: mapping[k] for k in order if k in mapping}
    rest = {k: v for k, v in mapping.items() if k not in known}
    return {**known, **rest}


WIDTH = 100


def _dump(value, dumper=_Dumper, width: int = WIDTH) -> str:
    return yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=width, default_flow_style=False)


def _read_back(text: str):
    try:
        return yaml.load(text, Loader=_CHECK_LOADER)
    except yaml.YAMLError:
        return None


@lru_cache(maxsize=1024)
def _in_item_order(keys: tuple) -> bool:
    """Whether an item with these keys is in ITEM_ORDER already (items share a few key tuples)."""
    return tuple(ordered(dict.fromkeys(keys), ITEM_ORDER)) == keys


def _ordered_item(item):
    if isinstance(item, dict) and _in_item_order(tuple(item)):
        return item  # as the importer builds them: nothing to move
    return ordered(item, ITEM_ORDER)


def dump_deck(deck: dict, header: str | None = None) -> str:
    """One deck (a dict in the deck format) as YAML text; `header` becomes a leading comment."""
    deck = ordered(deck, TOP_ORDER)
    if "items" in deck:
        deck["items"] = [_ordered_item(item) for item in deck["items"]]
    if "options" in deck and isinstance(deck["options"], dict):
        deck["options"] = dict(deck["options"])
    apart = _items_apart(deck)
    if apart is not None:
        head, items = apart
        # A blank line between items, as people write them (each item's own lines are indented further).
        text = _blank_lines_between_items(head) + "\n" + "\n".join(items)
    else:
        body = _dump(deck)
        if yaml.load(body, Loader=_CHECK_LOADER) != deck:  # never write text that reads back differently
            body = _dump(deck, _PlainDumper)
        text = _blank_lines_between_items(body)
    if header:
        text = "".join(f"# {h}\n" if h else "#\n" for h in header.split("\n")) + text
    return text


def _blank_lines_between_items(body: str) -> str:
    """`body` with a blank line before each item under `items:` but the first."""
    lines = body.split("\n")
    out: list[str] = []
    in_items = False
    for line in lines:
        if line == "items:":
            in_items = True
        elif in_items and line.startswith("  - ") and out and out[-1] != "items:":
            out.append("")
        out.append(line)
    return "\n".join(out)


# -- the same text, faster ----------------------------------------------------------------------------------
# PyYAML's emitter, in Python, takes most of an import's time. Items are written one by one: the plain
# ones (short text, multi-line text, tags, flags) by the few lines below, which write what PyYAML would
# write; any other by PyYAML itself, 2 columns narrower, then indented by 2, which is the same text.


def _items_apart(deck: dict) -> tuple[str, list[str]] | None:
    """The deck's text up to its `items:` line (that line included, without its line break), and each item's
    text; None when some part would not read back as it is (the caller then lets PyYAML write it all, plainly
    if need be). The items written here read back by construction (a test pins them to PyYAML's text); what
    PyYAML writes is read back, piece by piece."""
    items = deck.get("items")
    if not isinstance(items, list) or not items or list(deck)[-1] != "items":
        return None
    # The deck's own keys as PyYAML writes them beside `items` (in block style, which `items` forces).
    head_data = {**{k: v for k, v in deck.items() if k != "items"}, "items": []}
    head = _dump(head_data)
    if not head.endswith("items: []\n") or _read_back(head) != head_data:
        return None
    parts = []
    for item in items:
        text = _fast_item(item) if isinstance(item, dict) else None
        if text is None:
            alone = _dump([item], width=WIDTH - 2)
            if _read_back(alone) != [item]:
                return None
            text = "".join(f"  {line}" if line.strip("\n") else line for line in alone.splitlines(True))
        parts.append(text)
    return head[: -len("items: []\n")] + "items:", parts


_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


_IMPLICIT_FIRST = frozenset(ch for ch in _RESOLVER.yaml_implicit_resolvers if ch)  # bool, int, null, ... start so


def _resolves_to_str(text: str) -> bool:
    return text[0] not in _IMPLICIT_FIRST or _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def _printable(text: str) -> bool:
    return text.isprintable() and "\ufeff" not in text


_WS = r"\0 \t\r\n\x85\u2028\u2029"
# What keeps PyYAML from writing one line of printable text plain (its analyze_scalar), in a block or in a flow.
_BLOCK_INDICATOR = re.compile(
    rf"^(?:---|\.\.\.|[#,\[\]{{}}&*!|>'\"%@`]|[?:\-](?:[{_WS}]|$))|:(?:[{_WS}]|$)|[{_WS}]#"
)
_FLOW_INDICATOR = re.compile(rf"^(?:---|\.\.\.|[#&*!|>'\"%@`]|-(?:[{_WS}]|$))|[,?\[\]{{}}:]|[{_WS}]#")


def _scalar(value, flow: bool) -> str | None:
    """One line of text as PyYAML writes it (plain, or in single quotes), or None where it would do more."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str) or not value or "\n" in value or not _printable(value):
        return None
    if value != value.strip() or not _resolves_to_str(value):
        return "'" + value.replace("'", "''") + "'"
    if (_FLOW_INDICATOR if flow else _BLOCK_INDICATOR).search(value) is None:
        return value
    return "'" + value.replace("'", "''") + "'"


@lru_cache(maxsize=4096)
def _plain_key(key: str) -> bool:
    return _scalar(key, True) == key


def _flow(value: list) -> str | None:
    """A short list of scalars in flow style (`[a, b]`), as PyYAML writes it; None where it would not."""
    if not value or not _short_scalars(value) or sum(len(str(v)) for v in value) > 60:
        return None
    scalars = [_scalar(v, True) for v in value]
    shown = [s for s in scalars if s is not None]
    if len(shown) != len(scalars):
        return None
    return "[" + ", ".join(shown) + "]"


@lru_cache(maxsize=4096)
def _flow_list(value: tuple[str, ...]) -> str | None:
    """_flow of a list of strings, remembered: the same tags are on many items."""
    return _flow(list(value))


@lru_cache(maxsize=1024)
def _plain_keys(keys: tuple) -> bool:
    """Whether every key is a string PyYAML writes plain (an item's keys: a few distinct tuples)."""
    return bool(keys) and all(isinstance(k, str) and _plain_key(k) for k in keys)


def _fast_item(item: dict) -> str | None:
    """`item` as PyYAML writes it under `items:`, or None where this does not know for sure."""
    if not _plain_keys(tuple(item)):
        return None
    if len(item) <= 3 and "items" not in item and "steps" not in item:
        values = list(item.values())
        if _short_scalars(values) and sum(len(str(k)) + len(str(v)) for k, v in item.items()) <= 60:
            scalars = [_scalar(v, True) for v in values]
            if None in scalars:
                return None
            line = "  - {" + ", ".join(f"{k}: {v}" for k, v in zip(item, scalars)) + "}"
            return line + "\n" if len(line) <= WIDTH else None
    lines = []
    lead = "  - "
    for key, value in item.items():
        if isinstance(value, str):
            if "\n" in value:
                # A block scalar (`|-`): no line may end in a space (printable text has no other whitespace but
                # the line breaks), nor the first begin with one.
                if (value[0] in " \n" or value[-1] in " \n" or " \n" in value
                        or not _printable(value.replace("\n", ""))):
                    return None
                lines.append(f"{lead}{key}: |-")
                lines.append("\n".join(f"      {line}" if line else "" for line in value.split("\n")))
                lead = "    "
                continue
            if len(value) > FOLD_FROM:
                return None  # folded (`>-`): PyYAML's
            text = _scalar(value, False)
        elif isinstance(value, list):
            text = _flow_list(tuple(value)) if all(type(v) is str for v in value) else _flow(value)
        else:
            text = _scalar(value, False)
        if text is None:
            return None
        line = f"{lead}{key}: {text}"
        if len(line) > WIDTH:
            return None  # PyYAML would wrap it
        lines.append(line)
        lead = "    "
    return "\n".join(lines) + "\n"
