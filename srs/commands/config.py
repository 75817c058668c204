"""`srs config`: the learner's settings file (see srs/settings.py and docs/settings.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from srs.commands.options import echo_json
from srs.ui.console import echo

if TYPE_CHECKING:
    from srs.jsontypes import SettingValue


def _deck_options(deck: str, deck_paths) -> dict:
    """The YAML `options` of deck `deck` among the decks in use (empty when it has none or is unknown)."""
    from srs.deck import load_paths
    from srs.paths import default_deck_paths

    paths = list(deck_paths) or default_deck_paths()
    for found in load_paths(paths).decks:
        if found.id == deck:
            return found.options.model_dump(exclude_none=True)
    return {}


def _complete_keys(ctx, param, incomplete):
    from srs.commands.completion import complete_setting_keys

    return complete_setting_keys(ctx, param, incomplete)


def _complete_values(ctx, param, incomplete):
    from srs.commands.completion import complete_setting_values

    return complete_setting_values(ctx, param, incomplete)


@click.group()
def config():
    """Show and change your settings (a TOML file; `srs config path` says where).

    Precedence: `srs -c KEY=VALUE`, then the environment (SRS_KEY), then the settings file, then the
    deck's YAML options, then the default. `deck.ID.KEY` sets a key for one deck.
    """


@config.command()
def path():
    """Print where the settings file is (SRS_CONFIG names another)."""
    from srs.settings import settings_path

    echo(str(settings_path()))


def _json_value(value: Any) -> SettingValue:
    """A setting's value as JSON has it: steps (a tuple) become a list."""
    return list(value) if isinstance(value, tuple) else value


@config.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_settings(as_json):
    """Every key with its value in force and where that value comes from."""
    from srs.jsontypes import ConfigSettingJson
    from srs.settings import KEYS, format_value, load

    settings = load()
    rows = []
    for name, key in KEYS.items():
        value, source = settings.lookup(name)
        rows.append({"key": name, "value": value, "source": source, "help": key.help})
    for deck, values in sorted(settings.file_decks.items()):
        for name in values:
            value, source = settings.lookup(name, deck)
            rows.append({"key": f"deck.{deck}.{name}", "value": value, "source": source, "help": KEYS[name].help})
    if as_json:
        settings_json: list[ConfigSettingJson] = [
            {"key": row["key"], "value": _json_value(row["value"]), "source": row["source"], "help": row["help"]}
            for row in rows
        ]
        echo_json(settings_json)
        return
    width = max(len(row["key"]) for row in rows)
    for row in rows:
        echo(f"{row['key']:<{width}}  {format_value(row['value'])}  ({row['source']})")


@config.command()
@click.argument("key", shell_complete=_complete_keys)
@click.option("--json", "as_json", is_flag=True, help="Print the value and its source as JSON.")
@click.option("--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
              help="Deck files or folders, for a deck's YAML options (default: as `srs review`).")
def get(key, as_json, deck_paths):
    """Print the value in force for KEY (`deck.ID.KEY`: for one deck, its YAML options included)."""
    from srs.jsontypes import ConfigValueJson
    from srs.settings import format_value, load, split_key

    deck, spec = split_key(key)
    options = _deck_options(deck, deck_paths) if deck else None
    value, source = load().lookup(spec.name, deck, options)
    if as_json:
        value_json: ConfigValueJson = {"key": key, "value": _json_value(value), "source": source}
        echo_json(value_json)
    else:
        echo(format_value(value))


@config.command("set")
@click.argument("key", shell_complete=_complete_keys)
@click.argument("value", shell_complete=lambda ctx, param, incomplete: _complete_values(ctx, param, incomplete))
def set_(key, value):
    """Set KEY to VALUE in the settings file (checked first; comments in the file are kept)."""
    from srs.settings import format_value, parse_value, settings_path, write_setting

    parsed = parse_value(key, value)
    path = settings_path()
    write_setting(path, key, parsed)
    echo(f"{key} = {format_value(parsed)} (in {path})")


@config.command()
@click.argument("key", shell_complete=_complete_keys)
def unset(key):
    """Remove KEY from the settings file, so the deck's YAML or the default applies again."""
    from srs.settings import settings_path, split_key, write_setting

    split_key(key)
    path = settings_path()
    write_setting(path, key, None)
    echo(f"{key} is no longer set (in {path})")
