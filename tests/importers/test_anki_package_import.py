"""`srs import anki FILE.apkg`: Anki packages become YAML decks and history; nothing half-written."""

from __future__ import annotations

import json
import zipfile

import genanki
import pytest
from anki_fixtures import BASIC, PNG
from click.testing import CliRunner

from srs.cli import cli
from srs.deck import load_file
from srs.errors import UserError
from srs.importers.anki import anki_item_id, import_package, read_package
from srs.store import Store

REVERSED = genanki.Model(
    1607392320, "Basic (and reversed card)",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"},
        {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"},
    ],
)
TYPED = genanki.Model(
    1607392321, "Basic (type in the answer)",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {"name": "Card 1", "qfmt": "{{Front}}\n\n{{type:Back}}", "afmt": "{{Front}}<hr id=answer>{{type:Back}}"}
    ],
)


def genanki_package(tmp_path) -> str:
    deck = genanki.Deck(2059400110, "Diffusion::Basics", description="The <b>core</b> ideas.")
    deck.add_note(genanki.Note(BASIC, ["What is <b>noise</b>?<br>Two lines", "Static &amp; snow<div>second</div>"],
                               tags=["Diffusion::Forward", "lesson_2"], guid="Bz5Ci*Q-GL"))
    cloze = "Starts from {{c1::pure <i>noise</i>}}, goes {{c2::step by step}}."
    deck.add_note(genanki.Note(genanki.CLOZE_MODEL, [cloze, "Back <b>extra</b>"], guid="cloze-guid"))
    deck.add_note(genanki.Note(TYPED, ["Year of DDPM?", "2020"], guid="typed-guid"))
    deck.add_note(genanki.Note(BASIC, ['What does this show? <img src="noise.png">', "Pure noise"], guid="image-guid"))
    deck.add_note(genanki.Note(REVERSED, ["Forward", "Adds noise"], guid="reversed-guid"))
    other = genanki.Deck(2059400111, "Ünïcode Deck")
    other.add_note(genanki.Note(BASIC, ["日本語", "ünïcödé — ✓"], guid="unicode-guid"))
    (tmp_path / "noise.png").write_bytes(PNG)
    path = tmp_path / "made-by-genanki.apkg"
    genanki.Package([deck, other], media_files=[str(tmp_path / "noise.png")]).write_to_file(str(path))
    return str(path)


def test_a_genanki_package_becomes_tidy_decks(tmp_path):
    out = tmp_path / "decks"
    report = import_package(genanki_package(tmp_path), out)
    assert report.decks == 2 and report.items == 7 and report.media == 1  # the reverse card is an item too
    text = (out / "diffusion-basics.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported from made-by-genanki.apkg")
    assert "title: Diffusion::Basics\nid: diffusion-basics\ndescription: The **core** ideas.\n" in text
    result = load_file(out / "diffusion-basics.yaml")
    assert result.ok, result.diagnostics
    items = {item.id: item for item in result.deck.items}
    basic = items[anki_item_id("Bz5Ci*Q-GL")]
    assert basic.kind == "flashcard"
    # Line breaks stay line breaks: markdown's hard break (a backslash ending the line).
    assert basic.body.front == "What is **noise**?\\\nTwo lines" and basic.body.back == "Static & snow\\\nsecond"
    assert basic.tags == ("Diffusion::Forward", "lesson_2")  # as written in Anki
    reverse = items["reversed-guid-card2"]  # the GUID looks like an srs id, so it is the item's id
    assert (reverse.body.front, reverse.body.back) == ("Adds noise", "Forward")
    cloze = items[anki_item_id("cloze-guid")]
    assert cloze.kind == "cloze" and cloze.body.text == "Starts from {{c1::pure *noise*}}, goes {{c2::step by step}}."
    assert cloze.body.extra == "Back **extra**"
    assert cloze.card_ids() == [f"{cloze.id}#c1", f"{cloze.id}#c2"]
    assert items[anki_item_id("typed-guid")].body.typed is True
    image = items[anki_item_id("image-guid")]
    assert image.body.image == "media/noise.png" and image.body.front == "What does this show?"
    assert (out / "media" / "noise.png").read_bytes() == PNG
    unicode = load_file(out / "unicode-deck.yaml")
    assert unicode.ok and unicode.deck.items[0].body.front == "日本語"
    assert "ünïcödé — ✓" in (out / "unicode-deck.yaml").read_text(encoding="utf-8")


def test_importing_over_existing_files_needs_overwrite(tmp_path):
    package = genanki_package(tmp_path)
    import_package(package, tmp_path / "decks")
    (tmp_path / "decks" / "diffusion-basics.yaml").write_text("title: Mine\nitems:\n  - q: a\n    a: b\n")
    with pytest.raises(UserError, match="already exists; use --overwrite"):
        import_package(package, tmp_path / "decks")
    assert "Mine" in (tmp_path / "decks" / "diffusion-basics.yaml").read_text()
    import_package(package, tmp_path / "decks", overwrite=True)
    assert "Diffusion::Basics" in (tmp_path / "decks" / "diffusion-basics.yaml").read_text()


