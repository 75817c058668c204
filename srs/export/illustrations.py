"""`--illustrations`: each illustrated item's diffusion picture, for the exporters to attach.

Only items with an `illustrate:` field get one. srs.demo.render (and with it torch) is imported only here,
when the flag is given, so `srs export` without it never pays for the model.
"""

from __future__ import annotations

from pathlib import Path

from srs.distribution import install_command
from srs.errors import UserError
from srs.export.progress import Progress



def install_hint(exc: ImportError) -> str:
    """srs's one line for a missing demo extra, naming the module that is missing."""
    missing = f" ({exc.name} is not installed)" if exc.name else ""
    return f"--illustrations needs torch and diffusers{missing}: {install_command('demo')}"


def illustrated(decks) -> list[tuple]:
    """(deck, item) for every item with an `illustrate:` field, the only ones that get a picture."""
    return [(deck, item) for deck in decks for item in deck.items if getattr(item, "illustrate", None) is not None]


def render_illustrations(decks, *, steps: int | None = None, progress: Progress | None = None
                         ) -> dict[tuple[str, str], Path]:
    """The PNG of every illustrated item, keyed by (deck id, item id) (cached on disk)."""
    progress = progress or Progress()
    items = illustrated(decks)
    if not items:
        return {}
    try:
        from srs.demo.render import render_card_illustration
    except ImportError as exc:
        raise UserError(install_hint(exc)) from None
    progress.step("Rendering illustrations", len(items))
    paths: dict[tuple[str, str], Path] = {}
    for deck, item in items:
        try:
            paths[(deck.id, item.id)] = Path(render_card_illustration(item, steps=steps))
        except ImportError as exc:
            raise UserError(install_hint(exc)) from None
        except UserError as exc:
            raise UserError(f"{item.path}:{item.line}: item '{item.id}': illustration: {exc}") from None
        progress.advance()
    return paths
