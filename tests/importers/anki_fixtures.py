"""Anki fixtures shared by the importer tests (a module of its own: test folders here have no __init__.py)."""

from __future__ import annotations

import genanki

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005"
    "0001ff5c2a8b1c0000000049454e44ae426082"
)
BASIC = genanki.Model(
    1607392319, "Basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
)
