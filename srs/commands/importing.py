"""`srs import revlog FILE.csv` and `srs import anki FILE.apkg`: history and decks from elsewhere."""

from __future__ import annotations

from pathlib import Path

import click

from srs.commands.options import (
    db_option,
    echo_json,
    learning_options,
    now_option,
    open_store,
    open_workspace,
    report_sync,
)
from srs.ui.console import echo
from srs.ui.progress import progress_bar

PROGRESS_FROM = 2000  # show a progress bar for files with at least this many reviews


@click.group("import")
def import_group():
    """Bring review history or decks in from a CSV review log or an Anki package."""


@import_group.command("revlog")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--deck", "deck_id", default="imported-revlog", show_default=True,
              help="Deck for placeholder items of cards the database does not know.")
@click.option("--skip-bad", is_flag=True, help="Skip bad rows (and count them) instead of failing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@learning_options
def revlog(file, deck_id, skip_bad, as_json, db_path, deck_paths, now):
    """Import a review log CSV (card_id, review_rating, review_time, review_duration).

    A card_id that is a card's id gets the reviews; an integer one becomes a placeholder item
    `revlog-<card_id>`. Each card's reviews are replayed through the scheduler, so its state is right.
    Nothing is written when any row is bad (unless --skip-bad).
    """
    from srs.clock import parse_now, to_epoch
    from srs.importers.revlog_csv import import_revlog, read_revlog_csv
    from srs.jsontypes import RevlogImportJson

    log = read_revlog_csv(file, skip_bad=skip_bad, now=to_epoch(now or parse_now(None)))
    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    from srs.store.backup import backup_before

    backup_before(ws.store.conn, ws.store.path, "import")
    with progress_bar("Importing reviews", len(log.reviews) >= PROGRESS_FROM) as progress:
        report = import_revlog(ws.store, log, deck_id=deck_id, source_path=str(file.resolve()), progress=progress)
    if as_json:
        written: RevlogImportJson = {"file": str(file), "rows": log.rows, **report.to_dict()}
        echo_json(written)
        return
    for message in log.bad:
        echo(f"skipped: {message}", err=True)
    echo(
        f"Imported {report.reviews_added:,} reviews of {report.cards:,} cards from {file}"
        + (f" ({report.cards_created:,} placeholder items in deck '{deck_id}')" if report.cards_created else "")
        + "."
    )
    if report.reviews_present:
        echo(f"{report.reviews_present:,} reviews were already in the log and were not added again.")
    if report.skipped_bad:
        echo(f"Skipped {report.skipped_bad:,} bad rows (listed above).")


@import_group.command("anki")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("decks"),
              show_default=True, help="Folder for the YAML decks (and media/).")
@click.option("--overwrite", is_flag=True, help="Replace deck files that already exist.")
@click.option("--no-history", is_flag=True, help="Write the decks only; leave the review log out.")
@click.option("--history-only", is_flag=True,
              help="Write no decks: add the reviews to the cards the database has with the same ids "
                   "(e.g. back from Anki after `srs export anki`).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@db_option
@now_option
def anki(file, out_dir, overwrite, no_history, history_only, as_json, db_path, now):
    """Turn an Anki package (.apkg) into YAML decks, with its review history.

    Reads Anki's packages in both formats: the one Anki 2.1.50 and later export by default, and the
    older one (genanki, `srs export anki`, "Support older Anki versions"). Cloze notes become cloze
    items, other notes flashcards; HTML becomes markdown. The reviews go into the database, replayed
    through the scheduler.
    """
    from srs.clock import parse_now, to_epoch
    from srs.errors import UserError
    from srs.importers.anki import import_package

    if no_history and history_only:
        raise UserError("--no-history and --history-only exclude each other")
    store = None
    if not no_history:
        from srs.paths import default_db_path
        store = open_store(db_path or default_db_path())
        from srs.store.backup import backup_before

        backup_before(store.conn, store.path, "import")
    with progress_bar("Importing reviews", True) as progress:
        report = import_package(file, None if history_only else out_dir, store=store, overwrite=overwrite,
                                progress=progress, now=to_epoch(now or parse_now(None)))
    if as_json:
        echo_json(report.to_dict())
        return
    for message in report.skipped:
        echo(f"note: {message}", err=True)
    if not history_only:
        echo(
            f"Wrote {report.items:,} items in {report.decks} deck{'s' * (report.decks != 1)} to {report.out_dir}"
            + (f" (and {report.media} media files)" if report.media else "") + ":"
        )
        for path in report.files:
            echo(f"  {path}")
    if report.history:
        h = report.history
        echo(f"Imported {h.reviews_added:,} reviews of {h.cards:,} cards into the review log"
                   + (f" ({h.reviews_present:,} were already there)" if h.reviews_present else "") + ".")
    if report.unmapped_reviews:
        echo(f"Left out {report.unmapped_reviews:,} reviews of cards srs has no card for "
                   "(such as reverse cards).")
