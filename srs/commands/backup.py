"""`srs backup` (a consistent copy of the history now, or the list of copies) and `srs restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from srs.commands.options import db_option, echo_json, open_store
from srs.ui.console import echo


@click.command()
@click.option("--list", "list_them", is_flag=True, help="List the backups instead of taking one.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
def backup(list_them, as_json, db_path):
    """Back up the history database now (SQLite's backup API: consistent while srs runs elsewhere).

    Backups are also taken before every import, reschedule and migration, and once a day on first use.
    They live in backups/ beside the database: the 10 most recent, then one a day for 12 days, one a week
    for 10 weeks and one a month for 9 months.
    """
    from srs.jsontypes import BackupJson, BackupTakenJson
    from srs.paths import default_db_path
    from srs.store.backup import backups, take_backup

    path = db_path or default_db_path()
    if list_them:
        found = backups(path)
        rows: list[BackupJson] = [
            {"path": str(b.path), "taken": b.taken.isoformat(), "reason": b.reason} for b in reversed(found)
        ]
        if as_json:
            echo_json(rows)
        elif not rows:
            echo("No backups yet.")
        for row in [] if as_json else rows:
            echo(f"{row['taken']}  {row['reason']:<16} {row['path']}")
        return
    store = open_store(path)
    try:
        target = take_backup(store.conn, path, "manual")
    finally:
        store.close()
    if as_json:
        taken: BackupTakenJson = {"database": str(path), "backup": str(target)}
        echo_json(taken)
    else:
        echo(f"Backed up {path} to {target}.")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
def restore(file, db_path):
    """Put the history back as it was in FILE (a backup from `srs backup --list`).

    The database as it is now is backed up first, so a restore can itself be undone.
    """
    from srs.paths import default_db_path
    from srs.store.backup import check_backup_file
    from srs.store.backup import restore as restore_from

    path = db_path or default_db_path()
    check_backup_file(file)  # before the database is even opened
    store = open_store(path)
    try:
        safety = restore_from(store.conn, path, file)
    finally:
        store.close()
    echo(f"Restored {path} from {file}; the history as it was before is in {safety}.")
