"""Which decks an export takes: DECK arguments are deck ids or paths to deck files and folders.

Ids are looked up among the decks of `--decks` (or the default places). A path adds every deck in it.
Without arguments every deck is exported. A deck file with errors is never exported in part: when it is
one of those asked for (or nothing was named), the export stops and says where the first error is.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from srs.errors import UserError


def select_decks(names: tuple[str, ...] | list[str], deck_paths: tuple[Path, ...] | list[Path]):
    """The decks to export, in the order asked for (or in load order when none was named).

    A name with a slash or a .yaml/.yml suffix is a path; any other name is a deck id, or a path when no
    deck has that id and a file or folder of that name exists.
    """
    from srs.deck import load_paths

    pool = None

    def loaded_pool():
        nonlocal pool
        if pool is None:
            from srs.paths import default_deck_paths

            sources = list(deck_paths) or default_deck_paths()
            if not sources:
                raise UserError("no decks found: give a deck path, use --decks, or set SRS_DECKS")
            pool = load_paths(sources)
        return pool

    chosen = []
    if not names:
        everything = loaded_pool()
        _refuse_errors(everything.errors, " (name the decks to export to leave that file out)")
        chosen.extend(everything.decks)
    for name in names:
        if not _is_path_syntax(name):
            by_id = {deck.id: deck for deck in loaded_pool().decks}
            if name in by_id:
                chosen.append(by_id[name])
                continue
            if not Path(name).exists():
                raise UserError(_unknown(name, list(by_id), loaded_pool().errors))
        from_path = load_paths([Path(name)])
        _refuse_errors(from_path.errors, "")
        chosen.extend(from_path.decks)
    unique = list({deck.id: deck for deck in chosen}.values())
    if not unique:
        raise UserError("no decks to export")
    return unique


def _is_path_syntax(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or "/" in name or "\\" in name


def _refuse_errors(errors, hint: str) -> None:
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UserError(f"{errors[0]}{more}; fix it first (see `srs check`){hint}")


def _unknown(name: str, known: list[str], errors) -> str:
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
    if match:
        hint = f"; did you mean '{match[0]}'?"
    elif known:
        shown = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        hint = f"; decks: {shown}"
    else:
        hint = "; no decks were found"
    if errors:
        hint += f" ({len(errors)} errors in deck files may hide it: see `srs check`)"
    return f"unknown deck '{name}'{hint}"
