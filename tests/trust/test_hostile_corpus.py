"""A corpus of hostile inputs: decks, review-log CSVs, Anki packages, databases, clock values and closed
streams. Each is refused with exit 1 and one line, never a traceback, and the learner's database is left
exactly as it was. The cases are rows of tables: add a row to grow the corpus."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

NOW = "2026-11-23T10:00:00Z"
GOOD_DECK = "id: home\ntitle: Home\nitems:\n  - id: one\n    q: One?\n    a: 1\n  - id: two\n    q: Two?\n    a: 2\n"


# -- the learner's world, made once and copied per case ------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A deck folder (shared, never changed) and a database with answers in it (copied for each case)."""
    from click.testing import CliRunner

    from srs.cli import cli

    root = tmp_path_factory.mktemp("world")
    (root / "decks").mkdir()
    (root / "decks" / "home.yaml").write_text(GOOD_DECK)
    env = {"SRS_DB": str(root / "template.db"), "SRS_DECKS": str(root / "decks"), "SRS_NOW": NOW}
    for card in ("one", "two"):
        assert CliRunner().invoke(cli, ["answer", card, "good"], env=env).exit_code == 0
    gc.collect()
    return root


@pytest.fixture
def home(world, tmp_path, monkeypatch):
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(world / "template.db", tmp_path / "srs.db")
    env = {"SRS_DB": str(tmp_path / "srs.db"), "SRS_DECKS": str(world / "decks"), "SRS_NOW": NOW}
    return tmp_path, env


