"""`srs export anki` and what the srs database knows: reworded items keep their note, removed items are
tagged `srs::retired`, typed flashcards become typed notes. Checked by importing into a real Anki."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs.cli import cli
from srs.export.anki_notes import ID_FIELD

anki_collection = pytest.importorskip("anki.collection")

DECK = """\
title: Capitals
id: capitals
items:
  - q: What is the capital of France?
    a: Paris
  - q: What is the capital of Japan?
    a: Tokyo
  - id: peru
    q: What is the capital of Peru?
    a: Lima
    typed: true
"""


@pytest.fixture
def collection(tmp_path):
    folder = tmp_path / "anki-profile"
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def export(deck_folder: Path, db: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "anki", "--decks", str(deck_folder), "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output


def review(deck_folder: Path, db: Path) -> None:
    """A review session that syncs the decks into the database and quits at once."""
    result = CliRunner().invoke(cli, ["due", "--decks", str(deck_folder), "--db", str(db)])
    assert result.exit_code == 0, result.output


def import_into(col, path: Path) -> None:
    # Anki updates a note only when the incoming one is newer, in whole seconds.
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)
    options = anki_collection.ImportAnkiPackageOptions(with_scheduling=False)
    col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(path), options=options))


def answer_good(col, card) -> None:
    from anki.scheduler.v3 import CardAnswer

    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))


def note_with_front(col, text: str):
    (nid,) = col.find_notes(f'"Front:{text}"')
    return col.get_note(nid)


@pytest.fixture
def decks(tmp_path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "capitals.yaml").write_text(DECK, encoding="utf-8")
    return folder


def test_a_reworded_item_without_an_id_updates_its_note_and_keeps_anki_progress(decks, tmp_path, collection):
    db = tmp_path / "srs.db"
    review(decks, db)
    export(decks, db, tmp_path / "first.apkg")
    import_into(collection, tmp_path / "first.apkg")
    note = note_with_front(collection, "What is the capital of France?")
    answer_good(collection, note.cards()[0])
    reps = collection.get_card(note.cards()[0].id).reps

    path = decks / "capitals.yaml"
    path.write_text(path.read_text().replace("capital of France?", "capital city of France?"), encoding="utf-8")
    export(decks, db, tmp_path / "second.apkg")  # relinks the reworded item first, as a review would
    import_into(collection, tmp_path / "second.apkg")

    assert collection.note_count() == 3
    again = collection.get_note(note.id)
    assert again["Front"] == "What is the capital city of France?"
    assert again[ID_FIELD] != note[ID_FIELD]  # the srs id follows the wording; the GUID does not
    assert again.guid == note.guid
    assert collection.get_card(note.cards()[0].id).reps == reps == 1


def test_a_removed_item_is_tagged_retired_on_the_next_export(decks, tmp_path, collection):
    db = tmp_path / "srs.db"
    review(decks, db)
    export(decks, db, tmp_path / "first.apkg")
    import_into(collection, tmp_path / "first.apkg")
    path = decks / "capitals.yaml"
    text = path.read_text()
    path.write_text(text.replace("  - q: What is the capital of Japan?\n    a: Tokyo\n", ""), encoding="utf-8")
    export(decks, db, tmp_path / "second.apkg")
    import_into(collection, tmp_path / "second.apkg")

    assert collection.note_count() == 3
    assert note_with_front(collection, "What is the capital of Japan?").tags == ["srs::retired"]
    assert note_with_front(collection, "What is the capital of France?").tags == []
    japan = note_with_front(collection, "What is the capital of Japan?")
    assert collection.find_notes("tag:srs::retired") == [japan.id]


def test_a_typed_flashcard_becomes_a_note_with_a_type_in_box(decks, tmp_path, collection):
    export(decks, tmp_path / "no.db", tmp_path / "typed.apkg")
    import_into(collection, tmp_path / "typed.apkg")
    typed = collection.get_note(collection.find_notes('"Front:What is the capital of Peru?"')[0])
    plain = note_with_front(collection, "What is the capital of Japan?")
    assert typed.note_type()["name"] == "srs Typed"
    assert "{{type:Back}}" in typed.note_type()["tmpls"][0]["qfmt"]
    assert "{{type:" not in plain.note_type()["tmpls"][0]["qfmt"]


def test_a_deck_with_typed_answers_makes_every_flashcard_typed(decks, tmp_path, collection):
    path = decks / "capitals.yaml"
    path.write_text(path.read_text().replace("id: capitals\n", "id: capitals\noptions:\n  typed_answers: true\n"))
    export(decks, tmp_path / "no.db", tmp_path / "typed.apkg")
    import_into(collection, tmp_path / "typed.apkg")
    names = {collection.get_note(nid).note_type()["name"] for nid in collection.find_notes("")}
    assert names == {"srs Typed"}


def test_a_retired_item_does_not_come_back_on_import(decks, tmp_path):
    from srs.importers.anki import import_package

    db = tmp_path / "srs.db"
    review(decks, db)
    path = decks / "capitals.yaml"
    japan = "  - q: What is the capital of Japan?\n    a: Tokyo\n"
    path.write_text(path.read_text().replace(japan, ""), encoding="utf-8")
    export(decks, db, tmp_path / "with-retired.apkg")
    report = import_package(tmp_path / "with-retired.apkg", tmp_path / "back")
    assert report.items == 2
    assert "Japan" not in (tmp_path / "back" / "capitals.yaml").read_text()
    assert any("srs::retired" in note for note in report.skipped)


def test_exporting_one_deck_leaves_the_remembered_deck_sources_alone(tmp_path):
    # The export syncs the decks first, from the sources every command uses, not from the one file exported:
    # the next command must not say that the deck sources changed.
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "capitals.yaml").write_text(DECK)
    (decks / "other.yaml").write_text("title: Other\nid: other\nitems:\n  - q: One?\n    a: 1\n")
    db = tmp_path / "srs.db"
    review(decks, db)
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "anki", "capitals", "--decks", str(decks), "--db", str(db),
                                 "-o", str(tmp_path / "capitals.apkg")])
    assert result.exit_code == 0, result.output
    after = runner.invoke(cli, ["due", "--decks", str(decks), "--db", str(db)])
    assert after.exit_code == 0 and after.stderr == ""


def test_export_parses_each_deck_file_once(tmp_path, monkeypatch):
    """The export mirrors the decks into the database and exports them: an edited file is parsed once."""
    import srs.deck.loader as loader

    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "capitals.yaml").write_text(DECK, encoding="utf-8")
    db = tmp_path / "srs.db"
    review(decks, db)
    (decks / "capitals.yaml").write_text(DECK.replace("a: Lima", "a: Lima, Peru"), encoding="utf-8")
    parsed: list[str] = []
    real = loader._load_file
    monkeypatch.setattr(loader, "_load_file", lambda path, data: parsed.append(Path(path).name) or real(path, data))
    export(decks, db, tmp_path / "out.apkg")
    assert parsed == ["capitals.yaml"]
