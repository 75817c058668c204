"""Every `--json` output has a type in srs/jsontypes.py, the commands write what the types say, and
docs/json.md is generated from them."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path

import click
import pytest

from srs import jsontypes
from srs.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DECKS = ROOT / "decks"
NOW = "2026-11-20T10:00:00+00:00"


def mismatches(value, expected, where: str = "$") -> list[str]:
    """Where `value` (parsed JSON) does not have the type `expected`; [] when it does."""
    origin = typing.get_origin(expected)
    if expected is typing.Any:
        return []
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(expected)
        found = [mismatches(value, option, where) for option in options]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is typing.Literal:
        return [] if value in typing.get_args(expected) else [f"{where}: {value!r} is not one of {expected}"]
    if expected is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if typing.is_typeddict(expected):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} where an object ({expected.__name__}) belongs"]
        hints = typing.get_type_hints(expected)
        required, optional = expected.__required_keys__, expected.__optional_keys__
        out = [f"{where}: missing {k!r} ({expected.__name__})" for k in sorted(required - set(value))]
        out += [f"{where}: {k!r} is not in {expected.__name__}" for k in sorted(set(value) - required - optional)]
        for key in value.keys() & hints.keys():
            out += mismatches(value[key], hints[key], f"{where}.{key}")
        return out
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} where a list belongs"]
        (item,) = typing.get_args(expected)
        return [m for i, v in enumerate(value) for m in mismatches(v, item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} where an object belongs"]
        _, item = typing.get_args(expected)
        return [m for k, v in value.items() for m in mismatches(v, item, f"{where}.{k}")]
    if expected is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    return [] if ok else [f"{where}: {value!r} is not {expected.__name__}"]


def hints_of(name: str):
    """JSON_OUTPUTS' value for a command, evaluated (the module uses postponed annotations)."""
    value = jsontypes.JSON_OUTPUTS[name]
    return eval(value, vars(jsontypes)) if isinstance(value, str) else value


def test_the_checker_finds_a_wrong_field():
    good = {"path": "a.yaml", "line": 1, "col": 2, "severity": "error", "message": "m"}
    assert mismatches(good, jsontypes.DiagnosticJson) == []
    assert mismatches({**good, "line": "1"}, jsontypes.DiagnosticJson) == ["$.line: '1' is not int"]
    assert mismatches({**good, "severity": "fatal"}, jsontypes.DiagnosticJson)
    assert mismatches({k: v for k, v in good.items() if k != "col"}, jsontypes.DiagnosticJson) == [
        "$: missing 'col' (DiagnosticJson)"
    ]
    assert mismatches({**good, "extra": 1}, jsontypes.DiagnosticJson) == ["$: 'extra' is not in DiagnosticJson"]


def _json_commands(group: click.Group, path: list[str], ctx: click.Context) -> list[str]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        if any("--json" in getattr(p, "opts", ()) for p in command.params):  # a group may write JSON too (srs sync)
            found.append(" ".join([*path, name]))
        if isinstance(command, click.Group):
            found += _json_commands(command, [*path, name], ctx)
    return found


def test_every_command_with_json_has_a_type():
    ctx = cli.make_context("srs", ["--help"], resilient_parsing=True)
    assert sorted(_json_commands(cli, ["srs"], ctx)) == sorted(jsontypes.JSON_OUTPUTS)


@pytest.fixture
def learner(tmp_path, run_srs):
    """A store with the bundled course synced and two answers recorded; `out(*args)` parses a command's JSON."""
    db = tmp_path / "srs.db"
    common = ["--db", db, "--decks", DECKS, "--now", NOW]

    def out(*args):
        result = run_srs(*args, "--json", *common)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    out("answer", "intro.noise", "good")
    out("answer", "intro.noise", "again")
    return out


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("srs due", ["due"]),
        ("srs answer", ["answer", "intro.noise", "easy"]),
        ("srs show", ["show", "intro.noise"]),
        ("srs stats", ["stats"]),
        ("srs flagged", ["flagged"]),
        ("srs evaluate", ["evaluate"]),
        ("srs optimize", ["optimize"]),
    ],
)
def test_the_learning_commands_write_their_types(learner, command, args):
    assert mismatches(learner(*args), hints_of(command)) == []


def test_search_and_card_log_write_their_types(learner, run_srs, tmp_path):
    found = learner("search")  # every card: new ones, and the one answered (a due date and r)
    assert any(row["r"] is not None for row in found) and any(row["r"] is None for row in found)
    assert mismatches(found, hints_of("srs search")) == []
    flagged = run_srs("card", "flag", "intro.noise", "--db", tmp_path / "srs.db", "--decks", DECKS, "--now", NOW)
    assert flagged.exit_code == 0, flagged.output
    log = learner("card", "log", "intro.noise")
    assert [e["action"] for e in log] == ["answer", "answer", "flag"]
    assert mismatches(log, hints_of("srs card log")) == []


def test_config_list_and_get_write_their_types(run_srs):
    assert run_srs("config", "set", "learning_steps", "1m 5m").exit_code == 0
    listed = json.loads(run_srs("config", "list", "--json").stdout)
    assert mismatches(listed, hints_of("srs config list")) == []
    for key, value, source in (("learning_steps", ["1m", "5m"], "settings file"), ("new_per_day", 20, "default")):
        got = json.loads(run_srs("config", "get", key, "--json").stdout)
        assert got == {"key": key, "value": value, "source": source}
        assert mismatches(got, hints_of("srs config get")) == []


def test_check_and_list_write_their_types(run_srs):
    for command in ("check", "list"):
        result = run_srs(command, "--json", DECKS)
        assert result.exit_code == 0, result.output
        assert mismatches(json.loads(result.stdout), hints_of(f"srs {command}")) == []


def test_a_broken_deck_checks_to_the_type(run_srs, tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: Bad\nitems:\n  - front: only a front\n")
    result = run_srs("check", "--json", tmp_path)
    data = json.loads(result.stdout)
    assert data["errors"] >= 1
    assert mismatches(data, jsontypes.CheckJson) == []


def test_backup_writes_its_types(run_srs, tmp_path):
    db = tmp_path / "srs.db"
    assert run_srs("due", "--db", db, "--decks", DECKS, "--now", NOW).exit_code == 0
    taken = run_srs("backup", "--json", "--db", db)
    assert taken.exit_code == 0, taken.output
    assert mismatches(json.loads(taken.stdout), hints_of("srs backup")) == []
    assert mismatches(json.loads(taken.stdout), jsontypes.BackupTakenJson) == []
    listed = run_srs("backup", "--list", "--json", "--db", db)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [row["reason"] for row in rows][:1] == ["manual"]
    assert mismatches(rows, list[jsontypes.BackupJson]) == []


def test_sync_results_match_their_types():
    # The real `srs sync --json` runs against a sync server in tests/ankisync; here, every field's type.
    from srs.ankisync.engine import SyncResult, SyncStatus

    for full_sync in (None, "upload", "download"):
        done = SyncResult("http://127.0.0.1:8080/", True, 3, 2, full_sync).to_dict()
        assert mismatches(done, jsontypes.SyncJson) == []
    asked = SyncStatus("http://127.0.0.1:8080/", 2, False, "changes to sync").to_dict()
    assert mismatches(asked, jsontypes.SyncStatusJson) == []
    assert mismatches(asked, hints_of("srs sync")) == []
