"""What to draw for a card: its `illustrate:` field, else a choice made from its tags and id.

No torch here: the command resolves every card (and rejects bad prompts) before it loads a model.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.demo.vocab import default_prompt

# The deck format names the same list (srs.deck.model.IllustrationKind; a test keeps them equal).
SHOWS = ("forward", "reverse", "steps", "seeds", "prompt", "guidance", "schedule")

# The first tag that names a topic picks the picture; a card about anything else gets the filmstrip.
SHOW_FOR_TAG = {
    "forward": "forward",
    "forward-process": "forward",
    "reverse": "reverse",
    "reverse-process": "reverse",
    "steps": "steps",
    "sampling": "steps",
    "seeds": "seeds",
    "seed": "seeds",
    "guidance": "guidance",
    "cfg": "guidance",
    "classifier-free-guidance": "guidance",
    "conditioning": "prompt",
    "text-encoder": "prompt",
    "cross-attention": "prompt",
    "prompt": "prompt",
    "schedule": "schedule",
    "noise-schedule": "schedule",
    "snr": "schedule",
}
DEFAULT_SHOW = "reverse"


@dataclass(frozen=True)
class Plan:
    """Everything that decides the picture for one card (with the model and the step count)."""

    item_id: str
    show: str
    prompt: str
    seed: int


def show_for_tags(tags) -> str:
    for tag in tags:
        if tag in SHOW_FOR_TAG:
            return SHOW_FOR_TAG[tag]
    return DEFAULT_SHOW


def seed_for(item_id: str) -> int:
    """A seed from a stable hash of the item id: cards that ask for the same picture without a seed
    (seven guidance cards with one prompt) still get seven different pictures."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"seed:{item_id}".encode()).digest()[:4], "big") % 1000


def plan_for(item, *, prompt: str | None = None, seed: int | None = None, default_seed: int | None = None) -> Plan:
    """The card's own `illustrate:` settings win over defaults; `prompt`/`seed` given here win over both
    (they come from the command line, where the user asked for them explicitly). Without any seed, the
    item id picks one."""
    spec = getattr(item, "illustrate", None)
    show = spec.show if spec is not None else show_for_tags(getattr(item, "tags", ()))
    if prompt is None:
        prompt = spec.prompt if spec is not None and spec.prompt is not None else default_prompt(item.id)
    if seed is None:
        seed = spec.seed if spec is not None and spec.seed is not None else default_seed
    if seed is None:
        seed = seed_for(item.id)
    return Plan(item.id, show, prompt, seed)


def resolve_items(targets, deck_paths) -> tuple[list, list]:
    """(items, diagnostics) for the targets: paths load their decks (their diagnostics come back for the
    caller to show); other words name decks or items (or cards, `item#c2`) among `deck_paths` (default:
    SRS_DECKS, ./decks and ./quizzes, or the bundled course). No targets: every item of those decks."""
    import re
    from pathlib import Path

    from srs.deck import load_paths
    from srs.errors import UserError
    from srs.paths import default_deck_paths

    paths = [Path(t) for t in targets if Path(t).exists()]
    names = [t for t in targets if not Path(t).exists()]
    items: list = []
    diagnostics: list = []
    if paths:
        loaded = load_paths(paths)
        diagnostics += loaded.errors
        items += [item for deck in loaded.decks for item in deck.items]
    if names or not targets:
        base = list(deck_paths) or default_deck_paths()
        if not base:
            raise UserError("no decks found: give deck files or folders, or --decks")
        pool = load_paths(base)
        by_deck = {deck.id: deck.items for deck in pool.decks}
        by_item = {item.id: item for deck in pool.decks for item in deck.items}
        if not targets:
            items += [item for deck in pool.decks for item in deck.items]
        for name in names:
            key = re.sub(r"#c\d+$", "", name)
            if key in by_deck:
                items += by_deck[key]
            elif key in by_item:
                items.append(by_item[key])
            else:
                raise UserError(f"no deck file, deck or item '{name}'{_suggest(key, [*by_deck, *by_item])}")
    if not items:
        raise UserError("no cards to illustrate")
    return list({item.id: item for item in items}.values()), diagnostics


def _suggest(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def require_demo_extra() -> None:
    """Torch and diffusers are installed (found, not imported: a cached picture needs neither)."""
    import importlib.util
    import sys

    from srs.distribution import install_command
    from srs.errors import UserError

    for name in ("torch", "diffusers"):
        try:
            found = sys.modules[name] is not None if name in sys.modules else importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = False
        if not found:
            raise UserError(f"srs demo needs torch and diffusers: {install_command('demo')}")
