"""`srs import revlog FILE.csv`: bad rows are named, nothing is half-imported, states are the scheduler's."""

from __future__ import annotations

import json

import fsrs
import pytest
from click.testing import CliRunner

from srs.cli import cli
from srs.clock import from_epoch
from srs.importers.revlog_csv import import_revlog, read_revlog_csv
from srs.store import Store

HEADER = "card_id,review_rating,review_time,review_duration\n"
GOOD_ROWS = [
    "101,3,2024-03-29T20:32:32.250000+00:00,25060",
    "102,1,2024-03-29T20:33:00+00:00,4000",
    "101,3,2024-03-30T19:00:00+00:00,3000",
    "102,3,2024-03-29T20:43:00+00:00,",
    "101,1,2024-04-05T08:00:00Z,5000",
    "102,3,2024-04-02T10:00:00+00:00,5000",
]
DECK = """title: Basics
id: basics
items:
  - id: forward-process
    q: What happens in the forward direction?
    a: Noise is added.
  - id: two-gaps
    text: Starts from {{c1::noise}} and goes {{c2::step by step}}.
"""


@pytest.fixture
def env(tmp_path):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "basics.yaml").write_text(DECK)
    return {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(tmp_path / "decks")}


def write(tmp_path, rows, name="log.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def invoke(env, *args):
    return CliRunner().invoke(cli, list(args), env=env)


def revlog_rows(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    try:
        return store.db.execute("SELECT COUNT(*) FROM revlog").fetchone()[0]
    finally:
        store.close()


def test_import_creates_placeholders_and_replays_each_card(tmp_path, env):
    path = write(tmp_path, GOOD_ROWS)
    result = invoke(env, "import", "revlog", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["reviews_added"] == 6 and report["cards"] == 2 and report["cards_created"] == 2
    store = Store.open(tmp_path / "srs.db")
    card = store.find_card("revlog-101")
    item = store.item(card.iid)
    assert item.deck_id == "imported-revlog"
    assert item.content == {"kind": "flashcard", "front": "Imported card 101", "back": "(placeholder)"}
    rows = store.revlog_for(card.cid)
    assert [r.rating for r in rows] == [3, 3, 1] and {r.source for r in rows} == {"import"}
    assert rows[0].duration_ms == 25060
    # The card's state is what the scheduler gives replaying its reviews (fuzz moves due dates only).
    reference = fsrs.Scheduler(enable_fuzzing=False)
    ref = fsrs.Card(card_id=card.cid)
    for r in rows:
        ref, _ = reference.review_card(ref, fsrs.Rating(r.rating), review_datetime=from_epoch(r.reviewed_at))
    assert card.stability == pytest.approx(ref.stability, rel=1e-12)
    assert card.difficulty == pytest.approx(ref.difficulty, rel=1e-12)
    assert card.state == int(ref.state) and card.reps == 3 and card.lapses == 1


def test_importing_again_adds_nothing(tmp_path, env):
    path = write(tmp_path, GOOD_ROWS)
    invoke(env, "import", "revlog", str(path))
    store = Store.open(tmp_path / "srs.db")
    before = store.find_card("revlog-101").memory()
    store.close()
    result = invoke(env, "import", "revlog", str(path), "--json")
    report = json.loads(result.stdout)
    assert report["reviews_added"] == 0 and report["reviews_already_present"] == 6
    assert revlog_rows(tmp_path) == 6
    assert Store.open(tmp_path / "srs.db").find_card("revlog-101").memory() == before


def test_a_bad_rating_names_the_row_and_nothing_is_written(tmp_path, env):
    rows = GOOD_ROWS[:2] + ["103,7,2024-03-29T21:00:00+00:00,1000"] + GOOD_ROWS[2:]
    path = write(tmp_path, rows, "file.csv")
    result = invoke(env, "import", "revlog", str(path))
    assert result.exit_code == 1
    assert f"{path}:4: review_rating must be 1-4, got 7" in result.output
    assert revlog_rows(tmp_path) == 0
    store = Store.open(tmp_path / "srs.db")
    assert store.db.execute("SELECT COUNT(*) FROM items WHERE deck_id = 'imported-revlog'").fetchone()[0] == 0


@pytest.mark.parametrize(
    "row, message",
    [
        ("104,3,yesterday,1000",
         "review_time must be an ISO 8601 time such as 2024-03-29T20:32:32+00:00, got 'yesterday'"),
        (",3,2024-03-29T21:00:00+00:00,1000", "card_id is empty"),
        ("104,good,2024-03-29T21:00:00+00:00,1000", "review_rating must be 1-4, got 'good'"),
        ("104,3,2024-03-29T21:00:00+00:00,-5", "review_duration must not be negative, got -5"),
        ("104,3,2024-03-29T21:00:00+00:00", "expected 4 fields, got 3"),
    ],
)
def test_each_kind_of_bad_row_is_named(tmp_path, row, message):
    path = write(tmp_path, GOOD_ROWS[:1] + [row])
    with pytest.raises(Exception) as info:
        read_revlog_csv(path)
    assert str(info.value) == f"{path}:3: {message}"


def test_skip_bad_imports_the_rest_and_counts(tmp_path, env):
    rows = GOOD_ROWS + ["105,0,2024-04-06T10:00:00+00:00,1", "106,3,not-a-time,1"]
    path = write(tmp_path, rows)
    failed = invoke(env, "import", "revlog", str(path))
    assert failed.exit_code == 1 and "(and 1 more bad row; --skip-bad imports the good ones)" in failed.output
    result = invoke(env, "import", "revlog", str(path), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert "Skipped 2 bad rows" in result.stdout
    assert f"skipped: {path}:8: review_rating must be 1-4, got 0" in result.stderr
    assert revlog_rows(tmp_path) == 6


def test_a_review_after_now_is_a_bad_row_and_nothing_is_written(tmp_path, env):
    path = write(tmp_path, GOOD_ROWS + ["101,3,2024-05-01T10:10:01Z,1000"])
    now = {**env, "SRS_NOW": "2024-05-01T10:00:00Z"}
    result = invoke(now, "import", "revlog", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(f"Error: {path}:8: review_time 2024-05-01T10:10:01Z lies in the future "
                                  "(now is 2024-05-01T10:00:00+00:00; a clock up to 10 minutes ahead is allowed)\n")
    assert revlog_rows(tmp_path) == 0
    result = invoke(now, "import", "revlog", str(path), "--skip-bad")
    assert result.exit_code == 0 and "Skipped 1 bad rows" in result.stdout
    assert revlog_rows(tmp_path) == 6


def test_a_review_from_a_clock_up_to_ten_minutes_ahead_is_taken(tmp_path, env):
    path = write(tmp_path, GOOD_ROWS + ["101,3,2024-05-01T10:10:00Z,1000"])
    result = invoke({**env, "SRS_NOW": "2024-05-01T10:00:00Z"}, "import", "revlog", str(path))
    assert result.exit_code == 0, result.output
    assert revlog_rows(tmp_path) == 7


def test_a_missing_column_or_an_empty_file_is_refused(tmp_path, env):
    path = tmp_path / "x.csv"
    path.write_text("card_id,review_time\n1,2024-01-01T00:00:00Z\n")
    result = invoke(env, "import", "revlog", str(path))
    assert result.exit_code == 1 and "x.csv:1: missing column review_rating" in result.output
    path.write_text("")
    assert "the file is empty" in invoke(env, "import", "revlog", str(path)).output


def test_reviews_onto_existing_items_by_id(tmp_path, env):
    path = write(tmp_path, [
        "forward-process,3,2024-03-29T20:32:32+00:00,1000",
        "forward-process,3,2024-03-31T20:32:32+00:00,1000",
        "two-gaps#c2,1,2024-03-29T20:40:00+00:00,1000",
    ])
    result = invoke(env, "import", "revlog", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cards_created"] == 0 and report["cards"] == 2
    store = Store.open(tmp_path / "srs.db")
    assert store.find_card("forward-process").reps == 2
    assert store.find_card("two-gaps#c2").reps == 1
    assert store.find_card("two-gaps#c1").reps == 0


def test_an_item_with_several_cards_or_an_unknown_id_is_refused(tmp_path, env):
    path = write(tmp_path, ["two-gaps,3,2024-03-29T20:32:32+00:00,1000"])
    result = invoke(env, "import", "revlog", str(path))
    assert result.exit_code == 1 and "item 'two-gaps' has 2 cards; name one (two-gaps#c1, two-gaps#c2)" in result.output
    path = write(tmp_path, ["forward-proces,3,2024-03-29T20:32:32+00:00,1000"])
    result = invoke(env, "import", "revlog", str(path))
    assert result.exit_code == 1
    assert "log.csv:2: no card with id 'forward-proces'; did you mean 'forward-process'?" in result.output


def test_a_failure_halfway_leaves_the_database_as_it_was(tmp_path, env, monkeypatch):
    invoke(env, "import", "revlog", str(write(tmp_path, GOOD_ROWS[:2], "first.csv")))
    store = Store.open(tmp_path / "srs.db")
    snapshot = (store.db.execute("SELECT * FROM revlog").fetchall(), store.db.execute("SELECT * FROM cards").fetchall(),
                store.db.execute("SELECT * FROM items").fetchall())
    from srs.fsrs_math import Replayer

    calls = {"n": 0}
    original = Replayer.states

    def failing(self, *args, **kwargs):  # the replay of the second card fails, after the first was written
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Replayer, "states", failing)
    log = read_revlog_csv(write(tmp_path, GOOD_ROWS + ["107,3,2024-05-01T10:00:00+00:00,1"]))
    with pytest.raises(RuntimeError):
        import_revlog(store, log)
    assert calls["n"] == 2
    after = (store.db.execute("SELECT * FROM revlog").fetchall(), store.db.execute("SELECT * FROM cards").fetchall(),
             store.db.execute("SELECT * FROM items").fetchall())
    assert after == snapshot


def test_progress_is_reported_per_card(tmp_path):
    store = Store.open(tmp_path / "srs.db")
    seen = []
    rows = read_revlog_csv(write(tmp_path, GOOD_ROWS))
    import_revlog(store, rows, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_epoch_milliseconds_and_naive_times_are_read_as_utc(tmp_path):
    path = write(tmp_path, ["1,3,1711744352250,1", "1,3,2024-03-30T20:32:32,1"])
    log = read_revlog_csv(path)
    assert [r.at for r in log.reviews] == [1711744352, 1711830752]


def test_imported_history_counts_in_stats_but_is_not_offered_for_review(tmp_path, env):
    assert invoke(env, "import", "revlog", str(write(tmp_path, GOOD_ROWS))).exit_code == 0
    now = {**env, "SRS_NOW": "2024-04-05T09:00:00+00:00"}
    stats = json.loads(invoke(now, "stats", "--json").stdout)
    assert stats["decks"] == ["basics", "imported-revlog"]
    decks = {deck["id"]: deck for deck in stats["deck_stats"]}
    assert decks["imported-revlog"]["cards"] == 2 and decks["basics"]["cards"] == 3
    assert sum(day["due"] for day in stats["forecast"]) >= 1  # 102 falls due within the fortnight

    review = invoke(now, "review", "imported-revlog")
    assert review.exit_code == 1
    assert review.output == ("Error: deck 'imported-revlog' has no deck file among the decks in use (imported "
                             "history, or a deck from other --decks); srs stats and srs optimize still count it\n")
