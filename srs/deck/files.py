"""Finding deck files; kept free of heavy imports because every command starts here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from srs.errors import UserError

DECK_SUFFIXES = (".yaml", ".yml")


def deck_files(paths: Sequence[str | Path]) -> list[Path]:
    """The deck files named by `paths` (files, or folders searched recursively), in a stable order. A folder's
    hidden files and folders (`.git`, `.github/workflows/*.yml`, an editor's `.#deck.yaml`) are not decks."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in DECK_SUFFIXES and p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"no such file or folder: {raw}")
    return list(dict.fromkeys(found))
