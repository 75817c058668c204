"""The sync login: the server's address and the token it gave, in the data folder, readable by the user
alone (0600). The password is never stored; `srs sync login` asks for it, trades it for the token once."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from srs.errors import UserError

FILE_NAME = "anki-sync.json"
ANKIWEB = "https://sync.ankiweb.net/"


@dataclass
class Login:
    user: str
    endpoint: str
    hkey: str  # the token


def check_endpoint(url: str) -> str:
    """`url` back when it can name a sync server (http or https, a host, a port in range, no spaces or control
    characters); else a one-line UserError, before anything is asked of the server or written."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # an unclosed [ipv6, a port that is no number or out of range
        parts, port_ok = None, False
    if (parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname
            or not url.isprintable() or " " in url):
        raise UserError(f"--server {url}: not a sync server address; give one such as http://192.168.1.5:8080/")
    return url


def login_path(data_folder: Path) -> Path:
    return Path(data_folder) / FILE_NAME


def save_login(data_folder: Path, login: Login) -> Path:
    """Write the login atomically, created 0600 (never readable by others, not even for a moment)."""
    path = login_path(data_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    if temp.exists():
        temp.unlink()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(login), out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    return path


def load_login(data_folder: Path) -> Login:
    path = login_path(data_folder)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Login(str(raw["user"]), check_endpoint(str(raw["endpoint"])), str(raw["hkey"]))
    except FileNotFoundError:
        raise UserError("not logged in to a sync server: run `srs sync login` first") from None
    except (OSError, ValueError, KeyError, TypeError, UserError):
        raise UserError(f"{path} cannot be read: run `srs sync login` again") from None


def forget_login(data_folder: Path) -> bool:
    path = login_path(data_folder)
    if path.exists():
        path.unlink()
        return True
    return False
