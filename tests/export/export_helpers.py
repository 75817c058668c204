"""Helpers shared by the export tests (a module of its own: test folders here have no __init__.py)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def tiny_png(rgb=(200, 30, 30), size=(8, 6)) -> bytes:
    """A valid PNG made by hand, so the tests need no image library."""
    width, height = size
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def load(folder: Path, *names: str):
    from srs.deck import load_paths

    result = load_paths([folder])
    assert not result.errors, result.errors
    decks = result.decks
    return [d for d in decks if d.id in names] if names else decks


def numbered_deck(folder: Path, count: int, deck_id: str = "numbered", title: str = "Numbered") -> Path:
    """A deck of `count` flashcards whose fronts and backs say which card they are."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"title: {title}", f"id: {deck_id}", "items:"]
    for n in range(1, count + 1):
        lines += [f"  - id: card-{n}", f"    q: Front{n:03d}", f"    a: Back{n:03d}"]
    path = folder / f"{deck_id}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
