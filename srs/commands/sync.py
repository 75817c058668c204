"""`srs sync`, `srs sync login`, `srs sync logout`: the command line, kept thin (see srs.ankisync)."""

from __future__ import annotations

from pathlib import Path

import click

from srs.commands.options import echo_json, expand_user, learning_options, open_workspace, report_sync
from srs.errors import UserError
from srs.ui.console import echo


def _data_folder(db_path: Path | None) -> Path:
    from srs.paths import default_db_path

    return Path(db_path or default_db_path()).parent


@click.group(invoke_without_command=True)
@click.option("--status", "show_status", is_flag=True, help="Say what a sync would send and receive; change nothing.")
@click.option("--upload", is_flag=True,
              help="When the server asks for a full sync: replace the server's collection with srs's.")
@click.option("--download", is_flag=True,
              help="When the server asks for a full sync: replace srs's Anki mirror with the server's "
              "(srs keeps its reviews and sends them again).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@learning_options
@click.pass_context
def sync(ctx, show_status, upload, download, as_json, db_path, deck_paths, now):
    """Sync reviews both ways with an Anki sync server (AnkiWeb or a self-hosted one).

    Your decks go to the server as notes (the same ones `srs export anki` writes), your reviews as Anki
    reviews; reviews made in AnkiDroid, AnkiMobile or Anki come back into srs's history. Log in first
    with `srs sync login`. Needs the extra: pip install 'srs-terminal[anki]'. See docs/anki-sync.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    if upload and download:  # the last one given won, and an upload can replace other devices' reviews
        raise UserError("--upload and --download exclude each other: choose one (if unsure, --download)")
    direction = "upload" if upload else "download" if download else None
    from srs.ankisync import require_anki

    require_anki()
    from srs.ankisync.account import load_login
    from srs.ankisync.engine import run_sync, status
    from srs.clock import parse_now
    from srs.deck.loader import reading_once
    from srs.export.anki import StoredIdentity
    from srs.export.selection import select_decks
    from srs.store.anki_identity import origin_uids, retired_items

    folder = _data_folder(db_path)
    login = load_login(folder)
    with reading_once():  # the decks are parsed once, for the store and for the mirror
        ws = open_workspace(db_path, deck_paths, now)
        try:
            decks = select_decks((), deck_paths)
        except BaseException:
            ws.store.close()
            raise
    report_sync(ws)
    try:
        deck_ids = [deck.id for deck in decks]
        identity = StoredIdentity(origin_uids(ws.store.conn), retired_items(ws.store.conn, deck_ids))
        if show_status:
            found = status(ws.store, decks, identity, folder, login)
            if as_json:
                echo_json(found.to_dict())
            else:
                for line in found.lines():
                    echo(line)
            return
        result = run_sync(ws.store, decks, identity, folder, login, now or parse_now(None), direction)
    finally:
        ws.store.close()
    echo_json(result.to_dict()) if as_json else echo(result.summary())


@sync.command("login")
@click.option("--server", "endpoint", metavar="URL", default=None,
              help="The sync server's address, e.g. http://192.168.1.5:8080/ (default: AnkiWeb).")
@click.option("--user", prompt="User name", help="Your user name (AnkiWeb: your e-mail address).")
@click.password_option("--password", prompt="Password", confirmation_prompt=False, envvar="SRS_SYNC_PASSWORD",
                       help="Asked for when not given (or SRS_SYNC_PASSWORD); never stored.")
@click.option("--db", "db_path", envvar="SRS_DB", type=click.Path(path_type=Path), callback=expand_user,
              help="The SQLite file; the login is kept in its folder (default: your user data folder).")
def login_command(endpoint, user, password, db_path):
    """Log in to a sync server once: keeps its token (readable by you alone), never your password."""
    from srs.ankisync import require_anki

    require_anki()
    from srs.ankisync.account import ANKIWEB, login_path
    from srs.ankisync.engine import login

    folder = _data_folder(db_path)
    details = login(folder, user, password, endpoint or ANKIWEB)
    echo(f"Logged in to {details.endpoint} as {details.user}; token kept in {login_path(folder)}")


@sync.command("logout")
@click.option("--db", "db_path", envvar="SRS_DB", type=click.Path(path_type=Path), callback=expand_user,
              help="The SQLite file whose folder keeps the login.")
def logout_command(db_path):
    """Forget the sync server's token."""
    from srs.ankisync.account import forget_login

    echo("Logged out." if forget_login(_data_folder(db_path)) else "Not logged in.")
