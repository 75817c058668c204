"""What `-o` may replace: nothing that srs did not make.

An existing output path is replaced only when it holds an export of the same kind (a PDF or an Anki
package). An export of the other kind needs `--force`. The history database, deck files and anything
else (a device, a folder, a file of unknown kind) are always refused, `--force` or not.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path

from srs.errors import UserError

KINDS = {"pdf": "a PDF", "anki": "an Anki package"}
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def export_kind(path: Path) -> str | None:
    """'pdf' or 'anki' when the file at `path` is such an export, else None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if names & {"collection.anki2", "collection.anki21", "collection.anki21b"}:
            return "anki"
    return None


def check_overwrite(path: Path, kind: str, *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    """Raise a one-line UserError unless writing an export of `kind` to `path` destroys nothing but an
    export. `protected`: the database and the deck files in use, refused even when they look like exports."""
    path = Path(path).expanduser()
    for other in protected:  # SQLite's own files beside the database, there or not (it makes and removes them)
        companions = {Path(f"{other}{suffix}").resolve() for suffix in SQLITE_COMPANIONS} if other else set()
        if path.resolve() in companions:
            raise UserError(f"refusing to write {path}: SQLite keeps the database {other}'s changes there")
    if not path.exists() and not path.is_symlink():
        return
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"cannot write {path}: it is a folder")
    if not stat.S_ISREG(mode):
        raise UserError(f"refusing to write {path}: it is not a regular file")
    target = path.resolve()
    for other in protected:
        if other and Path(other).exists() and Path(other).resolve() == target:
            what = "the srs database" if _is_db(target) else "a deck file"
            raise UserError(f"refusing to write {path}: it is {what}")
    if target.suffix.lower() in (".yaml", ".yml"):
        raise UserError(f"refusing to write {path}: it is a deck file")
    if _is_db(target):
        raise UserError(f"refusing to write {path}: it is a database")
    found = export_kind(target)
    if found == kind:
        return
    if found is not None:
        if force:
            return
        raise UserError(f"refusing to write {path}: it holds {KINDS[found]}, not {KINDS[kind]}; "
                        "--force replaces it")
    raise UserError(f"refusing to write {path}: it exists and is not an srs export; choose another name")


def _is_db(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False
