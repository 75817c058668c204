"""`srs search` at scale: 100,000 items (about 110,000 cards) with review states and a review log.

Prints, for each query, the time the store's SQL takes (srs.store.search: an FTS5 word index for text,
card indexes for the rest; best of 3, pinned to one core) beside a plain Python filter of the same cards
held in memory (srs.search.reference, what each query means) and beside Anki's `col.find_cards` on an
Anki collection of the same notes (text, decks and tags; its cards are all new, and its words match
anywhere inside words where srs matches their start), with the ratios. Target: every query under 100 ms.

Run: python benchmarks/bench_search.py [--items 100000] [--no-anki]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from benchmarks.common import best_of, one_core

WORDS = (
    "noise image step denoiser sample model prompt guidance seed latent pixel schedule variance training "
    "pair static forward reverse process network predict remove add small large gradient score text encoder "
    "decoder attention layer weight loss error mean signal blur detail colour shape edge picture random"
).split()
QUERIES = [
    "denoiser",
    "de",
    '"reverse process"',
    "deck:deck-07 is:due",
    "tag:core -is:new prop:ivl>30",
    "prop:r<0.8",
    "latent or attention -is:suspended",
    "kind:cloze rated:7:1",
    "id:item-0999*",
    "is:new deck:deck-1*",
]
NOW = 1_795_428_000
DAY = 86400


def _draw_item(rng: random.Random) -> tuple[str, str, str, str, list[str]]:
    kind = rng.choice(("flashcard", "flashcard", "choice", "cloze"))
    front = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
    back = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 10)))
    deck = f"deck-{rng.randrange(20):02d}"
    tags = rng.sample(["core", "extra", "maths", "history"], rng.randint(0, 2))
    return kind, front, back, deck, tags


def _draw_cards(rng: random.Random, kind: str) -> list[tuple]:
    cards = []
    for _ in range(2 if kind == "cloze" else 1):
        state = rng.choice((0, 0, 1, 2, 2, 2, 3))
        last = None if state == 0 else NOW - rng.randrange(90 * DAY)
        due = None if state == 0 else last + rng.randrange(60, 120 * DAY)
        stability = None if state == 0 else rng.uniform(0.5, 200)
        log = [] if state == 0 else [(NOW - rng.randrange(30 * DAY), rng.randint(1, 4))]
        cards.append((state, last, due, stability, rng.randrange(4), rng.randrange(12), int(rng.random() < 0.05),
                      int(rng.random() < 0.01), log))
    return cards


def build(path: Path, items: int, seed: int = 7):
    """A store with `items` items, and the same cards as SearchCards for the Python filter."""
    from srs.search.reference import SEPARATOR, SearchCard
    from srs.store import Store, log

    rng = random.Random(seed)
    store = Store.open(path)
    conn = store.conn
    cards: list[SearchCard] = []
    item_rows, card_rows, log_rows = [], [], []
    cid = 0
    for iid in range(1, items + 1):
        kind, front, back, deck, tags = _draw_item(rng)
        uid = f"item-{iid:06d}"
        item_rows.append((iid, uid, deck, kind, front, json.dumps({"kind": kind, "front": front, "back": back}),
                          json.dumps(tags), iid))
        for ord_, (state, last, due, stability, lapses, reps, suspended, leech, ratings) in enumerate(
            _draw_cards(rng, kind)
        ):
            cid += 1
            card = SearchCard(
                f"{uid}#c{ord_ + 1}" if kind == "cloze" else uid, uid, deck, kind, front + SEPARATOR + back, tags,
                state, due, last, stability, lapses, reps, suspended, 0, None, leech, ratings,
            )
            cards.append(card)
            card_rows.append((cid, iid, card.uid, ord_, deck, iid, state, due, last, stability, card.lapses,
                              card.reps, card.suspended, card.leech))
            log_rows += [(cid, deck, t, r) for t, r in card.ratings]
    with store.transaction() as tx:
        tx.executemany(
            "INSERT INTO items (iid, uid, deck_id, kind, content_hash, key_text, content, tags, path, line, idx) "
            "VALUES (?, ?, ?, ?, '', ?, ?, ?, 'bench.yaml', 1, ?)", item_rows)
        tx.executemany(
            "INSERT INTO cards (cid, iid, uid, ord, deck_id, idx, state, due, last_review, stability, lapses, reps, "
            "suspended, leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", card_rows)
        log.insert_chain(tx, [(cid, t, r, None, "review", 1, log.FRESH) for cid, _, t, r in log_rows])
    conn.execute("ANALYZE")
    return store, cards


def anki_times(items: int, queries: list[str]) -> dict[str, tuple[int, float]]:
    """{query: (cards found, seconds)} from Anki's find_cards over a collection of the same notes."""
    from anki.collection import AddNoteRequest, Collection

    rng = random.Random(7)  # the same draws as build(), for the same texts, decks and tags
    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(str(Path(tmp) / "bench.anki2"))
        basic, cloze = col.models.by_name("Basic"), col.models.by_name("Cloze")
        deck_ids = {f"deck-{n:02d}": col.decks.id(f"deck-{n:02d}") for n in range(20)}
        requests = []
        for _ in range(items):
            kind, front, back, deck, tags = _draw_item(rng)
            note = col.new_note(cloze if kind == "cloze" else basic)
            if kind == "cloze":
                note["Text"], note["Back Extra"] = f"{{{{c1::{front}}}}} {{{{c2::x}}}}", back
            else:
                note["Front"], note["Back"] = front, back
            note.tags = tags
            requests.append(AddNoteRequest(note=note, deck_id=deck_ids[deck]))
            _draw_cards(rng, kind)
        col.add_notes(requests)
        with one_core():
            found = {q: (len(col.find_cards(q)), best_of(lambda q=q: col.find_cards(q), 3)) for q in queries}
        col.close()
    return found


