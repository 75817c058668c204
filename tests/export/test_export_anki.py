"""`srs export anki`: packages that a real Anki (the `anki` package) imports, and updates in place."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from export_helpers import load, tiny_png

from srs.errors import UserError
from srs.export.anki import export_anki
from srs.export.anki_notes import ID_FIELD, ITEM_FIELD, note_guid, stable_id

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions

ALL_NOTES = 11  # 6 in basics, 5 in world
ALL_CARDS = 12  # the cloze item has two deletions


@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "anki-profile"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col, path: Path, *, with_scheduling: bool = False):
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))


def note_by_srs_id(col, item_id: str):
    (nid,) = col.find_notes(f'"{ID_FIELD}:{item_id}"')
    return col.get_note(nid)


def card_of(col, item_id: str, ordinal: int = 0):
    note = note_by_srs_id(col, item_id)
    return next(card for card in note.cards() if card.ord == ordinal)


def answer(col, card, rating: int) -> None:
    from anki.scheduler.v3 import CardAnswer

    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    rating_value = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}[rating]
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating_value))
    card.load()


def wait_for_next_second() -> None:
    """Anki updates a note only when the import is newer, in whole seconds: let the clock tick."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)


# -- the package itself -------------------------------------------------------------------------------


def test_package_layout_ids_and_media(deck_folder, tmp_path):
    out = tmp_path / "course.apkg"
    result = export_anki(load(deck_folder), out)
    assert (result.decks, result.notes, result.cards, result.media) == (2, ALL_NOTES, ALL_CARDS, 1)
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["0", "collection.anki2", "media"]
        media = json.loads(package.read("media"))
        assert list(media.values())[0].startswith("srs-") and media["0"].endswith("-red.png")
        assert package.read("0") == tiny_png()
        db = tmp_path / "collection.anki2"
        db.write_bytes(package.read("collection.anki2"))
    conn = sqlite3.connect(db)
    guids = {row[0] for row in conn.execute("SELECT guid FROM notes")}
    assert note_guid("forward") in guids and len(guids) == ALL_NOTES
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    assert {m["name"] for m in models.values()} == {"srs Basic", "srs Cloze", "srs Ordering", "srs Choice"}
    assert str(stable_id("srs-note-type", "basic", "1")) in models
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    assert decks[str(stable_id("srs-deck", "basics"))]["name"] == "Diffusion::Basics"
    # Notes carry the export's time: a fixed time would stop Anki from taking the update.
    mods = {row[0] for row in conn.execute("SELECT mod FROM notes")}
    assert len(mods) == 1 and abs(mods.pop() - time.time()) < 60
    conn.close()


def deck_descriptions(package_path: Path, tmp_path: Path) -> dict[str, str]:
    with zipfile.ZipFile(package_path) as package:
        (tmp_path / "d.anki2").write_bytes(package.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "d.anki2")
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    conn.close()
    return {deck["name"]: deck.get("desc", "") for deck in decks.values()}


def test_each_deck_description_ends_with_the_srs_deck_marker(deck_folder, tmp_path):
    (deck_folder / "quizzes").mkdir()
    (deck_folder / "quizzes" / "odd.yaml").write_text(
        "title: Odd\nid: odd\ndescription: 'Ends a comment --> early? <!-- & <b>'\ntags: [odd]\n"
        "options: {new_per_day: 3, typed_answers: true}\nitems:\n  - id: odd-1\n    q: Q?\n    a: A.\n"
        "  - id: odd-0\n    q: Q0?\n    a: A0.\n", encoding="utf-8")
    out = tmp_path / "course.apkg"
    export_anki(load(deck_folder), out)
    descriptions = deck_descriptions(out, tmp_path)
    marker = re.compile(r"<!-- srs-deck (\{.*?\}) -->$")
    basics = descriptions["Diffusion::Basics"]
    assert basics.startswith("The <em>core</em> ideas of lesson 02.\n<!-- srs-deck {")
    assert json.loads(marker.search(basics).group(1)) == {
        "v": 1, "id": "basics", "kind": "deck", "title": "Diffusion::Basics", "file": "basics.yaml",
        "description": "The *core* ideas of lesson 02.", "tags": ["diffusion"],
        "items": ["forward", "div-card", "small-steps", "stages", "core-idea", "generation"],
    }
    odd = descriptions["Odd"]
    comment = odd[odd.index("<!-- srs-deck"):]
    # Nothing in the deck's text can end the comment early or read as markup inside it.
    assert comment.count("-->") == 1 and comment.count("<") == 1 and "&" not in comment
    assert json.loads(marker.search(odd).group(1)) == {
        "v": 1, "id": "odd", "kind": "quiz", "title": "Odd", "file": "odd.yaml",
        "description": "Ends a comment --> early? <!-- & <b>", "tags": ["odd"],
        "options": {"new_per_day": 3, "typed_answers": True}, "items": ["odd-1", "odd-0"],
    }
    assert descriptions["Languages::World"].startswith("<!-- srs-deck {")  # no description: the marker only


