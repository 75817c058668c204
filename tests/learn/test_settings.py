"""The settings file and `srs config`: every key, the precedence, and what the settings change.

Precedence (docs/settings.md): `srs -c KEY=VALUE`, then SRS_KEY, then the settings file, then the deck's
YAML options, then the default.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from learn_helpers import TODAY_ENDS_EPOCH, flashcards

# key: (a good value as typed, how srs prints it back, as TOML in the file, a bad value, the error)
KEYS = {
    "new_per_day": ("35", "35", "new_per_day = 35", "many", "new_per_day: 'many' is not a whole number"),
    "reviews_per_day": ("150", "150", "reviews_per_day = 150", "100001",
                        "reviews_per_day: 100001 is not between 0 and 100000"),
    "desired_retention": ("0.85", "0.85", "desired_retention = 0.85", "0.5",
                          "desired_retention: 0.5 is not between 0.7 and 0.99"),
    "learning_steps": ("30s, 5m 1h", "30s 5m 1h", 'learning_steps = ["30s", "5m", "1h"]', "5 minutes",
                       "learning_steps: step '5' is not a time such as 30s, 10m, 1h or 1d"),
    "relearning_steps": ("20m", "20m", 'relearning_steps = ["20m"]', "0m",
                         "relearning_steps: step '0m' is not a time such as 30s, 10m, 1h or 1d"),
    "maximum_interval": ("365", "365", "maximum_interval = 365", "0", "maximum_interval: 0 is not between 1 and 36500"),
    "day_starts_at": ("6", "6", "day_starts_at = 6", "24", "day_starts_at: 24 is not between 0 and 23"),
    "bury_siblings": ("yes", "true", "bury_siblings = true", "maybe", "bury_siblings: 'maybe' is not true or false"),
    "new_order": ("deck", "deck", 'new_order = "deck"', "shuffled",
                  "new_order: 'shuffled' is not one of interleaved, deck, random"),
    "leech_threshold": ("4", "4", "leech_threshold = 4", "0", "leech_threshold: 0 is not between 1 and 1000"),
    "leech_action": ("tag", "tag", 'leech_action = "tag"', "delete",
                     "leech_action: 'delete' is not one of suspend, tag"),
    "editor": ("nano -w", "nano -w", 'editor = "nano -w"', "vi\x1b", "editor: control characters are not allowed"),
}

# key: (default, a file value, an environment value, a command-line value), as srs prints them
LAYERS = {
    "new_per_day": ("20", "30", "40", "50"),
    "reviews_per_day": ("200", "300", "400", "500"),
    "desired_retention": ("0.9", "0.8", "0.85", "0.95"),
    "learning_steps": ("1m 10m", "2m", "3m", "4m"),
    "relearning_steps": ("10m", "2m", "3m", "4m"),
    "maximum_interval": ("36500", "100", "200", "300"),
    "day_starts_at": ("4", "5", "6", "7"),
    "bury_siblings": ("true", "false", "true", "false"),
    "new_order": ("interleaved", "deck", "random", "interleaved"),
    "leech_threshold": ("8", "5", "6", "7"),
    "leech_action": ("suspend", "tag", "suspend", "tag"),
    "editor": ("", "nano", "vim", "emacs"),
}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@pytest.fixture
def settings_file(learner):
    return learner.root / "settings.toml"


def test_every_key_is_tested():
    from srs.settings import KEYS as ALL

    assert set(KEYS) == set(ALL) == set(LAYERS)


def test_config_path_is_the_file_srs_config_names(learner, settings_file):
    result = learner.cli("config", "path")
    assert (result.exit_code, result.stdout) == (0, f"{settings_file}\n")


@pytest.mark.parametrize("key", sorted(KEYS))
def test_config_set_get_unset_each_key(learner, settings_file, key):
    typed, shown, toml, _, _ = KEYS[key]
    result = learner.cli("config", "set", key, typed)
    assert (result.exit_code, result.stdout) == (0, f"{key} = {shown} (in {settings_file})\n")
    assert settings_file.read_text() == toml + "\n"
    assert learner.cli("config", "get", key).stdout == shown + "\n"
    assert json.loads(learner.cli("config", "get", key, "--json").stdout)["source"] == "settings file"
    listed = {row["key"]: row for row in json.loads(learner.cli("config", "list", "--json").stdout)}
    assert listed[key]["source"] == "settings file"

    result = learner.cli("config", "unset", key)
    assert (result.exit_code, result.stdout) == (0, f"{key} is no longer set (in {settings_file})\n")
    assert json.loads(learner.cli("config", "get", key, "--json").stdout)["source"] == "default"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_bad_value_is_one_line_and_writes_nothing(learner, settings_file, key):
    _, _, _, bad, message = KEYS[key]
    settings_file.write_text("# mine\nnew_per_day = 12\n")
    before = digest(settings_file)
    for args in (("config", "set", key, bad), ("-c", f"{key}={bad}", "config", "list")):
        result = learner.cli(*args)
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    result = learner.cli("config", "list", **{f"SRS_{key.upper()}": bad})
    assert (result.exit_code, result.stderr) == (1, f"Error: SRS_{key.upper()}: {message.split(': ', 1)[1]}\n")
    assert digest(settings_file) == before


@pytest.mark.parametrize("key", ["learning_steps", "relearning_steps"])
def test_a_step_past_the_longest_interval_is_refused(learner, settings_file, key):
    result = learner.cli("config", "set", key, "10m 99999999d")  # was kept, then every answer overflowed the date
    assert (result.exit_code, result.stderr) == (1, f"Error: {key}: step '99999999d' is longer than 36,500 days\n")
    assert not settings_file.exists()
    assert learner.cli("config", "set", key, "36500d").exit_code == 0


@pytest.mark.parametrize("key", sorted(LAYERS))
def test_precedence_command_line_environment_file_default(learner, settings_file, key):
    default, in_file, in_env, on_line = LAYERS[key]

    def get(*extra, **env):
        data = json.loads(learner.cli(*extra, "config", "get", key, "--json", **env).stdout)
        from srs.settings import format_value

        value = tuple(data["value"]) if isinstance(data["value"], list) else data["value"]
        return format_value(value), data["source"]

    assert get() == (default, "default")
    assert learner.cli("config", "set", key, in_file).exit_code == 0
    assert get() == (in_file, "settings file")
    env = {f"SRS_{key.upper()}": in_env}
    assert get(**env) == (in_env, "environment")
    assert get("-c", f"{key}={on_line}", **env) == (on_line, "command line")


@pytest.mark.parametrize(
    "key, yaml, in_file",
    [("new_per_day", "7", "9"), ("reviews_per_day", "70", "90"), ("desired_retention", "0.8", "0.85")],
)
def test_a_decks_yaml_is_above_the_default_and_below_the_learners_settings(learner, key, yaml, in_file):
    learner.write("mine.yaml", f"title: Mine\noptions: {{{key}: {yaml}}}\n" + flashcards("x", 2).split("\n", 1)[1])

    def get(name, *extra):
        data = json.loads(learner.cli(*extra, "config", "get", name, "--json", "--decks", str(learner.decks)).stdout)
        return str(data["value"]), data["source"]

    assert get(f"deck.mine.{key}") == (yaml, "deck YAML")
    assert get(key)[1] == "default"  # the global value knows no deck
    learner.cli("config", "set", key, in_file)
    assert get(f"deck.mine.{key}") == (in_file, "settings file")
    learner.cli("config", "set", f"deck.mine.{key}", yaml + "1")
    assert get(f"deck.mine.{key}") == (yaml + "1", "settings file")  # the deck's own beats the global
    assert get(f"deck.mine.{key}", "-c", f"{key}={in_file}") == (in_file, "command line")


def test_a_deck_key_that_cannot_be_per_deck_is_refused(learner):
    result = learner.cli("config", "set", "deck.mine.editor", "vi")
    assert (result.exit_code, result.stderr) == (1, "Error: 'editor' cannot be set per deck; set it for all decks\n")
    result = learner.cli("config", "set", "new_per_dya", "3")
    assert result.stderr == "Error: unknown setting 'new_per_dya'; did you mean 'new_per_day'?\n"


def test_set_keeps_the_files_comments_and_other_lines(learner, settings_file):
    settings_file.write_text("# my limits\nnew_per_day = 12  # weekdays\n\n[deck.mine]\nnew_per_day = 3\n")
    assert learner.cli("config", "set", "desired_retention", "0.8").exit_code == 0
    assert settings_file.read_text() == (
        "# my limits\nnew_per_day = 12  # weekdays\ndesired_retention = 0.8\n\n[deck.mine]\nnew_per_day = 3\n"
    )


def test_set_keeps_the_files_line_endings_permissions_and_symlink(learner, settings_file, tmp_path):
    real = tmp_path / "dotfiles" / "srs.toml"
    real.parent.mkdir()
    real.write_bytes(b"# mine\r\nnew_per_day = 12\r\n")
    real.chmod(0o600)
    settings_file.symlink_to(real)
    assert learner.cli("config", "set", "desired_retention", "0.8").exit_code == 0
    assert settings_file.is_symlink()
    assert real.read_bytes() == b"# mine\r\nnew_per_day = 12\r\ndesired_retention = 0.8\r\n"
    assert real.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in real.parent.iterdir()] == ["srs.toml"]  # no temporary file left beside it


def test_set_never_replaces_what_is_no_regular_file(tmp_path):
    """SRS_CONFIG=/dev/null (no settings) read fine, and `config set` renamed its file over the device node."""
    import os

    from srs.atomic import atomic_output
    from srs.errors import UserError

    pipe = tmp_path / "settings.toml"
    os.mkfifo(pipe)  # a node like /dev/null that a rename would replace (a pipe: safe to try in a test)
    with pytest.raises(UserError, match="^refusing to write .*settings.toml: it is not a regular file$"), \
            atomic_output(pipe):
        pass
    assert pipe.is_fifo() and [p.name for p in tmp_path.iterdir()] == ["settings.toml"]


def test_set_where_the_settings_folder_cannot_be_made_is_one_line(learner):
    (learner.root / "notes.txt").write_text("a file, not a folder\n")
    path = learner.root / "notes.txt" / "srs" / "settings.toml"
    result = learner.cli("config", "set", "new_per_day", "5", SRS_CONFIG=str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"Error: cannot make the folder for the settings file {path}: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("new_per_day = 10\nreviews_per_day = = 3\n", 2,
         "this line is not valid TOML (column 18); nothing was changed"),
        ("new_per_day = 10\n\nleech_action = 'never'\n", 3,
         "leech_action: 'never' is not one of suspend, tag; nothing was changed"),
        ("[deck.mine]\nnew_per_day = 10\ncolour = 'red'\n", 3,
         "unknown setting 'deck.mine.colour'; see `srs config list`; nothing was changed"),
    ],
)
def test_a_malformed_settings_file_names_its_line_and_changes_nothing(practice, settings_file, text, line, message):
    practice.sync()
    db_before = (practice.cards(), practice.revlog())
    settings_file.write_text(text)
    for args in (("review",), ("answer", "stages", "good"), ("due",), ("config", "set", "new_per_day", "3")):
        result = practice.cli(*args)
        assert (result.exit_code, result.stderr) == (1, f"Error: {settings_file}:{line}: {message}\n"), args
    assert settings_file.read_text() == text
    assert (practice.cards(), practice.revlog()) == db_before


# -- what the settings change ------------------------------------------------------------------------


def test_new_per_day_in_the_file_overrides_a_decks_yaml_and_the_default_cap(learner):
    learner.write("big.yaml", "title: Big\noptions: {new_per_day: 50}\n" + flashcards("x", 40).split("\n", 1)[1])
    assert len(learner.due_ids()) == 20  # the default cap of 20 holds back the deck's 50
    learner.cli("config", "set", "new_per_day", "30")
    assert len(learner.due_ids()) == 30
    learner.cli("config", "set", "deck.big.new_per_day", "25")
    assert len(learner.due_ids()) == 25
    assert len(learner.cli("-c", "new_per_day=3", "due", "--json").stdout.split('"queue"')) - 1 == 3
    assert len(learner.due_ids()) == 25


def test_reviews_per_day_limits_the_reviews(learner):
    learner.write("d.yaml", flashcards("D", 4))
    for n in range(1, 5):
        learner.cli("answer", f"card0{n}", "easy")
    tomorrow_week = "2026-12-10T10:00:00Z"
    assert len(learner.due_ids(now=tomorrow_week)) == 4
    learner.cli("config", "set", "reviews_per_day", "1")
    assert len(learner.due_ids(now=tomorrow_week)) == 1


def test_learning_steps_and_retention_reach_the_scheduler(learner):
    learner.write("d.yaml", flashcards("D", 2))
    learner.cli("config", "set", "learning_steps", "3m 1h")
    result = json.loads(learner.cli("answer", "card01", "again", "--json").stdout)
    assert result["due"] == "2026-11-23T10:03:00+00:00"
    result = json.loads(learner.cli("-c", "learning_steps=7m", "answer", "card02", "again", "--json").stdout)
    assert result["due"] == "2026-11-23T10:07:00+00:00"


def test_relearning_steps_maximum_interval_and_retention_build_the_fsrs_scheduler(learner):
    from datetime import timedelta

    from srs.session import scheduler_settings
    from srs.settings import load
    from srs.store import Store

    learner.write("d.yaml", "title: D\noptions: {desired_retention: 0.8}\n" + flashcards("D", 1).split("\n", 1)[1])
    learner.sync()
    settings = load(learner.root / "settings.toml", environ={}, overrides={
        "relearning_steps": ("5m", "1h"), "maximum_interval": 90,
    })
    store = Store.open(learner.db)
    got = scheduler_settings(store, "d", settings)
    assert got.relearning_steps == (timedelta(minutes=5), timedelta(hours=1))
    assert got.maximum_interval == 90
    assert got.desired_retention == 0.8  # the deck's YAML, nothing above it
    assert got.build().maximum_interval == 90
    store.close()


def test_day_starts_at_moves_the_learners_day(learner):
    learner.write("d.yaml", flashcards("D", 25))
    for n in range(1, 21):
        assert learner.cli("answer", f"card{n:02d}", "good", now="2026-11-23T04:30:00Z").exit_code == 0

    def new_cards(*extra):
        result = learner.cli(*extra, "due", "--json", now="2026-11-23T05:30:00Z")
        return json.loads(result.stdout)["counts"]["new"]

    # At 05:30 the day that began at 04:00 has used its 20 new cards; a day that begins at 05:00 has not.
    assert new_cards() == 0
    assert new_cards("-c", "day_starts_at=5") == 5
    learner.cli("config", "set", "day_starts_at", "5")
    assert new_cards() == 5


def test_bury_siblings_buries_the_other_cloze_card_until_tomorrow(practice):
    assert "generation#c2" not in practice.due_ids()  # on by default: one card of an item a day
    practice.cli("answer", "generation#c1", "good")
    assert "generation#c2" not in practice.due_ids()
    assert practice.card("generation#c2")["buried_until"] == TODAY_ENDS_EPOCH


def test_without_bury_siblings_the_sibling_stays(practice):
    practice.cli("config", "set", "bury_siblings", "false")
    practice.cli("answer", "generation#c1", "good")
    assert "generation#c2" in practice.due_ids()
    assert practice.card("generation#c2")["buried_until"] < TODAY_ENDS_EPOCH


def test_new_order_deck_by_deck_interleaved_or_random(learner):
    learner.write("a.yaml", flashcards("A", 3, "a"))
    learner.write("b.yaml", flashcards("B", 3, "b"))
    assert learner.due_ids() == ["a01", "b01", "a02", "b02", "a03", "b03"]
    learner.cli("config", "set", "new_order", "deck")
    assert learner.due_ids() == ["a01", "a02", "a03", "b01", "b02", "b03"]
    learner.cli("config", "set", "new_order", "random")
    shuffled = learner.due_ids()
    assert sorted(shuffled) == ["a01", "a02", "a03", "b01", "b02", "b03"]
    assert learner.due_ids() == shuffled  # the same order all day


@pytest.mark.parametrize("action, suspended", [("suspend", 1), ("tag", 0)])
def test_leech_threshold_and_action(learner, action, suspended):
    learner.write("d.yaml", flashcards("D", 1))
    learner.cli("config", "set", "leech_threshold", "1")
    learner.cli("config", "set", "leech_action", action)
    learner.cli("answer", "card01", "easy")
    result = json.loads(learner.cli("answer", "card01", "again", "--json", now="2026-12-30T10:00:00Z").stdout)
    assert result["leech_suspended"] is bool(suspended)
    card = learner.card("card01")
    assert (card["leech"], card["suspended"], card["lapses"]) == (1, suspended, 1)


def test_editor_setting_beats_the_environment(learner, monkeypatch):
    from srs.settings import load

    path = learner.root / "settings.toml"
    assert load(path, environ={}).editor() == "vi"
    monkeypatch.setenv("EDITOR", "emacs")
    assert load(path, environ={}).editor() == "emacs"
    learner.cli("config", "set", "editor", "nano -w")
    assert load(path, environ={}).editor() == "nano -w"
    assert load(path, environ={"SRS_EDITOR": "ed"}).editor() == "ed"


# -- the value parsers, as properties ---------------------------------------------------------------

STEP_TEXT = st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 999), st.sampled_from("smhd"))
VALUES = {
    "new_per_day": st.integers(0, 10_000), "reviews_per_day": st.integers(0, 100_000),
    "desired_retention": st.floats(0.7, 0.99), "learning_steps": st.lists(STEP_TEXT, max_size=10).map(tuple),
    "relearning_steps": st.lists(STEP_TEXT, max_size=10).map(tuple), "maximum_interval": st.integers(1, 36_500),
    "day_starts_at": st.integers(0, 23), "bury_siblings": st.booleans(),
    "new_order": st.sampled_from(["interleaved", "deck", "random"]), "leech_threshold": st.integers(1, 1000),
    "leech_action": st.sampled_from(["suspend", "tag"]),
    "editor": st.text(st.one_of(st.characters(min_codepoint=33, max_codepoint=126),
                                st.characters(min_codepoint=0xA1, max_codepoint=0x2FFF,
                                              exclude_categories=("Zs", "Zl", "Zp", "Cc"))), max_size=20),
}


@given(st.sampled_from(sorted(VALUES)).flatmap(lambda k: st.tuples(st.just(k), VALUES[k])))
def test_a_value_printed_by_srs_reads_back_the_same(pair):
    from srs.settings import KEYS as ALL_KEYS
    from srs.settings import format_value, parse_value

    key, value = pair
    assert set(VALUES) == set(ALL_KEYS)
    assert parse_value(key, format_value(value)) == value


@settings(max_examples=300)
@given(st.sampled_from(sorted(KEYS)), st.text(max_size=12))
def test_any_text_is_a_value_or_one_line_error(key, text):
    from srs.errors import UserError
    from srs.settings import parse_value

    try:
        parse_value(key, text)
    except UserError as exc:
        assert str(exc).startswith(f"{key}: ") and "\n" not in str(exc)
