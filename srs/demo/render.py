"""Card illustrations as PNG files, rendered on demand and cached, for `srs demo` and the exporters.

The cache key holds everything that changes the picture (the card's content, the illustration, the
prompt, the seed, the step count and the model's weights), so a file found in the cache is the file
that rendering would make, and editing a card or retraining the model makes a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from srs.demo.cards import Plan, plan_for

CACHE_VERSION = 3  # bump when the drawing or sampling code changes what a given key looks like


def default_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("srs", appauthor=False) / "illustrations"


def render_card_illustration(item, *, seed: int | None = None, steps: int | None = None, model=None,
                             cache_dir: Path | None = None, device: str = "cpu") -> Path:
    """The PNG illustrating `item` (an srs.deck Item): its `illustrate:` settings, else defaults.

    `seed` is used when the card sets none; None lets the item id pick one (srs.demo.cards.seed_for).
    `model` is None for the bundled model, or a diffusers
    pipeline folder. Raises srs.errors.UserError when the demo extra is missing or the prompt uses
    words the bundled model does not know.
    """
    from srs.demo.models import load_sampler

    plan = plan_for(item, default_seed=seed)
    sampler = load_sampler(model, device)
    return render_plan(plan, sampler, getattr(item, "content_hash", ""), steps=steps, cache_dir=cache_dir)


def render_plan(plan: Plan, sampler, content_hash: str, *, steps: int | None = None,
                cache_dir: Path | None = None, progress=None):
    """The cached PNG for a plan, drawing it first when the cache does not have it."""
    steps = steps or sampler.default_steps
    path = cached_path(plan, content_hash, steps, sampler.identity, cache_dir or default_cache_dir())
    if not path.is_file():
        from srs.demo.illustrate import illustrate, save_png

        sampler.check_prompt(plan.prompt)
        picture = illustrate(plan.show, sampler, plan.prompt, plan.seed, steps, progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part.png")
        save_png(picture, partial)
        partial.replace(path)  # never leave a half-written file where the cache would trust it
    return path


def cached_path(plan: Plan, content_hash: str, steps: int, model_identity: str, cache_dir: Path) -> Path:
    key = json.dumps(
        {
            "v": CACHE_VERSION,
            "card": content_hash,
            "show": plan.show,
            "prompt": plan.prompt,
            "seed": plan.seed,
            "steps": steps,
            "model": model_identity,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return Path(cache_dir) / f"{safe_name(plan.item_id)}-{plan.show}-{digest}.png"


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "card"


def read_captions(path) -> list[str]:
    """The first row's captions, as `illustrate.save_png` stored them in the PNG (PIL only, no torch)."""
    from PIL import Image

    with Image.open(path) as image:
        return json.loads(image.text.get("srs:captions", "[]"))


def read_rows(path) -> list[dict]:
    """Each row's label, captions and frame boxes, as `illustrate.save_png` stored them."""
    from PIL import Image

    with Image.open(path) as image:
        return json.loads(image.text.get("srs:rows", "[]"))


def read_note(path) -> str:
    """What the picture's note says to look at."""
    from PIL import Image

    with Image.open(path) as image:
        return image.text.get("Description", "")
