"""One `srs sync`: decks and reviews into the mirror, the mirror with the server, other devices' reviews
back into srs.

The steps, each safe to repeat after an interruption (kill -9 included):
1. a mirror that never synced first takes what the server has (a full download, nothing of srs's lost:
   the mirror only ever holds what srs can write again);
2. the mirror's notes follow the decks (mirror.update_notes);
3. srs's new reviews and card states go into the mirror (mirror.push_reviews);
4. the mirror syncs with the server;
5. reviews made elsewhere come into srs's log (mirror.pull_reviews), replayed; a card reviewed on both
   sides goes back with srs's state, in a second sync.

When the server asks for a full sync (the two sides' histories cannot be merged), nothing happens without
`upload` (the server takes the mirror's collection) or `download` (the mirror takes the server's; srs's
reviews it lacked are pushed again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from srs.ankisync import mirror as mirror_ops
from srs.ankisync.account import Login, save_login
from srs.errors import UserError
from srs.store import anki_sync

if TYPE_CHECKING:
    from srs.jsontypes import SyncJson, SyncStatusJson

MIRROR_FOLDER = "anki-mirror"
SYNCED_KEY = "srs.syncedOnce"


def mirror_path(data_folder: Path) -> Path:
    return Path(data_folder) / MIRROR_FOLDER / "collection.anki2"


class FullSyncNeeded(UserError):
    pass


FULL_SYNC_MESSAGE = (
    "the sync server asks for a full sync (its collection and srs's cannot be merged): "
    "`srs sync --download` replaces srs's Anki mirror with the server's (srs keeps all its reviews and sends "
    "them again); `srs sync --upload` replaces the server's collection with srs's (reviews other devices have "
    "not synced yet stay on them and force them to a full sync too)"
)


@dataclass
class SyncResult:
    server: str
    notes_updated: bool = False
    reviews_pushed: int = 0
    reviews_pulled: int = 0
    full_sync: Literal["upload", "download"] | None = None  # when one happened

    def summary(self) -> str:
        parts = [f"Synced with {self.server}: sent {_plural(self.reviews_pushed, 'review')}, "
                 f"received {_plural(self.reviews_pulled, 'review')}"]
        if self.notes_updated:
            parts.append("deck changes sent")
        if self.full_sync:
            parts.append(f"full {self.full_sync}")
        return "; ".join(parts)

    def to_dict(self) -> SyncJson:
        return {"server": self.server, "notes_updated": self.notes_updated, "reviews_pushed": self.reviews_pushed,
                "reviews_pulled": self.reviews_pulled, "full_sync": self.full_sync}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_sync(store, decks, identity, data_folder: Path, login: Login, now: datetime,
             direction: str | None = None) -> SyncResult:
    """One sync (see the module's docstring); `direction` ("upload"/"download") answers a full sync."""
    from anki.sync import SyncAuth

    auth = SyncAuth(hkey=login.hkey, endpoint=login.endpoint)
    result = SyncResult(login.endpoint)
    col = mirror_ops.open_mirror(mirror_path(data_folder))
    try:
        keys = mirror_ops.card_keys(decks, identity)
        with _server_errors(login):
            if not col.get_config(SYNCED_KEY, False):
                first_direction = "download" if direction is None else direction
                _server_sync(col, auth, login, data_folder, store, result, first_direction, first=True)
            result.notes_updated = mirror_ops.update_notes(col, decks, identity)
            result.reviews_pushed += mirror_ops.push_reviews(col, store, keys, now).reviews
            _checkpoint("after-push")
            col.set_config(SYNCED_KEY, True)
            _server_sync(col, auth, login, data_folder, store, result, direction)
            _checkpoint("after-server-sync")
            if result.full_sync == "download":  # srs's reviews the server's collection lacked go again
                mirror_ops.update_notes(col, decks, identity)
                fresh_keys = mirror_ops.card_keys(decks, identity)
                result.reviews_pushed += mirror_ops.push_reviews(col, store, fresh_keys, now).reviews
                _server_sync(col, auth, login, data_folder, store, result, None)
            pulled = mirror_ops.pull_reviews(col, store, keys)
            result.reviews_pulled = pulled.reviews
            if pulled.restated:
                cards = mirror_ops.mirror_cards(col)
                by_uid = {uid: cid for key, uid in keys.items() if (cid := cards.get(key)) is not None}
                restate = [(uid, by_uid[uid]) for uid in pulled.restated if uid in by_uid]

                def write_states() -> None:
                    for uid, cid in restate:
                        mirror_ops.write_card_state(col, store, uid, cid, now)

                col.db.transact(write_states)
                _server_sync(col, auth, login, data_folder, store, result, None)
            _sync_media(col, auth)
    finally:
        col.close()
    return result


MEDIA_TIMEOUT_S = 600


def _sync_media(col, auth) -> None:
    """The decks' images and sounds to the server (and anything added elsewhere back), waiting until done."""
    import time

    col.sync_media(auth)
    deadline = time.monotonic() + MEDIA_TIMEOUT_S
    while col.media_sync_status().active:  # raises what the media sync failed with
        if time.monotonic() > deadline:
            col.abort_media_sync()
            raise UserError("the sync server took too long to take the media files; the reviews went, "
                            "sync again for the files")
        time.sleep(0.05)


def _checkpoint(name: str) -> None:
    """Tests stop a sync here (SRS_SYNC_STALL=name) to kill it with signal 9 at a known point."""
    import os

    if os.environ.get("SRS_SYNC_STALL") == name:
        import sys
        import time

        print(f"stalled at {name}", file=sys.stderr, flush=True)
        time.sleep(120)


def _server_sync(col, auth, login: Login, data_folder: Path, store, result: SyncResult, direction: str | None,
                 first: bool = False) -> None:
    output = col.sync_collection(auth, False)
    if output.new_endpoint:
        login.endpoint = auth.endpoint = output.new_endpoint
        save_login(data_folder, login)
    required = output.required
    if required in (output.NO_CHANGES, output.NORMAL_SYNC):
        return
    if required == output.FULL_UPLOAD:  # the server holds nothing: nothing to lose there
        upload = True
    elif required == output.FULL_DOWNLOAD or first:  # the mirror holds nothing srs cannot write again
        upload = False
    elif direction in ("upload", "download"):
        upload = direction == "upload"
    else:
        raise FullSyncNeeded(FULL_SYNC_MESSAGE)
    if upload:
        col.full_upload_or_download(auth=auth, server_usn=output.server_media_usn, upload=True)
        result.full_sync = "upload"
        return
    col.full_upload_or_download(auth=auth, server_usn=output.server_media_usn, upload=False)
    if not first:
        result.full_sync = "download"
    # Reviews srs had pushed that the downloaded collection lacks are pushed again.
    present = set(col.db.list("SELECT id FROM revlog"))
    lost = [anki_id for anki_id in anki_sync.pushed_ids(store.conn) if anki_id not in present]
    if lost:
        with store.transaction() as conn:
            anki_sync.forget(conn, lost)


class _server_errors:
    """Turns the `anki` package's network and sync errors into one line of srs's own."""

    def __init__(self, login: Login):
        self.login = login

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, UserError):
            return False
        from anki.errors import NetworkError, SyncError, SyncErrorKind

        if isinstance(exc, NetworkError):
            raise UserError(f"cannot reach the sync server at {self.login.endpoint}; nothing was lost, "
                            "sync again when it is up") from None
        if isinstance(exc, SyncError) and exc.kind == SyncErrorKind.AUTH:
            raise UserError("the sync server refused the login; run `srs sync login` again") from None
        if isinstance(exc, SyncError):
            raise UserError("the sync server refused the sync; nothing was lost, try again later") from None
        return False


