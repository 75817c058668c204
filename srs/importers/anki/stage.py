"""Staging an import's files: every deck and media file written to a folder beside the targets, checked,
then moved into place (and back, on failure)."""

from __future__ import annotations

import errno
import os
import shutil
import zipfile
from pathlib import Path

from srs.errors import UserError
from srs.importers.anki.convert import Conversion
from srs.importers.anki.read import AnkiPackage
from srs.importers.yaml_writer import dump_deck


def quiz_folder(out_dir: Path) -> Path:
    """Where quizzes go: the `quizzes` folder beside the output folder, as srs lays out its own decks
    (`./decks` and `./quizzes`, where it looks by default); the output folder itself if it is named
    `quizzes`."""
    if out_dir.name == "quizzes":
        return out_dir
    return Path(os.path.normpath(os.path.join(out_dir, os.pardir, "quizzes")))


def deck_targets(conversion: Conversion, out_dir: Path, quiz_dir: Path | None = None) -> list[Path]:
    """The file each deck is written to: decks into `out_dir`, quizzes into `quiz_dir` (see quiz_folder).

    Names stay unique even where both are one folder (`-o quizzes`)."""
    quiz_dir = quiz_dir if quiz_dir is not None else quiz_folder(out_dir)
    targets: list[Path] = []
    used: set[tuple[str, str]] = set()
    for deck in conversion.decks:
        folder = quiz_dir if deck.kind == "quiz" else out_dir
        key_folder = os.path.normcase(os.path.abspath(folder))
        stem, suffix = deck.file.rsplit(".", 1)
        name, n = deck.file, 2
        while (key_folder, name.casefold()) in used:
            name, n = f"{stem}-{n}.{suffix}", n + 1
        used.add((key_folder, name.casefold()))
        deck.file = name
        targets.append(folder / name)
    return targets



def stage_files(
    package: AnkiPackage, conversion: Conversion, targets: list[Path], staging: Path
) -> list[tuple[Path, Path]]:
    """Write every file into the staging folder (a subfolder per target folder, each deck folder with its
    own media/); returns (staged file, target) pairs, the decks first, in conversion order."""
    header = f"Imported from {Path(package.path).name} by `srs import anki`."
    folders: dict[str, Path] = {}  # target folder -> its staging subfolder
    moves: list[tuple[Path, Path]] = []
    media: dict[str, tuple[Path, dict[str, str]]] = {}
    for deck, target in zip(conversion.decks, targets, strict=True):
        key = os.path.normcase(os.path.abspath(target.parent))
        if key not in folders:
            folders[key] = staging / str(len(folders))
            folders[key].mkdir()
        staged = folders[key] / target.name
        text = dump_deck(_without_default_kind(deck.data, target), header)
        staged.write_text(text, encoding="utf-8")
        deck.item_lines = item_lines(text)
        moves.append((staged, target))
        media.setdefault(key, (target.parent, {}))[1].update(deck.media)
    if any(files for _, files in media.values()):
        with zipfile.ZipFile(package.path) as archive:
            for key, (folder, files) in media.items():
                for rel, member in sorted(files.items()):
                    staged = folders[key] / rel
                    staged.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as source, open(staged, "wb") as out:
                        if package.media_compressed:
                            from srs.importers.anki.modern import zstd_reader

                            source = zstd_reader(source)
                        shutil.copyfileobj(source, out)
                    moves.append((staged, folder / rel))
    return moves


def _without_default_kind(data: dict, target: Path) -> dict:
    """`kind` is written only where the folder would not say it (a quiz outside `quizzes/`), as people write it."""
    from srs.deck.loader import default_deck_kind

    if data.get("kind") == default_deck_kind(target.resolve()):
        return {k: v for k, v in data.items() if k != "kind"}
    return data


def item_lines(text: str) -> list[int]:
    """The line each item of a deck dump_deck wrote begins on: its `  - ` under `items:` (anything nested
    inside an item, block scalars included, is indented further)."""
    lines = text.split("\n")
    start = lines.index("items:") if "items:" in lines else len(lines)
    return [n + 1 for n in range(start + 1, len(lines)) if lines[n].startswith("  - ")]


def check_staged(conversion: Conversion, moves: list[tuple[Path, Path]]) -> list:
    from srs.deck.loader import default_deck_kind, load_data

    decks = []
    for deck, (staged, target) in zip(conversion.decks, moves):
        # The data the file was written from: dump_deck wrote only YAML that reads back as this data.
        result = load_data(_without_default_kind(deck.data, target), staged)
        if result.deck is not None and "kind" not in _without_default_kind(deck.data, target):
            result.deck.kind = default_deck_kind(target.resolve())  # as the folder it goes to says
        if result.deck is not None and len(deck.item_lines) == len(result.deck.items):
            for item in result.deck.items:  # positions, which data alone does not have
                item.line, item.col = deck.item_lines[item.index], 5
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if errors:
            first = errors[0]
            raise UserError(f"the deck written for '{deck.title}' does not load (line {first.line}: {first.message}); "
                            "nothing was imported")
        decks.append(result.deck)
    return decks


def check_history(conversion: Conversion, decks: list, package: str) -> None:
    card_ids = {cid for deck in decks for item in deck.items for cid in item.card_ids()}
    missing = [uid for uid in conversion.reviews if uid not in card_ids]
    if missing:
        raise UserError(f"{package}: reviews of card '{missing[0]}', which the written decks do not hold")


class Mover:
    """Moves staged files into place; `undo` puts back what was there before and removes folders it made."""

    def __init__(self, moves: list[tuple[Path, Path]], backup: Path):
        self.moves, self.backup = moves, backup
        self.moved: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []  # (target, its backup)
        self.made_dirs: list[Path] = []

    def _makedirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self.made_dirs.append(made)

    def move(self) -> None:
        for source, target in self.moves:
            if target.is_symlink():  # a deck linked in from elsewhere (dotfiles): the file it points to is replaced
                target = target.resolve()
            self._makedirs(target.parent)
            if target.exists():
                saved = self.backup / str(len(self.replaced))
                saved.parent.mkdir(parents=True, exist_ok=True)
                _replace(target, saved)
                self.replaced.append((target, saved))
            _replace(source, target)
            self.moved.append(target)

    def undo(self) -> None:
        for target in reversed(self.moved):
            if target.exists():
                target.unlink()
        for target, saved in self.replaced:
            _replace(saved, target)
        for folder in reversed(self.made_dirs):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()


def _replace(source: Path, target: Path) -> None:
    """os.replace, or a copy and delete where the two are on different file systems (a quiz_dir elsewhere)."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(source, target)


