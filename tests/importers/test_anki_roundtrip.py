"""`srs export anki` then `srs import anki`: the same decks come back (id, kind, title, description, tags,
options, file name and folder) with the same items, in the same order, with the same ids and text.

Runs once the exporter (srs.export.anki) exists; until then it is skipped.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs.cli import cli
from srs.deck import load_paths
from srs.paths import bundled_course

SMALL_COURSE = {
    "basics.yaml": """title: Diffusion::Basics
id: diffusion-basics
tags: [diffusion]
items:
  - id: forward-process
    q: What happens in the *forward* direction of diffusion?
    a: Noise is added to a real image step by step until only static remains. No learning is needed.
    tags: [forward]
  - q: Why many small steps & not one jump?
    a: |-
      One jump is a hard prediction.

      Removing a little noise is an easy one — ünïcode kept.
  - text: Generation starts from {{c1::pure random noise}} and removes it {{c2::step by step::how}}.
    extra: The `denoiser` runs **many** times.
""",
    "checks.yaml": """title: Diffusion::Checks
id: diffusion-checks
items:
  - kind: selfcheck
    question: Why creep along in many small steps?
    answer: One jump is hard; a little denoising is easy.
  - kind: choice
    question: What is the core generation idea?
    options:
      - Retrieve the closest stored training image.
      - Start from noise and remove it step by step.
    correct: b
    explanation: Generation runs the learned denoiser from pure noise.
  - kind: ordering
    prompt: Put the stages in order.
    steps:
      a: Denoise again.
      b: Noise real images.
      c: Start from static.
    answer: [b, c, a]
""",
}


def env_for(tmp_path, deck_paths, db="srs.db") -> dict:
    return {
        "SRS_DB": str(tmp_path / db),
        "SRS_DECKS": os.pathsep.join(str(p) for p in deck_paths),
        "COLUMNS": "120",
    }


def export_package(tmp_path, deck_paths: list[Path], *, history: bool = False) -> Path:
    package = tmp_path / "course.apkg"
    result = CliRunner().invoke(cli, ["export", "anki", "-o", str(package)] + (["--with-history"] if history else []),
                                env=env_for(tmp_path, deck_paths))
    assert result.exit_code == 0 and package.exists(), result.output
    return package


def import_into(tmp_path, package: Path, out: Path, *, history: bool = False):
    """`srs import anki PACKAGE -o OUT`; quizzes go to the `quizzes` folder beside OUT. Loads both."""
    folders = [out, out.parent / "quizzes"]
    args = ["import", "anki", str(package), "-o", str(out)] + ([] if history else ["--no-history"])
    result = CliRunner().invoke(cli, args, env=env_for(tmp_path, folders, "imported.db"))
    assert result.exit_code == 0, result.output
    after = load_paths([f for f in folders if f.is_dir()])
    assert not after.errors, after.errors
    return after


def export_then_import(tmp_path, deck_paths: list[Path], *, history: bool = False):
    package = export_package(tmp_path, deck_paths, history=history)
    before = load_paths(deck_paths)
    after = import_into(tmp_path, package, tmp_path / "imported" / "decks", history=history)
    return before, after


def comparable(item) -> dict:
    body = item.body.model_dump(mode="json", exclude={"id", "image"}, exclude_defaults=True)
    body["image"] = item.body.image is not None
    return body


def assert_same_items(before, after):
    by_id = {item.id: item for item in after}
    assert sorted(by_id) == sorted(item.id for item in before)
    for item in before:
        twin = by_id[item.id]
        assert twin.kind == item.kind, item.id
        assert comparable(twin) == comparable(item), item.id
        assert twin.card_ids() == item.card_ids()


DECK_FIELDS = ("kind", "title", "description", "tags", "options")


def assert_same_decks(before, after, *, renamed: dict[str, str] | None = None):
    """Every deck file comes back as a file of the same name, in a folder named for its kind (decks/ or
    quizzes/), with the same header fields and the same items in the same order."""
    renamed = renamed or {}
    assert len(after.files) == len(before.files)
    assert sorted(d.id for d in after.decks) == sorted(d.id for d in before.decks)
    twins = {deck.id: deck for deck in after.decks}
    for deck in before.decks:
        twin = twins[deck.id]
        for name in DECK_FIELDS:
            expected = renamed.get(deck.id, deck.title) if name == "title" else getattr(deck, name)
            assert getattr(twin, name) == expected, f"{deck.id}: {name}"
        assert Path(twin.path).name == Path(deck.path).name, deck.id
        assert Path(twin.path).parent.name == {"deck": "decks", "quiz": "quizzes"}[deck.kind], deck.id
        assert [item.id for item in twin.items] == [item.id for item in deck.items], f"{deck.id}: item order"
        for item, twin_item in zip(deck.items, twin.items, strict=True):
            assert twin_item.kind == item.kind, item.id
            assert comparable(twin_item) == comparable(item), item.id
            assert twin_item.tags == item.tags, item.id
            assert twin_item.card_ids() == item.card_ids(), item.id


def test_a_small_course_round_trips(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    for name, text in SMALL_COURSE.items():
        (folder / name).write_text(text, encoding="utf-8")
    before, after = export_then_import(tmp_path, [folder])
    assert_same_items(before.items(), after.items())
    # Deck ids come back where the Anki deck id tells them (srs hashes them); deck tags from the notes.
    assert sorted(d.id for d in after.decks) == ["diffusion-basics", "diffusion-checks"]
    basics = next(d for d in after.decks if d.id == "diffusion-basics")
    assert basics.title == "Diffusion::Basics" and basics.tags == ("diffusion",)


def test_history_round_trips(tmp_path):
    from srs.store import Store

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "basics.yaml").write_text(SMALL_COURSE["basics.yaml"], encoding="utf-8")
    env = env_for(tmp_path, [folder])
    runner = CliRunner()
    answers = [("forward-process", "good", "2026-01-05T09:00:00"), ("forward-process", "good", "2026-01-05T09:10:00"),
               ("forward-process", "again", "2026-01-09T09:00:00"), ("forward-process", "good", "2026-01-09T09:10:00")]
    for card, rating, now in answers:
        result = runner.invoke(cli, ["answer", card, rating, "--now", now], env=env)
        assert result.exit_code == 0, result.output
    export_then_import(tmp_path, [folder], history=True)
    original = Store.open(tmp_path / "srs.db").find_card("forward-process")
    imported = Store.open(tmp_path / "imported.db").find_card("forward-process")
    assert (imported.reps, imported.lapses, imported.state) == (original.reps, original.lapses, original.state)
    assert imported.stability == pytest.approx(original.stability, rel=1e-9)
    assert imported.difficulty == pytest.approx(original.difficulty, rel=1e-9)


def bundled() -> list[Path]:
    course = bundled_course()
    assert course and load_paths(course).items(), "the bundled course is missing or empty"
    return course


def test_the_bundled_course_round_trips(tmp_path):
    course = bundled()
    before, after = export_then_import(tmp_path, course)
    assert {d.kind for d in before.decks} == {"deck", "quiz"}
    assert_same_items(before.items(), after.items())
    assert_same_decks(before, after)
    lesson = next(d for d in after.decks if d.id == "diffusion-l02")
    assert Path(lesson.path) == tmp_path / "imported" / "decks" / "lesson-02.yaml"
    assert all(Path(d.path).parent == tmp_path / "imported" / "quizzes" for d in after.decks if d.kind == "quiz")


OPTIONS_COURSE = {
    "decks/settings.yaml": """title: Settings::Tuned