def content(db: Path) -> str:
    """Every row of every table (and the schema), as text: what "unchanged" means for a database."""
    gc.collect()  # the in-process commands' connections close now
    conn = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def assert_refused(result, *, stream: str = "stderr") -> str:
    """Exit 1, one line (on `stream`, the other empty), no traceback; the line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = getattr(result, stream).splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def run(env, *args, input=None):
    from click.testing import CliRunner

    from srs.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)


# -- decks: `srs check` names the one problem, file:line:col ---------------------------------------------------

DECKS = {
    "cloze-number-too-big": "title: T\nitems:\n  - text: 'a {{c9223372036854775808::x}}'\n",
    "cloze-number-zero": "title: T\nitems:\n  - text: 'a {{c0::x}}'\n",
    "cloze-number-1000": "title: T\nitems:\n  - text: 'a {{c1000::x}}'\n",
    "cloze-without-deletion": "title: T\nitems:\n  - text: 'no gap here'\n",
    "not-yaml": "title: [unclosed\n",
    "tab-indent": "title: T\nitems:\n\t- q: a\n",
    "top-level-list": "- q: a\n  a: b\n",
    "top-level-scalar": "just words\n",
    "missing-title": "items:\n  - q: a\n    a: b\n",
    "no-items": "title: T\n",
    "empty-items": "title: T\nitems: []\n",
    "item-not-mapping": "title: T\nitems:\n  - just a string\n",
    "unknown-kind": "title: T\nitems:\n  - kind: essay\n    q: a\n",
    "kind-not-text": "title: T\nitems:\n  - kind: 5\n    q: a\n",
    "kind-not-inferable": "title: T\nitems:\n  - hello: a\n",
    "missing-back": "title: T\nitems:\n  - q: a\n",
    "q-and-front": "title: T\nitems:\n  - q: a\n    front: b\n    a: c\n",
    "duplicate-key": "title: T\ntitle: U\nitems:\n  - q: a\n    a: b\n",
    "duplicate-item-id": "title: T\nitems:\n  - id: x\n    q: a\n    a: b\n  - id: x\n    q: c\n    a: d\n",
    "bad-deck-id": "id: 'Not A Slug!'\ntitle: T\nitems:\n  - q: a\n    a: b\n",
    "escape-in-id": "title: T\nitems:\n  - id: \"x\\e[2J\"\n    q: a\n    a: b\n",
    "huge-id": "title: T\nitems:\n  - id: " + "x" * 500 + "\n    q: a\n    a: b\n",
    "retention-too-high": "title: T\noptions:\n  desired_retention: 5\nitems:\n  - q: a\n    a: b\n",
    "new-per-day-negative": "title: T\noptions:\n  new_per_day: -1\nitems:\n  - q: a\n    a: b\n",
    "new-per-day-huge": "title: T\noptions:\n  new_per_day: 99999999999999999999\nitems:\n  - q: a\n    a: b\n",
    "choice-no-correct": "title: T\nitems:\n  - question: q\n    options: [a, b]\n    correct: []\n",
    "choice-unknown-correct": "title: T\nitems:\n  - question: q\n    options: [a, b]\n    correct: z\n",
    "choice-27-options": "title: T\nitems:\n  - question: q\n    options: [" + ", ".join(["o"] * 27)
    + "]\n    correct: a\n",
    "ordering-one-step": "title: T\nitems:\n  - prompt: p\n    steps:\n      a: x\n    answer: [a]\n",
    "ordering-unknown-step": "title: T\nitems:\n  - prompt: p\n    steps:\n      a: x\n      b: y\n"
    "    answer: [a, c, b]\n",
    "ordering-repeated-step": "title: T\nitems:\n  - prompt: p\n    steps:\n      a: x\n      b: y\n"
    "    answer: [a, a, b]\n",
    "image-missing": "title: T\nitems:\n  - q: a\n    a: b\n    image: nowhere.png\n",
    "image-outside": "title: T\nitems:\n  - q: a\n    a: b\n    image: ../../../../etc/passwd\n",
    "image-absolute": "title: T\nitems:\n  - q: a\n    a: b\n    image: /etc/passwd\n",
    "python-tag": "title: !!python/object/apply:os.system ['echo hi']\nitems:\n  - q: a\n    a: b\n",
    "recursive-alias": "title: T\nitems: &a\n  - *a\n",
    "yaml-bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "title: T\nitems: [*f]\n",
    "two-documents": "title: T\nitems:\n  - q: a\n    a: b\n---\ntitle: U\n",
    "unknown-field": "title: T\nitems:\n  - q: a\n    a: b\n    explanaton: c\n",
    "unknown-deck-field": "title: T\nitmes:\n  - q: a\n    a: b\n",
    "list-as-text": "title: T\nitems:\n  - q: [a, b]\n    a: c\n",
    "tags-not-slugs": "title: T\ntags: ['two words']\nitems:\n  - q: a\n    a: b\n",
    "merge-key": "title: T\nbase: &b {q: a}\nitems:\n  - <<: *b\n    a: b\n",
}
DECK_BYTES = {
    "empty-file": b"",
    "invalid-utf8": b"title: T\xff\xfe\nitems:\n  - q: a\n    a: b\n",
    "nul-byte": b"title: T\x00\nitems:\n  - q: a\n    a: b\n",
    "raw-escape-byte": b"title: T\x1b[2J\nitems:\n  - q: a\n    a: b\n",
    "binary-garbage": bytes(range(256)) * 4,
    "utf16": "title: T\nitems:\n  - q: a\n    a: b\n".encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(DECKS) + sorted(DECK_BYTES))
def test_a_hostile_deck_is_one_error_line(home, name):
    tmp, env = home
    before = content(tmp / "srs.db")
    deck = tmp / f"{name}.yaml"
    if name in DECKS:
        deck.write_text(DECKS[name], encoding="utf-8")
    else:
        deck.write_bytes(DECK_BYTES[name])
    result = run(env, "check", deck)
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith(f"{deck}:")
    assert content(tmp / "srs.db") == before


# -- review-log CSVs: `srs import revlog` names the row -----------------------------------------------------

HEADER = "card_id,review_rating,review_time,review_duration\n"
CSVS = {
    "year-9999": "one,3,9999-12-31T00:00:00Z,1000",
    "year-1": "one,3,0001-01-01T00:00:00Z,1000",
    "year-2200": "one,3,2200-01-01T00:00:00Z,1000",
    "after-now": "one,3,2026-11-23T10:10:01Z,1000",  # 10 minutes and 1 s after NOW
    "before-1970": "one,3,1969-12-31T23:59:59Z,1000",
    "huge-epoch": "one,3,99999999999999999999999,1000",
    "negative-epoch": "one,3,-5000000000000,1000",
    "negative-epoch-seconds": "one,3,-1,1000",
    "inf-duration": "one,3,2026-01-01T00:00:00Z,inf",
    "nan-duration": "one,3,2026-01-01T00:00:00Z,nan",
    "huge-duration": "one,3,2026-01-01T00:00:00Z,1e308",
    "negative-duration": "one,3,2026-01-01T00:00:00Z,-5",
    "text-duration": "one,3,2026-01-01T00:00:00Z,slow",
    "rating-0": "one,0,2026-01-01T00:00:00Z,1000",
    "rating-5": "one,5,2026-01-01T00:00:00Z,1000",
    "rating-text": "one,good,2026-01-01T00:00:00Z,1000",
    "rating-empty": "one,,2026-01-01T00:00:00Z,1000",
    "rating-huge": "one,99999999999999999999999,2026-01-01T00:00:00Z,1000",
    "time-empty": "one,3,,1000",
    "time-garbage": "one,3,next tuesday,1000",
    "time-month-13": "one,3,2026-13-01T00:00:00Z,1000",
    "card-empty": ",3,2026-01-01T00:00:00Z,1000",
    "card-escape": "one\x1b]0;x\x07,3,2026-01-01T00:00:00Z,1000",
    "card-300-chars": "x" * 300 + ",3,2026-01-01T00:00:00Z,1000",
    "card-unknown-text": "no-such-card,3,2026-01-01T00:00:00Z,1000",
    "too-few-fields": "one,3",
    "too-many-fields": "one,3,2026-01-01T00:00:00Z,1000,extra",
    "unterminated-quote": '"one,3,2026-01-01T00:00:00Z,1000',
    "nul-byte": "one\x00,3,2026-01-01T00:00:00Z,1000",
}
CSV_FILES = {
    "empty-file": b"",
    "missing-column": b"card_id,review_rating\none,3\n",
    "not-utf8": HEADER.encode() + b"one,3,2026-01-01T00:00:00Z,\xff\xfe\n",
    "binary-garbage": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", sorted(CSVS) + sorted(CSV_FILES))
def test_a_hostile_review_log_is_one_line_and_changes_nothing(home, name):
    tmp, env = home
    before = content(tmp / "srs.db")
    log = tmp / f"{name}.csv"
    if name in CSVS:
        log.write_text(HEADER + "two,3,2026-01-01T00:00:00Z,1000\n" + CSVS[name] + "\n", encoding="utf-8")
    else:
        log.write_bytes(CSV_FILES[name])
    line = assert_refused(run(env, "import", "revlog", log))
    assert line.startswith("Error: ") and str(log) in line
    assert content(tmp / "srs.db") == before


# -- Anki packages: `srs import anki` -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_package(tmp_path_factory) -> Path:
    import genanki

    folder = tmp_path_factory.mktemp("package")
    model = genanki.Model(
        1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    deck = genanki.Deck(2059400110, "Hostile")
    deck.add_note(genanki.Note(model, ["Front", "Back"], guid="g1"))
    (folder / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = folder / "good.apkg"
    genanki.Package([deck], media_files=[str(folder / "pic.png")]).write_to_file(str(path))
    return path


def rewrite_package(source: Path, target: Path, *, sql: list[str] = (), media: bytes | None = None,
                    members: dict[str, bytes] | None = None) -> None:
    """A copy of the package at `source` with SQL run on its collection and members replaced or added."""
    work = target.with_suffix(".work")
    work.mkdir()
    with zipfile.ZipFile(source) as archive:
        archive.extractall(work)
    if sql:
        conn = sqlite3.connect(work / "collection.anki2")
        for statement in sql:
            conn.execute(statement)
        conn.commit()
        conn.close()
    if media is not None:
        (work / "media").write_bytes(media)
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(work.iterdir()):
            archive.write(path, path.name)
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    shutil.rmtree(work)


REVLOG = ("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
          "SELECT {id}, id, -1, {ease}, 1, 0, 2500, {time}, 1 FROM cards LIMIT 1")
PACKAGES = {
    "models-not-json": {"sql": ["UPDATE col SET models = '{not json'"]},
    "models-a-list": {"sql": ["UPDATE col SET models = '[1, 2]'"]},
    "model-fields-not-a-list": {"sql": ["UPDATE col SET models = json_set(models, '$.1607392319.flds', 7)"]},
    "model-id-not-a-number": {"sql": ["UPDATE col SET models = json_set(models, '$.1607392319.id', 'abc')"]},
    "decks-not-json": {"sql": ["UPDATE col SET decks = 'nope'"]},
    "decks-key-not-a-number": {"sql": ["UPDATE col SET decks = '{\"x\": {}}'"]},
    "field-name-null": {"sql": ["UPDATE col SET models = json_set(models, '$.1607392319.flds[0].name', json('null'))"]},
    "deck-null": {"sql": ["UPDATE col SET decks = json_set(decks, '$.2059400110', json('null'))"]},
    "note-of-unknown-type": {"sql": ["UPDATE notes SET mid = 42"]},
    "revlog-year-9999": {"sql": [REVLOG.format(id=253402214400000, ease=3, time=1000)]},
    "revlog-negative-id": {"sql": [REVLOG.format(id=-5, ease=3, time=1000)]},
    "revlog-huge-time": {"sql": [REVLOG.format(id=1704110400000, ease=3, time=10 ** 17)]},
    "revlog-after-now": {"sql": [REVLOG.format(id=1795428601000, ease=3, time=1000)]},  # 10 minutes and 1 s after NOW
    "media-nul-name": {"media": json.dumps({"0": "a\x00b.png"}).encode()},
    "media-300-chars": {"media": json.dumps({"0": "x" * 300 + ".png"}).encode()},
    "media-traversal": {"media": json.dumps({"0": "../../escape.png"}).encode()},
    "media-not-json": {"media": b"\x00\x01garbage"},
    "media-a-list": {"media": b"[1, 2, 3]"},
    "no-collection": {"drop": True},
    "collection-not-sqlite": {"members_only": {"collection.anki2": b"this is not sqlite"}},
    "collection-without-tables": {"sql": ["DROP TABLE notes"]},
    "col-row-missing": {"sql": ["DELETE FROM col"]},
    "not-a-zip": {"raw": b"hello, not a zip"},
    "empty-file": {"raw": b""},
    "truncated-zip": {"truncate": 200},
}


def make_package(good: Path, target: Path, spec: dict) -> Path:
    if "raw" in spec:
        target.write_bytes(spec["raw"])
    elif "truncate" in spec:
        target.write_bytes(good.read_bytes()[: spec["truncate"]])
    elif spec.get("drop"):
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("media", "{}")
    elif "members_only" in spec:
        with zipfile.ZipFile(target, "w") as archive:
            for name, data in spec["members_only"].items():
                archive.writestr(name, data)
            archive.writestr("media", "{}")
    else:
        rewrite_package(good, target, sql=spec.get("sql", []), media=spec.get("media"))
    return target


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_a_hostile_anki_package_is_one_line_and_changes_nothing(home, good_package, name):
    tmp, env = home
    before = content(tmp / "srs.db")
    package = make_package(good_package, tmp / f"{name}.apkg", PACKAGES[name])
    out = tmp / "out"
    line = assert_refused(run(env, "import", "anki", package, "-o", out))
    assert line.startswith("Error: ")
    assert content(tmp / "srs.db") == before
    assert not out.exists() or not any(out.iterdir())


def test_a_deck_folder_that_cannot_be_made_is_one_line_and_changes_nothing(home, good_package):
    tmp, env = home
    before = content(tmp / "srs.db")
    (tmp / "notes.txt").write_text("mine")
    out = tmp / "notes.txt" / "decks"  # under a file: no one, root included, can make this folder
    line = assert_refused(run(env, "import", "anki", good_package, "-o", out))
    assert line.startswith(f"Error: cannot write the decks to {out}: {out}: ")  # then the system's reason
    assert line.endswith("; nothing was imported")
    assert content(tmp / "srs.db") == before
    assert (tmp / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp.iterdir()) == ["backups", "notes.txt", "srs.db"]  # no staging left


def test_a_package_over_the_size_limit_is_refused_before_unpacking(home, monkeypatch):
    from srs.importers import limits

    tmp, env = home
    before = content(tmp / "srs.db")
    package = tmp / "bomb.apkg"
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\0" * 2_000_000)
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1_000_000)
    line = assert_refused(run(env, "import", "anki", package, "-o", tmp / "out"))
    assert line == (f"Error: {package}: unpacks to 2.0 MB, over the 1.0 MB srs accepts from a package "
                    "(SRS_MAX_PACKAGE_MB raises it)")
    assert content(tmp / "srs.db") == before


# -- databases: any command refuses them, and leaves them byte for byte -------------------------------------


def _sqlite(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


DATABASES = {
    "text-file": lambda p: p.write_text("hello, I am not a database"),
    "sqlite-header-then-junk": lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000),
    "foreign-tables": lambda p: _sqlite(p, "CREATE TABLE accounts (id, balance)", "INSERT INTO accounts VALUES (1, 2)"),
    "user-version-negative": lambda p: _sqlite(p, "CREATE TABLE x (y)", "PRAGMA user_version = -5"),
    "user-version-newer": lambda p: _sqlite(p, "CREATE TABLE x (y)", "PRAGMA user_version = 99"),
    "srs-version-tables-missing": lambda p: _sqlite(p, "CREATE TABLE items (x)", "PRAGMA user_version = 1"),
    "truncated-srs-db": None,  # made from the learner's own database below
    "a-folder": lambda p: p.mkdir(),
}


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_a_hostile_database_is_refused_and_left_as_it_was(home, world, name):
    tmp, env = home
    db = tmp / f"{name}.db"
    if name == "truncated-srs-db":
        db.write_bytes((world / "template.db").read_bytes()[:3000])
    else:
        DATABASES[name](db)
    snapshot = None if db.is_dir() else db.read_bytes()
    line = assert_refused(run({**env, "SRS_DB": str(db)}, "due"))
    assert line.startswith("Error: ") and str(db) in line
    assert snapshot is None or db.read_bytes() == snapshot
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


# -- clock values ------------------------------------------------------------------------------------------

CLOCKS = ["0001-01-01", "9999-12-31", "1969-12-31T23:00:00Z", "2200-01-01", "yesterday", "2026-13-01",
          "2026-11-23T25:00", "nan", "1e10", "2026-11-23T10:00:00+99:00", "\x1b[2J2026-11-23",
          "1970-01-01T00:00:00+14:00", "2199-12-31T23:59:59-12:00"]  # in range locally, not in UTC


@pytest.mark.parametrize("value", CLOCKS)
@pytest.mark.parametrize("command", ["due", "review", "stats"])
def test_a_hostile_clock_is_one_line(home, value, command):
    tmp, env = home
    before = content(tmp / "srs.db")
    line = assert_refused(run(env, command, "--now", value))
    assert line.startswith("Error: --now: ") and "\x1b" not in line
    assert content(tmp / "srs.db") == before


# -- closed streams (a real process: only it can start with a standard stream closed) -------------------------

STREAMS = {
    "review-stdin-closed": (["review"], "<&-"),
    "quiz-stdin-closed": (["quiz", "home"], "<&-"),
    "review-stdout-closed": (["review"], ">&-"),
    "due-stdout-closed": (["due"], ">&-"),
}


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_a_closed_stream_is_one_line(home, name):
    tmp, env = home
    before = content(tmp / "srs.db")
    args, redirect = STREAMS[name]
    command = " ".join([f"'{sys.executable}'", "-m", "srs", *args, redirect])
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: "), result.stderr
    assert content(tmp / "srs.db") == before


# -- outputs that must not be overwritten -----------------------------------------------------------------------

OUTPUTS = {
    "the-database": lambda tmp: tmp / "srs.db",
    "a-deck-file": lambda tmp: tmp / "deck.yaml",
    "a-text-file": lambda tmp: tmp / "notes.txt",
    "a-device": lambda tmp: Path("/dev/null"),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
@pytest.mark.parametrize("kind", ["anki", "pdf"])
def test_an_output_that_is_not_an_export_is_refused(home, world, name, kind):
    tmp, env = home
    (tmp / "deck.yaml").write_text(GOOD_DECK)
    (tmp / "notes.txt").write_text("mine")
    before = content(tmp / "srs.db")
    target = OUTPUTS[name](tmp)
    line = assert_refused(run(env, "export", kind, "--decks", world / "decks", "-o", target, "--force"),
                          stream="output")
    assert line.startswith("Error: ")
    assert content(tmp / "srs.db") == before
    assert (tmp / "deck.yaml").read_text() == GOOD_DECK and (tmp / "notes.txt").read_text() == "mine"


def test_the_corpus_holds_at_least_a_hundred_inputs():
    count = (len(DECKS) + len(DECK_BYTES) + len(CSVS) + len(CSV_FILES) + len(PACKAGES) + 1 + len(DATABASES)
             + len(CLOCKS) * 3 + len(STREAMS) + len(OUTPUTS) * 2)
    assert count >= 100