def test_ids_are_the_same_in_every_export(deck_folder, tmp_path):
    def ids(path):
        export_anki(load(deck_folder), path)
        with zipfile.ZipFile(path) as package:
            (tmp_path / "c.anki2").write_bytes(package.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "c.anki2")
        rows = sorted(conn.execute("SELECT guid, mid, flds FROM notes"))
        conn.close()
        return rows

    assert ids(tmp_path / "one.apkg") == ids(tmp_path / "two.apkg")


# -- into Anki ----------------------------------------------------------------------------------------


def test_anki_imports_notes_cards_decks_tags_and_media(deck_folder, tmp_path, collection):
    out = tmp_path / "course.apkg"
    export_anki(load(deck_folder), out)
    import_package(collection, out)
    assert collection.note_count() == ALL_NOTES
    assert collection.card_count() == ALL_CARDS
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Diffusion", "Diffusion::Basics", "Languages", "Languages::World"} <= names

    forward = note_by_srs_id(collection, "forward")
    assert forward.note_type()["name"] == "srs Basic"
    assert forward["Front"] == "What happens in the <em>forward</em> direction of diffusion?"
    assert forward["Back"] == "Noise is added to a real image <strong>step by step</strong>."
    assert sorted(forward.tags) == ["diffusion", "forward"]
    image_name = json.loads(forward[ITEM_FIELD])["image"]
    assert forward["Image"] == f'<img src="{image_name}">'
    assert (Path(collection.media.dir()) / image_name).read_bytes() == tiny_png()
    assert collection.decks.name(forward.cards()[0].did) == "Diffusion::Basics"

    div = note_by_srs_id(collection, "div-card")
    assert div["Front"] == "What does <code>&lt;div&gt;</code> mean? And &lt;b&gt;this&lt;/b&gt;?"
    assert "<b>this</b>" not in div.cards()[0].question()

    cloze = note_by_srs_id(collection, "generation")
    assert cloze.note_type()["name"] == "srs Cloze"
    assert sorted(card.ord for card in cloze.cards()) == [0, 1]
    assert "[how]" in card_of(collection, "generation", 1).question()

    stages = note_by_srs_id(collection, "stages")
    front = stages.cards()[0].question()
    assert "Denoise again." in front and "Explanation" not in front
    back = stages.cards()[0].answer()
    assert back.index("Noise real images.", back.index("Right order")) < back.index(
        "Denoise again.", back.index("Right order")
    )
    assert "Wreck images to make training pairs" in back

    choice = note_by_srs_id(collection, "core-idea")
    assert "Retrieve the closest stored training image." in choice.cards()[0].question()
    assert "Start from noise" in choice["Answer"] and "Retrieve" not in choice["Answer"]

    korean = note_by_srs_id(collection, "korean")
    assert korean["Front"] == "확산 모델은 무엇을 합니까?"
    assert korean.tags == ["lang"]


def test_anki_keeps_the_marker_in_the_deck_description_and_shows_it_on_no_card(deck_folder, tmp_path, collection):
    out = tmp_path / "course.apkg"
    export_anki(load(deck_folder), out)
    import_package(collection, out)
    desc = collection.decks.get(collection.decks.id_for_name("Diffusion::Basics"))["desc"]
    assert desc.startswith("The <em>core</em> ideas of lesson 02.\n<!-- srs-deck {")
    assert '"id":"basics"' in desc and desc.endswith("-->")
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        html = card.question() + card.answer() + "".join(card.note().fields)
        assert "srs-deck" not in html and "<!--" not in html