def test_overwriting_a_symlinked_deck_writes_the_file_it_points_to(tmp_path):
    package = genanki_package(tmp_path)
    real = tmp_path / "dotfiles" / "diffusion-basics.yaml"
    real.parent.mkdir()
    real.write_text("title: Mine\nitems:\n  - q: a\n    a: b\n")
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "diffusion-basics.yaml").symlink_to(real)
    import_package(package, tmp_path / "decks", overwrite=True)
    assert (tmp_path / "decks" / "diffusion-basics.yaml").is_symlink()
    assert "Diffusion::Basics" in real.read_text()


# -- packages written by Anki itself (the `anki` package), with a review log ------------------------------

DAY = 86_400
BASE = 1_704_110_400  # 2024-01-01 12:00 UTC


def anki_collection(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    col = anki_collection.Collection(str(tmp_path / "source.anki2"))
    did = col.decks.id("Diffusion::Basics")
    basic = col.models.by_name("Basic")
    note = col.new_note(basic)
    note["Front"], note["Back"] = "What is <b>noise</b>?", "Static"
    col.add_note(note, did)
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "From {{c1::noise}} to {{c2::image}}."
    col.add_note(cloze, did)
    reversed_note = col.new_note(col.models.by_name("Basic (and reversed card)"))
    reversed_note["Front"], reversed_note["Back"] = "Forward", "Adds noise"
    col.add_note(reversed_note, did)
    history = {
        note.cards()[0].id: [(BASE, 3, 0), (BASE + 600, 3, 0), (BASE + 3 * DAY, 1, 1), (BASE + 3 * DAY + 600, 3, 2),
                             (BASE + 5 * DAY, 3, 1)],
        cloze.cards()[1].id: [(BASE, 1, 0), (BASE + 60, 3, 0), (BASE + DAY, 4, 1)],
        reversed_note.cards()[1].id: [(BASE, 3, 0)],  # srs has no card for the reverse side
    }
    for n, (cid, rows) in enumerate(history.items()):
        for i, (at, ease, kind) in enumerate(rows):
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, 1, 0, "
                "2500, 4000, ?)", at * 1000 + n * 10 + i, cid, ease, kind,
            )
    # A manual entry (set due date) carries no rating and is left out.
    col.db.execute("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                   "VALUES (?, ?, -1, 0, 9, 1, 2500, 0, 4)", (BASE + 6 * DAY) * 1000, note.cards()[0].id)
    return col, did, note, cloze


def export(col, did, path, legacy: bool) -> str:
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False, with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=DeckIdLimit(did))
    return str(path)


@pytest.fixture
def anki_made(tmp_path):
    col, did, note, cloze = anki_collection(tmp_path)
    legacy = export(col, did, tmp_path / "legacy.apkg", legacy=True)
    modern = export(col, did, tmp_path / "modern.apkg", legacy=False)
    guids = {"basic": note.guid, "cloze": cloze.guid}
    col.close()
    return legacy, modern, guids