def measure(items: int) -> list[dict]:
    from srs.search.query import parse
    from srs.search.reference import Moment, matches
    from srs.store.search import search_cards

    at = Moment(NOW, NOW - 6 * 3600, NOW + 18 * 3600, 19 / 81, 0.5)
    with tempfile.TemporaryDirectory() as tmp:
        store, cards = build(Path(tmp) / "bench.sqlite3", items)
        results = []
        with one_core():
            for query in QUERIES:
                node = parse(query)
                found = search_cards(store.conn, node, at)
                expected = [c for c in cards if matches(node, c, at)]
                assert len(found) == len(expected), query
                sql_s = best_of(lambda node=node: search_cards(store.conn, node, at), 3)
                python_s = best_of(lambda node=node: [c for c in cards if matches(node, c, at)], 1)
                results.append({"query": query, "cards": len(found), "sql_ms": sql_s * 1000,
                                "python_ms": python_s * 1000})
        store.close()
    return results


# Queries whose meaning Anki shares closely enough to time side by side (Anki's cards are all new).
ANKI_QUERIES = ["denoiser", "de", '"reverse process"', "latent or attention -is:suspended", "is:new deck:deck-1*"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--no-anki", action="store_true", help="Leave out Anki's find_cards.")
    args = parser.parse_args()
    rows = measure(args.items)
    anki = {} if args.no_anki else anki_times(args.items, ANKI_QUERIES)
    print(f"srs search over {args.items:,} items: SQL (FTS5) vs a plain Python filter in memory vs Anki's find_cards")
    print(f"{'query':<36} {'cards':>7} {'sql ms':>8} {'python ms':>10} {'python/sql':>10}"
          f" {'anki cards':>10} {'anki ms':>8} {'anki/sql':>8}")
    for row in rows:
        ratio = row["python_ms"] / max(row["sql_ms"], 1e-6)
        line = f"{row['query']:<36} {row['cards']:>7} {row['sql_ms']:>8.1f} {row['python_ms']:>10.1f} {ratio:>9.1f}x"
        if row["query"] in anki:
            count, seconds = anki[row["query"]]
            line += f" {count:>10} {seconds * 1000:>8.1f} {seconds * 1000 / max(row['sql_ms'], 1e-6):>7.1f}x"
        print(line)
    worst = max(row["sql_ms"] for row in rows)
    print(f"slowest query: {worst:.1f} ms (target: under 100 ms)")


if __name__ == "__main__":
    main()