def test_a_newer_export_updates_notes_in_place_and_keeps_anki_progress(deck_folder, tmp_path, collection):
    first = tmp_path / "first.apkg"
    export_anki(load(deck_folder), first)
    import_package(collection, first)
    forward_card = card_of(collection, "forward")
    answer(collection, forward_card, 3)
    answer(collection, forward_card, 3)
    scheduled = (forward_card.type, forward_card.queue, forward_card.due, forward_card.ivl, forward_card.reps)
    assert forward_card.reps == 2
    note_ids = {note_by_srs_id(collection, i).id for i in ("forward", "generation", "korean")}

    # The author edits an answer, a cloze extra and adds an item.
    basics = deck_folder / "basics.yaml"
    text = basics.read_text(encoding="utf-8")
    text = text.replace("**step by step**.", "**step by step**, until only static remains.")
    text = text.replace("Each deletion is its own card.", "One card per deletion.")
    text += "  - id: added\n    q: A new question?\n    a: A new answer.\n"
    basics.write_text(text, encoding="utf-8")
    wait_for_next_second()
    second = tmp_path / "second.apkg"
    export_anki(load(deck_folder), second)
    import_package(collection, second)

    assert collection.note_count() == ALL_NOTES + 1
    assert collection.card_count() == ALL_CARDS + 1
    assert {note_by_srs_id(collection, i).id for i in ("forward", "generation", "korean")} == note_ids
    assert note_by_srs_id(collection, "forward")["Back"].endswith("until only static remains.")
    assert note_by_srs_id(collection, "generation")["Extra"] == "One card per deletion."
    forward_card = card_of(collection, "forward")
    assert (forward_card.type, forward_card.queue, forward_card.due, forward_card.ivl, forward_card.reps) == scheduled
    assert len(collection.db.list("SELECT id FROM revlog WHERE cid = ?", forward_card.id)) == 2


# -- history ------------------------------------------------------------------------------------------


def fake_history(now: datetime) -> list[dict]:
    day = timedelta(days=1)
    return [
        {
            "card_id": "forward",
            "reviews": [
                {"time": now - 10 * day, "rating": 3, "duration_ms": 4200,
                 "state_after": {"state": "learning", "due": now - 10 * day + timedelta(minutes=10),
                                 "stability": 2.3, "difficulty": 5.0}},
                {"time": now - 9 * day, "rating": 3, "duration_ms": 3100,
                 "state_after": {"state": "review", "due": now - 6 * day, "stability": 3.1, "difficulty": 4.9}},
                {"time": now - 6 * day, "rating": 4, "duration_ms": 2500,
                 "state_after": {"state": "review", "due": now + 5 * day, "stability": 11.5, "difficulty": 4.2}},
            ],
            "stability": 11.5,
            "difficulty": 4.2,
            "due": now + 5 * day,
            "state": "review",
        },
        {
            "card_id": "generation#c2",
            "reviews": [
                {"time": now - timedelta(minutes=3), "rating": 1, "duration_ms": 9000,
                 "state_after": {"state": "learning", "due": now + timedelta(minutes=7),
                                 "stability": 0.4, "difficulty": 7.6}},
            ],
            "stability": 0.4,
            "difficulty": 7.6,
            "due": now + timedelta(minutes=7),
            "state": "learning",
        },
        {"card_id": "gone-from-the-decks", "reviews": [], "state": "review", "stability": 1, "difficulty": 5,
         "due": now},
    ]


def test_history_gives_anki_the_review_log_and_memory_state(deck_folder, tmp_path, collection):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    out = tmp_path / "history.apkg"
    result = export_anki(load(deck_folder), out, history=fake_history(now))
    assert (result.history_cards, result.history_reviews) == (2, 4)
    import_package(collection, out, with_scheduling=True)

    forward = card_of(collection, "forward")
    assert (forward.type, forward.queue, forward.reps, forward.lapses) == (2, 2, 3, 0)
    assert forward.memory_state is not None
    assert forward.memory_state.stability == pytest.approx(11.5, abs=1e-3)
    assert forward.memory_state.difficulty == pytest.approx(4.2, abs=1e-3)
    assert forward.due - collection.sched.today in (4, 5, 6)  # five days ahead, give or take a day boundary
    assert forward.last_review_time == int((now - timedelta(days=6)).timestamp())
    log = collection.db.all("SELECT id, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE cid = ? ORDER BY id",
                            forward.id)
    assert [row[1] for row in log] == [3, 3, 4]
    assert [row[6] for row in log] == [0, 0, 1]  # learning, learning, review
    assert log[0][2] == -600 and log[2][2] == 11  # ten minutes; eleven days
    assert log[2][4] == round(((4.2 - 1) / 9 + 0.1) * 1000)  # FSRS difficulty as Anki logs it
    assert log[0][0] == int((now - timedelta(days=10)).timestamp() * 1000)
    assert [row[5] for row in log] == [4200, 3100, 2500]

    relearning = card_of(collection, "generation", 1)
    assert (relearning.type, relearning.queue) == (1, 1)
    assert relearning.memory_state.difficulty == pytest.approx(7.6, abs=1e-3)
    assert abs(relearning.due - (now + timedelta(minutes=7)).timestamp()) <= 1
    untouched = card_of(collection, "generation", 0)
    assert (untouched.type, untouched.queue, untouched.memory_state) == (0, 0, None)


