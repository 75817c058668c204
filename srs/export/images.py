"""Images that items refer to: files inside the deck's folder, and nowhere else.

The loader checks this when decks are read; exports check again when they copy or draw the file, since a
symlink may point elsewhere or the file may have gone since. Errors name the item.
"""

from __future__ import annotations

from pathlib import Path

from srs.errors import UserError


def resolve_image(source: str, deck_folder: Path, item) -> Path:
    """The image file for `source` (relative to the deck file), or a UserError naming the item."""
    folder = Path(deck_folder).resolve()
    where = f"{item.path}:{item.line}: item '{item.id}'"
    target = (folder / source).resolve()
    if Path(source).is_absolute() or not target.is_relative_to(folder):
        raise UserError(f"{where}: image '{source}' is outside the deck's folder {folder}")
    if not target.is_file():
        raise UserError(f"{where}: image '{source}' not found")
    return target
