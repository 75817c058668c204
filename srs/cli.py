"""The `srs` command line: a thin shell that parses options, calls the core and prints its results.

Heavy modules (rich, sqlite, fsrs, genanki, the PDF library, torch) are imported inside the commands that
need them, so `srs --help` and `srs check` start fast.
"""

from __future__ import annotations

import errno
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from srs.commands.options import db_option, echo_json
from srs.errors import UserError
from srs.ui.console import echo

if TYPE_CHECKING:
    from srs.jsontypes import CheckJson

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class SrsGroup(click.Group):
    """Turns user errors into one line on stderr and exit 1; adds commands that live elsewhere lazily."""

    lazy_commands = {
        "demo": "srs.commands.demo:demo",
        "export": "srs.commands.export:export",
        "stats": "srs.commands.stats:stats",
        "optimize": "srs.commands.optimize:optimize",
        "evaluate": "srs.commands.optimize:evaluate",
        "show": "srs.commands.show:show",
        "import": "srs.commands.importing:import_group",
        "review": "srs.commands.learn:review",
        "quiz": "srs.commands.learn:quiz",
        "due": "srs.commands.learn:due",
        "answer": "srs.commands.learn:answer",
        "undo": "srs.commands.learn:undo",
        "flagged": "srs.commands.learn:flagged",
        "unsuspend": "srs.commands.card:unsuspend",  # the same as `srs card unsuspend`
        "unbury": "srs.commands.card:unbury",  # the same as `srs card unbury`
        "unflag": "srs.commands.card:unflag",  # the same as `srs card unflag`
        "config": "srs.commands.config:config",
        "search": "srs.commands.search:search",
        "card": "srs.commands.card:card",
        "add": "srs.commands.add:add",
        "completion": "srs.commands.completion:completion",
        "sync": "srs.commands.sync:sync",
        "backup": "srs.commands.backup:backup",
        "restore": "srs.commands.backup:restore",
    }

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in self.lazy_commands:
            module_name, attr = self.lazy_commands[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if not (exc.name and module_name.startswith(exc.name)):
                    raise  # a bug inside the module, not a part of srs that is missing

                return None
            command = getattr(module, attr)
        return command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except sqlite3.Error as exc:  # anything the store did not already explain: in srs's words, by its code
            from srs.store import db

            echo(f"Error: {db.database_error(exc, db.last_opened or 'in use')}", err=True)
            ctx.exit(1)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            name = f" writing {exc.filename}" if exc.filename else ""
            echo(f"Error: disk full{name}: nothing was changed; free some space and try again", err=True)
            ctx.exit(1)


@click.group(cls=SrsGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="srs")
@click.option(
    "-c", "settings", multiple=True, metavar="KEY=VALUE",
    help="Override a setting for this command (see `srs config list`); may be repeated.",
    shell_complete=lambda ctx, param, incomplete: _complete_assignments(ctx, param, incomplete),
)
def cli(settings):
    """Spaced repetition and quizzes from YAML decks, scheduled by FSRS."""
    from srs import settings as settings_module

    settings_module.command_line = settings_module.parse_assignments(settings)


def _complete_assignments(ctx, param, incomplete):
    from srs.commands.completion import complete_assignments

    return complete_assignments(ctx, param, incomplete)


def main() -> None:
    if sys.stdout is None:  # started with standard output closed (`srs ... >&-`): say so, change nothing
        if sys.stderr is not None:
            echo("Error: standard output is closed: srs has nowhere to write", err=True)
        sys.exit(1)
    cli(prog_name="srs")


def deck_paths_argument(func):
    return click.argument("paths", nargs=-1, type=click.Path(path_type=Path))(func)


def resolve_paths(paths: tuple[Path, ...]) -> list[Path]:
    from srs.paths import default_deck_paths

    chosen = list(paths) or default_deck_paths()
    if not chosen:
        raise UserError("no decks found: give a path, set SRS_DECKS, or run where ./decks exists")
    return chosen


@cli.command()
@deck_paths_argument
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(paths, as_json):
    """Lint deck files like a compiler: `file:line:col: error: message`.

    PATHS are deck files or folders (default: SRS_DECKS, ./decks and ./quizzes, or the bundled course). Exits 1
    when there are errors.
    """
    from srs.deck import load_paths

    result = load_paths(resolve_paths(paths), style=True)
    if as_json:
        data: CheckJson = {
            "files": len(result.files),
            "items": len(result.items()),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "diagnostics": [d.to_dict() for d in result.diagnostics],
        }
        echo_json(data)
    else:
        for diagnostic in result.diagnostics:
            echo(str(diagnostic))
        summary = (
            f"{_plural(len(result.files), 'file')}, {_plural(len(result.items()), 'item')}: "
            f"{_plural(len(result.errors), 'error')}, {_plural(len(result.warnings), 'warning')}"
        )
        echo(summary, err=True)
    sys.exit(1 if result.errors else 0)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@cli.command("list")
@deck_paths_argument
@click.option("--json", "as_json", is_flag=True, help="Print the decks as JSON.")
@db_option
def list_decks(paths, as_json, db_path):
    """List decks and quizzes with their item counts by kind.

    Decks unchanged since srs last read them are listed from the database (which this never writes).
    """
    from srs.listing import deck_listing
    from srs.paths import default_db_path

    rows, errors = deck_listing(resolve_paths(paths), db_path or default_db_path())
    if as_json:
        echo_json(rows)
    else:
        id_width = max((len(row["id"]) for row in rows), default=0)
        for row in rows:
            counts = ", ".join(f"{n} {kind}" for kind, n in row["kinds"].items())
            echo(f"{row['id']:<{id_width}}  {row['kind']:<5} {row['items']:>4} items  {row['title']}  ({counts})")
    for diagnostic in errors:
        echo(str(diagnostic), err=True)
    sys.exit(1 if errors else 0)
