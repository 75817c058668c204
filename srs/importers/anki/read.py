"""Reading an Anki package: its collection (either format), note types, notes, cards, review log and media list."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from srs.errors import UserError
from srs.importers.html_text import html_to_markdown
from srs.importers.limits import check_media_name, check_package_size

SUPPORTED_SCHEMA = 11
MODERN_SCHEMAS = range(15, 19)  # note types and decks in tables of their own (see modern)
NEW_FORMAT_HINT = (
    "in Anki, export the deck again with 'Support older Anki versions (slower/larger files)' ticked, "
    "which writes a package srs can read"
)
PLEASE_UPDATE = "please update to the latest anki version"

# -- reading the package ---------------------------------------------------------------------------------


@dataclass
class AnkiModel:
    id: int
    name: str
    cloze: bool
    fields: list[str]
    typed: bool  # a template asks to type the answer ({{type:...}})
    templates: list[tuple[str, str]] = field(default_factory=list)  # (front, back) of each card type


@dataclass
class AnkiNote:
    id: int
    guid: str
    model_id: int
    fields: list[str]
    tags: list[str]


@dataclass
class AnkiCard:
    id: int
    note_id: int
    deck_id: int
    ord: int
    queue: int = 0  # -1 suspended; -2 and -3 buried
    flags: int = 0  # the flag colour in the low 3 bits: 1 red, 2 orange, 3 green, 4 blue, ...


@dataclass
class AnkiRevlogEntry:
    id: int  # epoch milliseconds
    card_id: int
    ease: int
    factor: int
    time_ms: int
    type: int


@dataclass
class AnkiPackage:
    path: str
    collection: str  # the member read: collection.anki2 or collection.anki21
    schema: int
    decks: dict[int, dict]
    models: dict[int, AnkiModel]
    notes: list[AnkiNote]
    cards: list[AnkiCard]
    revlog: list[AnkiRevlogEntry]
    media: dict[str, str]  # file name -> zip member
    media_compressed: bool = False  # members are zstd-compressed (the anki21b format)


def read_package(path: str | Path) -> AnkiPackage:
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise UserError(f"no such file: {shown}")
    if not zipfile.is_zipfile(path):
        raise UserError(f"{shown}: not an Anki package (not a zip file)")
    check_package_size(path)
    from srs.importers.anki import modern as anki_modern

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        modern = anki_modern.MODERN_MEMBER in names
        member = anki_modern.MODERN_MEMBER if modern else next(
            (m for m in ("collection.anki21", "collection.anki2") if m in names), None)
        if member is None:
            raise UserError(f"{shown}: not an Anki package (no collection.anki2 or collection.anki21 inside)")
        if modern:
            try:
                media = _modern_media_map(archive, names)
            except Exception:  # zstd or protobuf errors: both mean a damaged list
                raise UserError(f"{shown}: its media list cannot be read (a damaged package?)") from None
        else:
            media = _media_map(archive, names, shown)
        with tempfile.TemporaryDirectory(prefix="srs-apkg-") as tmp:
            db_path = Path(tmp) / "collection.sqlite"
            try:
                with archive.open(member) as source, open(db_path, "wb") as target:
                    shutil.copyfileobj(anki_modern.zstd_reader(source) if modern else source, target)
            except UserError:
                raise
            except Exception:  # a zstd error: the member is damaged
                raise UserError(f"{shown}: {member} cannot be decompressed (a damaged package?)") from None
            package = _read_collection(db_path, shown, member)
    package.media = media
    package.media_compressed = modern
    return package


def _modern_media_map(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    from srs.importers.anki.modern import media_entries

    if "media" not in names:
        return {}
    return {name: member for name, member in media_entries(archive.read("media")).items() if member in names}


def _media_map(archive: zipfile.ZipFile, names: set[str], shown: str) -> dict[str, str]:
    if "media" not in names:
        return {}
    raw = archive.read("media")
    try:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{shown}: its media list is not in the older JSON format; {NEW_FORMAT_HINT}") from None
    if not isinstance(mapping, dict):
        raise UserError(f"{shown}: its media list is not in the older JSON format; {NEW_FORMAT_HINT}")
    for name in mapping.values():
        check_media_name(str(name), shown)
    return {str(name): str(number) for number, name in mapping.items() if str(number) in names}


def _read_collection(db_path: Path, shown: str, member: str) -> AnkiPackage:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"col", "notes", "cards"} <= tables:
                raise UserError(f"{shown}: {member} is not an Anki collection (tables are missing)")
            ver, models_json, decks_json = conn.execute("SELECT ver, models, decks FROM col").fetchone()
            if ver in MODERN_SCHEMAS and "notetypes" in tables:
                from srs.importers.anki import modern as anki_modern

                anki_modern.prepare(conn)
                try:
                    models = _models(anki_modern.note_types(conn))
                    decks = anki_modern.decks(conn)
                except ValueError:
                    raise UserError(f"{shown}: its note types or decks cannot be read (a damaged package?)") from None
            elif ver != SUPPORTED_SCHEMA:
                newer = "newer" if ver > SUPPORTED_SCHEMA else "older"
                raise UserError(
                    f"{shown}: collection schema {ver} is {newer} than the ones srs reads ({SUPPORTED_SCHEMA}, "
                    f"{MODERN_SCHEMAS.start}-{MODERN_SCHEMAS.stop - 1})"
                    + (f"; {NEW_FORMAT_HINT}" if ver > SUPPORTED_SCHEMA else "")
                )
            else:
                models = _models(json.loads(models_json or "{}"))
                decks = {int(k): v for k, v in json.loads(decks_json or "{}").items()}
                if not all(isinstance(v, dict) and isinstance(v.get("name", ""), str) for v in decks.values()):
                    raise ValueError("a deck that is not a mapping with a name")
            note_rows = conn.execute("SELECT id, guid, mid, flds, tags FROM notes ORDER BY id")
            notes = [
                AnkiNote(nid, guid, mid, flds.split("\x1f"), tags.split()) for nid, guid, mid, flds, tags in note_rows
            ]
            cards = [
                AnkiCard(cid, nid, odid or did, ord_, queue, flags)
                for cid, nid, did, odid, ord_, queue, flags in conn.execute(
                    "SELECT id, nid, did, odid, ord, queue, flags FROM cards ORDER BY nid, ord"
                )
            ]
            revlog = []
            if "revlog" in tables:
                revlog = [
                    AnkiRevlogEntry(*row)
                    for row in conn.execute("SELECT id, cid, ease, factor, time, type FROM revlog ORDER BY cid, id")
                ]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{shown}: {member} cannot be read ({exc})") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # JSON or rows Anki never writes
        raise UserError(f"{shown}: {member} is malformed (its note types, decks or notes are not as Anki "
                        "writes them)") from None
    if (
        member == "collection.anki2" and len(notes) == 1 and notes[0].fields
        and html_to_markdown(notes[0].fields[0]).text.casefold().startswith(PLEASE_UPDATE)
    ):
        raise UserError(f"{shown}: written by a newer Anki in a format srs cannot read; {NEW_FORMAT_HINT}")
    return AnkiPackage(shown, member, ver, decks, models, notes, cards, revlog, {})


def _models(raw: dict) -> dict[int, AnkiModel]:
    models = {}
    for key, m in raw.items():
        fields = [f.get("name", "") for f in sorted(m.get("flds", []), key=lambda f: f.get("ord", 0))]
        if not all(isinstance(name, str) for name in fields) or not isinstance(m.get("name", ""), str):
            raise ValueError("a note type whose fields are not named")
        tmpls = sorted(m.get("tmpls", []), key=lambda t: t.get("ord", 0))
        typed = any("{{type:" in (t.get("qfmt", "") + t.get("afmt", "")) for t in tmpls)
        templates = [(str(t.get("qfmt") or ""), str(t.get("afmt") or "")) for t in tmpls]
        models[int(m.get("id", key))] = AnkiModel(int(m.get("id", key)), m.get("name", ""), m.get("type") == 1, fields,
                                                  typed, templates)
    return models

