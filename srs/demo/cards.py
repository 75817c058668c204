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
