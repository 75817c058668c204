"""`srs sync` against a real `python -m anki.syncserver`, with a second Anki collection as the phone."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from ankisync_helpers import PASSWORD, USER
from click.testing import CliRunner

from srs.cli import cli

CARDS = 12
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005"
    "0001ff5c2a8b1c0000000049454e44ae426082"
)


@pytest.fixture
def learner(tmp_path, server):
    """An srs learner with a deck of 12 flashcards, logged in to the server."""
    decks = tmp_path / "decks"
    decks.mkdir()
    lines = ["title: Numbers", "id: numbers", "items:"]
    for n in range(1, CARDS + 1):
        lines += [f"  - id: card-{n}", f"    q: Front {n}", f"    a: Back {n}"]
    (decks / "numbers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"SRS_DB": str(tmp_path / "data" / "srs.db"), "SRS_DECKS": str(decks), "SRS_NOW": ""}
    result = srs(env, "sync", "login", "--server", server.endpoint, "--user", USER, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    return env


def srs(env, *args):
    return CliRunner().invoke(cli, list(args), env=env)


def sync_ok(env, *extra):
    result = srs(env, "sync", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def review_in_srs(env, numbers, rating=3):
    from srs.session import Session
    from srs.store import Store

    store = Store.open(env["SRS_DB"])
    try:
        session = Session(store, ["numbers"], clock=lambda: datetime.now(timezone.utc).replace(microsecond=0))
        for n in numbers:
            session.answer(store.find_card(f"card-{n}"), rating, duration_ms=2000)
    finally:
        store.close()


def srs_reviews(env) -> list[tuple[str, int, int]]:
    """(front, second, rating) of every review in srs's log."""
    import sqlite3

    conn = sqlite3.connect(env["SRS_DB"])
    try:
        query = "SELECT c.uid, r.reviewed_at, r.rating FROM revlog r JOIN cards c ON c.cid = r.cid"
        rows = conn.execute(query).fetchall()
    finally:
        conn.close()
    return sorted((f"Front {uid.split('-')[1]}", at, rating) for uid, at, rating in rows)


def srs_memory(env, n) -> tuple[float, float]:
    from srs.store import Store

    store = Store.open(env["SRS_DB"])
    try:
        card = store.find_card(f"card-{n}")
        return card.stability, card.difficulty
    finally:
        store.close()


def test_login_keeps_a_token_readable_by_the_user_alone_and_never_the_password(learner):
    path = Path(learner["SRS_DB"]).parent / "anki-sync.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["user"] == USER and saved["hkey"]
    assert PASSWORD not in path.read_text()


def test_reviews_on_both_sides_end_up_on_both_sides_with_equal_memory_states(learner, phone):
    first = sync_ok(learner)
    assert first["notes_updated"] is True and first["reviews_pushed"] == 0
    phone.sync()
    assert phone.col.note_count() == CARDS
    phone.use_fsrs()

    review_in_srs(learner, range(1, 6))
    for n in range(6, 11):
        phone.answer(f"Front {n}")
    pushed = sync_ok(learner)
    assert (pushed["reviews_pushed"], pushed["reviews_pulled"]) == (5, 0)
    phone.sync()
    pulled = sync_ok(learner)
    assert (pulled["reviews_pushed"], pulled["reviews_pulled"]) == (0, 5)

    assert srs_reviews(learner) == phone.reviews()
    assert len(phone.reviews()) == 10
    for n in range(1, 11):  # equal to 4 significant digits (Anki keeps them as 32-bit floats, d to 3 places)
        memory = phone.card(f"Front {n}").memory_state
        stability, difficulty = srs_memory(learner, n)
        assert memory.stability == pytest.approx(stability, rel=1e-4), n
        assert memory.difficulty == pytest.approx(difficulty, rel=1e-4), n
    again = sync_ok(learner)
    assert (again["reviews_pushed"], again["reviews_pulled"]) == (0, 0)


def test_a_deck_edit_reaches_the_phone_with_its_progress_kept(learner, phone):
    sync_ok(learner)
    phone.sync()
    phone.answer("Front 3")
    phone.sync()
    sync_ok(learner)
    deck = Path(learner["SRS_DECKS"]) / "numbers.yaml"
    deck.write_text(deck.read_text().replace("a: Back 3\n", "a: Back three, reworded\n"), encoding="utf-8")
    result = sync_ok(learner)
    assert result["notes_updated"] is True
    phone.sync()
    card = phone.card("Front 3")
    assert card.note()["Back"] == "Back three, reworded"
    assert card.reps == 1 and phone.col.note_count() == CARDS


