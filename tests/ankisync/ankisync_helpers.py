"""Helpers for the `srs sync` tests (a module of its own: test folders here have no __init__.py): a real Anki
sync server on a free local port, and a phone, a second Anki collection that syncs with it as AnkiDroid would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

USER, PASSWORD = "learner", "correct horse"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SyncServer:
    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/"
        self.process = None

    def start(self) -> None:
        env = {**os.environ, "SYNC_USER1": f"{USER}:{PASSWORD}", "SYNC_BASE": str(self.base),
               "SYNC_PORT": str(self.port), "SYNC_HOST": "127.0.0.1"}
        self.process = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError as error:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the sync server did not start") from error
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Phone:
    """A second Anki collection standing in for AnkiDroid: it syncs, answers cards, reads its log."""

    def __init__(self, path: Path, endpoint: str):
        from anki.collection import Collection

        self.col = Collection(str(path))
        self.auth = self.col.sync_login(USER, PASSWORD, endpoint)

    def sync(self) -> None:
        out = self.col.sync_collection(self.auth, False)
        if out.required == out.FULL_DOWNLOAD:
            self.col.full_upload_or_download(auth=self.auth, server_usn=out.server_media_usn, upload=False)
        elif out.required not in (out.NO_CHANGES, out.NORMAL_SYNC):
            raise AssertionError(f"the phone was asked for a full sync ({out.required})")

    def use_fsrs(self) -> None:
        self.col.set_config("fsrs", True)

    def card(self, front: str):
        (nid,) = self.col.find_notes(f'"Front:{front}"')
        return self.col.get_note(nid).cards()[0]

    def answer(self, front: str, rating: int = 3) -> None:
        from anki.scheduler.v3 import CardAnswer

        card = self.card(front)
        card.start_timer()
        states = self.col._backend.get_scheduling_states(card.id)
        button = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}[rating]
        self.col.sched.answer_card(self.col.sched.build_answer(card=card, states=states, rating=button))

    def reviews(self) -> list[tuple[str, int, int]]:
        """(front, second, button) of every review in the phone's log."""
        rows = self.col.db.all("SELECT n.flds, r.id, r.ease FROM revlog r JOIN cards c ON c.id = r.cid "
                               "JOIN notes n ON n.id = c.nid ORDER BY r.id")
        return sorted((flds.split("\x1f")[0], rid // 1000, ease) for flds, rid, ease in rows)

    def close(self) -> None:
        self.col.close()
