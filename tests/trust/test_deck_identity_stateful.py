"""Random sequences of move, rename, copy, delete, edit and restore of deck files, interleaved with answers,
never lose a review or an item's history (a hypothesis state machine over the real sync and store)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from srs.deck.identity import normalize_text
from srs.deck.loader import load_file
from srs.session import Session
from srs.store import Store
from srs.sync import sync

START = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
NAMES = ["a", "b", "c", "d"]
FOLDERS = ["", "sub", "sub/deeper"]


class DeckFiles(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.home = Path(tempfile.mkdtemp(prefix="srs-identity-"))
        self.root = self.home / "decks"
        self.root.mkdir()
        self.store = Store.open(self.home / "srs.db")
        self.trash: list[tuple[Path, bytes]] = []
        self.next_question = 0
        self.answers = 0
        self.answered_keys: set[str] = set()
        self.clock = START

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.home, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------------------

    def files(self) -> list[Path]:
        return sorted(self.root.rglob("*.yaml"))

    def free_path(self, name: str, folder: str) -> Path:
        path = self.root / folder / f"{name}.yaml"
        n = 1
        while path.exists():
            path = self.root / folder / f"{name}{n}.yaml"
            n += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def questions(self, count: int) -> list[str]:
        # Texts with no character in common: sync's relinking of reworded items (by similarity) never
        # pairs two of them, so each text is one item's identity.
        out = ["".join(chr(0x4E00 + (self.next_question + n) * 16 + i) for i in range(12)) for n in range(count)]
        self.next_question += count
        return out

    def sync(self):
        self.last_report = sync(self.store, [self.root])

    @staticmethod
    def write(path: Path, questions: list[str], deck_id: str | None, answer: str = "x") -> None:
        head = f"id: {deck_id}\n" if deck_id else ""
        path.write_text(head + "title: T\nitems:\n" + "".join(f"  - q: {q}\n    a: {answer}\n" for q in questions))

    @staticmethod
    def read(path: Path) -> tuple[list[str], str | None]:
        deck = load_file(path).deck
        explicit = path.read_text().startswith("id: ")
        return [item.key_text for item in deck.items], deck.id if explicit else None

    # -- rules -----------------------------------------------------------------------------------------

    @rule(name=st.sampled_from(NAMES), folder=st.sampled_from(FOLDERS), count=st.integers(1, 3),
          explicit=st.booleans())
    def create(self, name, folder, count, explicit):
        path = self.free_path(name, folder)
        self.write(path, self.questions(count), f"deck-{path.stem}" if explicit else None)
        self.sync()

    @precondition(lambda self: self.files())
    @rule(data=st.data(), folder=st.sampled_from(FOLDERS))
    def move(self, data, folder):
        source = data.draw(st.sampled_from(self.files()))
        target = self.free_path(source.stem, folder)
        shutil.move(source, target)
        self.sync()

    @precondition(lambda self: self.files())
    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def rename(self, data, name):
        source = data.draw(st.sampled_from(self.files()))
        source.rename(self.free_path(name, str(source.parent.relative_to(self.root))))
        self.sync()

    @precondition(lambda self: self.files())
    @rule(data=st.data(), name=st.sampled_from(NAMES), folder=st.sampled_from(FOLDERS))
    def copy(self, data, name, folder):
        source = data.draw(st.sampled_from(self.files()))
        shutil.copy(source, self.free_path(name, folder))
        self.sync()

    @precondition(lambda self: self.files())
    @rule(data=st.data())
    def delete(self, data):
        path = data.draw(st.sampled_from(self.files()))
        self.trash.append((path, path.read_bytes()))
        path.unlink()
        self.sync()

    @precondition(lambda self: self.trash)
    @rule(data=st.data(), elsewhere=st.booleans())
    def restore(self, data, elsewhere):
        path, content = self.trash.pop(data.draw(st.integers(0, len(self.trash) - 1)))
        if elsewhere or path.exists():
            path = self.free_path(data.draw(st.sampled_from(NAMES)), "")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.sync()

    @precondition(lambda self: self.files())
    @rule(data=st.data(), change=st.sampled_from(["add", "remove", "answer-text", "give-id", "drop-id"]))
    def edit(self, data, change):
        path = data.draw(st.sampled_from(self.files()))
        questions, deck_id = self.read(path)
        answer = "x"
        if change == "add":
            questions = questions + self.questions(1)
        elif change == "remove" and len(questions) > 1:
            questions = questions[:-1]
        elif change == "answer-text":
            answer = "y"
        elif change == "give-id":
            deck_id = f"deck-{path.stem}-{self.next_question}"
            self.next_question += 1
        elif change == "drop-id":
            deck_id = None
        self.write(path, questions, deck_id, answer)
        self.sync()

    @precondition(lambda self: self.live_cards())
    @rule(data=st.data(), rating=st.integers(1, 4))
    def answer(self, data, rating):
        cid = data.draw(st.sampled_from(self.live_cards()))
        card = self.store.card(cid)
        self.clock += timedelta(days=1)
        Session(self.store, [card.deck_id], lambda: self.clock).answer(card, rating)
        self.answers += 1
        key = self.store.conn.execute("SELECT key_text FROM items WHERE iid = ?", [card.iid]).fetchone()[0]
        self.answered_keys.add(normalize_text(key))

    def live_cards(self) -> list[int]:
        return [r[0] for r in self.store.conn.execute("SELECT cid FROM cards WHERE active = 1 ORDER BY cid")]

    # -- what must always hold -------------------------------------------------------------------------

    @invariant()
    def no_review_is_ever_lost(self):
        assert self.store.conn.execute("SELECT COUNT(*) FROM revlog").fetchone()[0] == self.answers

    @invariant()
    def each_deck_is_exactly_one_of_its_files(self):
        claims: dict[str, list[set[str]]] = {}
        for path in self.files():
            deck = load_file(path).deck
            claims.setdefault(deck.id, []).append({item.id for item in deck.items})
        stored: dict[str, set[str]] = {}
        for uid, deck_id in self.store.conn.execute("SELECT uid, deck_id FROM items WHERE retired = 0"):
            stored.setdefault(deck_id, set()).add(uid)
        assert set(stored) <= set(claims), "live items of a deck that no file holds"
        for deck_id, versions in claims.items():
            assert stored.get(deck_id, set()) in versions

    @invariant()
    def history_follows_the_text(self):
        """Every answered text still in a deck in use is a live item with history, never reset to new."""
        rows = self.store.conn.execute(
            "SELECT i.key_text, EXISTS (SELECT 1 FROM cards c JOIN revlog r ON r.cid = c.cid WHERE c.iid = i.iid) "
            "FROM items i WHERE i.retired = 0"
        ).fetchall()
        with_history = {normalize_text(key) for key, has in rows if has}
        live_keys = {normalize_text(key) for key, _ in rows}
        for key in self.answered_keys & live_keys:
            assert key in with_history, f"'{key}' is in a deck again, but its history is not"
        # Retired history waits only for texts that no live, history-less item holds.
        retired = self.store.conn.execute(
            "SELECT i.key_text FROM items i WHERE i.retired = 1 AND EXISTS (SELECT 1 FROM cards c JOIN revlog r "
            "ON r.cid = c.cid WHERE c.iid = i.iid)"
        ).fetchall()
        without_history = live_keys - with_history
        assert not {normalize_text(key) for (key,) in retired} & without_history


DeckFiles.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_deck_files_never_lose_history = DeckFiles.TestCase