def stalled_sync(learner: dict[str, str], stop_at: str, tmp_path: Path) -> subprocess.Popen:
    """`srs sync` in a process of its own, waiting at its checkpoint `stop_at` when this returns."""
    marker = tmp_path / "stalled"
    env = {**os.environ, **learner, "SRS_SYNC_STALL": stop_at, "SRS_SYNC_STALLED": str(marker),
           "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen([sys.executable, "-m", "srs", "sync"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"the sync ended before {stop_at}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the sync did not reach {stop_at}")
        time.sleep(0.05)
    assert marker.read_text(encoding="utf-8") == stop_at
    return process


@pytest.mark.parametrize("stop_at", ["after-push", "after-server-sync"])
def test_kill_9_in_the_middle_of_a_sync_loses_nothing_and_doubles_nothing(learner, phone, tmp_path, stop_at):
    sync_ok(learner)
    phone.sync()
    review_in_srs(learner, range(1, 4))
    phone.answer("Front 9")
    phone.sync()
    process = stalled_sync(learner, stop_at, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    sync_ok(learner)
    phone.sync()
    sync_ok(learner)
    assert srs_reviews(learner) == phone.reviews()
    assert len(phone.reviews()) == 4


def test_a_stopped_server_gives_one_line_and_the_next_sync_completes(learner, server, phone):
    sync_ok(learner)
    review_in_srs(learner, [1])
    server.stop()
    result = srs(learner, "sync")
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot reach the sync server at {server.endpoint}; nothing was lost, "
                             "sync again when it is up\n")
    server.start()
    sync_ok(learner)
    phone.sync()
    assert phone.reviews() == srs_reviews(learner) and len(phone.reviews()) == 1


def test_bad_credentials_give_one_line(tmp_path, server):
    env = {"SRS_DB": str(tmp_path / "srs.db")}
    result = srs(env, "sync", "login", "--server", server.endpoint, "--user", USER, "--password", "wrong")
    assert result.exit_code == 1
    assert result.output == "Error: the sync server refused the login; run `srs sync login` again\n"
    assert not (tmp_path / "anki-sync.json").exists()


def test_a_full_sync_needs_the_learner_s_choice(learner, phone):
    sync_ok(learner)
    phone.sync()
    phone.answer("Front 2")
    phone.col.mod_schema(check=False)  # a change only a full sync can carry
    phone.col.full_upload_or_download(auth=phone.auth, server_usn=None, upload=True)
    review_in_srs(learner, [1])
    refused = srs(learner, "sync")
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: the sync server asks for a full sync")
    assert refused.output.count("\n") == 1
    done = sync_ok(learner, "--download")
    assert done["full_sync"] == "download" and done["reviews_pushed"] == 1 and done["reviews_pulled"] == 1
    phone.sync()
    assert srs_reviews(learner) == phone.reviews() and len(phone.reviews()) == 2


def test_a_damaged_mirror_is_one_line_and_the_advice_in_it_works(learner, phone):
    sync_ok(learner)
    phone.sync()
    review_in_srs(learner, [1])
    from srs.ankisync.engine import mirror_path

    mirror = mirror_path(Path(learner["SRS_DB"]).parent)
    mirror.write_bytes(b"\xa5" * 8192)  # a disk error, a half copy
    for extra in (), ("--status",):
        result = srs(learner, "sync", *extra)
        assert (result.exit_code, result.output) == (1, (
            f"Error: cannot open srs's Anki mirror {mirror}: it is damaged; move the folder {mirror.parent} aside, "
            "then `srs sync --download` makes a new one from the server (srs's reviews are kept and sent again)\n"))
    mirror.parent.rename(mirror.parent.with_name("anki-mirror.damaged"))
    assert sync_ok(learner, "--download")["reviews_pushed"] == 1
    phone.sync()
    assert srs_reviews(learner) == phone.reviews() and len(phone.reviews()) == 1


def test_status_says_what_would_move(learner):
    from srs.jsontypes import SyncJson, SyncStatusJson

    assert set(sync_ok(learner)) == set(SyncJson.__annotations__)
    review_in_srs(learner, [1, 2])
    result = srs(learner, "sync", "--status")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "To send: 2 reviews"
    asked = sync_ok(learner, "--status")
    assert set(asked) == set(SyncStatusJson.__annotations__) and asked["reviews_to_send"] == 2


def test_without_the_anki_package_one_line_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "anki", None)
    monkeypatch.setitem(sys.modules, "anki.collection", None)
    result = srs({"SRS_DB": str(tmp_path / "srs.db")}, "sync")
    assert result.exit_code == 1
    from srs.distribution import install_command

    assert result.output == f"Error: srs sync needs the Anki package: {install_command('anki')}\n"


