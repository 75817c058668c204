"""`srs completion SHELL`: the shell completion script, and the completers for deck ids, card ids and
settings keys that commands name in their arguments' `shell_complete`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from srs.ui.console import echo

SHELLS = ("bash", "zsh", "fish")
MAX_IDS = 200  # a shell shows no more than this usefully


def _store(ctx):
    """The learner's store, read as it is (no sync); None when there is none yet."""
    from srs.paths import default_db_path
    from srs.store import Store

    path = None
    while ctx is not None and path is None:
        path = ctx.params.get("db_path")
        ctx = ctx.parent
    path = Path(path or os.environ.get("SRS_DB") or default_db_path()).expanduser()
    if not path.is_file():
        return None
    from srs.store.db import upgrade_pending

    if upgrade_pending(path):  # a Tab never runs the one-time upgrade; the next command does, and says so
        return None
    try:
        return Store.open(path)
    except Exception:  # completion must never print a traceback into the learner's prompt
        return None


def card_ids(ctx, prefix: str = "") -> list[str]:
    from srs.store.search import ids_starting

    store = _store(ctx)
    if store is None:
        return []
    try:
        return ids_starting(store.conn, "cards", prefix, MAX_IDS)
    finally:
        store.close()


def deck_ids(ctx, prefix: str = "") -> list[str]:
    store = _store(ctx)
    if store is None:
        return []
    try:
        return [d for d in store.deck_ids() if d.startswith(prefix)]
    finally:
        store.close()


def setting_keys(ctx=None) -> list[str]:
    from srs.settings import all_key_names

    return all_key_names(deck_ids(ctx) if ctx is not None else [])


def complete_card_ids(ctx, param, incomplete):
    return card_ids(ctx, incomplete)


def complete_deck_ids(ctx, param, incomplete):
    return deck_ids(ctx, incomplete)


def complete_setting_keys(ctx, param, incomplete):
    return [k for k in setting_keys(ctx) if k.startswith(incomplete)]


def complete_setting_values(ctx, param, incomplete):
    """`srs config set KEY VALUE`: the values KEY takes, where they are few."""
    from srs.errors import UserError
    from srs.settings import split_key

    try:
        _, key = split_key(ctx.params.get("key") or "")
    except UserError:
        return []
    return [c for c in key.choices if c.startswith(incomplete)]


def complete_assignments(ctx, param, incomplete):
    """`-c KEY=VALUE`: the keys, each with its `=`."""
    return [f"{k}=" for k in setting_keys(ctx) if k.startswith(incomplete)]


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell):
    """Print the shell completion script for SHELL (commands, options, deck ids, card ids, settings keys).

    \b
    bash:  srs completion bash > ~/.local/share/bash-completion/completions/srs
    zsh:   srs completion zsh > "${fpath[1]}/_srs"   (or: eval "$(srs completion zsh)" in ~/.zshrc)
    fish:  srs completion fish > ~/.config/fish/completions/srs.fish
    """
    from click.shell_completion import get_completion_class

    from srs.cli import cli

    script = get_completion_class(shell)(cli, {}, "srs", "_SRS_COMPLETE").source()
    echo(script, nl=False)