id: tuned
description: |-
  Text that looks like markup: <b>bold?</b> & --> and <!-- not a comment -->, `code`, *emphasis*.

  A second paragraph — ünïcode, 한국어.
tags: [tuned, settings.deep]
options: {new_per_day: 5, reviews_per_day: 50, desired_retention: 0.85, typed_answers: true}
items:
  - id: tuned.zeta
    q: Last by name, first in the file?
    a: Yes.
  - id: tuned.alpha
    q: First by name, second in the file?
    a: Yes.
    tags: [own]
  - text: A derived id, {{c1::cloze}}.
""",
    "decks/plain.yaml": """title: Plain
items:
  - q: A deck with no id, description, tags or options?
    a: Its id is its file name.
""",
    "quizzes/check.yaml": """title: Settings::Check
description: A quiz by its folder; `kind` is not written.
options: {new_per_day: 0}
items:
  - kind: choice
    question: Which?
    options: [This one., That one.]
    correct: [a, b]
  - kind: ordering
    prompt: Order them.
    steps: {a: One., b: Two.}
    answer: [a, b]
""",
}


def write_course(root: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return [root / "decks", root / "quizzes"]


def test_options_kind_description_tags_and_order_round_trip(tmp_path):
    course = write_course(tmp_path / "course", OPTIONS_COURSE)
    before, after = export_then_import(tmp_path, course)
    assert_same_decks(before, after)
    tuned = next(d for d in after.decks if d.id == "tuned")
    assert tuned.options.model_dump(exclude_none=True) == {
        "new_per_day": 5, "reviews_per_day": 50, "desired_retention": 0.85, "typed_answers": True,
    }
    assert "<!-- not a comment -->" in tuned.description
    assert next(d for d in after.decks if d.id == "check").kind == "quiz"
    assert (tmp_path / "imported" / "quizzes" / "check.yaml").exists()


def test_quizzes_go_beside_the_default_decks_folder(tmp_path, monkeypatch):
    course = write_course(tmp_path / "course", OPTIONS_COURSE)
    package = export_package(tmp_path, course)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["import", "anki", str(package), "--no-history", "--json"],
                                env=env_for(tmp_path, [work / "decks", work / "quizzes"], "imported.db"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["files"]) == ["decks/plain.yaml", "decks/settings.yaml", "quizzes/check.yaml"]
    assert report["quiz_dir"] == "quizzes"


def test_one_folder_for_decks_and_quizzes_keeps_every_file_and_title(tmp_path):
    files = {
        "decks/practice.yaml": "title: Practice\nid: practice-deck\nitems:\n  - q: Deck?\n    a: Yes.\n",
        "quizzes/practice.yaml":
            "title: Practice\nid: practice-quiz\nitems:\n  - question: Quiz?\n    answer: Yes.\n",
    }
    package = export_package(tmp_path, write_course(tmp_path / "course", files))
    out = tmp_path / "imported" / "quizzes"  # -o names a quizzes folder: quizzes and decks share it
    result = CliRunner().invoke(cli, ["import", "anki", str(package), "-o", str(out), "--no-history"],
                                env=env_for(tmp_path, [out], "imported.db"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["practice-2.yaml", "practice.yaml"]
    after = load_paths([out])
    assert not after.errors
    assert {(d.id, d.kind) for d in after.decks} == {("practice-deck", "deck"), ("practice-quiz", "quiz")}
    # Anki got the shared title made unique ("Practice (practice-quiz)"); srs gets it back as written.
    assert [d.title for d in after.decks] == ["Practice", "Practice"]


def without_markers(package: Path, out: Path) -> Path:
    """The package as an older `srs export anki` wrote it: no srs-deck marker in the deck descriptions."""
    db = out.with_suffix(".anki2")
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "collection.anki2":
                db.write_bytes(data)
                conn = sqlite3.connect(db)
                decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
                for deck in decks.values():
                    deck["desc"] = re.sub(r"\s*<!-- srs-deck .*?-->", "", deck.get("desc", ""), flags=re.S)
                conn.execute("UPDATE col SET decks = ?", [json.dumps(decks)])
                conn.commit()
                conn.close()
                data = db.read_bytes()
            target.writestr(info, data)
    return out


def test_a_package_without_markers_imports_as_before(tmp_path):
    course = write_course(tmp_path / "course", OPTIONS_COURSE)
    package = without_markers(export_package(tmp_path, course), tmp_path / "old.apkg")
    after = import_into(tmp_path, package, tmp_path / "imported" / "decks")
    # No kind, options or file names travel: every deck goes to -o, named by its id as far as the
    # Anki deck id (a hash of it) tells it.
    assert sorted(Path(p).name for p in after.files) == ["check.yaml", "plain.yaml", "tuned.yaml"]
    assert not (tmp_path / "imported" / "quizzes").exists()
    assert {d.kind for d in after.decks} == {"deck"}
    assert all(d.options.model_dump(exclude_defaults=True) == {} for d in after.decks)


def test_a_damaged_marker_gives_back_what_it_can():
    from srs.importers.anki import read_deck_marker

    assert read_deck_marker("<p>Made in Anki.</p>") is None
    assert read_deck_marker("<!-- srs-deck {not json} -->") is None
    marker = read_deck_marker(
        'Shown. <!-- srs-deck {"id": "Not A Slug", "kind": "quiz", "title": "T", "file": "../escape.yaml", '
        '"tags": ["ok", "Not ok"], "options": {"new_per_day": -1}, "items": ["b", "a", 3]} -->'
    )
    assert (marker.id, marker.kind, marker.title, marker.file) == (None, "quiz", "T", None)
    assert (marker.tags, marker.options, marker.items) == (["ok"], None, ["b", "a"])


def test_the_marker_stays_in_the_deck_description_through_a_real_anki(tmp_path):
    """Anki keeps the marker in the deck description, shows it on no card, and gives it back in its own
    export (with new deck ids of its own): the decks come back as they were, a deck renamed in Anki with
    its new name."""
    anki_collection = pytest.importorskip("anki.collection")
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from srs.importers.html_text import html_to_markdown
    from srs.render.markdown import to_html

    course = bundled()
    before = load_paths(course)
    package = export_package(tmp_path, course)
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions()))
        for deck in before.decks:
            desc = col.decks.get(col.decks.id_for_name(deck.title))["desc"]
            assert desc.count("<!-- srs-deck ") == 1 and desc.rstrip().endswith("-->"), deck.id
            shown = re.sub(r"<!--.*?-->", "", desc, flags=re.S)
            assert "srs-deck" not in shown
            assert html_to_markdown(shown).text == html_to_markdown(to_html(deck.description)).text, deck.id
        cards = col.find_cards("")
        assert len(cards) == sum(len(item.card_ids()) for item in before.items())
        for cid in cards:
            card = col.get_card(cid)
            shown = card.question() + card.answer()
            assert "srs-deck" not in shown and "<!--" not in shown
            assert not any("srs-deck" in value for value in card.note().fields)
        intro = col.decks.id_for_name("Diffusion::Intro")
        col.decks.rename(intro, "Diffusion::Intro (my notes)")
        parent = col.decks.id_for_name("Diffusion")
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=True)
        col.export_anki_package(out_path=str(tmp_path / "back.apkg"), limit=DeckIdLimit(parent), options=options)
    finally:
        col.close()
    after = import_into(tmp_path, tmp_path / "back.apkg", tmp_path / "back" / "decks")
    assert_same_decks(before, after, renamed={"diffusion-intro": "Diffusion::Intro (my notes)"})


def test_reviews_done_in_anki_come_back_onto_the_same_cards(tmp_path):
    """srs -> Anki (reviewed there) -> srs: `srs import anki --history-only` adds Anki's reviews."""
    anki_collection = pytest.importorskip("anki.collection")
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from srs.store import Store

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "basics.yaml").write_text(SMALL_COURSE["basics.yaml"], encoding="utf-8")
    env = env_for(tmp_path, [folder])
    runner = CliRunner()
    answered = runner.invoke(cli, ["answer", "forward-process", "good", "--now", "2026-01-05T09:00:00"], env=env)
    assert answered.exit_code == 0
    package = tmp_path / "course.apkg"
    assert runner.invoke(cli, ["export", "anki", "-o", str(package), "--with-history"], env=env).exit_code == 0

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))
        nid = col.find_notes('"srs id:forward-process"')[0]
        cid = col.get_note(nid).cards()[0].id
        start = 1_767_776_400  # 2026-01-07 09:00 UTC: two days after the review in srs
        for i, (days, ease) in enumerate([(0, 3), (6, 1), (6, 3)]):
            col.db.execute("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                           "VALUES (?, ?, -1, ?, 1, 0, 2500, 3000, 1)", (start + days * 86_400) * 1000 + i, cid, ease)
        from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

        did = col.decks.id_for_name("Diffusion::Basics")
        options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=True, legacy=True)
        col.export_anki_package(out_path=str(tmp_path / "back.apkg"), limit=DeckIdLimit(did), options=options)
    finally:
        col.close()
    result = runner.invoke(cli, ["import", "anki", str(tmp_path / "back.apkg"), "--history-only", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["history"]["reviews_added"] == 3 and report["history"]["reviews_already_present"] == 1
    store = Store.open(tmp_path / "srs.db")
    card = store.find_card("forward-process")
    assert card.reps == 4 and card.lapses == 1
    assert [r.rating for r in store.revlog_for(card.cid)] == [3, 3, 1, 3]


def test_items_the_database_has_in_another_deck_stay_there(tmp_path):
    from srs.store import Store

    folder = tmp_path / "decks"
    folder.mkdir()
    # Only explicit item ids and (as an older export wrote it) no marker: the deck's id cannot be told from
    # the package, so the copy gets another.
    (folder / "basics.yaml").write_text(
        "title: Diffusion::Basics\nid: basics\nitems:\n  - id: forward-process\n    q: Forward?\n    a: Noise.\n"
        "  - id: reverse-process\n    q: Reverse?\n    a: Denoise.\n", encoding="utf-8")
    env = env_for(tmp_path, [folder])
    runner = CliRunner()
    answered = runner.invoke(cli, ["answer", "forward-process", "good", "--now", "2026-01-05T09:00:00"], env=env)
    assert answered.exit_code == 0
    package = tmp_path / "course.apkg"
    assert runner.invoke(cli, ["export", "anki", "-o", str(package), "--with-history"], env=env).exit_code == 0
    package = without_markers(package, tmp_path / "old.apkg")
    result = runner.invoke(cli, ["import", "anki", str(package), "-o", str(tmp_path / "copy"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert any("already live in other decks" in note for note in report["skipped"])
    assert (tmp_path / "copy" / "diffusion-basics.yaml").exists()
    store = Store.open(tmp_path / "srs.db")
    card = store.find_card("forward-process")
    assert card.deck_id == "basics" and card.reps == 1
    assert store.db.execute("SELECT COUNT(*) FROM items WHERE deck_id = 'diffusion-basics'").fetchone()[0] == 0
