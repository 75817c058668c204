"""Writing decks as tidy YAML: stable key order, block scalars for multi-line text, Unicode kept.

The output reads like a hand-written deck (see docs/format.md): top-level keys in the order title, id,
kind, description, tags, options, items; in an item, id first, then its text fields in reading order;
short lists of slugs (tags, answers) in flow style `[a, b]`; multi-line text as `|` block scalars.
"""

from __future__ import annotations

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


def dump_deck(deck: dict, header: str | None = None) -> str:
    """One deck (a dict in the deck format) as YAML text; `header` becomes a leading comment."""
    deck = ordered(deck, TOP_ORDER)
    if "items" in deck:
        deck["items"] = [ordered(item, ITEM_ORDER) for item in deck["items"]]
    if "options" in deck and isinstance(deck["options"], dict):
        deck["options"] = dict(deck["options"])
    body = yaml.dump(deck, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    if yaml.load(body, Loader=_CHECK_LOADER) != deck:  # never write text that reads back differently
        body = yaml.dump(deck, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100,
                         default_flow_style=False)
    # A blank line between items, as people write them.
    lines = body.split("\n")
    out = []
    in_items = False
    for line in lines:
        if line == "items:":
            in_items = True
        elif in_items and line.startswith("  - ") and out and out[-1] != "items:":
            out.append("")
        out.append(line)
    text = "\n".join(out)
    if header:
        text = "".join(f"# {h}\n" if h else "#\n" for h in header.split("\n")) + text
    return text
