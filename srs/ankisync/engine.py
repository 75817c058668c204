"""One `srs sync`: decks and reviews into the mirror, the mirror with the server, other devices' reviews
back into srs.

The steps, each safe to repeat after an interruption (kill -9 included):
1. a mirror that never synced first takes what the server has (a full download, nothing of srs's lost:
   the mirror only ever holds what srs can write again);
2. the mirror's notes follow the decks (mirror.update_notes); when the decks changed, the mirror first
   syncs with the server, so a note edited on another device is seen before the deck's text replaces it;
3. reviews the learner took back in srs since they were pushed leave the mirror (mirror.take_back_reviews),
   then srs's new reviews and card states go in (mirror.push_reviews);
4. the mirror syncs with the server;
5. reviews made elsewhere come into srs's log (mirror.pull_reviews), replayed; a card reviewed on both
   sides goes back with srs's state, and a note edited on another device goes back to the deck file's
   text (the deck file is where items are written; srs says which notes), in a second sync.

When the server asks for a full sync (the two sides' histories cannot be merged), nothing happens without
`upload` (the server takes the mirror's collection) or `download` (the mirror takes the server's; srs's
reviews it lacked are pushed again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from srs.ankisync import mirror as mirror_ops
from srs.ankisync.account import Login, check_endpoint, save_login
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
    reviews_taken_back: int = 0  # reviews undone in srs after they were pushed, removed from the mirror
    edited_elsewhere: list[str] = field(default_factory=list)  # items whose note another device edited

    def summary(self) -> str:
        parts = [f"Synced with {self.server}: sent {_plural(self.reviews_pushed, 'review')}, "
                 f"received {_plural(self.reviews_pulled, 'review')}"]
        if self.reviews_taken_back:
            parts.append(f"took back {_plural(self.reviews_taken_back, 'undone review')}")
        if self.notes_updated:
            parts.append("deck changes sent")
        if self.full_sync:
            parts.append(f"full {self.full_sync}")
        lines = ["; ".join(parts)]
        lines += [f"Note {item_id} was edited on another device; srs keeps the deck file's text (edit the "
                  "deck file to change it)" for item_id in self.edited_elsewhere]
        return "\n".join(lines)

    def to_dict(self) -> SyncJson:
        return {"server": self.server, "notes_updated": self.notes_updated, "reviews_pushed": self.reviews_pushed,
                "reviews_pulled": self.reviews_pulled, "full_sync": self.full_sync,
                "reviews_taken_back": self.reviews_taken_back, "edited_elsewhere": list(self.edited_elsewhere)}


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
            ours = {guid for guid, _ in keys}
            edited: list[str] = []
            if not col.get_config(SYNCED_KEY, False):
                first_direction = "download" if direction is None else direction
                _server_sync(col, auth, login, data_folder, store, result, first_direction, first=True)
            elif mirror_ops.notes_changed(col, decks, identity):
                # Edits other devices made come in first, so the deck change cannot hide them (named below).
                _server_sync(col, auth, login, data_folder, store, result, direction)
                edited = [guid for guid in mirror_ops.edited_notes(col) if guid in ours]
            result.notes_updated = mirror_ops.update_notes(col, decks, identity, force=bool(edited))
            result.reviews_taken_back = mirror_ops.take_back_reviews(col, store, keys, now)
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
            edited_now = [guid for guid in mirror_ops.edited_notes(col) if guid in ours]
            if edited_now:  # the deck file's text goes back (see the module's docstring)
                mirror_ops.update_notes(col, decks, identity, force=True)
            result.edited_elsewhere = _item_ids(edited + edited_now, keys)
            if pulled.restated:
                cards = mirror_ops.mirror_cards(col)
                by_uid = {uid: cid for key, uid in keys.items() if (cid := cards.get(key)) is not None}
                restate = [(uid, by_uid[uid]) for uid in pulled.restated if uid in by_uid]

                def write_states() -> None:
                    for uid, cid in restate:
                        mirror_ops.write_card_state(col, store, uid, cid, now)

                col.db.transact(write_states)
            if edited_now or pulled.restated:
                _server_sync(col, auth, login, data_folder, store, result, None)
            _sync_media(col, auth)
    finally:
        col.close()
    return result


def _item_ids(guids: list[str], keys: dict[tuple[str, int], str]) -> list[str]:
    """The srs items of these notes (a cloze's cards are `item#cN`), in order, each once."""
    wanted = set(guids)
    found = {uid.split("#c")[0] if "#c" in uid else uid for (guid, _), uid in keys.items() if guid in wanted}
    return sorted(found)


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
    """Tests stop a sync here (SRS_SYNC_STALL=name) to kill it with signal 9 at a known point. Once it waits,
    the name is in the file SRS_SYNC_STALLED names (written whole, then renamed), for the test to see."""
    import os

    if os.environ.get("SRS_SYNC_STALL") == name:
        import time

        marker = os.environ.get("SRS_SYNC_STALLED")
        if marker:
            partial = Path(marker + ".partial")
            partial.write_text(name, encoding="utf-8")
            partial.replace(marker)
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
    check_endpoint(endpoint)
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
        changed = mirror_ops.notes_changed(col, decks, identity)
        with _server_errors(login):
            answer = col.sync_status(SyncAuth(hkey=login.hkey, endpoint=login.endpoint))
    finally:
        col.close()
    says = {answer.NO_CHANGES: "nothing to sync", answer.NORMAL_SYNC: "changes to sync",
            answer.FULL_SYNC: "full sync needed"}.get(answer.required, "changes to sync")
    return SyncStatus(login.endpoint, len(pending), changed, says)