def test_history_from_the_srs_store(deck_folder, tmp_path, collection):
    from srs.export.anki_history import load_history
    from srs.session import Session
    from srs.store import Store
    from srs.sync import sync

    db = tmp_path / "srs.db"
    store = Store.open(db)
    report = sync(store, [deck_folder])
    start = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    for days, rating in ((0, 3), (1, 3), (4, 4)):
        moment = start + timedelta(days=days)
        session = Session(store, report.deck_ids, clock=lambda moment=moment: moment)
        session.answer(store.find_card("forward"), rating, duration_ms=3000)
    record = store.find_card("forward")
    store.close()

    decks = load(deck_folder)
    card_ids = [c for deck in decks for item in deck.items for c in item.card_ids()]
    history = load_history(db, card_ids)
    assert [h["card_id"] for h in history] == ["forward"]
    (forward,) = history
    assert [r["rating"] for r in forward["reviews"]] == [3, 3, 4]
    assert forward["reviews"][0]["time"] == start
    assert forward["stability"] == pytest.approx(record.stability)

    out = tmp_path / "with-history.apkg"
    export_anki(decks, out, history=history)
    import_package(collection, out, with_scheduling=True)
    card = card_of(collection, "forward")
    assert card.memory_state.stability == pytest.approx(record.stability, abs=1e-3)
    assert len(collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)) == 3


def test_load_history_without_a_database_says_so(tmp_path):
    from srs.export.anki_history import load_history

    with pytest.raises(UserError, match="no srs history"):
        load_history(tmp_path / "missing.db", ["x"])


# -- bad input ----------------------------------------------------------------------------------------


def test_a_missing_image_names_the_item_and_leaves_no_file(deck_folder, tmp_path):
    decks = load(deck_folder)
    (deck_folder / "media" / "red.png").unlink()
    out = tmp_path / "out" / "course.apkg"
    out.parent.mkdir()
    with pytest.raises(UserError, match=r"basics\.yaml:\d+: item 'forward': image 'media/red.png' not found"):
        export_anki(decks, out)
    assert list(out.parent.iterdir()) == []


def test_an_image_escaping_the_deck_folder_is_refused(deck_folder, tmp_path):
    decks = load(deck_folder)
    outside = tmp_path / "secret.png"
    outside.write_bytes(tiny_png())
    image = deck_folder / "media" / "red.png"
    image.unlink()
    image.symlink_to(outside)  # after loading: the export checks again
    with pytest.raises(UserError, match="item 'forward': image 'media/red.png' is outside the deck's folder"):
        export_anki(decks, tmp_path / "course.apkg")


def test_a_failed_export_keeps_the_previous_file(deck_folder, tmp_path):
    out = tmp_path / "course.apkg"
    export_anki(load(deck_folder), out)
    before = out.read_bytes()
    decks = load(deck_folder)
    (deck_folder / "media" / "red.png").unlink()
    with pytest.raises(UserError):
        export_anki(decks, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.apkg", "decks"]


def test_due_days_are_right_for_reviews_at_every_hour_of_the_day(tmp_path, collection):
    """A review card due at any hour of the day lands on that learner's day (4 a.m. local) in Anki."""
    from export_helpers import numbered_deck

    from srs.clock import learner_date

    numbered_deck(tmp_path / "decks", 24)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    base = (now - timedelta(days=2)).astimezone().replace(minute=30, second=0)
    history, expected = [], {}
    for hour in range(24):
        reviewed = base.replace(hour=hour).astimezone(timezone.utc)
        due = reviewed + timedelta(days=4)
        history.append({
            "card_id": f"card-{hour + 1}", "state": "review", "stability": 4.0, "difficulty": 5.0, "due": due,
            "reviews": [{"time": reviewed, "rating": 3, "duration_ms": 1000,
                         "state_after": {"state": "review", "due": due, "stability": 4.0, "difficulty": 5.0}}],
        })
        expected[f"card-{hour + 1}"] = (learner_date(due) - learner_date(now)).days
    out = tmp_path / "hours.apkg"
    export_anki(load(tmp_path / "decks"), out, history=history)
    import_package(collection, out, with_scheduling=True)
    got = {item_id: card_of(collection, item_id).due - collection.sched.today for item_id in expected}
    assert got == expected


def test_a_suspended_card_stays_suspended_in_anki(deck_folder, tmp_path, collection):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    history = fake_history(now)
    history[0]["suspended"] = True  # reviewed, then suspended
    history.append({"card_id": "korean", "reviews": [], "state": "new", "suspended": True})
    out = tmp_path / "suspended.apkg"
    export_anki(load(deck_folder), out, history=history)
    import_package(collection, out, with_scheduling=True)
    forward, korean, greek = card_of(collection, "forward"), card_of(collection, "korean"), card_of(collection, "greek")
    assert (forward.type, forward.queue, forward.reps) == (2, -1, 3)
    assert (korean.type, korean.queue) == (0, -1)
    assert (greek.type, greek.queue) == (0, 0)
