"""Options every learning command shares, and the step they all start with: open the store, sync decks."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from srs.errors import UserError
from srs.ui.console import echo

if TYPE_CHECKING:
    from collections.abc import Callable

    from srs.store import Store
    from srs.store.db import Upgrade


def now_option(func):
    """`--now ISO-TIME` (or SRS_NOW) fixes the clock, so days can be simulated without waiting."""

    @click.option("--now", "now", envvar="SRS_NOW", metavar="ISO-TIME", help="Pretend it is this time.")
    @functools.wraps(func)
    def wrapper(*args, now=None, **kwargs):
        from srs.clock import parse_now

        return func(*args, now=parse_now(now) if now else None, **kwargs)

    return wrapper


def expand_user(ctx, param, value: Path | None) -> Path | None:
    """`--db ~/srs.db` where no shell expanded the ~ (`--db=~/...`, SRS_DB from a file): the learner's home,
    not a new folder named `~` holding a new, empty history."""
    return value.expanduser() if value is not None else None


def db_option(func):
    return click.option(
        "--db", "db_path", envvar="SRS_DB", type=click.Path(path_type=Path), callback=expand_user,
        help="The SQLite file (default: in your user data folder).",
    )(func)


def decks_option(func):
    return click.option(
        "--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
        help="Deck files or folders (default: SRS_DECKS, ./decks and ./quizzes, or the bundled course).",
    )(func)


def learning_options(func):
    """--db, --decks and --now together."""
    return db_option(decks_option(now_option(func)))


@dataclass
class Workspace:
    store: Store
    deck_ids: list[str]
    sync_summary: str | None
    diagnostics: list
    fixed_now: datetime | None
    started: float | None = None  # monotonic time at which a --now clock started to flow

    def start_clock(self) -> None:
        """From now on a --now time is the session's start and time flows from it (srs review, srs quiz);
        one-shot commands keep it fixed."""
        import time

        self.started = time.monotonic()

    def clock(self) -> datetime:
        from srs.clock import parse_now

        if self.fixed_now is None:
            return parse_now(None)
        if self.started is None:
            return self.fixed_now
        import time
        from datetime import timedelta

        return self.fixed_now + timedelta(seconds=int(time.monotonic() - self.started))

    def history_deck_ids(self) -> list[str]:
        """The decks of the deck files, then those the store holds without one (imported history)."""
        return list(dict.fromkeys([*self.deck_ids, *self.store.deck_ids()]))

    def select_decks(self, names: tuple[str, ...] | list[str], among: list[str] | None = None) -> list[str]:
        """Deck ids for the names given (all of `among`, default the deck files' decks, when none); an
        unknown name names the nearest deck."""
        known = self.deck_ids if among is None else among
        if not names:
            return known
        import difflib

        chosen = []
        for name in names:
            if name in known:
                chosen.append(name)
                continue
            if name in self.store.deck_ids():
                raise UserError(f"deck '{name}' has no deck file among the decks in use (imported history, or "
                                "a deck from other --decks); srs stats and srs optimize still count it")
            match = difflib.get_close_matches(name, known, n=1, cutoff=0.4)
            hint = f"; did you mean '{match[0]}'?" if match else f"; decks: {', '.join(known)}"
            raise UserError(f"unknown deck '{name}'{hint}")
        return chosen


def open_store(path: Path | str) -> Store:
    """The store at `path`. A database an older srs wrote is upgraded once: one line on stderr says so before it
    starts, then a bar (on a terminal) follows the reviews converted."""
    from contextlib import ExitStack

    from srs.store import Store
    from srs.ui.progress import progress_bar

    with ExitStack() as bar:
        def announce(upgrade: Upgrade) -> Callable[[int, int], None] | None:
            echo(f"Upgrading the database to schema {upgrade.target} (one time, {upgrade.reviews:,} reviews): "
                 f"a backup is kept at {upgrade.backup}", err=True)
            return bar.enter_context(progress_bar("Converting reviews"))

        return Store.open(path, on_upgrade=announce)


# About a second of reading on these machines: below it a bar would only flicker.
SYNC_BAR_FROM_BYTES = 1_000_000


def open_workspace(db_path: Path | None, deck_paths, now: datetime | None, *, sync: bool = True) -> Workspace:
    """Open the store and mirror the decks into it (reading only changed files)."""
    from srs.clock import set_day_start_hour
    from srs.paths import default_db_path, default_deck_paths
    from srs.settings import current

    set_day_start_hour(current().get("day_starts_at"))  # a malformed settings file stops here
    from srs.store.db import database_error
    from srs.sync import sync as sync_decks

    path = db_path or default_db_path()
    store = open_store(path)
    if str(path) != ":memory:":
        from srs.store.backup import daily_backup

        try:
            daily_backup(store.conn, path)  # the first use each day keeps a copy of the history
        except UserError as exc:  # a backup that cannot be made must not stop the learner
            echo(f"Warning: {exc}; srs tries again next time", err=True)
    if not sync:
        return Workspace(store, store.deck_ids(), None, [], now)
    paths: list[str | Path] = list(deck_paths) or list(default_deck_paths())
    from srs.ui.progress import progress_bar

    try:
        with progress_bar("Reading decks", show_from=SYNC_BAR_FROM_BYTES, counts=False) as progress:
            report = sync_decks(store, paths, progress)
    except sqlite3.Error as exc:
        raise database_error(exc, path) from None
    return Workspace(store, report.deck_ids, report.summary(), report.diagnostics, now)


def report_sync(workspace: Workspace) -> None:
    """Deck errors and what changed, on stderr, so stdout stays clean for --json."""
    for diagnostic in workspace.diagnostics:
        if diagnostic.severity == "error":
            echo(str(diagnostic), err=True)
    if workspace.sync_summary:
        echo(workspace.sync_summary[0].upper() + workspace.sync_summary[1:] + ".", err=True)


def echo_json(value) -> None:
    from srs.inert import inert_json

    echo(inert_json(json.dumps(value, ensure_ascii=False, indent=2, default=str)))