def login(data_folder: Path, user: str, password: str, endpoint: str) -> Login:
    """Trade the password for the server's token, and keep the token (never the password)."""
    col = mirror_ops.open_mirror(mirror_path(data_folder))
    try:
        details = Login(user, endpoint, "")
        with _server_errors(details):
            auth = col.sync_login(user, password, endpoint)
    finally:
        col.close()
    details.hkey, details.endpoint = auth.hkey, auth.endpoint or endpoint
    save_login(data_folder, details)
    return details


@dataclass
class SyncStatus:
    server: str
    reviews_to_send: int
    deck_changes_to_send: bool
    server_says: str  # "nothing to sync", "changes to sync", "full sync needed"

    def lines(self) -> list[str]:
        return [
            f"Server: {self.server} ({self.server_says})",
            f"To send: {_plural(self.reviews_to_send, 'review')}"
            + (", deck changes" if self.deck_changes_to_send else ""),
        ]

    def to_dict(self) -> SyncStatusJson:
        return {"server": self.server, "reviews_to_send": self.reviews_to_send,
                "deck_changes_to_send": self.deck_changes_to_send, "server_says": self.server_says}


def status(store, decks, identity, data_folder: Path, login: Login) -> SyncStatus:
    """What a sync would move, asked of the server without changing anything."""
    from anki.sync import SyncAuth

    col = mirror_ops.open_mirror(mirror_path(data_folder))
    try:
        keys = mirror_ops.card_keys(decks, identity)
        mirrored = set(keys.values())
        pending = [r for r in anki_sync.unpushed_reviews(store.conn) if r.card_uid in mirrored]
        changed = col.get_config(mirror_ops.NOTES_KEY, None) != mirror_ops.fingerprint(decks, identity)
        with _server_errors(login):
            answer = col.sync_status(SyncAuth(hkey=login.hkey, endpoint=login.endpoint))
    finally:
        col.close()
    says = {answer.NO_CHANGES: "nothing to sync", answer.NORMAL_SYNC: "changes to sync",
            answer.FULL_SYNC: "full sync needed"}.get(answer.required, "changes to sync")
    return SyncStatus(login.endpoint, len(pending), changed, says)
