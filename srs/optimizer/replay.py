"""Replaying a card's review log: its state as if it had always been scheduled with today's settings.

Used after fitting new parameters (`reschedule`: every card's state from its log; the log stays as it was,
history), by `srs undo` of an import and by the importers (`replay_cards`, `replay`: an imported history sets
the card's state, and the log's states around each answer are rewritten to the replayed ones, so `srs undo`
still puts a card back exactly as the log says). Only the scheduling fields are replayed; suspension,
burying, flags and the leech mark stay as they are.

`Replayer` is py-fsrs's `Scheduler.review_card` (fsrs 6.x), as Planner.review calls it, unrolled over plain
numbers: the same expressions in the same order, so it gives bit-for-bit the same stability, difficulty,
step, state and due (fuzz included: drawn from the same per-card seed) without a datetime, a Card copy or a
seeded generator per review. tests/optimizer/test_replay.py holds the Planner-based replay it replaced as
its oracle. Replaying the 12,580-review real log takes about 30 ms with it (17 ms to each card's final state
alone, `Replayer.final`), against 1.6 s through Planner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from srs.fsrs_math import FRESH_STATE, Replayer, state_of
from srs.optimizer.history import CardHistory
from srs.store.log import SCHEDULING
from srs.store.store import CardRecord


@dataclass(frozen=True, slots=True)
class Step:
    """One replayed review: the card's scheduling fields before and after it."""

    at: int
    rating: int
    before: dict
    after: dict


def replayer_for(planner, settings) -> Replayer:
    """The Replayer of `planner`'s scheduler for `settings` (built, and so validated, by fsrs once)."""
    return Replayer(planner.scheduler(settings))


FRESH = dict(zip(SCHEDULING, FRESH_STATE))  # a new card's scheduling fields (read, never changed)


def scheduling_around(replayer: Replayer, cid: int, reviews: list[tuple[int, int]]) -> list[tuple[dict, dict]]:
    """The card's scheduling fields before and after each (epoch seconds, rating) review, in time order, from a
    new card: one dict per review, each the next review's before."""
    afters = [dict(zip(SCHEDULING, state)) for state in replayer.states(cid, reviews)]
    return list(zip([FRESH, *afters[:-1]], afters))


def replay(planner, settings, card: CardRecord, reviews: list[tuple[int, int]]) -> list[Step]:
    """Replay (epoch seconds, rating) reviews, in time order, from a new card."""
    around = scheduling_around(replayer_for(planner, settings), card.cid, reviews)
    return [Step(at, rating, before, after) for (at, rating), (before, after) in zip(reviews, around)]


# -- rescheduling cards from the store's log ----------------------------------------------------------------


def replay_logs(logs, cards: dict[int, CardRecord], settings_for: Callable) -> tuple[list, list]:
    """The card and log updates that replaying `logs` ({cid: [LogRow, ...]}, srs/store/log.py) gives:
    (cid, state) for every card whose state changes, and (log row, before, after) for every review."""
    replayers: dict = {}
    card_updates, log_updates = [], []
    for cid, log in logs.items():
        card = cards[cid]
        replayer = replayers.get(card.deck_id)
        if replayer is None:
            replayer = replayers[card.deck_id] = settings_for(card.deck_id)
        if not log:
            final = FRESH_STATE
        else:
            states = replayer.states(cid, [(r.reviewed_at, r.rating) for r in log])
            before = FRESH_STATE
            for review, after in zip(log, states):
                log_updates.append((review, before, after))
                before = after
            final = states[-1]
        if final != state_of(card):
            card_updates.append((cid, final))
    return card_updates, log_updates


def _settings_for(store) -> Callable:
    from srs.scheduler import Planner
    from srs.session import scheduler_settings

    planner = Planner()
    return lambda deck_id: replayer_for(planner, scheduler_settings(store, deck_id))


def replay_cards(store, conn, cids: list[int]) -> None:
    """Inside the caller's transaction `conn`: replay these cards from what their logs hold now (a card with
    no log left is new again) and write the result."""
    from srs.store import history

    logs, cards = history.logs_to_replay(conn, cids)
    card_updates, log_updates = replay_logs(logs, cards, _settings_for(store))
    history.write_replay(conn, SCHEDULING, card_updates, log_updates)


def final_states(histories: Iterable[CardHistory], settings_for: Callable) -> list[tuple[int, tuple]]:
    """(cid, the state its log leaves it in) for each card history (key: the cid; at least one review, in
    time order), replayed from a new card by its deck's replayer (`settings_for(deck_id)`)."""
    replayers: dict = {}
    out = []
    for history in histories:
        replayer = replayers.get(history.deck_id)
        if replayer is None:
            replayer = replayers[history.deck_id] = settings_for(history.deck_id)
        cid = int(history.key)  # a store's history: its key is the card's cid
        out.append((cid, replayer.final(cid, history.reviews)))
    return out


