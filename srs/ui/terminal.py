"""Reading the learner's keys: single keypresses on a terminal, one line per key or answer otherwise.

A script (or a test) can drive a session by piping lines: "" or " " reveals, "3" rates Good, "q" quits.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys

# What a typed answer may hold that is no text: escape sequences (arrow keys, pasted colours, a title change)
# and other control characters. They are dropped, so an answer echoed back or logged moves no cursor.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]|.?)"  # CSI, OSC, two-byte, lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the one-byte CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def typed_text(text: str) -> str:
    """A typed line as text only: escape sequences and control characters removed, tabs as spaces."""
    if not any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in text):
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text)).replace("\t", " ")


class EndOfInput(Exception):
    """The learner quit (Ctrl-C, Ctrl-D) or the script ran out of lines."""


class Keys:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        if self.stream is None:  # started with standard input closed (`srs review <&-`)
            from srs.errors import UserError

            raise UserError("standard input is closed: a review reads the learner's keys from it")
        self.interactive = _isatty(self.stream)
        self._pending = ""  # keys typed ahead and read together on a terminal, handed out one at a time

    def key(self) -> str:
        """One keypress (terminal) or one line (script); Enter and space both read as " "."""
        if not self.interactive:
            return self._script_line() or " "
        if not self._pending:
            self._pending = _read_raw_key(self.stream)
        char, self._pending = self._pending[0], self._pending[1:]
        if char in ("\x03", "\x04"):  # Ctrl-C, Ctrl-D in raw mode
            raise EndOfInput
        return " " if char in ("\r", "\n", " ") else char

    def line(self, prompt: str = "> ") -> str:
        """A whole typed answer."""
        if not self.interactive:
            return self._script_line()
        self._pending = ""  # single keys typed ahead are not the start of a typed answer
        _line_editing()
        try:
            return typed_text(input(prompt))
        except (EOFError, KeyboardInterrupt):
            raise EndOfInput from None

    def _script_line(self) -> str:
        # A script reads what we showed before it answers: a pipe holds output back until flushed.
        sys.stdout.flush()
        line = self.stream.readline()
        if line == "":
            raise EndOfInput
        line = typed_text(line.rstrip("\r\n"))
        return line.strip() if line.strip() else ""


def _line_editing() -> None:
    """Arrow keys, Home/End and the rest of line editing in input(), where the platform has readline."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it is what turns editing on)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _read_raw_key(stream) -> str:
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)  # not the default TCSAFLUSH, which drops keys typed ahead
        data = os.read(fd, 64)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    if data.startswith(b"\x1b"):
        return "\x1b"  # an escape sequence (an arrow or function key) is one key, which nothing uses
    text = data.decode("utf-8", errors="ignore")
    return text or "\x04"
