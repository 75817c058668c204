"""`srs sync`: two-way review sync with an Anki sync server (AnkiWeb, or `python -m anki.syncserver`).

srs keeps a private Anki collection, the mirror (mirror.py), beside its database, and syncs that with the
server as any Anki client does, through the `anki` package (the optional extra `srs-terminal[anki]`).
account.py keeps the login token; engine.py runs a sync; srs/commands/sync.py is the command line. Not to be
confused with srs.sync, which mirrors deck files into the srs database.
"""

from __future__ import annotations

from srs.distribution import install_command
from srs.errors import UserError


def require_anki() -> None:
    """A one-line UserError saying how to install the extra, when the `anki` package is missing."""
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        raise UserError(f"srs sync needs the Anki package: {install_command('anki')}") from None