def test_an_anki_package_brings_its_review_history(tmp_path, anki_made):
    legacy, _, guids = anki_made
    env = {"SRS_DB": str(tmp_path / "srs.db")}
    result = CliRunner().invoke(cli, ["import", "anki", legacy, "-o", str(tmp_path / "decks"), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["items"] == 4 and report["history"]["reviews_added"] == 9  # the reverse card is an item
    assert report["reviews_without_card"] == 0
    store = Store.open(tmp_path / "srs.db")
    basic = store.find_card(anki_item_id(guids["basic"]))
    rows = store.revlog_for(basic.cid)
    assert [r.rating for r in rows] == [3, 3, 1, 3, 3]
    assert [r.reviewed_at for r in rows][:2] == [BASE, BASE + 600]
    assert {r.duration_ms for r in rows} == {4000} and {r.source for r in rows} == {"import"}
    assert basic.reps == 5 and basic.lapses == 1 and basic.stability > 0
    cloze2 = store.find_card(anki_item_id(guids["cloze"]) + "#c2")
    assert cloze2.reps == 3
    assert store.find_card(anki_item_id(guids["cloze"]) + "#c1").reps == 0
    store.close()
    # `srs show` on the imported deck shows the history.
    shown = CliRunner().invoke(cli, ["show", anki_item_id(guids["basic"]), "--decks", str(tmp_path / "decks")], env=env)
    assert shown.exit_code == 0, shown.output
    assert "Review history" in shown.stdout and "Again" in shown.stdout
    # Importing the same package again (over the same files) adds nothing.
    again = CliRunner().invoke(cli, ["import", "anki", legacy, "-o", str(tmp_path / "decks"), "--overwrite", "--json"],
                               env=env)
    assert json.loads(again.stdout)["history"]["reviews_added"] == 0


def test_an_import_does_not_read_back_the_yaml_it_wrote_and_a_sync_then_finds_nothing_to_change(
    tmp_path, anki_made, monkeypatch
):
    """The decks reach the store from the data the files were written from (dump_deck writes only YAML that
    reads back as that data), through the store's one write path: a sync of the written files agrees."""
    import srs.deck.loader as loader
    from srs.sync import sync

    legacy, _, guids = anki_made
    store = Store.open(tmp_path / "srs.db")

    def no_parsing(*args, **kwargs):
        raise AssertionError("the import parsed a file it wrote")

    monkeypatch.setattr(loader, "load_file", no_parsing)
    report = import_package(legacy, tmp_path / "decks", store=store)
    monkeypatch.undo()
    assert report.history is not None and report.history.reviews_added == 9
    items = "SELECT iid, uid, deck_id, content_hash, content, tags, path, line, idx, retired FROM items ORDER BY iid"
    before = store.conn.execute(items).fetchall()
    again = sync(store, [tmp_path / "decks"])
    assert (again.added, again.updated, again.retired, again.restored, again.relinked) == (0, 0, 0, 0, [])
    assert store.conn.execute(items).fetchall() == before
    assert store.find_card(anki_item_id(guids["basic"])).reps == 5
    store.close()


def test_a_package_in_anki_s_new_format_imports_as_the_legacy_one_does(tmp_path, anki_made):
    """collection.anki21b (zstd, schema 18), Anki's default since 2.1.50: the same decks, media and history."""
    legacy, modern, guids = anki_made
    with zipfile.ZipFile(modern) as archive:
        assert "collection.anki21b" in archive.namelist()
    outputs = {}
    for name, package in (("legacy", legacy), ("modern", modern)):
        env = {"SRS_DB": str(tmp_path / f"{name}.db")}
        result = CliRunner().invoke(cli, ["import", "anki", package, "-o", str(tmp_path / name), "--json"], env=env)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        files = sorted((tmp_path / name).glob("*.yaml"))
        texts = [f.read_text(encoding="utf-8").split("\n", 1)[1] for f in files]  # past the "Imported from" line
        store = Store.open(tmp_path / f"{name}.db")
        basic = store.find_card(anki_item_id(guids["basic"]))
        history = [(r.reviewed_at, r.rating) for r in store.revlog_for(basic.cid)]
        store.close()
        outputs[name] = ([f.name for f in files], texts, report["items"], report["history"]["reviews_added"], history)
    assert outputs["modern"] == outputs["legacy"]
    assert outputs["modern"][2:4] == (4, 9)


def test_a_package_with_a_media_file_in_the_new_format(tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    col = anki_collection.Collection(str(tmp_path / "source.anki2"))
    (tmp_path / "dot.png").write_bytes(PNG)
    name = col.media.add_file(str(tmp_path / "dot.png"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "Which dot?", f'<img src="{name}">'
    col.add_note(note, col.decks.id("Dots"))
    path = export(col, col.decks.id("Dots"), tmp_path / "dots.apkg", legacy=False)
    col.close()
    import_package(path, tmp_path / "decks")
    assert (tmp_path / "decks" / "media" / name).read_bytes() == PNG


def test_a_newer_schema_is_refused(tmp_path):
    import sqlite3

    db = tmp_path / "collection.anki2"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE col (ver INTEGER, models TEXT, decks TEXT); "
                       "INSERT INTO col VALUES (19, '{}', '{}');"
                       "CREATE TABLE notes (id); CREATE TABLE cards (id);")
    conn.close()
    path = tmp_path / "new.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(db, "collection.anki2")
    with pytest.raises(UserError, match=r"collection schema 19 is newer than the ones srs reads \(11, 15-18\)"):
        read_package(path)


def test_not_a_package(tmp_path):
    path = tmp_path / "x.apkg"
    path.write_text("hello")
    with pytest.raises(UserError, match="not an Anki package"):
        read_package(path)


def test_a_failure_halfway_writes_neither_files_nor_database(tmp_path, anki_made, monkeypatch):
    legacy, _, _ = anki_made
    store = Store.open(tmp_path / "srs.db")
    import srs.store.log as log

    original = log.insert_chain
    calls = {"n": 0}

    def fail_after_writing(conn, rows):
        calls["n"] += 1
        original(conn, rows)  # the reviews are in the log, then the disk fails
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(log, "insert_chain", fail_after_writing)
    out = tmp_path / "decks"
    with pytest.raises(RuntimeError):
        import_package(legacy, out, store=store)
    assert calls["n"] == 1  # the files had been moved into place and the reviews written
    assert not out.exists()
    for table in ("revlog", "items", "cards", "decks"):
        assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    assert not list(tmp_path.glob(".srs-import-*"))


def test_a_failure_restores_files_it_replaced(tmp_path, anki_made, monkeypatch):
    legacy, _, _ = anki_made
    out = tmp_path / "decks"
    out.mkdir()
    mine = "title: Mine\nid: diffusion-basics\nitems:\n  - q: a\n    a: b\n"
    (out / "diffusion-basics.yaml").write_text(mine)
    store = Store.open(tmp_path / "srs.db")
    import srs.store.imports as imports

    monkeypatch.setattr(imports, "write_card_logs", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        import_package(legacy, out, store=store, overwrite=True)
    assert (out / "diffusion-basics.yaml").read_text() == mine
    assert sorted(p.name for p in out.iterdir()) == ["diffusion-basics.yaml"]
