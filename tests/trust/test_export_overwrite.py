"""`srs export -o` replaces only an earlier export: never the database, a deck file, or a file it did not
make; `--force` lets an export of the other kind be replaced, and nothing else."""

from __future__ import annotations

import gc
import hashlib
import sqlite3

import pytest
from trust_helpers import deck_home

DECK = "id: tiny\ntitle: Tiny\nitems:\n  - q: one\n    a: 1\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    return deck_home(tmp_path, monkeypatch, {"tiny.yaml": DECK})


def digest(path) -> str:
    gc.collect()  # the in-process commands' connections close (and checkpoint) now, not mid-test
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(run_srs, home, kind, out, *extra, env=None):
    return run_srs("export", kind, "--decks", home / "decks", "-o", out, *extra, env=env)


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.output.splitlines()
    return line


@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_the_database_is_never_replaced(run_srs, home, kind):
    db = home / "srs.db"
    assert run_srs("due", "--db", db, "--decks", home / "decks", "--now", "2026-11-23T10:00:00Z").exit_code == 0
    before = digest(db)
    for extra in ([], ["--force"]):
        result = run_srs("export", kind, "--decks", home / "decks", "--db", db, "-o", db, *extra) if kind == "anki" \
            else run_srs("export", kind, "--decks", home / "decks", "-o", db, *extra, env={"SRS_DB": str(db)})
        assert one_line_error(result) == f"Error: refusing to write {db}: it is the srs database"
    assert digest(db) == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_sqlites_files_beside_the_database_are_never_written_even_when_absent(run_srs, home, kind, suffix):
    db = home / "srs.db"
    assert run_srs("due", "--db", db, "--decks", home / "decks", "--now", "2026-11-23T10:00:00Z").exit_code == 0
    before = digest(db)
    companion = home / f"srs.db{suffix}"  # absent now; SQLite would read an export there, then delete it
    result = export(run_srs, home, kind, companion, "--force", env={"SRS_DB": str(db)})
    assert one_line_error(result) == (f"Error: refusing to write {companion}: SQLite keeps the database {db}'s "
                                      "changes there")
    assert not companion.exists() and digest(db) == before


@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_a_deck_file_is_never_replaced(run_srs, home, kind):
    deck = home / "decks" / "tiny.yaml"
    result = export(run_srs, home, kind, deck, "--force")
    assert one_line_error(result) == f"Error: refusing to write {deck}: it is a deck file"
    assert deck.read_text() == DECK


@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_a_file_that_is_no_export_is_never_replaced(run_srs, home, kind):
    notes = home / "notes.txt"
    notes.write_text("my notes")
    for extra in ([], ["--force"]):
        result = export(run_srs, home, kind, notes, *extra)
        assert one_line_error(result) == \
            f"Error: refusing to write {notes}: it exists and is not an srs export; choose another name"
    assert notes.read_text() == "my notes"
    other_db = home / "other.sqlite"
    sqlite3.connect(other_db).execute("CREATE TABLE t (x)").connection.close()
    result = export(run_srs, home, kind, other_db, "--force")
    assert one_line_error(result) == f"Error: refusing to write {other_db}: it is a database"


def test_a_device_is_never_written(run_srs, home):
    result = export(run_srs, home, "pdf", "/dev/null", "--force")
    assert one_line_error(result) == "Error: refusing to write /dev/null: it is not a regular file"


def test_an_export_of_the_same_kind_is_replaced_and_of_the_other_kind_only_with_force(run_srs, home):
    apkg, pdf = home / "out.apkg", home / "out.pdf"
    assert export(run_srs, home, "anki", apkg).exit_code == 0
    assert export(run_srs, home, "anki", apkg).exit_code == 0  # exporting again replaces the old export
    assert export(run_srs, home, "pdf", pdf).exit_code == 0
    assert export(run_srs, home, "pdf", pdf).exit_code == 0
    result = export(run_srs, home, "pdf", apkg)
    assert one_line_error(result) == \
        f"Error: refusing to write {apkg}: it holds an Anki package, not a PDF; --force replaces it"
    assert export(run_srs, home, "pdf", apkg, "--force").exit_code == 0
    assert apkg.read_bytes().startswith(b"%PDF-")