def test_images_reach_the_phone(learner, phone):
    decks = Path(learner["SRS_DECKS"])
    (decks / "media").mkdir()
    (decks / "media" / "dot.png").write_bytes(PNG)
    deck = decks / "numbers.yaml"
    deck.write_text(deck.read_text().replace("a: Back 4\n", "a: Back 4\n    image: media/dot.png\n"), encoding="utf-8")
    sync_ok(learner)
    phone.sync()
    phone.col.sync_media(phone.auth)
    while phone.col.media_sync_status().active:
        time.sleep(0.05)
    media = Path(phone.col.media.dir())
    assert [p.read_bytes() for p in media.iterdir() if p.name.endswith("dot.png")] == [PNG]


def test_sync_before_login_says_how_to_log_in(tmp_path):
    pytest.importorskip("anki.collection")
    result = srs({"SRS_DB": str(tmp_path / "srs.db")}, "sync")
    assert result.exit_code == 1
    assert result.output == "Error: not logged in to a sync server: run `srs sync login` first\n"


def test_logout_forgets_the_token(learner):
    assert srs(learner, "sync", "logout").output == "Logged out.\n"
    assert not (Path(learner["SRS_DB"]).parent / "anki-sync.json").exists()
    assert srs(learner, "sync", "logout").output == "Not logged in.\n"


def mirror_reviews(env) -> list[int]:
    """Anki ids of the reviews in srs's private Anki collection."""
    from anki.collection import Collection

    from srs.ankisync.engine import mirror_path

    col = Collection(str(mirror_path(Path(env["SRS_DB"]).parent)))
    try:
        return col.db.list("SELECT id FROM revlog ORDER BY id")
    finally:
        col.close()


def test_an_answer_taken_back_after_a_sync_leaves_the_mirror_and_the_card_follows_srs(learner, phone):
    sync_ok(learner)
    phone.sync()
    review_in_srs(learner, [1])
    assert sync_ok(learner)["reviews_pushed"] == 1
    assert len(mirror_reviews(learner)) == 1
    undone = srs(learner, "undo")
    assert undone.exit_code == 0, undone.output
    taken = sync_ok(learner)
    assert (taken["reviews_taken_back"], taken["reviews_pushed"], taken["reviews_pulled"]) == (1, 0, 0)
    assert srs_reviews(learner) == []
    phone.sync()
    card = phone.card("Front 1")
    assert (card.type, card.queue, card.reps) == (0, 0, 0)  # new again, as in srs
    # Anki's sync removes no review: the server had it, so the logs keep it (docs/anki-sync.md); srs never
    # takes it back in.
    assert len(mirror_reviews(learner)) == len(phone.reviews()) == 1
    again = sync_ok(learner)
    assert (again["reviews_taken_back"], again["reviews_pulled"]) == (0, 0)
    assert srs_reviews(learner) == []


def test_reviews_of_retired_items_cross_both_ways(learner, phone):
    sync_ok(learner)
    phone.sync()
    review_in_srs(learner, [11])
    deck = Path(learner["SRS_DECKS"]) / "numbers.yaml"
    text = deck.read_text()
    for n in (11, 12):
        text = text.replace(f"  - id: card-{n}\n    q: Front {n}\n    a: Back {n}\n", "")
    deck.write_text(text, encoding="utf-8")
    retired = sync_ok(learner)
    assert retired["notes_updated"] is True and retired["reviews_pushed"] == 1
    phone.sync()
    assert "srs::retired" in phone.card("Front 12").note().tags
    phone.answer("Front 12")
    phone.sync()
    assert sync_ok(learner)["reviews_pulled"] == 1
    assert srs_reviews(learner) == phone.reviews()
    assert [front for front, _, _ in phone.reviews()] == ["Front 11", "Front 12"]


