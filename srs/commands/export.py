"""`srs export anki` and `srs export pdf`: the command line, kept thin.

Only click is imported here: `srs --help` lists this group and must start fast, so genanki, fpdf2, rich
and the deck loader are imported inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from srs.commands.options import db_option, decks_option, echo_json
from srs.ui.console import echo

_OUTPUT = click.Path(path_type=Path, dir_okay=False)
_ILLUSTRATIONS = click.option(
    "--illustrations", is_flag=True,
    help="Attach each card's diffusion illustration (items with an 'illustrate:' field) on its back; "
    "needs the demo extra (torch, diffusers). Pictures are rendered once and cached.",
)
_FORCE = click.option(
    "--force", is_flag=True,
    help="Replace an existing export of the other kind. The database, deck files and files that are not "
    "srs exports are never replaced.",
)
_ILLUSTRATION_STEPS = click.option(
    "--illustration-steps", type=click.IntRange(min=1), default=None, metavar="N",
    help="Denoising steps per illustration (default: the model's own).",
)


@click.group()
def export():
    """Export decks as Anki packages or printable flashcards."""


@export.command("anki")
@click.argument("names", metavar="[DECK]...", nargs=-1)
@click.option("-o", "--output", type=_OUTPUT, required=True, help="The .apkg file to write.")
@click.option(
    "--with-history", is_flag=True,
    help="Include your reviews and memory state, so Anki keeps your progress "
    "(tick 'Import any learning progress' when importing).",
)
@_FORCE
@_ILLUSTRATIONS
@_ILLUSTRATION_STEPS
@decks_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def anki(names, output, with_history, force, illustrations, illustration_steps, deck_paths, db_path, as_json):
    """Write decks to one Anki package; importing a newer one updates the notes in place.

    DECK is a deck id or a path to deck files (default: every deck). Each deck becomes an Anki deck
    named by its title ('Diffusion::Basics' nests). Re-importing keeps your Anki reviews.
    """
    from srs.atomic import check_writable
    from srs.deck.loader import reading_once
    from srs.export.anki import export_anki
    from srs.export.selection import select_decks
    from srs.paths import default_db_path
    from srs.ui.progress import terminal_progress

    check_writable(output)
    with reading_once():  # the decks are parsed once, for the export and for the store
        decks = select_decks(names, deck_paths)
        _check_overwrite(output, "anki", force, decks, db_path)
        identity = _stored_identity(db_path or default_db_path(), deck_paths, decks)
    history = None
    if with_history:
        from srs.export.anki_history import load_history

        card_ids = [card_id for deck in decks for item in deck.items for card_id in item.card_ids()]
        history = load_history(db_path or default_db_path(), card_ids)
    size = sum(len(deck.items) for deck in decks)
    with terminal_progress(size + _illustration_steps(decks, illustrations), enabled=not as_json) as progress:
        pictures = _illustrations(decks, illustrations, illustration_steps, progress)
        result = export_anki(decks, output, history=history, illustrations=pictures, progress=progress,
                             identity=identity)
    _report(result, as_json)


def _stored_identity(db_path: Path, deck_paths, decks):
    """With a database: the decks synced into it first, from the same deck sources every other command
    uses (so a reword is relinked as review would, and the remembered sources stay as they were), then
    what it keeps of their identity (see srs.export.anki.StoredIdentity). Without one: None."""
    if not Path(db_path).is_file():
        return None
    from srs.commands.options import open_workspace
    from srs.export.anki import load_identity

    open_workspace(db_path, deck_paths, None).store.close()
    return load_identity(db_path, [deck.id for deck in decks])


@export.command("pdf")
@click.argument("names", metavar="[DECK]...", nargs=-1)
@click.option("-o", "--output", type=_OUTPUT, required=True, help="The .pdf file to write.")
@click.option(
    "--layout", type=click.Choice(["grid", "foldover", "single"]), default="grid", show_default=True,
    help="grid: 8 cards a page, backs on the next page for duplex; foldover: front and back side by side "
    "to fold; single: one card a page.",
)
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@click.option(
    "--duplex", type=click.Choice(["long", "short"]), default="long", show_default=True,
    help="The edge your printer flips the sheet on (grid layout).",
)
@click.option(
    "--back-offset", metavar="X,Y", default=None,
    help="Shift the backs by X,Y millimetres, for a printer that prints the second side off.",
)
@_FORCE
@_ILLUSTRATIONS
@_ILLUSTRATION_STEPS
@decks_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def pdf(names, output, layout, paper, duplex, back_offset, force, illustrations, illustration_steps, deck_paths,
        as_json):
    """Print decks as flashcards to cut out: fronts and backs, ready for duplex printing.

    DECK is a deck id or a path to deck files (default: every deck). Cloze items give one card per
    deletion; ordering and choice items list their steps or options on the front.
    """
    from srs.atomic import check_writable
    from srs.export.pdf import PdfOptions, export_pdf, parse_back_offset
    from srs.export.selection import select_decks
    from srs.ui.progress import terminal_progress

    offset = parse_back_offset(back_offset)
    check_writable(output)
    decks = select_decks(names, deck_paths)
    _check_overwrite(output, "pdf", force, decks, None)
    options = PdfOptions(layout=layout, paper=paper, duplex=duplex, back_offset=offset)
    size = sum(len(item.card_ids()) for deck in decks for item in deck.items)
    with terminal_progress(size + _illustration_steps(decks, illustrations), enabled=not as_json) as progress:
        pictures = _illustrations(decks, illustrations, illustration_steps, progress)
        result = export_pdf(decks, output, options, illustrations=pictures, progress=progress)
    _report(result, as_json)


def _check_overwrite(output, kind: str, force: bool, decks, db_path) -> None:
    """Refuse, before any work, to replace what srs did not make (see srs.export.overwrite)."""
    import os

    from srs.export.overwrite import check_overwrite
    from srs.paths import default_db_path

    database = Path(db_path or os.environ.get("SRS_DB") or default_db_path()).expanduser()
    protected = [Path(database), *(Path(deck.path) for deck in decks)]
    check_overwrite(output, kind, force=force, protected=protected)


# Rendering one illustration takes as long as exporting hundreds of cards: weigh it so for the bar.
_ILLUSTRATION_WEIGHT = 200


def _illustration_steps(decks, wanted: bool) -> int:
    if not wanted:
        return 0
    from srs.export.illustrations import illustrated

    return _ILLUSTRATION_WEIGHT * len(illustrated(decks))


def _illustrations(decks, wanted: bool, steps, progress):
    """(deck id, item id) -> PNG, rendering (or reading from the cache) only when --illustrations is given."""
    if not wanted:
        return None
    from srs.export.illustrations import render_illustrations

    return render_illustrations(decks, steps=steps, progress=progress)


def _report(result, as_json: bool) -> None:
    if as_json:
        echo_json(result.to_dict())
    else:
        echo(result.summary())
    sys.stdout.flush()
