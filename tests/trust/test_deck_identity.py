"""A deck's identity survives the file system: moving, renaming, copying, deleting and restoring deck files
never loses a review or an item's history, and a second file claiming a deck id is skipped, not applied."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from srs.session import Session
from srs.store import Store
from srs.sync import sync

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def deck_text(questions, deck_id: str | None = None, answer: str = "x") -> str:
    head = f"id: {deck_id}\n" if deck_id else ""
    return head + "title: T\nitems:\n" + "".join(f"  - q: {q}\n    a: {answer}\n" for q in questions)


QUESTIONS = [f"question {n}" for n in range(1, 6)]


@pytest.fixture
def home(tmp_path):
    (tmp_path / "decks").mkdir()
    store = Store.open(tmp_path / "srs.db")
    yield tmp_path, store
    store.close()


def answer_all(store, deck_id: str) -> None:
    session = Session(store, [deck_id], lambda: NOW)
    for cid in [r[0] for r in store.conn.execute("SELECT cid FROM cards WHERE deck_id = ? AND active = 1", [deck_id])]:
        session.answer(store.card(cid), 3)


def live(store) -> dict[str, tuple[str, int]]:
    """Live items: uid -> (deck id, number of reviews)."""
    rows = store.conn.execute(
        "SELECT i.uid, i.deck_id, (SELECT COUNT(*) FROM revlog r JOIN cards c ON c.cid = r.cid WHERE c.iid = i.iid) "
        "FROM items i WHERE i.retired = 0"
    )
    return {uid: (deck, n) for uid, deck, n in rows}


def test_moving_a_deck_file_into_a_subfolder_retires_nothing(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    (root / "decks" / "sub").mkdir()
    shutil.move(root / "decks" / "a.yaml", root / "decks" / "sub" / "a.yaml")
    report = sync(store, [root / "decks"])
    assert (report.retired, report.added, report.summary()) == (0, 0, None)
    assert sorted(n for _, n in live(store).values()) == [1] * 5
    assert report.deck_ids == ["a"]


def test_renaming_a_file_without_an_id_keeps_the_history_and_says_so(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    (root / "decks" / "a.yaml").rename(root / "decks" / "b.yaml")
    report = sync(store, [root / "decks"])
    assert report.summary() == f"kept the history of 5 items that moved from {root / 'decks' / 'a.yaml'} to " \
                               f"{root / 'decks' / 'b.yaml'}"
    assert {deck for deck, n in live(store).values()} == {"b"}
    assert [n for _, n in live(store).values()] == [1] * 5
    logged = store.conn.execute("SELECT DISTINCT c.deck_id FROM revlog r JOIN cards c ON c.cid = r.cid").fetchall()
    assert logged == [("b",)]  # the log's rows belong to their cards' deck


def test_adding_an_id_to_a_renamed_file_leaves_no_orphans(home):
    root, store = home
    path = root / "decks" / "b.yaml"
    path.write_text(deck_text(QUESTIONS))
    sync(store, [root / "decks"])
    answer_all(store, "b")
    path.write_text(deck_text(QUESTIONS, deck_id="course"))
    report = sync(store, [root / "decks"])
    assert (report.added, report.retired) == (0, 0)
    assert {deck for deck, _ in live(store).values()} == {"course"}
    assert [n for _, n in live(store).values()] == [1] * 5


@pytest.mark.parametrize("second", ["copy/a.yaml", "z.yaml"])
def test_a_second_file_claiming_a_deck_id_is_skipped_and_nothing_is_retired(home, second):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS, deck_id="a"))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    before = live(store)
    other = root / "decks" / second
    other.parent.mkdir(exist_ok=True)
    other.write_text(deck_text(["something else"], deck_id="a"))
    for _ in range(2):  # the owner stays the same, however often the copy is edited
        report = sync(store, [root / "decks"])
        assert [str(d) for d in report.diagnostics] == [
            f"{other}:1:1: error: deck id 'a' is already used by {root / 'decks' / 'a.yaml'}; this file is "
            "skipped (give it its own `id:`)"
        ]
        assert report.retired == 0 and live(store) == before
        other.write_text(deck_text(["something new"], deck_id="a"))
    (root / "decks" / "a.yaml").unlink()  # the original goes: the copy takes the deck over
    report = sync(store, [root / "decks"])
    assert report.diagnostics == []
    assert set(live(store)) == {f"a.{uid.split('.')[1]}" for uid in live(store)} and len(live(store)) == 1


def test_a_copy_that_outlives_its_original_takes_the_history(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    shutil.copy(root / "decks" / "a.yaml", root / "decks" / "b.yaml")
    assert sync(store, [root / "decks"]).added == 5  # a copy is a deck of its own
    (root / "decks" / "a.yaml").unlink()
    report = sync(store, [root / "decks"])
    assert report.retired == 0 and report.moved
    assert sorted(live(store).values()) == [("b", 1)] * 5


def test_deleting_and_restoring_under_another_name_brings_the_history_back(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    text = (root / "decks" / "a.yaml").read_text()
    (root / "decks" / "a.yaml").unlink()
    assert sync(store, [root / "decks"]).retired == 5
    (root / "decks" / "restored.yaml").write_text(text)
    report = sync(store, [root / "decks"])
    assert (report.added, report.retired) == (0, 0)
    assert sorted(live(store).values()) == [("restored", 1)] * 5


def test_switching_deck_sources_says_which_are_used_and_reads_them(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS, deck_id="a"))
    (root / "other").mkdir()
    (root / "other" / "a.yaml").write_text(deck_text(QUESTIONS, deck_id="a", answer="y"))
    sync(store, [root / "decks"])
    answer_all(store, "a")
    report = sync(store, [root / "other"])
    assert report.notes == [f"using decks from {root / 'other'} (last time: {root / 'decks'})"]
    assert store.conn.execute("SELECT DISTINCT path FROM items").fetchall() == [(str(root / "other" / "a.yaml"),)]
    report = sync(store, [root / "decks"])  # back again: the checkout's file is read again, not trusted
    assert store.conn.execute("SELECT DISTINCT path FROM items").fetchall() == [(str(root / "decks" / "a.yaml"),)]
    assert report.retired == 0 and [n for _, n in live(store).values()] == [1] * 5


def test_a_file_skipped_for_a_duplicate_item_id_keeps_its_old_deck(home):
    root, store = home
    (root / "decks" / "a.yaml").write_text("id: a\ntitle: A\nitems:\n  - id: x\n    q: One?\n    a: 1\n")
    (root / "decks" / "b.yaml").write_text("id: b\ntitle: B\nitems:\n  - id: y\n    q: Two?\n    a: 2\n")
    sync(store, [root / "decks"])
    answer_all(store, "a")
    before = live(store)
    # a.yaml becomes deck 'c' and takes an item id that deck b holds: it is skipped, and deck a stays.
    (root / "decks" / "a.yaml").write_text("id: c\ntitle: C\nitems:\n  - id: x\n    q: One?\n    a: 1\n"
                                           "  - id: y\n    q: Three?\n    a: 3\n")
    report = sync(store, [root / "decks"])
    assert report.retired == 0 and report.skipped_files == [str(root / "decks" / "a.yaml")]
    assert live(store) == before


def test_hidden_files_and_folders_in_a_deck_folder_are_not_decks(home, run_srs):
    root, store = home
    (root / "decks" / "a.yaml").write_text(deck_text(QUESTIONS))
    (root / "decks" / ".github" / "workflows").mkdir(parents=True)
    (root / "decks" / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {}\n")  # a decks repo's CI
    (root / "decks" / ".a.yaml.swp.yaml").write_text("title: [")
    report = sync(store, [root / "decks"])
    assert (report.deck_ids, report.diagnostics, report.skipped_files) == (["a"], [], [])
    result = run_srs("check", root / "decks")
    assert (result.exit_code, result.stderr) == (0, "1 file, 5 items: 0 errors, 0 warnings\n")
