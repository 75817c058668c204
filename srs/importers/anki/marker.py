"""The srs deck marker: what `srs export anki` writes at the end of an Anki deck's description, read back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from srs.importers.html_text import html_to_markdown

if TYPE_CHECKING:
    from srs.importers.anki.convert import DeckOut


# What `srs export anki` puts at the end of an Anki deck's description (srs.export.anki_notes.deck_marker).
DECK_MARKER = re.compile(r"<!--\s*srs-deck\s+(\{.*?\})\s*-->", re.DOTALL)
DECK_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,118}\.ya?ml$")


@dataclass
class DeckMarker:
    """The srs deck's own fields, as read back from an Anki deck's description; None where absent or bad."""

    id: str | None = None
    kind: str | None = None
    title: str | None = None
    file: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    options: dict | None = None
    items: list[str] = field(default_factory=list)


def read_deck_marker(description: str) -> DeckMarker | None:
    """The marker in an Anki deck description, or None when it has none (a deck made in Anki).

    Each field is checked on its own: a field that is missing or not valid is left None, so a marker
    damaged by hand still gives back what it can."""
    found = DECK_MARKER.search(description or "")
    if found is None:
        return None
    try:
        raw = json.loads(found.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(raw, dict):
        return None
    marker = DeckMarker()
    if isinstance(raw.get("id"), str) and is_slug(raw["id"]):
        marker.id = raw["id"]
    if raw.get("kind") in ("deck", "quiz"):
        marker.kind = raw["kind"]
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        marker.title = raw["title"].strip()
    if isinstance(raw.get("file"), str) and DECK_FILE.match(raw["file"]) and ".." not in raw["file"]:
        marker.file = raw["file"]
    if isinstance(raw.get("description"), str):
        marker.description = raw["description"]
    if isinstance(raw.get("tags"), list):
        marker.tags = list(dict.fromkeys(t for t in raw["tags"] if isinstance(t, str) and is_tag(t)))
    if isinstance(raw.get("options"), dict):
        marker.options = _valid_options(raw["options"])
    if isinstance(raw.get("items"), list):
        marker.items = [i for i in raw["items"] if isinstance(i, str)]
    return marker


def _valid_options(raw: dict) -> dict | None:
    from pydantic import ValidationError

    from srs.deck.model import DeckOptions

    try:
        return DeckOptions.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
    except ValidationError:
        return None


def strip_deck_marker(description: str) -> str:
    return DECK_MARKER.sub("", description or "")


def apply_marker(deck: DeckOut, marker: DeckMarker) -> None:
    """A deck `srs export anki` wrote (`marker`, read from it): its id, kind, title, description, tags,
    options and item order as the marker tells them. What the learner changed in Anki wins: a deck renamed
    (or moved) there keeps its new name as title, and a description whose shown text was edited there keeps
    the edited text."""
    items = deck.data["items"]
    if marker.id:
        deck.id = marker.id
    deck.kind = marker.kind or "deck"
    name = deck.title
    if marker.title and (name == marker.title or name == f"{marker.title} ({marker.id or deck.id})"):
        deck.title = marker.title
    description = deck.data.get("description", "")  # the shown part, read back as markdown
    if marker.description is not None and _collapsed(_as_shown(marker.description)) == _collapsed(description):
        description = marker.description
    tags = marker.tags or []
    for item in items:
        note_tags = item.pop("_note_tags", None)
        if note_tags is None and tags and item.get("tags"):
            # Made or edited in Anki: its note tags include the deck's, which the deck gives it again.
            own = [t for t in item["tags"] if t not in tags]
            if own:
                item["tags"] = own
            else:
                del item["tags"]
    if marker.items:
        position = {item_id: i for i, item_id in enumerate(marker.items)}
        items.sort(key=lambda item: position.get(item["id"], len(position)))
    data: dict = {"title": deck.title, "id": deck.id, "kind": deck.kind}
    if description:
        data["description"] = description
    if tags:
        data["tags"] = tags
    if marker.options:
        data["options"] = marker.options
    data["items"] = items
    deck.data = data


def _as_shown(markdown: str) -> str:
    """The marker's description as the shown part of the Anki description reads back: rendered as the
    exporter renders it, then through html_to_markdown like any description."""
    from srs.render.markdown import to_html

    return html_to_markdown(to_html(markdown)).text if markdown else ""


def _collapsed(text: str) -> str:
    return " ".join(text.split())



def is_slug(text: str) -> bool:
    from srs.deck.model import SLUG_PATTERN

    return len(text) <= 120 and re.match(SLUG_PATTERN, text) is not None


def is_tag(text: str) -> bool:
    from srs.deck.model import TAG_PATTERN

    return bool(re.match(TAG_PATTERN, text)) and len(text) <= 120