def test_a_note_edited_on_the_phone_is_named_and_gets_the_deck_file_s_text_back(learner, phone):
    sync_ok(learner)
    phone.sync()
    phone.answer("Front 5")
    note = phone.card("Front 5").note()
    note["Back"] = "Changed on the phone"
    phone.col.update_note(note)
    phone.sync()
    result = srs(learner, "sync")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "Note card-5 was edited on another device; srs keeps the deck file's text (edit the deck file to change it)"
    ]
    phone.sync()
    card = phone.card("Front 5")
    assert card.note()["Back"] == "Back 5" and card.reps == 1
    assert sync_ok(learner)["edited_elsewhere"] == []


def test_an_answer_taken_back_before_it_reached_the_server_reaches_no_device(learner, phone, tmp_path):
    sync_ok(learner)
    phone.sync()
    review_in_srs(learner, [2])
    process = stalled_sync(learner, "after-push", tmp_path)
    process.send_signal(signal.SIGKILL)  # the review is in the mirror, the server never had it
    process.wait()
    assert len(mirror_reviews(learner)) == 1
    assert srs(learner, "undo").exit_code == 0
    assert sync_ok(learner)["reviews_taken_back"] == 1
    phone.sync()
    assert mirror_reviews(learner) == [] and phone.reviews() == [] and srs_reviews(learner) == []
    assert phone.card("Front 2").type == 0


def test_a_sync_parses_each_deck_file_once(learner, monkeypatch):
    import srs.deck.loader as loader

    sync_ok(learner)
    deck = Path(learner["SRS_DECKS"]) / "numbers.yaml"
    deck.write_text(deck.read_text().replace("a: Back 7\n", "a: Back seven\n"), encoding="utf-8")
    parsed: list[str] = []
    real = loader._load_file
    monkeypatch.setattr(loader, "_load_file", lambda path, data: parsed.append(Path(path).name) or real(path, data))
    assert sync_ok(learner)["notes_updated"] is True
    assert parsed == ["numbers.yaml"]


def test_a_phone_edit_is_named_even_when_the_deck_changed_too(learner, phone):
    sync_ok(learner)
    phone.sync()
    note = phone.card("Front 5").note()
    note["Back"] = "Changed on the phone"
    phone.col.update_note(note)
    phone.sync()
    deck = Path(learner["SRS_DECKS"]) / "numbers.yaml"
    deck.write_text(deck.read_text().replace("a: Back 3\n", "a: Back three\n"), encoding="utf-8")
    result = sync_ok(learner)
    assert result["notes_updated"] is True and result["edited_elsewhere"] == ["card-5"]
    phone.sync()
    assert (phone.card("Front 5").note()["Back"], phone.card("Front 3").note()["Back"]) == ("Back 5", "Back three")


@pytest.mark.parametrize("address", ["not a url", "http://localhost:99999/", "http://[::1", "ftp://host/",
                                     "http://\x1b[2J/", "http:///path"])
def test_a_server_address_that_is_none_is_one_line_and_nothing_is_kept(tmp_path, address):
    pytest.importorskip("anki.collection")
    env = {"SRS_DB": str(tmp_path / "srs.db")}
    result = srs(env, "sync", "login", "--server", address, "--user", USER, "--password", PASSWORD)
    shown = address.replace("\x1b[2J", "")  # the line is inert
    assert (result.exit_code, result.output) == (
        1, f"Error: --server {shown}: not a sync server address; give one such as http://192.168.1.5:8080/\n")
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_a_login_file_with_a_broken_address_asks_for_a_new_login(tmp_path):
    pytest.importorskip("anki.collection")
    from srs.ankisync.account import Login, save_login

    save_login(tmp_path, Login(USER, "http://[::1", "token"))
    result = srs({"SRS_DB": str(tmp_path / "srs.db")}, "sync")
    assert (result.exit_code, result.output) == (
        1, f"Error: {tmp_path / 'anki-sync.json'} cannot be read: run `srs sync login` again\n")


def test_upload_and_download_together_are_refused_before_anything_moves(learner):
    sync_ok(learner)
    review_in_srs(learner, [1])
    result = srs(learner, "sync", "--upload", "--download")  # the last one given used to win
    assert (result.exit_code, result.output) == (
        1, "Error: --upload and --download exclude each other: choose one (if unsure, --download)\n")
    assert srs(learner, "sync", "--status").stdout.splitlines()[1] == "To send: 1 review"
