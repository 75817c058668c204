"""Write a file all at once: into a temporary file beside it, then renamed over it.

A failed or interrupted write (an export, a deck `srs add` appends to, the settings `srs config set` changes)
leaves no half-written file, and the older file at the same path stays intact until the new one is complete.
The temporary file lives in the same folder so the final `os.replace` is a rename on one file system, which
is atomic.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from srs.errors import UserError


def check_writable(path: Path) -> Path:
    """The absolute output path, or a UserError saying in one line why it cannot be written. A symbolic link
    is written through: the file it points to gets the new content, and the link stays a link."""
    path = Path(path).expanduser()
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise UserError(f"cannot write {path}: it is a folder")
    if path.exists() and not path.is_file():  # a device (/dev/null), a pipe: a rename would replace the node itself
        raise UserError(f"refusing to write {path}: it is not a regular file")
    folder = path.parent.resolve() if str(path.parent) else Path.cwd()
    if not folder.is_dir():
        raise UserError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"cannot write {path}: permission denied for folder {folder}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"cannot write {path}: the file is read-only")
    return folder / path.name


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on any error it is removed."""
    target = check_writable(path)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        _keep_mode_of(target, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _keep_mode_of(target: Path, temp: Path) -> None:
    """mkstemp makes the file private (0600); give it the permissions a plain new file would get."""
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_text_and_newline(path: Path) -> tuple[str, str]:
    """The UTF-8 text of the file at `path`, its line endings read as "\n" (as open() reads them), and the line
    ending it uses, from one read: a file edited in place (a deck `srs add` appends to, the settings `srs config
    set` changes) is written back with its own, so no other line is rewritten."""
    data = path.read_bytes()
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), _newline_of(data)


def _newline_of(data: bytes) -> str:
    """The line ending a text file uses (its first one)."""
    first = data.find(b"\n")
    if first > 0 and data[first - 1 : first] == b"\r":
        return "\r\n"
    if first < 0 and b"\r" in data:
        return "\r"
    return "\n"
