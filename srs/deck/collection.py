"""Load many deck files at once and check what spans files: ids and style."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from srs.deck.diagnostics import Diagnostic
from srs.deck.files import deck_files
from srs.deck.identity import normalize_text
from srs.deck.loader import Deck, FileResult, Item, load_file

LONG_FRONT_CHARS = 400


@dataclass
class LoadResult:
    decks: list[Deck] = field(default_factory=list)  # only decks without errors
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def items(self) -> list[Item]:
        return [item for deck in self.decks for item in deck.items]


def load_paths(paths: list[str | Path], *, style: bool = False) -> LoadResult:
    """The decks in `paths`; with `style`, the card-quality warnings too (what `srs check` shows)."""
    files = deck_files(paths)
    return combine([load_file(p) for p in files], style=style)


def combine(results: list[FileResult], *, style: bool = False) -> LoadResult:
    """Join per-file results, adding the checks across files; a file with errors drops out. The style
    warnings (srs check's) are worked out only when asked for: no other command shows them."""
    out = LoadResult(files=[r.path for r in results])
    for r in results:
        out.diagnostics.extend(r.diagnostics)
    decks = [r.deck for r in results if r.deck is not None]
    out.decks = _drop_cross_file_duplicates(decks, out.diagnostics)
    if style:
        from srs.deck.lints import lint  # card-quality warnings (srs/deck/lints.py)

        out.diagnostics.extend(style_warnings(out.decks))
        out.diagnostics.extend(lint(out.decks))
    return out


def _drop_cross_file_duplicates(decks: list[Deck], diagnostics: list[Diagnostic]) -> list[Deck]:
    deck_owner: dict[str, Deck] = {}
    item_owner: dict[str, Item] = {}
    kept: list[Deck] = []
    for deck in decks:
        bad = False
        if deck.id in deck_owner:
            other = deck_owner[deck.id]
            diagnostics.append(
                Diagnostic(deck.path, 1, 1, "error", f"duplicate deck id '{deck.id}' (also {other.path})")
            )
            bad = True
        for item in deck.items:
            owner = item_owner.get(item.id)
            if owner is not None and owner.path != item.path:
                diagnostics.append(
                    Diagnostic(
                        item.path, item.line, item.col, "error",
                        f"duplicate id '{item.id}' (also at {owner.path}:{owner.line}:{owner.col})",
                    )
                )
                bad = True
        if bad:
            continue
        deck_owner[deck.id] = deck
        for item in deck.items:
            item_owner.setdefault(item.id, item)
        kept.append(deck)
    return kept


def style_warnings(decks: list[Deck]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    fronts: dict[str, Item] = {}
    for deck in decks:
        for item in deck.items:
            text = item.key_text
            if len(text) > LONG_FRONT_CHARS and item.kind in ("flashcard", "cloze"):
                found.append(
                    Diagnostic(
                        item.path, item.line, item.col, "warning",
                        f"{item.kind}: the front is {len(text)} characters long; "
                        f"cards over {LONG_FRONT_CHARS} are hard to review (split it?)",
                    )
                )
            key = f"{item.kind}\0{normalize_text(text)}"
            if key in fronts:
                other = fronts[key]
                found.append(
                    Diagnostic(
                        item.path, item.line, item.col, "warning",
                        f"{item.kind}: same front as {other.path}:{other.line}",
                    )
                )
            else:
                fronts[key] = item
    return found
