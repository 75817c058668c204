"""`srs due` lists exactly what `srs review` then shows, in the same order, over random collections: decks of
flashcards and clozes, cards in every state (new, learning due now or soon or later, reviews overdue, due later
today or not yet, suspended, buried), deck and overall limits, deck positions."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learn_helpers import NOW_EPOCH, TODAY_ENDS_EPOCH, Learner

# Where a card's history puts it (learning cards are due now, in the learn-ahead window, or later today;
# none within a minute of the session, so the clock flowing while the review runs changes nothing).
STATES = {
    "new": None,
    "learning-due": (1, NOW_EPOCH - 300),
    "learning-ahead": (1, NOW_EPOCH + 600),
    "learning-later": (1, NOW_EPOCH + 7200),
    "relearning-due": (3, NOW_EPOCH - 60),
    "review-overdue": (2, NOW_EPOCH - 5 * 86400),
    "review-today": (2, NOW_EPOCH + 3600),
    "review-tomorrow": (2, TODAY_ENDS_EPOCH + 3600),
    "suspended": None,
    "buried": None,
}

item = st.one_of(
    st.just(("flashcard", 1)),
    st.tuples(st.just("cloze"), st.integers(1, 3)),
)
deck = st.tuples(
    st.lists(item, min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(0, 4)),  # the deck's own new_per_day
    st.booleans(),  # bury_siblings
    st.one_of(st.none(), st.integers(0, 3)),  # position
)


def deck_text(index: int, items, new_per_day, bury, position) -> str:
    options = {"bury_siblings": bury}
    if new_per_day is not None:
        options["new_per_day"] = new_per_day
    if position is not None:
        options["position"] = position
    lines = [f"title: Deck {index}", f"options: {json.dumps(options)}", "items:"]
    for n, (kind, cards) in enumerate(items):
        if kind == "flashcard":
            lines += [f"  - id: d{index}-f{n}", f"    q: Question {index}-{n}?", f"    a: Answer {index}-{n}."]
        else:
            deletions = ", ".join(f"{{{{c{c}::part {c}}}}}" for c in range(1, cards + 1))
            lines += [f"  - id: d{index}-z{n}", f"    text: 'Cloze {index}-{n}: {deletions}.'"]
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decks=st.lists(deck, min_size=1, max_size=4), states=st.lists(st.sampled_from(sorted(STATES)), max_size=40),
       new_per_day=st.integers(1, 12), reviews_per_day=st.integers(1, 12))
def test_due_order_is_review_order(decks, states, new_per_day, reviews_per_day):
    with tempfile.TemporaryDirectory() as tmp:
        learner = Learner(Path(tmp))
        for index, (items, deck_limit, bury, position) in enumerate(decks):
            learner.write(f"deck{index}.yaml", deck_text(index, items, deck_limit, bury, position))
        learner.sync()
        conn = sqlite3.connect(learner.db)
        conn.execute("INSERT INTO settings VALUES ('new_per_day', ?), ('reviews_per_day', ?)",
                     [new_per_day, reviews_per_day])
        cids = [row[0] for row in conn.execute("SELECT cid FROM cards ORDER BY cid")]
        for cid, state in zip(cids, states):
            if state == "suspended":
                conn.execute("UPDATE cards SET suspended = 1 WHERE cid = ?", [cid])
            elif state == "buried":
                conn.execute("UPDATE cards SET buried_until = ? WHERE cid = ?", [TODAY_ENDS_EPOCH, cid])
            elif STATES[state]:
                value, due = STATES[state]
                conn.execute(
                    "UPDATE cards SET state = ?, step = 0, stability = 3.0, difficulty = 5.0, due = ?, "
                    "last_review = ?, reps = 2 WHERE cid = ?", [value, due, due - 86400 * (value == 2) - 600, cid])
        conn.commit()
        conn.close()

        planned = learner.due_ids()
        # Easy takes every card out of the day, so none comes back: the review shows the queue as it stands.
        result = learner.cli("review", input=" \n4\n" * (len(planned) + 3))
        assert result.exit_code == 0, result.output
        assert [uid for uid, *_ in learner.answers()] == planned
