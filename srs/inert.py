"""Text made inert before it reaches a terminal: no escape sequence or control character gets through.

Deck text, imported fields, file names and error messages may hold bytes that a terminal obeys (OSC 52
writes the clipboard, OSC 0 the window title, CSI 2J clears the screen, and the C1 byte 0x9b starts a
CSI on its own). `inert` removes whole escape sequences (CSI, OSC, DCS, SOS, PM, APC, and two-byte
escapes), then every other C0 control but tab and newline, DEL and every C1 control. Everything srs
prints goes through it once, as it is written: plain lines through `srs.ui.console.echo`, rich output
through `srs.ui.console.inert_console` (tests/test_architecture.py holds the command layer to those two).
"""

from __future__ import annotations

import re
from typing import Any

_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI: parameters, intermediates, one final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC/DCS/SOS/PM/APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape: intermediates and one final byte
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """`text` without escape sequences and control characters; tabs and newlines stay."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def inert_tree(value: Any) -> Any:
    """`inert` applied to every string in nested dicts, lists and tuples (keys too)."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, dict):
        return {inert_tree(k): inert_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(inert_tree(v) for v in value)
    return value


def inert_json(text: str) -> str:
    """JSON text with C1 controls written as escapes (JSON itself escapes C0 controls, ESC included)."""
    return text.translate(_C1_ESCAPES)


_C1_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}
