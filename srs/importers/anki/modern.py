"""Anki's package format since 2.1.50: `collection.anki21b`, a zstd-compressed SQLite collection of schema 18.

Schema 18 keeps note types, their fields and templates, and decks in tables of their own, each with its
settings as a protobuf message (Anki's proto/anki/notetypes.proto and decks.proto). srs reads only a few
fields of those, with the small reader below, so no protobuf library is needed. The package's `media` list
is a zstd-compressed protobuf (MediaEntries) and each media member is zstd-compressed too.

zstandard is imported on first use (srs's own dependency since this format became Anki's default).
"""

from __future__ import annotations

import sqlite3

from srs.errors import UserError

MODERN_MEMBER = "collection.anki21b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def zstd_reader(source):
    """A file object that decompresses `source` (a binary file object) as it is read."""
    return _zstd().ZstdDecompressor().stream_reader(source)


def decompress(data: bytes) -> bytes:
    """Bytes of a zstd frame, decompressed (whatever its header says of the size)."""
    import io

    with zstd_reader(io.BytesIO(data)) as reader:
        return reader.read()


def _zstd():
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a dependency of srs, absent only in a broken install
        raise UserError("reading this package needs the zstandard package: pip install zstandard") from None
    return zstandard


# -- protobuf, the few fields srs reads -----------------------------------------------------------------


def proto_fields(data: bytes) -> dict[int, list]:
    """Field number -> values of one protobuf message: ints for varints, bytes for length-delimited fields.

    Fixed-width fields are skipped. A malformed message raises ValueError."""
    found: dict[int, list] = {}
    pos, end = 0, len(data)
    value: int | bytes
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > end:
                raise ValueError("truncated field")
            value, pos = data[pos : pos + size], pos + size
        elif wire == 1:
            pos += 8
            continue
        elif wire == 5:
            pos += 4
            continue
        else:
            raise ValueError(f"wire type {wire}")
        found.setdefault(number, []).append(value)
    if pos != end:
        raise ValueError("truncated message")
    return found


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _text(fields: dict[int, list], number: int) -> str:
    values = fields.get(number)
    return values[-1].decode("utf-8", "replace") if values and isinstance(values[-1], bytes) else ""


def _int(fields: dict[int, list], number: int) -> int:
    values = fields.get(number)
    return values[-1] if values and isinstance(values[-1], int) else 0


# -- the collection's tables -----------------------------------------------------------------------------


def prepare(conn: sqlite3.Connection) -> None:
    """Anki's schema 18 sorts names with a collation of its own; plain SQLite needs one of that name."""
    conn.create_collation("unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))


def note_types(conn: sqlite3.Connection) -> dict[int, dict]:
    """Note types in the legacy JSON shape the importer reads: {id, name, type, flds, tmpls}."""
    models: dict[int, dict] = {}
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        kind = _int(proto_fields(config or b""), 1)  # Notetype.Config.kind: 1 is cloze
        models[ntid] = {"id": ntid, "name": name, "type": 1 if kind == 1 else 0, "flds": [], "tmpls": []}
    for ntid, ord_, name in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        if ntid in models:
            models[ntid]["flds"].append({"name": name, "ord": ord_})
    for ntid, ord_, name, config in conn.execute("SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"):
        if ntid in models:
            template = proto_fields(config or b"")  # Template.Config: q_format 1, a_format 2
            models[ntid]["tmpls"].append(
                {"name": name, "ord": ord_, "qfmt": _text(template, 1), "afmt": _text(template, 2)}
            )
    return models


def decks(conn: sqlite3.Connection) -> dict[int, dict]:
    """Decks in the legacy JSON shape: {id, name ('::' between levels), desc}."""
    found: dict[int, dict] = {}
    for did, name, kind in conn.execute("SELECT id, name, kind FROM decks"):
        container = proto_fields(kind or b"")  # DeckKindContainer: normal 1, filtered 2
        normal = proto_fields(container[1][-1]) if container.get(1) else {}
        found[did] = {"id": did, "name": name.replace("\x1f", "::"), "desc": _text(normal, 4),
                      "dyn": 1 if container.get(2) else 0}
    return found


def media_entries(raw: bytes) -> dict[str, str]:
    """The package's media list (zstd-compressed MediaEntries): file name -> zip member ("0", "1", ...)."""
    data = decompress(raw) if raw[:4] == ZSTD_MAGIC else raw
    entries = proto_fields(data).get(1, [])
    names: dict[str, str] = {}
    for index, entry in enumerate(entries):
        fields = proto_fields(entry)
        member = _int(fields, 255) if fields.get(255) else index  # legacy_zip_filename, when set
        names[_text(fields, 1)] = str(member)
    return names
