"""The learner's settings: one TOML file, environment variables and `srs -c KEY=VALUE`, over deck YAML.

Precedence, highest first: the command line (`srs -c KEY=VALUE`), the environment (`SRS_KEY`), the
settings file, the deck's YAML `options`, the default. Within one source a deck's own value
(`deck.ID.KEY`, or `[deck.ID]` in the file) beats the source's global value. The file lives in the
platform's config folder (`SRS_CONFIG` names another). This module knows no terminal; errors are
UserErrors whose message is one line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srs.errors import UserError

if TYPE_CHECKING:
    from srs.jsontypes import SettingSource

APP_NAME = "srs"
ENV_PREFIX = "SRS_"

def _q(value: Any) -> str:
    """A value quoted for a one-line message, control characters escaped."""
    text = value if isinstance(value, str) else repr(value)
    return "'" + re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m[0]):02x}", text) + "'"


# -- one parser per kind of value: text (command line, environment) or TOML value -> the value -------


def _int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ValueError(f"{_q(value)} is not a whole number") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not a whole number")
        if not low <= value <= high:
            raise ValueError(f"{value} is not between {low} and {high}")
        return value

    return parse


def _float(low: float, high: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValueError(f"{_q(value)} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value!r} is not a number")
        if not low <= value <= high:
            raise ValueError(f"{value} is not between {low} and {high}")
        return float(value)

    return parse


TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.strip().lower() in TRUE:
            return True
        if value.strip().lower() in FALSE:
            return False
        raise ValueError(f"{_q(value)} is not true or false")
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in choices:
            raise ValueError(f"{_q(value)} is not one of {', '.join(choices)}")
        return value.strip()

    return parse


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    if re.search(r"[\x00-\x1f\x7f-\x9f]", value):
        raise ValueError("control characters are not allowed")
    return value.strip()


STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


MAX_STEP_DAYS = 36_500


def _steps(value: Any) -> tuple[str, ...]:
    """'1m 10m', '1m,10m' or ['1m', '10m'] -> ('1m', '10m'); '' or [] -> () (no steps)."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    elif isinstance(value, list):
        parts = value
    else:
        raise ValueError(f"{value!r} is not a list of steps such as '1m 10m'")
    steps = []
    for part in parts:
        match = STEP.match(part) if isinstance(part, str) else None
        if not match or float(match[1]) <= 0:
            raise ValueError(f"step {_q(part)} is not a time such as 30s, 10m, 1h or 1d")
        if step_delta(part) > timedelta(days=MAX_STEP_DAYS):  # the longest interval; longer overflows the clock
            raise ValueError(f"step {_q(part)} is longer than {MAX_STEP_DAYS:,} days")
        steps.append(part)
    if len(steps) > 10:
        raise ValueError("at most 10 steps")
    return tuple(steps)


def step_delta(step: str) -> timedelta:
    match = STEP.match(step)
    if not match:
        raise ValueError(f"step {_q(step)} is not a time such as 30s, 10m, 1h or 1d")
    return timedelta(seconds=float(match[1]) * UNIT_SECONDS[match[2]])


# -- the keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    per_deck: bool = False  # may be set per deck, and a deck's YAML `options` may hold it
    choices: tuple[str, ...] = ()  # the values to offer on completion

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


NEW_ORDERS = ("interleaved", "deck", "random")
LEECH_ACTIONS = ("suspend", "tag")

KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("new_per_day", _int(0, 10_000), 20, "new cards a day (all decks together; a deck's own limit too)", True),
        Key("reviews_per_day", _int(0, 100_000), 200, "reviews a day (all decks together; a deck's own too)", True),
        Key("desired_retention", _float(0.7, 0.99), 0.9, "the recall probability FSRS schedules for", True),
        Key("learning_steps", _steps, ("1m", "10m"), "steps of a new card, such as '1m 10m'", True),
        Key("relearning_steps", _steps, ("10m",), "steps after a lapse, such as '10m'", True),
        Key("maximum_interval", _int(1, 36_500), 36_500, "the longest interval, in days", True),
        Key("day_starts_at", _int(0, 23), 4, "the hour (local time) at which the learner's day starts"),
        Key("bury_siblings", _bool, True, "one card of an item a day: its siblings wait until tomorrow", True,
            choices=("true", "false")),
        Key("new_order", _choice(*NEW_ORDERS), "interleaved",
            "new cards: decks taking turns, deck by deck, or in random order", choices=NEW_ORDERS),
        Key("leech_threshold", _int(1, 1000), 8, "lapses that make a card a leech"),
        Key("leech_action", _choice(*LEECH_ACTIONS), "suspend", "what happens to a leech: suspend, or only tag it",
            choices=LEECH_ACTIONS),
        Key("editor", _text, "", "the editor command (default: $VISUAL, then $EDITOR, then vi)"),
    )
}

