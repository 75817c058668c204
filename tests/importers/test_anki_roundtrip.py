"""`srs export anki` then `srs import anki`: the same items come back, with the same ids and text.

Runs once the exporter (srs.export.anki) exists; until then it is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs.cli import cli
from srs.deck import load_paths
from srs.paths import bundled_course

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("srs.export") is None or importlib.util.find_spec("srs.export.anki") is None,
    reason="the Anki exporter (srs.export.anki) is not there yet",
)

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


def export_then_import(tmp_path, deck_paths: list[Path], *, history: bool = False):
    env = env_for(tmp_path, deck_paths)
    runner = CliRunner()
    package = tmp_path / "course.apkg"
    result = runner.invoke(cli, ["export", "anki", "-o", str(package)] + (["--with-history"] if history else []),
                           env=env)
    assert result.exit_code == 0 and package.exists(), result.output
    out = tmp_path / "imported"
    imported_env = env_for(tmp_path, [out], "imported.db")
    args = ["import", "anki", str(package), "-o", str(out)] + ([] if history else ["--no-history"])
    result = runner.invoke(cli, args, env=imported_env)
    assert result.exit_code == 0, result.output
    before = load_paths(deck_paths)
    after = load_paths([out])
    assert not after.errors, after.errors
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


def test_the_bundled_course_round_trips(tmp_path):
    course = bundled_course()
    if not course or not load_paths(course).items():
        pytest.skip("the bundled course has no decks yet")
    before, after = export_then_import(tmp_path, course)
    assert_same_items(before.items(), after.items())
    assert sorted(d.title for d in after.decks) == sorted(d.title for d in before.decks)


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
    assert runner.invoke(cli, ["answer", "forward-process", "good", "--now", "2026-01-05T09:00:00"], env=env).exit_code == 0
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
        col.export_anki_package(out_path=str(tmp_path / "back.apkg"), limit=DeckIdLimit(did), options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=True, legacy=True))
    finally:
        col.close()
    result = runner.invoke(cli, ["import", "anki", str(tmp_path / "back.apkg"), "--history-only", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["history"]["reviews_added"] == 3 and report["history"]["reviews_already_present"] == 1
    store = Store.open(tmp_path / "srs.db")
    card = store.find_card("forward-process")
    assert card.reps == 4 and card.lapses == 1
    assert [r["rating"] for r in store.revlog_for(card.cid)] == [3, 3, 1, 3]


def test_items_the_database_has_in_another_deck_stay_there(tmp_path):
    from srs.store import Store

    folder = tmp_path / "decks"
    folder.mkdir()
    # Only explicit item ids: the deck's id cannot be told from the package, so the copy gets another.
    (folder / "basics.yaml").write_text(
        "title: Diffusion::Basics\nid: basics\nitems:\n  - id: forward-process\n    q: Forward?\n    a: Noise.\n"
        "  - id: reverse-process\n    q: Reverse?\n    a: Denoise.\n", encoding="utf-8")
    env = env_for(tmp_path, [folder])
    runner = CliRunner()
    assert runner.invoke(cli, ["answer", "forward-process", "good", "--now", "2026-01-05T09:00:00"], env=env).exit_code == 0
    package = tmp_path / "course.apkg"
    assert runner.invoke(cli, ["export", "anki", "-o", str(package), "--with-history"], env=env).exit_code == 0
    result = runner.invoke(cli, ["import", "anki", str(package), "-o", str(tmp_path / "copy"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert any("already live in other decks" in note for note in report["skipped"])
    assert (tmp_path / "copy" / "diffusion-basics.yaml").exists()
    store = Store.open(tmp_path / "srs.db")
    card = store.find_card("forward-process")
    assert card.deck_id == "basics" and card.reps == 1
    assert store.db.execute("SELECT COUNT(*) FROM items WHERE deck_id = 'diffusion-basics'").fetchone()[0] == 0