# Before writing, the replay is computed outside the write lock; were the store changed meanwhile by another
# connection, it is computed again, and after this many tries inside the lock.
OPTIMISTIC_TRIES = 3
CARDS_PER_TRANSACTION = 50_000  # about 0.4 s of write lock each


def reschedule(store, deck_ids: list[str] | None = None, *, save_settings: dict | None = None, progress=None,
               snapshot: tuple[list, int] | None = None) -> int:
    """Recompute every reviewed card's state from its log with its deck's current settings (with
    `save_settings`, key -> value, as they will be once written).

    The log itself is history and stays as it is: each row keeps the states around its answer as they were
    when it was given (as Anki's revlog does; docs/scheduling.md). `save_settings` are written in the same
    transaction as the cards (up to CARDS_PER_TRANSACTION of them; see `_write_cards`): the new parameters
    and the cards rescheduled with them are committed together or not at all. No write lock is held while
    the replay is computed: it reads a snapshot (or takes the caller's `snapshot`, (histories, version) from
    srs.optimizer.history.read_histories), replays, and writes the cards whose state changes and the
    settings in a transaction that first checks that no other connection has committed since the snapshot
    (else all is computed again). So an answer given meanwhile elsewhere is never lost, and at 100k cards no
    transaction lasts a second. Returns how many cards were rescheduled.
    """
    from srs.optimizer.history import read_histories
    from srs.store import history

    if deck_ids is not None and not deck_ids:
        return 0
    save_settings = save_settings or {}
    settings_for = _settings_for_saving(store, save_settings)
    for attempt in range(OPTIMISTIC_TRIES):
        histories, version = snapshot if snapshot is not None and attempt == 0 else read_histories(store, deck_ids)
        history.stage_cards(store.conn, SCHEDULING, final_states(histories, settings_for))
        if _write_cards(store, version, save_settings):
            break
    else:
        with store.transaction() as conn:  # the store kept changing: compute and write inside one lock
            history.put_settings(conn, save_settings)
            histories = read_histories(store, deck_ids, snapshot=False)[0]
            history.stage_cards(conn, SCHEDULING, final_states(histories, _settings_for(store)))
            history.write_staged_cards(conn, SCHEDULING)
            history.clear_staged_cards(conn)
    if progress:
        progress(len(histories), len(histories))
    return len(histories)


def _write_cards(store, version: int, save_settings: dict) -> bool:
    """The staged cards, and then the settings with the last of them; False (and the settings unwritten) when
    another connection committed since the snapshot `version`. Up to CARDS_PER_TRANSACTION cards (any
    collection but a huge one) are written in the settings' transaction, so both are committed together or
    not at all; beyond that, in transactions of that many cards, each checked, the settings in the last:
    were the process stopped between them, some cards would hold the new states under the old parameters
    (valid FSRS states; `srs optimize` again finishes the job)."""
    from srs.store import history

    cids = history.staged_card_ids(store.conn)
    bounds = [(cids[i], cids[min(i + CARDS_PER_TRANSACTION, len(cids)) - 1])
              for i in range(0, len(cids), CARDS_PER_TRANSACTION)] or [(0, -1)]
    try:
        for n, (first, last) in enumerate(bounds):
            with store.transaction() as conn:
                if not history.unchanged_since(conn, version):
                    return False
                history.write_staged_cards(conn, SCHEDULING, first, last)
                if n == len(bounds) - 1:
                    history.put_settings(conn, save_settings)
        return True
    finally:
        history.clear_staged_cards(store.conn)


def _settings_for_saving(store, save_settings: dict) -> Callable:
    """Each deck's replayer with `save_settings` as they will be once written (they are not yet)."""
    from srs.scheduler import Planner
    from srs.session import scheduler_settings

    planner = Planner()
    overlay = _SettingsOverlay(store, save_settings)
    return lambda deck_id: replayer_for(planner, scheduler_settings(overlay, deck_id))  # type: ignore[arg-type]


class _SettingsOverlay:
    """The store as scheduler_settings reads it, with settings about to be saved in place of the stored."""

    def __init__(self, store, values: dict) -> None:
        self._store, self._values = store, values

    def setting(self, key: str, default=None):
        if key in self._values:
            return self._values[key]
        return self._store.setting(key, default)

    def deck_options(self):
        return self._store.deck_options()