DECK_KEY = re.compile(r"^deck\.([a-z0-9][a-z0-9_-]*)\.([a-z_]+)$")


def split_key(name: str) -> tuple[str | None, Key]:
    """'new_per_day' -> (None, key); 'deck.ID.new_per_day' -> ('ID', key); UserError for an unknown key."""
    match = DECK_KEY.match(name)
    deck, base = (match[1], match[2]) if match else (None, name)
    key = KEYS.get(base)
    if key is None:
        import difflib

        close = difflib.get_close_matches(base, list(KEYS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; see `srs config list`"
        raise UserError(f"unknown setting '{name}'{hint}")
    if deck is not None and not key.per_deck:
        raise UserError(f"'{base}' cannot be set per deck; set it for all decks")
    return deck, key


def parse_value(name: str, value: Any) -> Any:
    """The value for key `name` (text or TOML), or UserError `name: why`."""
    _, key = split_key(name)
    try:
        return key.parse(value)
    except ValueError as exc:
        raise UserError(f"{name}: {exc}") from None


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)


def all_key_names(deck_ids: Iterable[str] = ()) -> list[str]:
    """Every settable key (for completion and `srs config list`)."""
    names = list(KEYS)
    for deck in deck_ids:
        names += [f"deck.{deck}.{k.name}" for k in KEYS.values() if k.per_deck]
    return names


# -- the settings file --------------------------------------------------------------------------------


def settings_path() -> Path:
    env = os.environ.get("SRS_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "settings.toml"


def read_file(path: Path) -> tuple[dict, dict[str, dict]]:
    """(global values, {deck: values}) from the file, validated; none when it does not exist.

    Any fault is a UserError naming `path:line`.
    """
    if not path.exists():
        return {}, {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the settings file ({type(exc).__name__})") from None
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        document = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        raise UserError(
            f"{path}:{exc.line}: this line is not valid TOML (column {exc.col}); nothing was changed"
        ) from None
    values: dict = {}
    decks: dict[str, dict] = {}
    for name, value in document.items():
        if name == "deck" and isinstance(value, dict):
            for deck_id, table in value.items():
                if not isinstance(table, dict):
                    raise UserError(f"{path}:{_line_of(text, 'deck', deck_id)}: [deck.{deck_id}] must be a table")
                for sub, sub_value in table.items():
                    full = f"deck.{deck_id}.{sub}"
                    decks.setdefault(deck_id, {})[sub] = _checked(path, text, full, sub_value, f"deck.{deck_id}", sub)
            continue
        values[name] = _checked(path, text, name, value, None, name)
    return values, decks


def _checked(path: Path, text: str, full: str, value: Any, table: str | None, name: str) -> Any:
    try:
        return parse_value(full, value)
    except UserError as exc:
        raise UserError(f"{path}:{_line_of(text, table, name)}: {exc}; nothing was changed") from None


def _line_of(text: str, table: str | None, name: str) -> int:
    """The line where `name` is set in `table` (None: top level); 1 when it cannot be found."""
    current = None
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    assignment = re.compile(r'^\s*"?' + re.escape(name) + r'"?\s*=')
    for number, line in enumerate(text.splitlines(), 1):
        found = header.match(line)
        if found:
            current = found[1].replace('"', "")
            if table is not None and current == f"{table}.{name}":  # [deck.ID] for `deck` `ID`
                return number
            continue
        if current == table and assignment.match(line):
            return number
    return 1


def write_setting(path: Path, name: str, value: Any | None) -> None:
    """Set (or, for None, remove) `name` in the file, keeping its comments and the other lines.

    The whole file is checked first; a malformed file is left exactly as it was.
    """
    read_file(path)
    import tomlkit

    from srs.atomic import atomic_output, read_text_and_newline

    if path.exists():
        text, newline = read_text_and_newline(path)
        document = tomlkit.parse(text)
    else:
        newline, document = "\n", tomlkit.document()
    deck, key = split_key(name)
    table = document
    if deck is not None:
        decks = document.setdefault("deck", tomlkit.table(is_super_table=True))
        table = decks.setdefault(deck, tomlkit.table())
    if value is None:
        if key.name not in table:
            raise UserError(f"'{name}' is not set in {path}")
        del table[key.name]
        if deck is not None and not table:
            del document["deck"][deck]
            if not document["deck"]:
                del document["deck"]
    else:
        table[key.name] = list(value) if isinstance(value, tuple) else value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make the folder for the settings file {path}: {exc.strerror or exc}") from None
    with atomic_output(path) as temporary:  # through a symlink (dotfiles), keeping the file's permissions
        temporary.write_text(tomlkit.dumps(document), encoding="utf-8", newline=newline)


# -- resolving ----------------------------------------------------------------------------------------

# `srs -c KEY=VALUE ...`: set by the command line's group before any command runs.
command_line: dict[str, Any] = {}


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """['new_per_day=30', ...] -> {'new_per_day': 30}; UserError for a bad pair, key or value."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"-c '{pair}': expected KEY=VALUE, such as new_per_day=30")
        found[name.strip()] = parse_value(name.strip(), value)
    return found


@dataclass
class Settings:
    """Every source but the decks' YAML, read once; `get` adds a deck's YAML options."""

    command_line: dict[str, Any] = field(default_factory=dict)  # 'KEY' or 'deck.ID.KEY'
    environment: dict[str, Any] = field(default_factory=dict)
    file: dict[str, Any] = field(default_factory=dict)
    file_decks: dict[str, dict] = field(default_factory=dict)
    path: Path | None = None

    def lookup(self, name: str, deck: str | None = None, deck_options: dict | None = None) -> tuple[Any, SettingSource]:
        """(value, source) of key `name` for `deck` (None: the global value)."""
        key = KEYS[name]
        per_deck = deck if key.per_deck else None  # the deck whose own values count, if any
        if per_deck is not None and f"deck.{per_deck}.{name}" in self.command_line:
            return self.command_line[f"deck.{per_deck}.{name}"], "command line"
        if name in self.command_line:
            return self.command_line[name], "command line"
        if name in self.environment:
            return self.environment[name], "environment"
        if per_deck is not None and name in self.file_decks.get(per_deck, {}):
            return self.file_decks[per_deck][name], "settings file"
        if name in self.file:
            return self.file[name], "settings file"
        if per_deck is not None and deck_options and name in deck_options:
            return deck_options[name], "deck YAML"
        return key.default, "default"

    def get(self, name: str, deck: str | None = None, deck_options: dict | None = None) -> Any:
        return self.lookup(name, deck, deck_options)[0]

    def steps(self, name: str, deck: str | None = None, deck_options: dict | None = None) -> tuple[timedelta, ...]:
        return tuple(step_delta(s) for s in self.get(name, deck, deck_options))

    def editor(self) -> str:
        return self.get("editor") or os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def load(path: Path | None = None, environ: Mapping[str, str] | None = None, overrides: dict | None = None) -> Settings:
    """The settings from every source but the decks; a bad file or variable is a one-line UserError."""
    path = path or settings_path()
    variables: Mapping[str, str] = os.environ if environ is None else environ
    file_values, file_decks = read_file(path)
    env_values = {}
    for key in KEYS.values():
        if key.env in variables:
            try:
                env_values[key.name] = key.parse(variables[key.env])
            except ValueError as exc:
                raise UserError(f"{key.env}: {exc}") from None
    return Settings(dict(command_line if overrides is None else overrides), env_values, file_values, file_decks, path)


def current() -> Settings:
    """The settings in force for this command (the file is read anew each call: it is small)."""
    return load()
