"""Applying an import: the files moved into place and the decks, cards and reviews written to the store, all
or nothing."""

from __future__ import annotations

import errno
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from srs.cycles import no_cycle_collection
from srs.errors import UserError
from srs.importers.anki.convert import Conversion, convert
from srs.importers.anki.read import AnkiPackage, read_package
from srs.importers.anki.stage import Mover, check_history, check_staged, deck_targets, quiz_folder, stage_files
from srs.importers.limits import check_not_after
from srs.importers.reviews import ImportReport

if TYPE_CHECKING:
    from srs.jsontypes import AnkiImportJson

# -- writing: files and history, all or nothing ------------------------------------------------------------


@dataclass
class AnkiImportReport:
    package: str
    out_dir: str
    files: list[str]
    decks: int
    notes: int
    items: int
    media: int
    skipped: list[str]
    unmapped_reviews: int
    history: ImportReport | None
    quiz_dir: str | None = None  # where quizzes went, when the package had any

    def to_dict(self) -> AnkiImportJson:
        return {
            "package": self.package, "out_dir": self.out_dir, "quiz_dir": self.quiz_dir, "files": self.files,
            "decks": self.decks, "notes": self.notes, "items": self.items, "media_files": self.media,
            "skipped": self.skipped, "reviews_without_card": self.unmapped_reviews,
            "history": self.history.to_dict() if self.history else None,
        }



def import_package(
    path: str | Path,
    out_dir: str | Path | None,
    *,
    store=None,
    overwrite: bool = False,
    progress=None,
    quiz_dir: str | Path | None = None,
    now: int | None = None,
) -> AnkiImportReport:
    """Write the package's decks into `out_dir` and, when `store` is given, its reviews into the store.

    Quizzes (decks `srs export anki` wrote with `kind: quiz`) go to `quiz_dir`, by default the `quizzes`
    folder beside `out_dir` (see quiz_folder). With `out_dir` None no deck is written: the reviews go onto
    the cards the database already has with the same ids (history only, e.g. back from Anki after
    `srs export anki`). With `now` (epoch seconds) a review dated after it refuses the import."""
    with no_cycle_collection():  # an import makes many objects, and no cycles (srs.cycles)
        return _import_package(path, out_dir, store, overwrite, progress, quiz_dir, now)


def _import_package(path, out_dir, store, overwrite: bool, progress, quiz_dir, now) -> AnkiImportReport:
    package = read_package(path)
    conversion = convert(package)
    if now is not None and store is not None:
        check_not_after(conversion.reviews, now)
    if not conversion.decks:
        raise UserError(f"{package.path}: no notes srs can import" + (
            f" ({conversion.skipped[0]})" if conversion.skipped else ""))
    if out_dir is None:
        return _import_history_only(package, conversion, store, progress)
    out_dir = Path(out_dir)
    quiz_dir = Path(quiz_dir) if quiz_dir is not None else quiz_folder(out_dir)
    has_quizzes = any(d.kind == "quiz" for d in conversion.decks)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"-o {out_dir}: not a folder")
    if has_quizzes and quiz_dir.exists() and not quiz_dir.is_dir():
        raise UserError(f"{quiz_dir} (where quizzes go): not a folder")
    targets = deck_targets(conversion, out_dir, quiz_dir)
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise UserError(f"{existing[0]} already exists; use --overwrite to replace it")
    report = AnkiImportReport(
        package.path, str(out_dir), [str(t) for t in targets], len(conversion.decks),
        conversion.notes, conversion.items,
        len({(t.parent, m) for d, t in zip(conversion.decks, targets) for m in d.media}),
        conversion.skipped, conversion.unmapped_reviews, None, str(quiz_dir) if has_quizzes else None,
    )
    created_out = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".srs-import-", dir=out_dir.parent))
    except OSError as exc:
        if created_out and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise _cannot_write(exc, out_dir) from None
    try:
        moves = stage_files(package, conversion, targets, staging)
        decks = check_staged(conversion, moves)
        check_history(conversion, decks, package.path)
        mover = Mover(moves, staging / ".replaced")
        try:
            if store is not None and (conversion.reviews or conversion.suspended or conversion.flagged):
                from srs.importers.reviews import write_reviews
                from srs.store.anki_identity import mark_flagged, mark_suspended

                def prepare(conn):
                    mover.move()
                    elsewhere = _apply_decks(store, targets, decks)
                    mark_suspended(conn, conversion.suspended)
                    mark_flagged(conn, conversion.flagged)
                    if elsewhere:
                        report.skipped.append(
                            f"{len(elsewhere)} items already live in other decks of the database and stay there "
                            f"(their reviews went to them): {', '.join(elsewhere[:3])}"
                            + (", ..." if len(elsewhere) > 3 else "")
                        )

                report.history = write_reviews(store, conversion.reviews, prepare=prepare, progress=progress)
            else:
                mover.move()
        except BaseException:
            mover.undo()
            raise
    except BaseException as exc:
        if created_out and out_dir.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        if isinstance(exc, OSError):
            raise _cannot_write(exc, out_dir) from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _cannot_write(exc: OSError, out_dir: Path) -> OSError | UserError:
    """A failure to write the decks (a read-only folder, one srs may not enter) as one line; a full disk stays
    the OSError the command line reports as such."""
    if exc.errno == errno.ENOSPC:
        return exc
    where = exc.filename or out_dir
    return UserError(f"cannot write the decks to {out_dir}: {where}: {exc.strerror or exc}; nothing was imported")


def _import_history_only(package: AnkiPackage, conversion: Conversion, store, progress) -> AnkiImportReport:
    from srs.importers.reviews import write_reviews

    if store is None:
        raise UserError("--history-only needs the database (it cannot go with --no-history)")
    from srs.store.catalog import card_uids

    known = card_uids(store)
    reviews = {uid: r for uid, r in conversion.reviews.items() if uid in known}
    unknown = sum(len(r) for uid, r in conversion.reviews.items() if uid not in known)
    report = AnkiImportReport(
        package.path, "", [], 0, conversion.notes, 0, 0, list(conversion.skipped),
        conversion.unmapped_reviews + unknown, None,
    )
    if unknown:
        report.skipped.append(f"{unknown} reviews are of cards the database does not have; left out")
    report.history = write_reviews(store, reviews, progress=progress)
    return report


def _apply_decks(store, paths: list[Path], decks: list) -> list[str]:
    """Mirror the written deck files into the store through its one write path, inside the caller's
    transaction. An item whose id already lives in another deck stays there (its reviews go to its cards
    there); their ids are returned."""
    from srs.store import catalog
    from srs.sync import deck_entry

    entries = []
    for path, deck in zip(paths, decks, strict=True):  # the decks as checked, from the data written
        deck.path = str(path)  # they were checked in the staging folder
        for item in deck.items:
            item.path = str(path)
        entries.append(deck_entry(deck, str(path.resolve())))
    return catalog.put(store, entries, keep_elsewhere=True).elsewhere
