"""Anki's own `compute_optimal_retention` on a review log, and the inputs it simulates with.

A real collection (the `anki` package) gets one Basic note per card of the log, every review as a revlog row
(type learn/review/relearn from srs's replay: the state the card was in when answered; its duration), and each
card the interval and due date srs's replay ends with, placed so that Anki's "today" is the day after the
log's last review. FSRS is switched on with the given parameters, and the request is the one Anki's deck
options send with the default preset (365 days, no extra new cards, the preset's daily limits and steps).

Used by tests/optimizer/test_retention_vs_anki.py and benchmarks/bench_optimize.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.fsrs_math import Replayer
from srs.scheduler import Planner, SchedulerSettings

DAY = 86_400
REVLOG_TYPE = {0: 0, 1: 0, 2: 1, 3: 2}  # srs state before the answer -> Anki revlog type (learn, review, relearn)


@dataclass
class AnkiRetention:
    optimal_retention: float
    config: object  # Anki's GetOptimalRetentionParametersResponse: what it extracted from the log
    cards: list  # fsrs_rs_python.Card: the existing cards as Anki hands them to the simulator
    request: object  # the SimulateFsrsReviewRequest


def replayed(histories: dict, parameters) -> dict:
    """{card key: ([(at, rating, duration ms, state before)], final state)} by srs's replay."""
    replayer = Replayer(Planner().scheduler(SchedulerSettings(parameters=tuple(parameters))))
    out = {}
    for n, (key, reviews) in enumerate(histories.items()):
        states = replayer.states(n + 1, [(at, rating) for at, rating, _ in reviews])
        befores = [0] + [s[0] for s in states[:-1]]
        out[key] = ([(at, r, ms, b) for (at, r, ms), b in zip(reviews, befores)], states[-1])
    return out


def fsrs_collection(path, parameters):
    """A new Anki collection at `path` with FSRS on and its default deck using `parameters` (the caller closes it)."""
    import anki.collection

    col = anki.collection.Collection(str(path))
    col.set_config("fsrs", True)
    config = col.decks.config_dict_for_deck_id(1)
    config["fsrsParams6"] = list(parameters)
    col.decks.update_config(config)
    return col


def anki_optimal_retention(folder, histories: dict, parameters, days_to_simulate: int = 365) -> AnkiRetention:
    """`histories`: {card key: [(epoch seconds, rating, duration ms), ...] in time order}."""
    from anki.scheduler_pb2 import SimulateFsrsReviewRequest

    cards = replayed(histories, parameters)
    end_day = max(rev[-1][0] for rev, _ in cards.values()) // DAY + 1  # "today": the day after the last review
    col = fsrs_collection(folder / "retention.anki2", parameters)
    try:
        config = col.decks.config_dict_for_deck_id(1)
        basic = col.models.by_name("Basic")
        today = col.sched.today
        revlog, updates = [], []
        for key, (reviews, final) in cards.items():
            note = col.new_note(basic)
            note["Front"], note["Back"] = f"card {key}", "answer"
            col.add_note(note, 1)
            cid = note.cards()[0].id
            for i, (at, rating, ms, before) in enumerate(reviews):
                revlog.append((at * 1000 + i, cid, rating, max(ms or 0, 0), REVLOG_TYPE[before]))
            state, _, _, _, due, last, reps, lapses = final
            interval = max(1, (due - last) // DAY) if state == 2 else 1
            due_day = today + (due // DAY - end_day) if state == 2 else today
            updates.append((interval, due_day, reps, lapses, cid))
        col._backend.db_begin()  # one transaction: Anki's executemany would otherwise commit row by row
        col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, ?, 1, 0, 0, ?, ?)",
            revlog,
        )
        col.db.executemany("UPDATE cards SET type = 2, queue = 2, ivl = ?, due = ?, reps = ?, lapses = ? WHERE id = ?",
                           updates)
        col._backend.db_commit()
        search = 'preset:"Default" -is:suspended'
        extracted = col._backend.get_optimal_retention_parameters(search=search)
        request = SimulateFsrsReviewRequest(
            params=list(parameters),
            desired_retention=config["desiredRetention"],
            deck_size=0,
            days_to_simulate=days_to_simulate,
            new_limit=config["new"]["perDay"],
            review_limit=config["rev"]["perDay"],
            max_interval=config["rev"]["maxIvl"],
            search=search,
            new_cards_ignore_review_limit=bool(col.get_config("newCardsIgnoreReviewLimit", False)),
            historical_retention=config.get("historicalRetention", 0.9),
            learning_step_count=len(config["new"]["delays"]),
            relearning_step_count=len(config["lapse"]["delays"]),
        )
        value = col._backend.compute_optimal_retention(request)
        return AnkiRetention(round(float(value), 3), extracted, [], request)
    finally:
        col.close()
